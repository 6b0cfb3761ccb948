"""The per-run session of a command (cglib.cli.session): when it may prompt,
the index and credentials resolved once and their secrets masked, the client
it builds, and the output the error handler finds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cglib.cli import session as session_module
from cglib.cli.session import Session, current_output, forget_outputs
from cglib.client import IndexClient
from cglib.errors import ConfigError, UsageError

URL_SECRET = "url-secret-81f2"
ENV_SECRET = "env-secret-5c0d"


@pytest.fixture(autouse=True)
def no_output_left() -> Iterator[None]:
    forget_outputs()
    yield
    forget_outputs()


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "_stdin_is_tty", lambda: True)


def test_no_input_without_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_module, "_stdin_is_tty", lambda: False)
    assert Session().no_input is True


@pytest.mark.usefixtures("tty")
@pytest.mark.parametrize(
    ("value", "no_input"),
    [
        (None, False),
        ("", False),
        ("0", False),
        ("false", False),
        ("No", False),
        (" off ", False),
        ("1", True),
        ("yes", True),
        ("TRUE", True),
        ("anything", True),
    ],
)
def test_no_input_on_a_terminal_follows_cglib_no_input(
    monkeypatch: pytest.MonkeyPatch, value: str | None, no_input: bool
) -> None:
    if value is not None:
        monkeypatch.setenv("CGLIB_NO_INPUT", value)
    assert Session().no_input is no_input
    assert Session(no_input=True).no_input is True


@pytest.mark.parametrize(("value", "allowed"), [(None, False), ("0", False), ("1", True)])
def test_allow_insecure_http_from_the_flag_or_the_environment(
    monkeypatch: pytest.MonkeyPatch, value: str | None, allowed: bool
) -> None:
    if value is not None:
        monkeypatch.setenv("CGLIB_ALLOW_INSECURE_HTTP", value)
    assert Session().allow_insecure_http is allowed
    assert Session(allow_insecure_http=True).allow_insecure_http is True


def test_the_index_is_resolved_when_first_asked_and_its_password_masked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    bad = Session(index_url="ftp://example.org/")  # no error yet: nothing asked
    with pytest.raises(UsageError):
        _ = bad.index
    session = Session(index_url=f"https://me:{URL_SECRET}@example.org/simple", verbose=1)
    assert session.output.mask(f"said {URL_SECRET}") == f"said {URL_SECRET}"
    index = session.index
    assert session.index is index
    assert index.url == "https://example.org/simple/"
    assert session.output.mask(f"said {URL_SECRET}") == "said ***"
    err = capsys.readouterr().err
    assert err.count("cglib: index: https://example.org/simple/\n") == 1
    assert URL_SECRET not in err


def test_credentials_are_resolved_once_and_their_password_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CGLIB_USERNAME", "ci")
    monkeypatch.setenv("CGLIB_PASSWORD", ENV_SECRET)
    session = Session(index_url="https://example.org/simple/", verbose=1)
    resolved = session.credentials()
    assert session.credentials() is resolved
    assert resolved.source == "env"
    assert resolved.credentials is not None
    assert resolved.credentials.username == "ci"
    assert session.output.mask(ENV_SECRET) == "***"
    err = capsys.readouterr().err
    assert err.count("cglib: credentials: env (user ci)\n") == 1
    # Asking every source is a new resolution, made once too.
    everything = session.credentials(ask_all=True)
    assert everything is not resolved
    assert session.credentials(ask_all=True) is everything
    assert session.credentials() is everything


def test_a_chainguard_index_without_credentials_fails_before_any_request() -> None:
    session = Session(index_name="python")
    with pytest.raises(ConfigError) as info:
        session.client()
    assert info.value.exit_code == 3
    assert info.value.message == f"{session.index.url} needs credentials and none were found"
    assert info.value.hint is not None
    assert "cglib login" in info.value.hint


def test_the_client_carries_the_index_and_the_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CGLIB_USERNAME", "ci")
    monkeypatch.setenv("CGLIB_PASSWORD", ENV_SECRET)
    session = Session(index_url="https://example.org/simple/")
    with session.client() as client:
        assert isinstance(client, IndexClient)
        assert client.index is session.index
        assert client.credentials == session.credentials().credentials
        assert client.credentials_source == "env"


def test_the_current_output_is_the_latest_sessions_until_forgotten() -> None:
    assert current_output() is None
    first = Session()
    assert current_output() is first.output
    second = Session(json_mode=True, verbose=2, quiet=True)
    assert current_output() is second.output
    assert (second.output.json_mode, second.output.verbose, second.output.quiet) == (True, 2, True)
    forget_outputs()
    assert current_output() is None
