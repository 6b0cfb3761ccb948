"""`cglib login --netrc` / `logout --netrc`, the netrc editor behind them, and
login's checks before it prompts (keyring backend, Ctrl-C / Ctrl-D)."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path

import pytest

from cglib.config import resolve_index
from cglib.credentials import Credentials
from cglib.netrc_edit import remove_entry, set_entry
from cglib.netrc_source import parse_netrc
from memory_keyring import HangingKeyring, LockedKeyring, MemoryKeyring, installed
from support.fakeindex import six_index

INDEX = "https://example.org/simple/"

USER = "ci-user"
TOKEN = "good-token"
PAIR = Credentials(USER, TOKEN)
EXAMPLE = resolve_index(INDEX, env={})


@pytest.fixture
def stdin(monkeypatch):  # type: ignore[no-untyped-def]
    def feed(text: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))

    return feed


@pytest.fixture
def tty(monkeypatch):  # type: ignore[no-untyped-def]
    """Pretend stdin is a terminal; record prompts, answer from a list."""
    from cglib.cli import login, session

    monkeypatch.setattr(session, "_stdin_is_tty", lambda: True)
    asked: list[str] = []
    answers: list[str] = []

    def prompt(text: str, *, hidden: bool) -> str:
        asked.append(text)
        return answers.pop(0)

    monkeypatch.setattr(login, "_prompt", prompt)
    return answers, asked


@pytest.fixture
def netrc(isolate: Path) -> Path:
    return isolate / ".netrc"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- the editor ------------------------------------------------------------------------


def test_set_entry_in_an_empty_file() -> None:
    text, action = set_entry("", EXAMPLE, PAIR)
    assert action == "added"
    assert text == f"machine example.org\n  login {USER}\n  password {TOKEN}\n"


def test_set_entry_appends_and_keeps_everything_else() -> None:
    before = "# my netrc\nmachine other.example.org login a password b  # work\n"
    text, action = set_entry(before, EXAMPLE, PAIR)
    assert action == "added"
    assert text.startswith(before)
    (other, ours) = parse_netrc(text)
    assert (other.machine, other.login, other.password) == ("other.example.org", "a", "b")
    assert (ours.machine, ours.login, ours.password) == ("example.org", USER, TOKEN)


def test_set_entry_updates_in_place() -> None:
    before = (
        "machine first.example.org login a password b\n"
        "\n"
        "# ours:\n"
        "machine EXAMPLE.ORG\n"
        "    login   old-user   # the old one\n"
        '    password "old token"\n'
        "    account acct\n"
        "\n"
        "default login anon password anon\n"
    )
    text, action = set_entry(before, EXAMPLE, PAIR)
    assert action == "updated"
    assert text == before.replace("old-user", USER).replace('"old token"', TOKEN)


def test_set_entry_adds_a_missing_password() -> None:
    text, action = set_entry("machine example.org login someone\n", EXAMPLE, PAIR)
    assert action == "updated"
    assert text == f"machine example.org login {USER} password {TOKEN}\n"


def test_set_entry_goes_before_the_default() -> None:
    before = "machine a.example.org login a password b\ndefault login anon password x\n"
    text, _ = set_entry(before, EXAMPLE, PAIR)
    entries = parse_netrc(text)
    assert [e.machine for e in entries] == ["a.example.org", "example.org", None]
    assert text.endswith("default login anon password x\n")


def test_set_entry_after_a_macdef_keeps_the_macro_whole() -> None:
    before = "machine a.example.org login a password b\nmacdef init\ncd /pub\nbin"
    text, _ = set_entry(before, EXAMPLE, PAIR)
    assert text.startswith(before + "\n\n")
    entries = parse_netrc(text)
    assert [e.machine for e in entries] == ["a.example.org", "example.org"]


def test_set_entry_keeps_crlf_line_endings() -> None:
    before = "machine a.example.org\r\n  login a\r\n  password b\r\n"
    text, _ = set_entry(before, EXAMPLE, PAIR)
    assert text.startswith(before)
    assert "\n" not in text.replace("\r\n", "")


def test_set_entry_updates_a_host_port_entry_as_written() -> None:
    index = resolve_index("https://example.org:8443/simple/", env={})
    before = "machine example.org:8443 login a password b\n"
    text, action = set_entry(before, index, PAIR)
    assert action == "updated"
    assert text == f"machine example.org:8443 login {USER} password {TOKEN}\n"
    # A new entry for a host with a port: the bare host, as curl and pip match it.
    text, action = set_entry("", index, PAIR)
    assert action == "added"
    assert text.startswith("machine example.org\n")


@pytest.mark.parametrize("password", ["with space", 'quo"te', "hash#", "back\\slash", "nonascii-é"])
def test_set_entry_refuses_values_netrc_readers_disagree_on(password: str) -> None:
    from cglib.errors import UsageError

    with pytest.raises(UsageError) as caught:
        set_entry("", EXAMPLE, Credentials(USER, password))
    assert password not in str(caught.value)


def test_remove_entry_takes_its_lines_and_keeps_the_rest() -> None:
    before = (
        "# top\n"
        "machine a.example.org login a password b\n"
        "\n"
        "machine example.org\n"
        "  login u\n"
        "  password p\n"
        "\n"
        "machine c.example.org login c password d\n"
    )
    text, entry = remove_entry(before, EXAMPLE)
    assert entry is not None
    assert entry.login == "u"
    assert text == (
        "# top\n"
        "machine a.example.org login a password b\n"
        "\n"
        "machine c.example.org login c password d\n"
    )


def test_remove_entry_on_a_shared_line() -> None:
    before = "machine a.example.org login a password b machine example.org login u password p\n"
    text, entry = remove_entry(before, EXAMPLE)
    assert entry is not None
    assert [e.machine for e in parse_netrc(text)] == ["a.example.org"]
    assert text.startswith("machine a.example.org login a password b")


def test_remove_entry_never_removes_the_default() -> None:
    before = "default login anon password x\n"
    assert remove_entry(before, EXAMPLE) == (before, None)


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


def _run_on_a_pty(args: list[str], env: dict[str, str], keys: list[tuple[str, bytes]]):  # type: ignore[no-untyped-def]
    """Run the installed cglib with a pty as its controlling terminal; after
    each prompt text appears, type its bytes.  Returns (exit code, output)."""
    import fcntl
    import select
    import subprocess
    import termios
    import time

    from support.servers import cglib_executable

    master, slave = os.openpty()

    def controlling_tty() -> None:
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [cglib_executable(), *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        preexec_fn=controlling_tty,
    )
    os.close(slave)
    seen = b""
    try:
        deadline = time.monotonic() + 30
        pending = list(keys)
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
            if pending and pending[0][0].encode() in seen:
                time.sleep(0.2)  # let it reach the read
                os.write(master, pending.pop(0)[1])
            if process.poll() is not None and not ready:
                break
        code = process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(master)
    return code, seen.decode("utf-8", "replace")


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
    code, output = _run_on_a_pty(args, env, keys)
    assert code == 130, output
    assert at in output
    assert "Traceback" not in output
    assert "Aborted" not in output
    assert "login cancelled" in output
    assert not netrc.exists()
