"""The keyring credential source (cglib.keyring_source)."""

from __future__ import annotations

import time

import pytest
from keyring.backends import fail, null

from cglib.config import Index, resolve_index
from cglib.credentials import Credentials
from cglib.keyring_source import (
    USER_SERVICE,
    KeyringSource,
    keyring_timeout,
    service_for,
)
from memory_keyring import (
    HangingKeyring,
    LockedKeyring,
    MemoryKeyring,
    TokenKeyring,
    installed,
)

INDEX = Index(url="https://example.org/simple/")


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
