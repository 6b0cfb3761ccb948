"""Index selection, settings, URLs and names."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from cglib.config import DEFAULT_INDEX_URL, Index, Settings, resolve_index
from cglib.errors import UsageError
from cglib.urls import normalize_name, redact, split_credentials


def test_default_index():
    assert resolve_index(env={}).url == DEFAULT_INDEX_URL


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("python", "/python/simple/"),
        ("remediated", "/python-remediated/simple/"),
        ("cu126", "/cu126/simple/"),
        ("cu128", "/cu128/simple/"),
        ("CU129", "/cu129/simple/"),
    ],
)
def test_short_names(name, path):
    index = resolve_index(index_name=name, env={})
    assert index.url == f"https://libraries.cgr.dev{path}"
    assert index.is_chainguard


def test_precedence_flag_then_name_then_env():
    env = {"CGLIB_INDEX_URL": "https://env.example.org/simple"}
    assert resolve_index(env=env).url == "https://env.example.org/simple/"
    assert resolve_index(index_name="remediated", env=env).url.endswith(
        "/python-remediated/simple/"
    )
    assert (
        resolve_index("https://flag.example.org/s/", env=env).url == "https://flag.example.org/s/"
    )


def test_env_may_hold_a_short_name():
    assert resolve_index(env={"CGLIB_INDEX_URL": "cu128"}).url.endswith("/cu128/simple/")


def test_both_flags_is_usage_error():
    with pytest.raises(UsageError):
        resolve_index("https://example.org/simple/", "python", env={})


def test_unknown_name():
    with pytest.raises(UsageError) as info:
        resolve_index(index_name="nope", env={})
    assert "remediated" in str(info.value)


@pytest.mark.parametrize("bad", ["ftp://example.org/", "example.org/simple", "https://", ""])
def test_bad_urls(bad):
    with pytest.raises(UsageError):
        resolve_index(bad or " ", env={})


def test_credentials_taken_out_of_url():
    index = resolve_index("https://org%2Fid:p%40ss@example.org:8443/simple", env={})
    assert index.url == "https://example.org:8443/simple/"
    assert index.url_username == "org/id"
    assert index.url_password == "p@ss"
    assert "p@ss" not in repr(index)


def test_redact():
    text = "failed https://user:tok@example.org/simple/ and http://x@example.org/"
    assert redact(text) == "failed https://***@example.org/simple/ and http://***@example.org/"
    assert redact("https://example.org/simple/") == "https://example.org/simple/"


def test_split_without_credentials():
    assert split_credentials("https://example.org/") == ("https://example.org/", None, None)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("APIFlask", "apiflask"),
        ("zope_interface", "zope-interface"),
        ("Zope.Interface", "zope-interface"),
        ("a--_.b", "a-b"),
    ],
)
def test_normalize(raw, normal):
    assert normalize_name(raw) == normal


def test_settings_from_env():
    settings = Settings.from_env({"CGLIB_TIMEOUT": "2.5", "CGLIB_RETRIES": "0"})
    assert settings.timeout == 2.5
    assert settings.connect_timeout == 2.5
    assert settings.retries == 0


@pytest.mark.parametrize(
    "env", [{"CGLIB_TIMEOUT": "soon"}, {"CGLIB_TIMEOUT": "-1"}, {"CGLIB_RETRIES": "x"}]
)
def test_settings_bad_env(env):
    with pytest.raises(UsageError):
        Settings.from_env(env)


def test_pull_token_user_with_raw_slash_in_url():
    index = resolve_index("https://0123abcd/4567ef89:eyJ.tok.en@example.org/simple/", env={})
    assert index.url == "https://example.org/simple/"
    assert index.url_username == "0123abcd/4567ef89"
    assert index.url_password == "eyJ.tok.en"


def test_index_repr_shows_no_credentials():
    index = resolve_index("https://0123abcd%2F4567ef89:eyJ.SECRET.sig@example.org/simple/", env={})
    assert repr(index) == "Index(url='https://example.org/simple/', url_username='***')"
    assert repr(Index("https://example.org/simple/")) == (
        "Index(url='https://example.org/simple/', url_username=None)"
    )
    assert "SECRET" not in repr([index]) + str(index)


def test_index_is_a_frozen_value():
    index = resolve_index("https://u:p@example.org/simple", env={})
    assert index == Index("https://example.org/simple/", "u", "p")
    assert index != Index("https://example.org/simple/", "u", "other")
    assert len({index, Index("https://example.org/simple/", "u", "p")}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        index.url = "https://elsewhere.example.org/"  # type: ignore[misc]
    assert not hasattr(index, "__dict__")
    assert index.host == "example.org"
    assert index.project_url("six") == "https://example.org/simple/six/"


def test_settings_is_a_frozen_value():
    assert Settings() == Settings.from_env({})
    assert Settings().retries == 3
    fewer = dataclasses.replace(Settings(), retries=0)
    assert fewer == Settings(retries=0)
    assert fewer != Settings()
    assert repr(fewer).startswith("Settings(timeout=30.0, connect_timeout=10.0, retries=0,")
    with pytest.raises(dataclasses.FrozenInstanceError):
        fewer.retries = 1  # type: ignore[misc]


def test_every_environment_variable_is_documented():
    """docs/configuration.md lists every CGLIB_* variable the code reads."""
    root = Path(__file__).resolve().parent.parent
    used = set()
    for path in (root / "src" / "cglib").rglob("*.py"):
        used.update(re.findall(r"\bCGLIB_[A-Z_]+[A-Z]\b", path.read_text()))
    documented = set(re.findall(r"`(CGLIB_[A-Z_]+)`", (root / "docs/configuration.md").read_text()))
    assert used
    assert sorted(used - documented) == []
