"""The netrc credential source (cglib.netrc_source): the parser, the lookup, its warnings."""

from __future__ import annotations

from pathlib import Path

import pytest

from cglib.config import Index, resolve_index
from cglib.credentials import Credentials
from cglib.netrc_source import NetrcSource, NetrcSyntaxError, find_entry, parse_netrc

INDEX = Index(url="https://example.org/simple/")
SECRET = "s3cr3t-SENTINEL-7f1c"


def write_netrc(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def netrc_lookup(
    env: dict[str, str], index: Index = INDEX
) -> tuple[Credentials | None, list[str], list[str]]:
    found = NetrcSource().lookup(index, env)
    return found.credentials, list(found.warnings), list(found.notes)


# -- netrc: the parser ------------------------------------------------------------------


def test_parse_entries_comments_quotes_macdef_default():
    text = (
        '# a comment with a "quote\n'
        'machine Example.org login alice password "two words"  # trailing comment\n'
        "  account acct\n"
        "macdef init\n"
        "cd /pub\n"
        "machine hidden-in-macro login x password y\n"
        "\n"
        "machine other.example.org\n"
        "  login bob\n"
        '  password "with \\"escaped\\" quote"\n'
        "default login anonymous password guest\n"
    )
    entries = parse_netrc(text)
    assert [(e.machine, e.line, e.login) for e in entries] == [
        ("Example.org", 2, "alice"),
        ("other.example.org", 8, "bob"),
        (None, 11, "anonymous"),
    ]
    assert entries[0].password == "two words"
    assert entries[0].account == "acct"
    assert entries[1].password == 'with "escaped" quote'
    assert "two words" not in repr(entries[0])
    assert "guest" not in repr(entries)


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (f"machine a login u password {SECRET} trailing-{SECRET}\n", 1, "unexpected word"),
        (f'machine a\nlogin u\npassword "{SECRET}\n', 3, "not closed"),
        (f"login u password {SECRET}\n", 1, "before any 'machine'"),
        ("machine a login u password", 1, "'password' has no value"),
        (f"{SECRET} machine a\n", 1, "at the start of the file"),
    ],
)
def test_parse_errors_name_the_line_and_never_the_words(text, line, words):
    with pytest.raises(NetrcSyntaxError) as info:
        parse_netrc(text)
    assert info.value.line == line
    assert words in str(info.value)
    assert SECRET not in str(info.value)


def test_find_entry_prefers_plain_then_odd_then_default():
    entries = parse_netrc(
        "machine https://example.org/simple/ login url-form password p1\n"
        "machine EXAMPLE.ORG login plain password p2\n"
        "machine example.org login second password p3\n"
        "default login anon password p4\n"
    )
    entry, oddity = find_entry(entries, "example.org", 443)
    assert entry is not None
    assert entry.login == "plain"
    assert oddity is None
    entry, oddity = find_entry(entries[:1] + entries[3:], "example.org", 443)
    assert entry is not None
    assert entry.login == "url-form"
    assert oddity == "a URL"
    entry, _ = find_entry(entries, "other.example.org", 443)
    assert entry is not None
    assert entry.login == "anon"


# -- netrc: the source ------------------------------------------------------------------


def test_netrc_host_matches_case_insensitively(isolate):
    write_netrc(isolate / ".netrc", "machine EXAMPLE.org login alice password pw\n")
    found, warnings, notes = netrc_lookup({"HOME": str(isolate)})
    assert found == Credentials("alice", "pw")
    assert warnings == []
    assert any(".netrc line 1" in n for n in notes)


def test_netrc_env_variable_wins_over_home(isolate, tmp_path):
    write_netrc(isolate / ".netrc", "machine example.org login home password pw\n")
    named = write_netrc(tmp_path / "ci-netrc", "machine example.org login ci password pw\n")
    found, _, _ = netrc_lookup({"HOME": str(isolate), "NETRC": str(named)})
    assert found is not None
    assert found.username == "ci"


def test_netrc_default_entry(isolate):
    write_netrc(
        isolate / ".netrc",
        "machine other.example.org login o password x\ndefault login anon password guest\n",
    )
    found, warnings, _ = netrc_lookup({"HOME": str(isolate)})
    assert found == Credentials("anon", "guest")
    assert warnings == []


def test_netrc_first_matching_entry_wins_like_curl(isolate):
    write_netrc(
        isolate / ".netrc",
        "machine example.org login first password a\nmachine example.org login second password b\n",
    )
    found, _, _ = netrc_lookup({"HOME": str(isolate)})
    assert found is not None
    assert found.username == "first"


@pytest.mark.parametrize(
    ("machine", "index_url", "matches"),
    [
        ("https://example.org", "https://example.org/simple/", True),
        ("https://example.org/simple/", "https://example.org/simple/", True),
        ("example.org:8443", "https://example.org:8443/simple/", True),
        ("example.org:443", "https://example.org/simple/", True),
        ("example.org:8443", "https://example.org/simple/", False),
        ("http://example.org:8080", "http://example.org:9090/simple/", False),
    ],
)
def test_netrc_machine_with_scheme_or_port(isolate, machine, index_url, matches):
    write_netrc(isolate / ".netrc", f"machine {machine} login alice password pw\n")
    found, warnings, _ = netrc_lookup({"HOME": str(isolate)}, resolve_index(index_url))
    if matches:
        assert found == Credentials("alice", "pw")
        assert len(warnings) == 1
        assert str(isolate / ".netrc") in warnings[0]
        assert "line 1" in warnings[0]
        assert "bare host name" in warnings[0]
    else:
        assert found is None
        assert warnings == []


def test_netrc_readable_by_others_is_used_with_a_warning(isolate):
    path = write_netrc(isolate / ".netrc", "machine example.org login a password pw\n", 0o644)
    found, warnings, _ = netrc_lookup({"HOME": str(isolate)})
    assert found == Credentials("a", "pw")
    assert len(warnings) == 1
    assert str(path) in warnings[0]
    assert "readable by other users" in warnings[0]
    assert "chmod 600" in warnings[0]


def test_netrc_group_readable_is_warned_too(isolate):
    write_netrc(isolate / ".netrc", "machine example.org login a password pw\n", 0o640)
    _, warnings, _ = netrc_lookup({"HOME": str(isolate)})
    assert any("mode 0640" in w for w in warnings)


def test_netrc_that_does_not_parse_is_reported_not_used(isolate):
    path = write_netrc(
        isolate / ".netrc",
        f"machine example.org login a password {SECRET}\nmachine b login c password two words\n",
    )
    found, warnings, _ = netrc_lookup({"HOME": str(isolate)})
    assert found is None
    assert len(warnings) == 1
    assert f"{path} line 2" in warnings[0]
    assert "not used" in warnings[0]
    assert SECRET not in warnings[0]


def test_netrc_not_utf8_is_reported(isolate):
    (isolate / ".netrc").write_bytes(b"machine example.org\nlogin a password \xff\xfe\n")
    (isolate / ".netrc").chmod(0o600)
    found, warnings, _ = netrc_lookup({"HOME": str(isolate)})
    assert found is None
    assert "line 2" in warnings[0]
    assert "UTF-8" in warnings[0]


def test_missing_home_netrc_is_only_a_note(isolate):
    found, warnings, notes = netrc_lookup({"HOME": str(isolate)})
    assert found is None
    assert warnings == []
    assert any("no " in n and ".netrc" in n for n in notes)


def test_netrc_env_naming_a_missing_file_is_a_warning(isolate, tmp_path):
    missing = tmp_path / "nope"
    found, warnings, _ = netrc_lookup({"HOME": str(isolate), "NETRC": str(missing)})
    assert found is None
    assert warnings == [f"NETRC names {missing}, which does not exist; no netrc used"]


def test_netrc_unreadable_file_is_a_warning(isolate):
    (isolate / ".netrc").mkdir()
    found, warnings, _ = netrc_lookup({"HOME": str(isolate)})
    assert found is None
    assert "cannot read netrc file" in warnings[0]


def test_netrc_entry_without_password_is_skipped(isolate):
    write_netrc(isolate / ".netrc", "machine example.org login alice\n")
    found, _, notes = netrc_lookup({"HOME": str(isolate)})
    assert found is None
    assert any("has no password" in n for n in notes)


def test_netrc_no_entry_for_host(isolate):
    write_netrc(isolate / ".netrc", "machine other.example.org login a password b\n")
    found, warnings, notes = netrc_lookup({"HOME": str(isolate)})
    assert found is None
    assert warnings == []
    assert any("no entry for example.org" in n for n in notes)
