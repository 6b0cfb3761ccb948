"""No credentials over plain http to a host outside the loopback range, unless asked."""

from __future__ import annotations

import json

import httpx
import pytest

from cglib.client import IndexClient
from cglib.config import Index, Settings
from cglib.credentials import Credentials
from cglib.errors import ConfigError
from support.fakeindex import six_index

CREDS = Credentials("ci-user", "good-token")


def recording() -> tuple[list[httpx.Request], httpx.MockTransport]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text="<html></html>", headers={"Content-Type": "text/html"})

    return seen, httpx.MockTransport(handler)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.org/simple/",
        "http://internal.example.org:8080/simple/",
        "http://[fe80::1]/s/",
    ],
)
def test_credentials_over_plain_http_are_refused_before_any_request(url):
    seen, transport = recording()
    with pytest.raises(ConfigError) as caught:
        IndexClient(Index(url), CREDS, transport=transport, settings=Settings(retries=0))
    assert "--allow-insecure-http" in str(caught.value)
    assert "good-token" not in str(caught.value)
    assert seen == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/simple/",
        "http://127.1.2.3/simple/",
        "http://localhost:3141/simple/",
        "http://[::1]:8000/simple/",
        "https://example.org/simple/",
    ],
)
def test_loopback_and_https_carry_credentials(url):
    seen, transport = recording()
    with IndexClient(Index(url), CREDS, transport=transport) as client:
        client.fetch(url)
    assert seen[0].headers["Authorization"].startswith("Basic ")


def test_allow_insecure_http_sends_them():
    seen, transport = recording()
    url = "http://example.org/simple/"
    with IndexClient(Index(url), CREDS, transport=transport, allow_insecure_http=True) as client:
        client.fetch(url)
    assert seen[0].headers["Authorization"].startswith("Basic ")


def test_anonymous_plain_http_is_fine():
    seen, transport = recording()
    url = "http://example.org/simple/"
    with IndexClient(Index(url), None, transport=transport) as client:
        client.fetch(url)
    assert "Authorization" not in seen[0].headers


HTTP_INDEX = "http://example.org/simple/"


def test_cli_refuses_credentials_over_http(cli, httpx_mock, monkeypatch):
    monkeypatch.setenv("CGLIB_USERNAME", "ci-user")
    monkeypatch.setenv("CGLIB_PASSWORD", "good-token")
    result = cli("versions", "six", "--index-url", HTTP_INDEX, "--json")
    assert result.exit_code == 3, result.stderr
    error = json.loads(result.stderr.strip().splitlines()[-1])["error"]
    assert "--allow-insecure-http" in error["message"] + error.get("hint", "")
    assert "good-token" not in result.stderr
    assert httpx_mock.get_requests() == []


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--allow-insecure-http", "versions", "six"], {}),
        (["versions", "six", "--allow-insecure-http"], {}),
        (["versions", "six"], {"CGLIB_ALLOW_INSECURE_HTTP": "1"}),
    ],
)
def test_cli_allows_it_when_asked(cli, httpx_mock, monkeypatch, args, env):
    monkeypatch.setenv("CGLIB_USERNAME", "ci-user")
    monkeypatch.setenv("CGLIB_PASSWORD", "good-token")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    index = six_index(base="http://example.org").mount(httpx_mock)
    result = cli(*args, "--index-url", HTTP_INDEX)
    assert result.exit_code == 0, result.stderr
    assert index.requests
    assert all(r.url.scheme == "http" for r in index.requests)
