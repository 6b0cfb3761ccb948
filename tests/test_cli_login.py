"""`cglib login`, `cglib logout` and `cglib auth status` (cglib.cli.login),
in-process; `--netrc`; login's checks before it prompts (keyring backend,
Ctrl-C / Ctrl-D through a real pseudo-terminal)."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest
from keyring.backends import null

from cglib.keyring_source import USER_SERVICE
from memory_keyring import HangingKeyring, LockedKeyring, MemoryKeyring, TokenKeyring, installed
from support.fakeindex import six_index

INDEX = "https://example.org/simple/"

USER = "ci-user"
TOKEN = "good-token"


@pytest.fixture
def kr():
    with installed(MemoryKeyring()) as backend:
        yield backend


@pytest.fixture
def stdin(monkeypatch):
    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))

    return feed


@pytest.fixture
def tty(monkeypatch):
    """Pretend stdin is a terminal and answer prompts from a list."""
    from cglib.cli import login, session

    monkeypatch.setattr(session, "_stdin_is_tty", lambda: True)
    asked: list[tuple[str, bool]] = []
    answers: list[str] = []

    def prompt(text: str, *, hidden: bool) -> str:
        asked.append((text, hidden))
        return answers.pop(0)

    monkeypatch.setattr(login, "_prompt", prompt)
    return answers, asked


@pytest.fixture
def netrc(isolate: Path) -> Path:
    return isolate / ".netrc"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def one_line_error(result, *words):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in result.stderr
    for word in words:
        assert word in lines[0]


# -- login ------------------------------------------------------------------------------


def test_login_password_stdin_checks_then_stores(cli, httpx_mock, kr, stdin):
    index = six_index().mount(httpx_mock)
    stdin(f"{TOKEN}\n")
    result = cli("login", "--username", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert kr.store[("example.org", USER)] == TOKEN
    assert kr.store[(USER_SERVICE, "example.org")] == USER
    assert len(index.requests) == 1
    assert index.requests[0].url == INDEX
    assert "Logged in to https://example.org/simple/ as ci-user" in result.stderr
    assert "service 'example.org'" in result.stderr
    assert "MemoryKeyring" in result.stderr
    assert result.stdout == ""
    assert TOKEN not in result.stderr


def test_login_json(cli, httpx_mock, kr, stdin):
    six_index().mount(httpx_mock)
    stdin(f"{TOKEN}\n")
    result = cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc == {
        "index": INDEX,
        "username": USER,
        "stored": True,
        "keyring_service": "example.org",
        "keyring_backend": "memory_keyring.MemoryKeyring",
    }


def test_after_login_versions_and_status_use_the_keyring(cli, httpx_mock, kr, stdin):
    six_index().mount(httpx_mock)
    stdin(f"{TOKEN}\n")
    assert cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX).exit_code == 0
    result = cli("versions", "six", "--index-url", INDEX, "-v")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split("\t")[0] == "1.17.0"
    assert "credentials: keyring (user ci-user)" in result.stderr
    status = cli("auth", "status", "--index-url", INDEX, "--json")
    assert status.exit_code == 0, status.stderr
    assert json.loads(status.stdout) == {
        "index": INDEX,
        "source": "keyring",
        "username": USER,
        "accepted": True,
    }


def test_login_works_with_backends_that_need_the_user_name(cli, httpx_mock, stdin):
    six_index().mount(httpx_mock)
    with installed(MemoryKeyring(find_without_user=False)):
        stdin(f"{TOKEN}\n")
        assert cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX).exit_code == 0
        result = cli("auth", "status", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"index: {INDEX}",
        "source: keyring",
        f"username: {USER}",
        "accepted: yes",
    ]


@pytest.mark.parametrize("status", [401, 403])
def test_login_rejected_stores_nothing(cli, httpx_mock, kr, stdin, status):
    six_index(reject_status=status).mount(httpx_mock)
    stdin("wrong-token\n")
    result = cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 4
    one_line_error(result, str(status), "nothing was stored", INDEX)
    assert kr.store == {}
    assert "wrong-token" not in result.stderr


def test_login_rejected_json(cli, httpx_mock, kr, stdin):
    six_index().mount(httpx_mock)
    stdin("wrong-token\n")
    result = cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX, "--json")
    assert result.exit_code == 4
    assert result.stdout == ""
    error = json.loads(result.stderr)["error"]
    assert error["code"] == 4
    assert error["kind"] == "auth"
    assert kr.store == {}


def test_login_accepts_a_server_without_root_listing(cli, httpx_mock, kr, stdin):
    six_index(root_status=404).mount(httpx_mock)
    stdin(f"{TOKEN}\n")
    result = cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert kr.store[("example.org", USER)] == TOKEN


def test_login_without_tty_or_password_stdin_is_exit_3(cli, httpx_mock, kr):
    result = cli("login", "--username", USER, "--index-url", INDEX)
    assert result.exit_code == 3
    one_line_error(result, "cannot prompt", "--password-stdin")
    assert httpx_mock.get_requests() == []
    assert kr.store == {}


def test_login_no_input_on_a_tty_does_not_prompt(cli, tty, kr):
    _answers, asked = tty
    result = cli("login", "--index-url", INDEX, "--no-input")
    assert result.exit_code == 3
    assert asked == []


def test_login_no_input_env_on_a_tty_does_not_prompt(cli, tty, kr, monkeypatch):
    _answers, asked = tty
    monkeypatch.setenv("CGLIB_NO_INPUT", "1")
    result = cli("login", "--index-url", INDEX)
    assert result.exit_code == 3
    one_line_error(result, "cannot prompt", "--password-stdin")
    assert asked == []


@pytest.mark.parametrize("no_input", [["--no-input"], []])
def test_no_input_still_asks_the_keyring(cli, tty, kr, monkeypatch, no_input):
    """SPEC.md's "skip the keyring (bounded time)" under --no-input: the keyring
    is asked, within CGLIB_KEYRING_TIMEOUT, never skipped outright."""
    if not no_input:
        monkeypatch.setenv("CGLIB_NO_INPUT", "1")
    kr.store[("example.org", USER)] = TOKEN
    result = cli("auth", "status", "--index-url", INDEX, "--no-check", "--json", *no_input)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["source"] == "keyring"


def test_password_stdin_needs_username(cli, kr, stdin):
    stdin(f"{TOKEN}\n")
    result = cli("login", "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 2
    one_line_error(result, "--username")


def test_password_stdin_empty(cli, kr, stdin):
    stdin("\n")
    result = cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 2
    one_line_error(result, "no password on standard input")


def test_login_prompts_on_a_tty(cli, httpx_mock, kr, tty):
    answers, asked = tty
    six_index().mount(httpx_mock)
    answers.extend([USER, TOKEN])
    result = cli("login", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert asked == [("Username", False), ("Password or token", True)]
    assert kr.store[("example.org", USER)] == TOKEN


def test_login_prompts_only_for_the_token_when_username_given(cli, httpx_mock, kr, tty):
    answers, asked = tty
    six_index().mount(httpx_mock)
    answers.append(TOKEN)
    result = cli("login", "-u", USER, "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert asked == [("Password or token", True)]


def test_login_prompt_labels_for_chainguard(cli, httpx_mock, kr, tty):
    answers, asked = tty
    httpx_mock.add_response(status_code=401, is_optional=True, is_reusable=True)
    answers.extend(["org/tok", "wrong"])
    result = cli("login", "--index", "python")
    assert result.exit_code == 4
    assert asked[0][0].startswith("Identity ID")
    assert asked[1] == ("Token (CHAINGUARD_PYTHON_TOKEN)", True)
    assert "chainctl auth pull-token" in result.stderr
    assert kr.store == {}


def test_login_with_the_null_keyring_is_exit_3(cli, httpx_mock, stdin):
    six_index().mount(httpx_mock)
    stdin(f"{TOKEN}\n")
    with installed(null.Keyring()):
        result = cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 3
    one_line_error(result, "cannot store credentials for example.org", "null keyring")


def test_login_with_a_backend_that_cannot_store(cli, httpx_mock, stdin):
    six_index().mount(httpx_mock)
    stdin(f"{TOKEN}\n")
    with installed(TokenKeyring("x-token")):
        result = cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 3
    one_line_error(result, "does not store passwords")


def test_login_with_a_hanging_keyring_is_bounded(cli, httpx_mock, stdin, monkeypatch):
    six_index().mount(httpx_mock)
    monkeypatch.setenv("CGLIB_KEYRING_TIMEOUT", "0.3")
    stdin(f"{TOKEN}\n")
    with installed(HangingKeyring()):
        result = cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 3
    one_line_error(result, "no answer within 0.3s")


def test_login_warns_when_env_credentials_take_precedence(cli, httpx_mock, kr, stdin, monkeypatch):
    six_index().mount(httpx_mock)
    monkeypatch.setenv("CGLIB_USERNAME", "someone")
    monkeypatch.setenv("CGLIB_PASSWORD", "else")
    stdin(f"{TOKEN}\n")
    result = cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 0
    assert "warning: credentials in the environment" in result.stderr


def test_login_warns_when_url_credentials_take_precedence(cli, httpx_mock, kr, stdin):
    six_index().mount(httpx_mock)
    stdin(f"{TOKEN}\n")
    url = "https://someone:else@example.org/simple/"
    result = cli("login", "-u", USER, "--password-stdin", "--index-url", url)
    assert result.exit_code == 0, result.stderr
    assert "warning: credentials in --index-url take precedence over the keyring" in (result.stderr)
    assert "else" not in result.stderr.replace("someone:else", "")


def test_login_shadow_check_does_not_ask_the_keyring_again(cli, httpx_mock, kr, stdin):
    six_index().mount(httpx_mock)
    stdin(f"{TOKEN}\n")
    result = cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr
    # The backend is probed once before anything is asked; after storing
    # (and checking it kept the pair) the shadow check asks it nothing.
    assert kr.calls[0] == ("get_password", USER_SERVICE, "example.org")
    after_store = kr.calls[kr.calls.index(("set_password", USER_SERVICE, "example.org")) + 2 :]
    assert after_store == []
    assert not any(call[0] == "get_credential" for call in kr.calls)


# -- logout -----------------------------------------------------------------------------


def test_logout_removes_what_login_stored(cli, httpx_mock, kr, stdin):
    six_index().mount(httpx_mock)
    stdin(f"{TOKEN}\n")
    assert cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX).exit_code == 0
    result = cli("logout", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert kr.store == {}
    assert "Removed the credentials of ci-user for 'example.org'" in result.stderr
    again = cli("logout", "--index-url", INDEX, "--json")
    assert again.exit_code == 0
    assert json.loads(again.stdout)["removed"] == []
    status = cli("auth", "status", "--index-url", INDEX, "--json")
    assert status.exit_code == 3
    assert json.loads(status.stdout)["source"] == "none"


def test_logout_says_when_other_sources_still_apply(cli, kr, monkeypatch):
    monkeypatch.setenv("CGLIB_USERNAME", "someone")
    monkeypatch.setenv("CGLIB_PASSWORD", "else")
    result = cli("logout", "--index-url", INDEX)
    assert result.exit_code == 0
    assert "Nothing stored in the keyring for 'example.org'" in result.stderr
    assert "credentials from env still apply" in result.stderr


def test_logout_leaves_other_hosts_alone(cli, kr):
    kr.store[("other.example.org", "x")] = "y"
    kr.store[("example.org", "x")] = "y"
    assert cli("logout", "--index-url", INDEX).exit_code == 0
    assert kr.store == {("other.example.org", "x"): "y"}


# -- auth status ------------------------------------------------------------------------


def test_status_without_credentials_on_a_closed_index(cli, httpx_mock, kr):
    six_index().mount(httpx_mock)
    result = cli("auth", "status", "--index-url", INDEX, "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout) == {
        "index": INDEX,
        "source": "none",
        "username": None,
        "accepted": False,
    }
    assert json.loads(result.stderr)["error"]["code"] == 3


def test_status_without_credentials_on_an_open_index(cli, httpx_mock, kr):
    six_index(open=True).mount(httpx_mock)
    result = cli("auth", "status", "--index-url", INDEX, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["accepted"] is True


def test_status_with_rejected_env_credentials(cli, httpx_mock, kr, monkeypatch):
    six_index().mount(httpx_mock)
    monkeypatch.setenv("CGLIB_USERNAME", "org/id")
    monkeypatch.setenv("CGLIB_PASSWORD", "expired-token")
    result = cli("auth", "status", "--index-url", INDEX)
    assert result.exit_code == 4
    assert "source: env" in result.stdout
    assert "username: org/id" in result.stdout
    assert "accepted: no" in result.stdout
    one_line_error(result, "401", "from env")


def test_status_no_check_asks_nobody(cli, httpx_mock, kr, monkeypatch):
    monkeypatch.setenv("CGLIB_USERNAME", USER)
    monkeypatch.setenv("CGLIB_PASSWORD", TOKEN)
    result = cli("auth", "status", "--index-url", INDEX, "--no-check", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "index": INDEX,
        "source": "env",
        "username": USER,
        "accepted": None,
    }
    assert httpx_mock.get_requests() == []


def test_status_warns_when_sources_disagree_on_user(cli, httpx_mock, kr, isolate):
    six_index().mount(httpx_mock)
    kr.store[("example.org", USER)] = TOKEN
    netrc = isolate / ".netrc"
    netrc.write_text("machine example.org login old-user password old-token\n")
    netrc.chmod(0o600)
    result = cli("auth", "status", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert "source: keyring" in result.stdout
    assert "warning: keyring gives user ci-user but netrc gives user old-user; keyring wins" in (
        result.stderr
    )
    assert "old-token" not in result.stderr + result.stdout


def test_status_warns_when_sources_hold_different_tokens(cli, httpx_mock, kr, isolate, monkeypatch):
    six_index().mount(httpx_mock)
    monkeypatch.setenv("CGLIB_USERNAME", USER)
    monkeypatch.setenv("CGLIB_PASSWORD", TOKEN)
    netrc = isolate / ".netrc"
    netrc.write_text(f"machine example.org login {USER} password stale-token\n")
    netrc.chmod(0o644)
    result = cli("auth", "status", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert "env and netrc hold different passwords for user ci-user" in result.stderr
    # The netrc is not the winner, but its problems are still reported.
    assert "readable by other users" in result.stderr
    assert "stale-token" not in result.stderr + result.stdout


def test_status_reports_a_netrc_that_does_not_parse(cli, httpx_mock, kr, isolate):
    six_index(open=True).mount(httpx_mock)
    netrc = isolate / ".netrc"
    netrc.write_text("machine example.org\nlogin a password two words\n")
    netrc.chmod(0o600)
    result = cli("auth", "status", "--index-url", INDEX)
    assert result.exit_code == 0
    assert f"warning: netrc file {netrc} line 2:" in result.stderr
    assert "source: none" in result.stdout


def test_status_verbose_names_sources_tried(cli, httpx_mock, kr):
    six_index(open=True).mount(httpx_mock)
    result = cli("auth", "status", "--index-url", INDEX, "-v")
    assert result.exit_code == 0
    assert "cglib: keyring: nothing stored for example.org" in result.stderr
    assert "cglib: netrc: no " in result.stderr


# -- login --netrc / logout --netrc ----------------------------------------------------------


def test_login_netrc_checks_then_writes_0600(cli, httpx_mock, stdin, netrc) -> None:  # type: ignore[no-untyped-def]
    index = six_index().mount(httpx_mock)
    netrc.write_text("# mine\nmachine other.example.org login a password b\n")
    netrc.chmod(0o644)
    stdin(f"{TOKEN}\n")
    result = cli("login", "--netrc", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert len(index.requests) == 1
    assert f"added machine example.org in {netrc} (mode 0600)" in result.stderr
    assert TOKEN not in result.stderr + result.stdout
    assert mode(netrc) == 0o600
    text = netrc.read_text()
    assert text.startswith("# mine\nmachine other.example.org login a password b\n")
    assert text.endswith(f"machine example.org\n  login {USER}\n  password {TOKEN}\n")
    assert [p.name for p in netrc.parent.iterdir() if p.name.startswith(".netrc.")] == []
    # The null keyring is in use: the credentials now come from netrc.
    status = cli("auth", "status", "--index-url", INDEX, "--json")
    assert json.loads(status.stdout) == {
        "index": INDEX,
        "source": "netrc",
        "username": USER,
        "accepted": True,
    }


def test_login_netrc_updates_and_json(cli, httpx_mock, stdin, netrc, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    six_index().mount(httpx_mock)
    named = tmp_path / "my-netrc"
    named.write_text("machine example.org login old password older\n")
    monkeypatch.setenv("NETRC", str(named))
    stdin(f"{TOKEN}\n")
    result = cli("login", "--netrc", "-u", USER, "--password-stdin", "--index-url", INDEX, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "index": INDEX,
        "username": USER,
        "stored": True,
        "netrc_file": str(named),
        "netrc_machine": "example.org",
    }
    assert named.read_text() == f"machine example.org login {USER} password {TOKEN}\n"
    assert not netrc.exists()


def test_login_netrc_rejected_writes_nothing(cli, httpx_mock, stdin, netrc) -> None:  # type: ignore[no-untyped-def]
    six_index().mount(httpx_mock)
    stdin("wrong-token\n")
    result = cli("login", "--netrc", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 4
    assert "nothing was stored" in result.stderr
    assert not netrc.exists()


def test_login_netrc_refuses_a_file_that_does_not_parse_before_asking(
    cli, httpx_mock, tty, netrc
) -> None:  # type: ignore[no-untyped-def]
    _answers, asked = tty
    netrc.write_text("machine example.org login\n")
    before = netrc.read_bytes()
    result = cli("login", "--netrc", "--index-url", INDEX)
    assert result.exit_code == 3
    assert f"netrc file {netrc} line 1" in result.stderr
    assert "not changed" in result.stderr
    assert asked == []
    assert httpx_mock.get_requests() == []
    assert netrc.read_bytes() == before


def test_login_netrc_write_failure_is_exit_9_and_leaves_the_file(
    cli, httpx_mock, stdin, netrc, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    six_index().mount(httpx_mock)
    netrc.write_text("machine other.example.org login a password b\n")
    before = netrc.read_bytes()

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    stdin(f"{TOKEN}\n")
    result = cli("login", "--netrc", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 9, result.stderr
    assert f"cannot write the netrc file {netrc}: Permission denied" in result.stderr
    assert netrc.read_bytes() == before
    assert sorted(p.name for p in netrc.parent.iterdir() if "netrc" in p.name) == [".netrc"]


def test_login_netrc_keeps_a_symlink(cli, httpx_mock, stdin, netrc, tmp_path) -> None:  # type: ignore[no-untyped-def]
    six_index().mount(httpx_mock)
    real = tmp_path / "dotfiles" / "netrc"
    real.parent.mkdir()
    real.write_text("")
    netrc.symlink_to(real)
    stdin(f"{TOKEN}\n")
    result = cli("login", "--netrc", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert netrc.is_symlink()
    assert f"password {TOKEN}" in real.read_text()


def test_login_netrc_needs_no_keyring(cli, httpx_mock, stdin, netrc) -> None:  # type: ignore[no-untyped-def]
    six_index().mount(httpx_mock)
    stdin(f"{TOKEN}\n")
    with installed(LockedKeyring()):
        result = cli("login", "--netrc", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert netrc.exists()


def test_login_netrc_warns_when_the_keyring_wins(cli, httpx_mock, stdin, netrc) -> None:  # type: ignore[no-untyped-def]
    six_index().mount(httpx_mock)
    with installed(MemoryKeyring()) as kr:
        kr.store[("example.org", "someone")] = "else"  # type: ignore[attr-defined]
        stdin(f"{TOKEN}\n")
        result = cli("login", "--netrc", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert "warning: credentials in the keyring take precedence over the netrc file" in (
        result.stderr
    )


def test_logout_netrc_removes_only_that_entry(cli, httpx_mock, stdin, netrc) -> None:  # type: ignore[no-untyped-def]
    six_index().mount(httpx_mock)
    netrc.write_text("# keep me\nmachine other.example.org login a password b\n")
    stdin(f"{TOKEN}\n")
    assert (
        cli("login", "--netrc", "-u", USER, "--password-stdin", "--index-url", INDEX).exit_code == 0
    )
    result = cli("logout", "--netrc", "--index-url", INDEX, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "index": INDEX,
        "removed": [USER],
        "netrc_file": str(netrc),
        "netrc_machine": "example.org",
    }
    assert netrc.read_text() == "# keep me\nmachine other.example.org login a password b\n"
    assert mode(netrc) == 0o600
    again = cli("logout", "--netrc", "--index-url", INDEX)
    assert again.exit_code == 0
    assert f"No entry for example.org in {netrc}; nothing to remove" in again.stderr


def test_logout_netrc_without_a_file(cli, netrc) -> None:  # type: ignore[no-untyped-def]
    result = cli("logout", "--netrc", "--index-url", INDEX)
    assert result.exit_code == 0, result.stderr
    assert "nothing to remove" in result.stderr
    assert not netrc.exists()


# -- the keyring is checked before anything is asked ------------------------------------------


@pytest.mark.parametrize(
    ("backend", "words"),
    [
        (None, ["null keyring"]),
        (LockedKeyring, ["the backend failed", "KeyringLocked"]),
    ],
)
def test_login_without_a_usable_keyring_says_so_before_asking(
    cli, httpx_mock, tty, backend, words
) -> None:  # type: ignore[no-untyped-def]
    _answers, asked = tty
    if backend is None:
        result = cli("login", "--index-url", INDEX)  # the null keyring of the isolation
    else:
        with installed(backend()):
            result = cli("login", "--index-url", INDEX)
    assert result.exit_code == 3, result.stderr
    assert asked == []
    assert httpx_mock.get_requests() == []
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    for word in [*words, "`cglib login --netrc`", "CGLIB_USERNAME and CGLIB_PASSWORD"]:
        assert word in lines[0]
    assert "CHAINGUARD" not in lines[0]


def test_login_without_a_keyring_names_chainguards_variables_for_chainguard(
    cli, httpx_mock, tty
) -> None:  # type: ignore[no-untyped-def]
    _answers, asked = tty
    result = cli("login", "--index", "python")
    assert result.exit_code == 3
    assert asked == []
    assert "CHAINGUARD_PYTHON_IDENTITY_ID and CHAINGUARD_PYTHON_TOKEN" in result.stderr
    assert "`cglib login --netrc`" in result.stderr


def test_login_with_a_hanging_keyring_fails_before_reading_stdin(
    cli, httpx_mock, stdin, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CGLIB_KEYRING_TIMEOUT", "0.3")
    stdin(f"{TOKEN}\n")
    with installed(HangingKeyring()):
        result = cli("login", "-u", USER, "--password-stdin", "--index-url", INDEX)
    assert result.exit_code == 3
    assert "no answer within 0.3s" in result.stderr
    assert httpx_mock.get_requests() == []
    assert sys.stdin.read() == f"{TOKEN}\n"  # never read


# -- Ctrl-C / Ctrl-D at the prompts, through a real pseudo-terminal ---------------------------

pty_only = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX-only")


@pty_only
@pytest.mark.parametrize("key", [b"\x03", b"\x04"], ids=["ctrl-c", "ctrl-d"])
@pytest.mark.parametrize("at", ["Username", "Password or token"])
@pytest.mark.parametrize("where", ["keyring", "netrc"])
def test_ctrl_c_and_ctrl_d_at_a_prompt_exit_130(isolate, netrc, key, at, where) -> None:  # type: ignore[no-untyped-def]
    from support.isolation import isolated_env

    env = isolated_env(isolate)
    args = ["login", "--index-url", "http://127.0.0.1:9/simple/"]
    if where == "keyring":
        env["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    else:
        args.append("--netrc")
    keys = [("Username", key)] if at == "Username" else [("Username", b"someone\r"), (at, key)]
    from support.servers import cglib_executable
    from support.terminal import run_in_terminal

    code, output = run_in_terminal([cglib_executable(), *args], env=env, keys=keys, timeout=30)
    assert code == 130, output
    assert at in output
    assert "Traceback" not in output
    assert "Aborted" not in output
    assert "login cancelled" in output
    assert not netrc.exists()
