"""Credential hints name the variables that apply to the index in use:
Chainguard's pair for Chainguard's hosts, CGLIB_USERNAME/CGLIB_PASSWORD for
any other index (devpi, pypiserver, a repository manager…)."""

from __future__ import annotations

import json

import pytest

from cglib.config import credential_variables, login_hint, resolve_index
from support.fakeindex import six_index

INDEX = "https://example.org/simple/"

CHAINGUARD = "https://libraries.cgr.dev/python/simple/"
OTHERS = [INDEX, "http://127.0.0.1:3141/root/pypi/+simple/", "https://pkgs.example.org/simple/"]


@pytest.mark.parametrize("url", OTHERS)
def test_other_indexes_get_the_generic_pair(url: str) -> None:
    index = resolve_index(url, env={})
    assert credential_variables(index) == ("CGLIB_USERNAME", "CGLIB_PASSWORD")
    hint = login_hint(index)
    assert "CGLIB_USERNAME and CGLIB_PASSWORD" in hint
    assert "CHAINGUARD" not in hint
    assert "chainctl" not in hint


@pytest.mark.parametrize("url", [CHAINGUARD, "https://libraries.cgr.dev/cu128/simple/"])
def test_chainguard_indexes_get_chainguards_pair(url: str) -> None:
    index = resolve_index(url, env={})
    assert credential_variables(index) == (
        "CHAINGUARD_PYTHON_IDENTITY_ID",
        "CHAINGUARD_PYTHON_TOKEN",
    )
    hint = login_hint(index)
    assert "CHAINGUARD_PYTHON_IDENTITY_ID and CHAINGUARD_PYTHON_TOKEN" in hint
    assert "chainctl auth pull-token" in hint
    assert "CGLIB_USERNAME" not in hint


def test_401_without_credentials_on_another_index(cli, httpx_mock) -> None:  # type: ignore[no-untyped-def]
    six_index().mount(httpx_mock)
    result = cli("versions", "six", "--index-url", INDEX)
    assert result.exit_code == 3
    assert "none were found" in result.stderr
    assert "set CGLIB_USERNAME and CGLIB_PASSWORD" in result.stderr
    assert "CHAINGUARD" not in result.stderr


def test_rejected_credentials_on_another_index(cli, httpx_mock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    six_index().mount(httpx_mock)
    monkeypatch.setenv("CGLIB_USERNAME", "someone")
    monkeypatch.setenv("CGLIB_PASSWORD", "wrong")
    result = cli("versions", "six", "--index-url", INDEX, "--json")
    assert result.exit_code == 4
    error = json.loads(result.stderr)["error"]
    assert "CGLIB_USERNAME and CGLIB_PASSWORD" in error["hint"]
    assert "CHAINGUARD" not in error["hint"]


def test_rejected_credentials_on_chainguard(cli, httpx_mock, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    httpx_mock.add_response(status_code=401, is_reusable=True)
    monkeypatch.setenv("CHAINGUARD_PYTHON_IDENTITY_ID", "org/id")
    monkeypatch.setenv("CHAINGUARD_PYTHON_TOKEN", "expired")
    result = cli("versions", "six", "--index", "python", "--json")
    assert result.exit_code == 4
    error = json.loads(result.stderr)["error"]
    assert "CHAINGUARD_PYTHON_IDENTITY_ID and CHAINGUARD_PYTHON_TOKEN" in error["hint"]
    assert "CGLIB_USERNAME" not in error["hint"]


def test_no_credentials_on_chainguard(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("versions", "six", "--index", "python")
    assert result.exit_code == 3
    assert "CHAINGUARD_PYTHON_IDENTITY_ID and CHAINGUARD_PYTHON_TOKEN" in result.stderr
    assert "CGLIB_USERNAME" not in result.stderr
