"""The chain of credential sources (cglib.auth): every precedence pair, custom sources, the URL and environment sources, which hosts get the Chainguard pair."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

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
    KeyringSource,
)
from cglib.netrc_source import NetrcSource
from memory_keyring import (
    HangingKeyring,
    LockedKeyring,
    MemoryKeyring,
    installed,
)

INDEX = Index(url="https://example.org/simple/")


def write_netrc(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


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


def test_credentials_from_the_environment_load_no_later_source() -> None:
    """The chain loads a source's code only when the walk reaches it: with
    the environment's pair, neither the keyring nor the netrc code is loaded
    (in a fresh interpreter, so that nothing else has imported them)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from cglib.auth import resolve_credentials\n"
        "from cglib.config import Index\n"
        "env = {'CGLIB_USERNAME': 'ci-user', 'CGLIB_PASSWORD': 'good-token'}\n"
        "found = resolve_credentials(Index('https://example.org/simple/'), env)\n"
        "loaded = [m for m in ('cglib.keyring_source', 'cglib.netrc_source', 'keyring')"
        " if m in sys.modules]\n"
        "print(found.source, *loaded)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.split() == ["env"]
    assert [type(s).__name__ for s in default_sources()] == [
        "UrlSource",
        "EnvSource",
        "KeyringSource",
        "NetrcSource",
    ]
