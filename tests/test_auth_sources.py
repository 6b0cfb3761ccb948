"""Every credential source on its own, and every precedence pair."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from keyring.backends import fail, null

from cglib.auth import (
    CredentialSource,
    EnvSource,
    UrlSource,
    default_sources,
    resolve_credentials,
)
from cglib.config import Index, resolve_index
from cglib.credentials import Credentials, Lookup
from cglib.keyring_source import (
    USER_SERVICE,
    KeyringSource,
    keyring_timeout,
    service_for,
)
from cglib.netrc_source import NetrcSource, NetrcSyntaxError, find_entry, parse_netrc
from memory_keyring import (
    HangingKeyring,
    LockedKeyring,
    MemoryKeyring,
    TokenKeyring,
    installed,
)

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


# -- keyring ------------------------------------------------------------------------------


def keyring_lookup(
    env: dict[str, str] | None = None, index: Index = INDEX
) -> tuple[Credentials | None, list[str], list[str]]:
    found = KeyringSource().lookup(index, env or {})
    return found.credentials, list(found.warnings), list(found.notes)


@pytest.mark.parametrize(
    ("url", "service"),
    [
        ("https://Example.org/simple/", "example.org"),
        ("https://example.org:443/simple/", "example.org"),
        ("http://127.0.0.1:8080/simple/", "127.0.0.1:8080"),
        ("https://example.org:8443/pypi/simple/", "example.org:8443"),
        ("http://[::1]:9000/simple/", "[::1]:9000"),
    ],
)
def test_service_is_the_network_location(url, service):
    assert service_for(resolve_index(url)) == service


def test_keyring_found_without_user_name():
    backend = MemoryKeyring()
    backend.store[("example.org", "alice")] = "pw"
    with installed(backend):
        found, warnings, notes = keyring_lookup()
    assert found == Credentials("alice", "pw")
    assert warnings == []
    assert any("found credentials under example.org" in n for n in notes)


def test_keyring_remembered_user_for_backends_that_need_one():
    backend = MemoryKeyring(find_without_user=False)
    backend.store[("example.org", "alice")] = "pw"
    with installed(backend):
        assert keyring_lookup()[0] is None
        backend.store[(USER_SERVICE, "example.org")] = "alice"
        assert keyring_lookup()[0] == Credentials("alice", "pw")


def test_keyring_answers_for_the_index_url_like_chainguard_backend():
    index = resolve_index("https://libraries.cgr.dev/python/simple/")
    with installed(TokenKeyring("minted-token")):
        found, _, notes = keyring_lookup(index=index)
        other, _, _ = keyring_lookup()
    assert found == Credentials("_token", "minted-token")
    assert any("https://libraries.cgr.dev/python/simple/" in n for n in notes)
    assert other is None


@pytest.mark.parametrize(
    ("backend", "says"),
    [
        (null.Keyring(), "null keyring"),
        (fail.Keyring(), "no keyring backend is installed"),
    ],
)
def test_no_usable_backend_is_a_note(backend, says):
    with installed(backend):
        found, warnings, notes = keyring_lookup()
    assert found is None
    assert warnings == []
    assert any(says in n for n in notes)


def test_failing_backend_is_skipped_with_a_note():
    with installed(LockedKeyring()):
        found, warnings, notes = keyring_lookup()
    assert found is None
    assert warnings == []
    assert any("KeyringLocked" in n and "skipped" in n for n in notes)


def test_hanging_backend_is_abandoned_within_the_bound():
    backend = HangingKeyring()
    with installed(backend):
        started = time.monotonic()
        found, _, notes = keyring_lookup({"CGLIB_KEYRING_TIMEOUT": "0.3"})
        elapsed = time.monotonic() - started
    assert backend.entered.is_set()
    assert found is None
    assert elapsed < 2
    assert any("no answer within 0.3s" in n for n in notes)


def test_keyring_turned_off():
    backend = MemoryKeyring()
    backend.store[("example.org", "alice")] = "pw"
    with installed(backend):
        found, _, notes = keyring_lookup({"CGLIB_KEYRING_TIMEOUT": "0"})
    assert found is None
    assert backend.calls == []
    assert any("CGLIB_KEYRING_TIMEOUT=0" in n for n in notes)


@pytest.mark.parametrize(("raw", "value"), [("", 10.0), ("2.5", 2.5), ("x", 10.0), ("-1", 0.0)])
def test_keyring_timeout_parsing(raw, value):
    assert keyring_timeout({"CGLIB_KEYRING_TIMEOUT": raw}) == value


# -- the whole chain: every precedence pair -----------------------------------------------

SOURCES = ("url", "chainguard-env", "generic-env", "keyring", "netrc")


#: The host of the chain tests: a Chainguard one, the only kind the Chainguard pair is sent to.
CHAIN_HOST = "libraries.cgr.dev"


def _setup(source: str, home: Path, env: dict[str, str], backend: MemoryKeyring) -> str:
    """Make ``source`` hold credentials for CHAIN_HOST; return the user name."""
    user = f"user-{source}"
    if source == "chainguard-env":
        env["CHAINGUARD_PYTHON_IDENTITY_ID"] = user
        env["CHAINGUARD_PYTHON_TOKEN"] = "t1"
    elif source == "generic-env":
        env["CGLIB_USERNAME"] = user
        env["CGLIB_PASSWORD"] = "t2"
    elif source == "keyring":
        backend.store[(CHAIN_HOST, user)] = "t3"
    elif source == "netrc":
        write_netrc(home / ".netrc", f"machine {CHAIN_HOST} login {user} password t4\n")
    return user


@pytest.mark.parametrize(
    ("higher", "lower"),
    [(a, b) for i, a in enumerate(SOURCES) for b in SOURCES[i + 1 :]],
)
def test_precedence_pairs(isolate, higher, lower):
    env = {"HOME": str(isolate)}
    backend = MemoryKeyring()
    winner = _setup(higher, isolate, env, backend)
    _setup(lower, isolate, env, backend)
    url = f"https://{CHAIN_HOST}/simple/"
    if "url" in (higher, lower):
        url = f"https://user-url:t0@{CHAIN_HOST}/simple/"
    with installed(backend):
        resolved = resolve_credentials(resolve_index(url, env={}), env)
    assert resolved.credentials is not None
    assert resolved.credentials.username == winner
    expected = {"chainguard-env": "env", "generic-env": "env"}.get(higher, higher)
    assert resolved.source == expected


@pytest.mark.parametrize("source", SOURCES)
def test_each_source_alone(isolate, source):
    env = {"HOME": str(isolate)}
    backend = MemoryKeyring()
    user = _setup(source, isolate, env, backend)
    url = f"https://user-url:t0@{CHAIN_HOST}/simple/" if source == "url" else INDEX.url
    url = url.replace("example.org", CHAIN_HOST)
    with installed(backend):
        resolved = resolve_credentials(resolve_index(url, env={}), env)
    assert resolved.credentials is not None
    assert resolved.credentials.username == user
    assert "t0" not in repr(resolved)
    assert "t1" not in repr(resolved)


def test_no_source_is_anonymous(isolate):
    with installed(MemoryKeyring()):
        resolved = resolve_credentials(INDEX, {"HOME": str(isolate)})
    assert resolved.credentials is None
    assert resolved.source == "none"
    assert any(n.startswith("keyring:") for n in resolved.notes)
    assert any(n.startswith("netrc:") for n in resolved.notes)


def test_broken_keyring_falls_through_to_netrc(isolate):
    write_netrc(isolate / ".netrc", "machine example.org login from-netrc password pw\n")
    with installed(LockedKeyring()):
        resolved = resolve_credentials(INDEX, {"HOME": str(isolate)})
    assert resolved.source == "netrc"
    assert resolved.credentials is not None
    assert resolved.credentials.username == "from-netrc"


def test_hanging_keyring_falls_through_to_netrc_in_bounded_time(isolate):
    write_netrc(isolate / ".netrc", "machine example.org login from-netrc password pw\n")
    env = {"HOME": str(isolate), "CGLIB_KEYRING_TIMEOUT": "0.2"}
    started = time.monotonic()
    with installed(HangingKeyring()):
        resolved = resolve_credentials(INDEX, env)
    assert time.monotonic() - started < 2
    assert resolved.source == "netrc"


def test_unparseable_netrc_warns_and_resolution_goes_on(isolate):
    write_netrc(isolate / ".netrc", "machine example.org login a password two words\n")
    with installed(MemoryKeyring()):
        resolved = resolve_credentials(INDEX, {"HOME": str(isolate)})
    assert resolved.source == "none"
    assert any(".netrc line 1" in w for w in resolved.warnings)


def test_default_netrc_location_follows_home(isolate, monkeypatch):
    write_netrc(isolate / ".netrc", "machine example.org login h password pw\n")
    monkeypatch.setenv("HOME", str(isolate))
    with installed(MemoryKeyring()):
        resolved = resolve_credentials(INDEX, dict(os.environ))
    assert resolved.source == "netrc"


# -- the sources as objects ---------------------------------------------------------------


@dataclass(frozen=True)
class Canned:
    """A custom source: a fixed answer, and a record of being asked."""

    name: str
    answer: Lookup
    asked: list[str] = field(default_factory=list, compare=False)

    def lookup(self, index: Index, env: Mapping[str, str]) -> Lookup:
        self.asked.append(index.url)
        return self.answer


class Exploding:
    """A source that must never be asked."""

    name = "exploding"

    def lookup(self, index: Index, env: Mapping[str, str]) -> Lookup:
        raise AssertionError("a source after the winner was asked")


def test_default_chain_is_url_env_keyring_netrc():
    sources: tuple[CredentialSource, ...] = default_sources()
    assert [s.name for s in sources] == ["url", "env", "keyring", "netrc"]


def test_custom_source_is_reported_under_its_own_name():
    vault = Canned("vault", Lookup(Credentials("vault-user", "pw")))
    resolved = resolve_credentials(INDEX, {}, [vault])
    assert resolved.credentials == Credentials("vault-user", "pw")
    assert resolved.source == "vault"
    assert vault.asked == [INDEX.url]


def test_custom_source_between_the_built_in_ones(isolate):
    vault = Canned("vault", Lookup(Credentials("vault-user", "pw"), notes=("vault: asked",)))
    env = {"HOME": str(isolate), "CGLIB_USERNAME": "env-user", "CGLIB_PASSWORD": "t"}
    sources: list[CredentialSource] = [UrlSource(), vault, EnvSource(), Exploding()]
    resolved = resolve_credentials(INDEX, env, sources)
    assert resolved.source == "vault"
    assert resolved.notes == ("vault: asked",)
    env_first = resolve_credentials(INDEX, env, [EnvSource(), vault])
    assert env_first.source == "env"
    assert env_first.credentials == Credentials("env-user", "t")
    assert len(vault.asked) == 1


def test_each_source_keeps_its_own_warnings_and_notes():
    first = Canned("first", Lookup(None, ("first: warned",), ("first: noted",)))
    second = Canned("second", Lookup(Credentials("u", "p"), ("second: warned",), ("second: n",)))
    third = Canned("third", Lookup(None, ("third: warned",), ("third: noted",)))
    resolved = resolve_credentials(INDEX, {}, [first, second, third])
    assert resolved.source == "second"
    assert resolved.warnings == ("first: warned", "second: warned")
    assert resolved.notes == ("first: noted", "second: n")
    assert third.asked == []
    anonymous = resolve_credentials(INDEX, {}, [first, third])
    assert anonymous.source == "none"
    assert anonymous.warnings == ("first: warned", "third: warned")
    assert anonymous.notes == ("first: noted", "third: noted")


def test_ask_all_keeps_what_the_losers_hold():
    sources = [
        Canned("none-here", Lookup(notes=("none-here: empty",))),
        Canned("winner", Lookup(Credentials("u", "p1"))),
        Canned("stale", Lookup(Credentials("u", "p2"), ("stale: warned",))),
        Canned("empty", Lookup(notes=("empty: empty",))),
        Canned("other", Lookup(Credentials("v", "p3"))),
    ]
    resolved = resolve_credentials(INDEX, {}, sources, ask_all=True)
    assert resolved.source == "winner"
    assert resolved.credentials == Credentials("u", "p1")
    assert resolved.also_found == (
        ("stale", Credentials("u", "p2")),
        ("other", Credentials("v", "p3")),
    )
    assert resolved.warnings == ("stale: warned",)
    assert resolved.notes == ("none-here: empty", "empty: empty")
    for secret in ("p1", "p2", "p3"):
        assert secret not in repr(resolved)
    assert resolve_credentials(INDEX, {}, sources).also_found == ()


def test_ask_all_with_no_answer_is_anonymous():
    resolved = resolve_credentials(INDEX, {}, [Canned("a", Lookup())], ask_all=True)
    assert (resolved.credentials, resolved.source, resolved.also_found) == (None, "none", ())


def test_url_source():
    assert UrlSource().lookup(INDEX, {}) == Lookup()
    index = resolve_index("https://org%2Fid:t%40k@example.org/simple/", env={})
    assert UrlSource().lookup(index, {}) == Lookup(Credentials("org/id", "t@k"))


@pytest.mark.parametrize(
    ("env", "user", "warnings"),
    [
        ({}, None, ()),
        ({"CHAINGUARD_PYTHON_IDENTITY_ID": "org/id", "CHAINGUARD_PYTHON_TOKEN": "t"}, "org/id", ()),
        ({"CGLIB_USERNAME": "u", "CGLIB_PASSWORD": "p"}, "u", ()),
        (
            {
                "CHAINGUARD_PYTHON_IDENTITY_ID": "org/id",
                "CGLIB_USERNAME": "u",
                "CGLIB_PASSWORD": "p",
            },
            "u",
            (
                "CHAINGUARD_PYTHON_IDENTITY_ID is set but CHAINGUARD_PYTHON_TOKEN is not; ignoring both",
            ),
        ),
        (
            {"CGLIB_PASSWORD": "p"},
            None,
            ("CGLIB_PASSWORD is set but CGLIB_USERNAME is not; ignoring both",),
        ),
    ],
)
def test_env_source_warns_about_half_a_pair(env, user, warnings):
    found = EnvSource().lookup(resolve_index(f"https://{CHAIN_HOST}/simple/", env={}), env)
    assert (found.credentials.username if found.credentials else None) == user
    assert found.warnings == warnings
    assert found.notes == ()


def test_half_set_env_pair_warns_through_the_chain(isolate):
    with installed(MemoryKeyring()):
        resolved = resolve_credentials(INDEX, {"HOME": str(isolate), "CGLIB_USERNAME": "u"})
    assert resolved.source == "none"
    assert resolved.warnings == ("CGLIB_USERNAME is set but CGLIB_PASSWORD is not; ignoring both",)


def test_source_objects_are_values():
    assert KeyringSource() == KeyringSource()
    assert repr(NetrcSource()) == "NetrcSource()"
    assert {type(s).__name__ for s in default_sources()} == {
        "UrlSource",
        "EnvSource",
        "KeyringSource",
        "NetrcSource",
    }


# -- scope of the Chainguard pair (issue 14) ------------------------------------------

CHAINGUARD_PAIR = {"CHAINGUARD_PYTHON_IDENTITY_ID": "org/id", "CHAINGUARD_PYTHON_TOKEN": "cg-t"}


@pytest.mark.parametrize(
    "url",
    [
        "https://libraries.cgr.dev/python/simple/",
        "https://LIBRARIES.cgr.dev/cu128/simple/",
        "https://mirror.eu.cgr.dev/simple/",
    ],
)
def test_chainguard_pair_is_sent_to_chainguard_hosts(url):
    found = EnvSource().lookup(resolve_index(url, env={}), CHAINGUARD_PAIR)
    assert found.credentials == Credentials("org/id", "cg-t")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/simple/",
        "https://cgr.dev.example.org/simple/",
        "https://examplecgr.dev/simple/",
        "http://127.0.0.1:8000/simple/",
    ],
)
def test_chainguard_pair_is_never_sent_elsewhere(url):
    index = resolve_index(url, env={})
    found = EnvSource().lookup(index, CHAINGUARD_PAIR)
    assert found.credentials is None
    assert found.warnings == ()
    assert any("CHAINGUARD_PYTHON_IDENTITY_ID" in note for note in found.notes)
    assert all("cg-t" not in note for note in found.notes)
    both = {**CHAINGUARD_PAIR, "CGLIB_USERNAME": "u", "CGLIB_PASSWORD": "p"}
    assert EnvSource().lookup(index, both).credentials == Credentials("u", "p")


@pytest.mark.parametrize(
    "url",
    [
        "http://u:p@127.0.0.1:8001/x@127.0.0.1:8000/simple/",
        "https://u:pa/ss@example.org/simple/",
        "https://u:p@ss@example.org/simple/",
        "https://u:p:ss@example.org/simple/",
        "https://u@x:p@example.org/simple/",
        "https://u:p?ss@example.org/simple/",
        "https://u:p#ss@example.org/simple/",
    ],
)
def test_unencoded_credentials_are_refused_without_echo(url):
    from cglib.errors import UsageError

    with pytest.raises(UsageError) as caught:
        resolve_index(url, env={})
    shown = str(caught.value) + repr(caught.value)
    for part in ("x@127", "8001", "pa/ss", "p@ss", "p:ss", "u@x", ":p@", "ss@", "p?ss", "p#ss"):
        assert part not in shown
    assert "%40" in shown or "%2F" in shown  # it says how to write it


@pytest.mark.parametrize(
    ("url", "user", "password"),
    [
        ("https://u:p%40ss%2F%3A@example.org/simple/", "u", "p@ss/:"),
        ("https://ORG/TOKEN:jwt.x-y_z@example.org/simple/", "ORG/TOKEN", "jwt.x-y_z"),
        ("https://_token:abc@example.org/simple/", "_token", "abc"),
    ],
)
def test_properly_encoded_credentials_still_work(url, user, password):
    index = resolve_index(url, env={})
    assert (index.url_username, index.url_password) == (user, password)
    assert index.url == "https://example.org/simple/"
