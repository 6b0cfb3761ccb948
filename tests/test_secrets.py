"""A sentinel token run through every command, source, verbosity and outcome:
it must never appear in stdout or stderr (nor encoded)."""

from __future__ import annotations

import base64
import io
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from cglib.auth import Credentials, Resolved, resolve_credentials
from cglib.config import resolve_index
from cglib.errors import AuthError
from cglib.keyring_source import Stored
from cglib.netrc_source import parse_netrc
from memory_keyring import MemoryKeyring, installed
from support.fakeindex import FakeIndex

SENTINEL = "SENTINEL-tok-91ab2c/x+y="
USER = "org1234/tok5678"
FLAGS = [(), ("-v",), ("--json",), ("-vv", "--json")]
SOURCES = ["url", "chainguard-env", "generic-env", "keyring", "netrc"]
OUTCOMES = ["accepted", "rejected", "server-error"]
INDEX = "https://example.org/simple/"


def six_index(**options: object) -> FakeIndex:
    index = FakeIndex(**options)  # type: ignore[arg-type]
    index.wheel("six", "1.17.0", "py2.py3-none-any")
    return index


def forms(secret: str) -> list[str]:
    """The secret as it could leak: plain, percent-encoded, inside Basic auth."""
    return [
        secret,
        quote(secret, safe=""),
        base64.b64encode(f"{USER}:{secret}".encode()).decode(),
    ]


def assert_clean(*texts: str) -> None:
    for text in texts:
        for form in forms(SENTINEL):
            assert form not in text, "the sentinel leaked"


def put_source(source: str, monkeypatch: pytest.MonkeyPatch, home: Path, kr: MemoryKeyring) -> str:
    """Make ``source`` hold USER/SENTINEL; return the index URL to use."""
    if source == "url":
        return INDEX.replace(
            "https://", f"https://{quote(USER, safe='')}:{quote(SENTINEL, safe='')}@"
        )
    if source == "chainguard-env":
        monkeypatch.setenv("CHAINGUARD_PYTHON_IDENTITY_ID", USER)
        monkeypatch.setenv("CHAINGUARD_PYTHON_TOKEN", SENTINEL)
    elif source == "generic-env":
        monkeypatch.setenv("CGLIB_USERNAME", USER)
        monkeypatch.setenv("CGLIB_PASSWORD", SENTINEL)
    elif source == "keyring":
        kr.store[("example.org", USER)] = SENTINEL
    elif source == "netrc":
        netrc = home / ".netrc"
        netrc.write_text(f'machine example.org login {USER} password "{SENTINEL}"\n')
        netrc.chmod(0o644)  # also exercises the permission warning
    return INDEX


def serve(outcome: str, httpx_mock, monkeypatch) -> FakeIndex:
    if outcome == "server-error":
        monkeypatch.setenv("CGLIB_RETRIES", "0")
        return six_index(status=500).mount(httpx_mock)
    password = SENTINEL if outcome == "accepted" else "some-other-token"
    return six_index(user=USER, password=password).mount(httpx_mock)


@pytest.fixture
def kr():
    with installed(MemoryKeyring()) as backend:
        yield backend


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: "".join(f) or "plain")
@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("source", SOURCES)
def test_versions_and_status_never_show_the_token(
    cli, httpx_mock, monkeypatch, isolate, kr, source, outcome, flags
):
    url = put_source(source, monkeypatch, isolate, kr)
    serve(outcome, httpx_mock, monkeypatch)
    expected = {"accepted": 0, "rejected": 4, "server-error": 6}[outcome]
    if source == "chainguard-env" and outcome != "server-error":
        expected = 3  # the Chainguard pair is not sent to another host: no credentials
    for command in (["versions", "six"], ["auth", "status"]):
        result = cli(*command, "--index-url", url, *flags)
        assert result.exit_code == expected, result.stderr
        assert "Traceback" not in result.stderr
        assert_clean(result.stdout, result.stderr)


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: "".join(f) or "plain")
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_login_and_logout_never_show_the_token(cli, httpx_mock, monkeypatch, kr, outcome, flags):
    serve(outcome, httpx_mock, monkeypatch)
    monkeypatch.setattr(sys, "stdin", io.StringIO(SENTINEL + "\n"))
    result = cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX, *flags)
    assert result.exit_code == {"accepted": 0, "rejected": 4, "server-error": 6}[outcome]
    assert_clean(result.stdout, result.stderr)
    assert (SENTINEL in kr.store.values()) == (outcome == "accepted")
    result = cli("logout", "--index-url", INDEX, *flags)
    assert result.exit_code == 0
    assert_clean(result.stdout, result.stderr)


def test_disagreeing_sources_never_show_either_token(cli, httpx_mock, monkeypatch, isolate, kr):
    six_index(user=USER, password=SENTINEL).mount(httpx_mock)
    monkeypatch.setenv("CGLIB_USERNAME", USER)
    monkeypatch.setenv("CGLIB_PASSWORD", SENTINEL)
    kr.store[("example.org", USER)] = SENTINEL + "-old"
    for flags in FLAGS:
        result = cli("auth", "status", "--index-url", INDEX, *flags)
        assert result.exit_code == 0
        assert "different passwords" in result.stderr
        assert_clean(result.stdout, result.stderr)
        assert SENTINEL + "-old" not in result.stdout + result.stderr


def test_a_traceback_is_masked_too(cli, httpx_mock, monkeypatch):
    """Even the CGLIB_DEBUG traceback of an internal error hides the token."""
    from cglib.client import IndexClient

    def boom(self, name):
        raise RuntimeError(f"bug while holding {self.credentials.password}")

    monkeypatch.setattr(IndexClient, "get_project", boom)
    monkeypatch.setenv("CGLIB_DEBUG", "1")
    monkeypatch.setenv("CGLIB_USERNAME", USER)
    monkeypatch.setenv("CGLIB_PASSWORD", SENTINEL)
    result = cli("versions", "six", "--index-url", INDEX, "-v")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert "RuntimeError: bug while holding ***" in result.stderr
    assert_clean(result.stdout, result.stderr)


def test_a_netrc_syntax_error_inside_a_password_is_not_quoted(cli, httpx_mock, isolate):
    six_index().mount(httpx_mock)
    netrc = isolate / ".netrc"
    netrc.write_text(f"machine example.org login {USER} password {SENTINEL} {SENTINEL}\n")
    netrc.chmod(0o600)
    result = cli("auth", "status", "--index-url", INDEX, "-v")
    assert result.exit_code == 0
    assert "line 1" in result.stderr
    assert_clean(result.stdout, result.stderr)


def test_reprs_hide_the_token(isolate):
    user, token = quote(USER, safe=""), quote(SENTINEL, safe="")
    index = resolve_index(f"https://{user}:{token}@example.org/simple/")
    creds = Credentials(USER, SENTINEL)
    resolved = resolve_credentials(index, {"HOME": str(isolate)})
    entry = parse_netrc(f"machine example.org login u password {SENTINEL} account {SENTINEL}")[0]
    stored = Stored(backend="b", service="example.org", username=USER)
    error = AuthError("401 from https://example.org/simple/", status=401)
    for obj in (index, creds, resolved, Resolved(creds, "env"), entry, stored, error):
        assert_clean(repr(obj), str(obj))


def test_a_user_name_with_an_unencoded_slash_is_refused_without_echo(cli, httpx_mock):
    """`https://ORGID/TOKENID:TOKEN@host/` puts the token in the path, where no
    redaction finds it: refuse the URL, and do not repeat it."""
    result = cli("versions", "six", "--index-url", f"https://{USER}:{SENTINEL}@example.org/simple/")
    assert result.exit_code == 2
    assert "%2F" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert_clean(result.stdout, result.stderr)
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see https://u:p@example.org/x now", "see https://***@example.org/x now"),
        (
            "git+https://tok@example.org/a https://b@c/",
            "git+https://***@example.org/a https://***@c/",
        ),
        ("https://example.org/a@b", "https://example.org/a@b"),
        ("mail me: a@b, https://example.org/", "mail me: a@b, https://example.org/"),
        ("no url at all", "no url at all"),
    ],
)
def test_redact(text: str, expected: str) -> None:
    from cglib.urls import redact

    assert redact(text) == expected


_REDACT_BIG = """
from cglib.urls import redact
for text in ("a" * 1_000_000, "a://" + "b" * 1_000_000, ("x" * 1000 + "://") * 1000,
             "https://" + "u" * 1_000_000 + "@example.org/"):
    redact(text)
print("done")
"""


def test_redact_is_linear_on_a_megabyte() -> None:
    """A quadratic scan takes many minutes on these 1 MB texts; a linear one
    well under a second.  The time-out only has to tell the two apart."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", _REDACT_BIG], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.strip() == "done", done.stderr
