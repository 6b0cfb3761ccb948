"""The netrc editor behind `cglib login --netrc` / `logout --netrc`
(cglib.netrc_edit); the commands are in test_cli_login.py."""

from __future__ import annotations

import pytest

from cglib.config import resolve_index
from cglib.credentials import Credentials
from cglib.netrc_edit import remove_entry, set_entry
from cglib.netrc_source import parse_netrc

INDEX = "https://example.org/simple/"

USER = "ci-user"
TOKEN = "good-token"
PAIR = Credentials(USER, TOKEN)
EXAMPLE = resolve_index(INDEX, env={})


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
