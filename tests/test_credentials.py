"""cglib.credentials: the value types of the credential sources, a leaf module."""

from __future__ import annotations

import copy
import dataclasses
import subprocess
import sys

import pytest

import cglib
import cglib.auth
from cglib.credentials import Credentials, Lookup

SECRET = "s3cr3t-SENTINEL-7f1c"


def test_repr_never_shows_the_password():
    creds = Credentials("org/id", SECRET)
    assert repr(creds) == "Credentials(username='org/id', password='***')"
    assert str(creds) == repr(creds)
    found = Lookup(creds, ("a warning",), ("a note",))
    assert SECRET not in repr(found)
    assert "username='org/id'" in repr(found)
    assert SECRET not in repr((creds, [found]))


def test_compared_and_hashed_by_value():
    assert Credentials("u", "p") == Credentials("u", "p")
    assert Credentials("u", "p") != Credentials("u", "q")
    assert len({Credentials("u", "p"), Credentials("u", "p"), Credentials("v", "p")}) == 2
    assert Lookup() == Lookup(None, (), ())
    assert hash(Lookup(Credentials("u", "p"))) == hash(Lookup(Credentials("u", "p")))


def test_frozen_with_slots():
    creds = Credentials("u", "p")
    with pytest.raises(dataclasses.FrozenInstanceError):
        creds.password = "other"  # type: ignore[misc]
    assert not hasattr(creds, "__dict__")
    assert not hasattr(Lookup(), "__dict__")


def test_copies_keep_the_value():
    found = Lookup(Credentials("u", "p"), ("w",), ("n",))
    assert copy.copy(found) == found
    assert copy.deepcopy(found) == found


def test_the_public_names_are_the_same_class():
    assert cglib.Credentials is Credentials
    assert cglib.auth.Credentials is Credentials
    assert cglib.auth.Lookup is Lookup


def _cglib_modules_after(statement: str) -> set[str]:
    code = (
        f"import sys\n{statement}\nprint(' '.join(m for m in sys.modules if m.startswith('cglib')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_a_leaf_module():
    assert _cglib_modules_after("import cglib.credentials") == {
        "cglib",
        "cglib.__about__",
        "cglib.credentials",
    }


@pytest.mark.parametrize("module", ["cglib.keyring_source", "cglib.netrc_source", "cglib.client"])
def test_the_sources_and_the_client_do_not_need_the_chain(module):
    """No import cycle: the sources (and the client) use cglib.credentials, not cglib.auth."""
    loaded = _cglib_modules_after(f"import {module}")
    assert module in loaded
    assert "cglib.auth" not in loaded
