"""The conditional GET without httpx (cglib.revalidate), and how the client
and search_index use it: only a 304 counts, anything else is asked in full."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from tests.support.rootserver import root_server, self_signed

from cglib import cache, revalidate
from cglib.auth import Credentials
from cglib.client import IndexClient
from cglib.config import Index, Settings
from cglib.search import search_index

NAMES = ["six", "requests", "Zope.Interface"]


def ask(url: str, headers: dict[str, str] | None = None, **env: str) -> bool:
    return revalidate.not_modified(
        url,
        {"If-None-Match": '"v1"', **(headers or {})},
        connect_timeout=2,
        timeout=2,
        environ=env,
    )


def test_304_is_not_modified_and_the_request_is_as_sent() -> None:
    with root_server(NAMES) as server:
        assert ask(server.url, {"Authorization": "Basic dTpw", "Accept": "application/json"})
    [(path, headers)] = server.requests
    assert path == "/simple/"
    assert headers["If-None-Match"] == '"v1"'
    assert headers["Authorization"] == "Basic dTpw"
    assert headers["Accept"] == "application/json"
    assert headers["Host"] == f"127.0.0.1:{server.port}"
    assert headers["Connection"] == "close"


@pytest.mark.parametrize("status", [200, 301, 302, 401, 403, 404, 500, 503])
def test_any_other_status_means_ask_in_full(status: int) -> None:
    with root_server(NAMES, status=status) as server:
        assert not ask(server.url)
    assert len(server.requests) == 1


def test_a_changed_listing_is_not_taken_for_unchanged() -> None:
    with root_server(NAMES, etag='"v2"') as server:
        assert not ask(server.url)


def test_refused_connection_is_ask_in_full() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert not ask(f"http://127.0.0.1:{port}/simple/")


def test_a_slow_server_is_given_up_on_within_the_time_out() -> None:
    with root_server(NAMES, stall=3) as server:
        start = time.monotonic()
        answer = revalidate.not_modified(
            server.url, {"If-None-Match": '"v1"'}, connect_timeout=1, timeout=0.3, environ={}
        )
        assert time.monotonic() - start < 2
    assert answer is False


@pytest.mark.parametrize(
    "env",
    [{"HTTP_PROXY": "http://proxy.example.org:3128"}, {"all_proxy": "socks5://proxy:1080"}],
)
def test_a_proxy_leaves_the_request_to_httpx(env: dict[str, str]) -> None:
    with root_server(NAMES) as server:
        assert not ask(server.url, **env)
        assert ask(server.url, **env, NO_PROXY="*")
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"If-None-Match": '"v1"\r\nX-Injected: 1'},
        {"If-None-Match": '"v1"\nX-Injected: 1'},
        {"If-None-Match": '"v1"\x00'},
        {"If-None-Match": '"vé"'},
    ],
)
def test_headers_that_cannot_be_sent_as_they_are_send_nothing(headers: dict[str, str]) -> None:
    with root_server(NAMES) as server:
        assert not ask(server.url, headers)
    assert server.requests == []


@pytest.mark.parametrize(
    "url",
    ["ftp://127.0.0.1/simple/", "http://user:pw@127.0.0.1/simple/", "http://[::1/simple/"],
)
def test_urls_it_does_not_handle(url: str) -> None:
    assert not ask(url)


def test_disabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(revalidate, "ENABLED", False)
    with root_server(NAMES) as server:
        assert not ask(server.url)
    assert server.requests == []


def test_https_is_verified_with_the_clients_trust(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = self_signed(tmp_path)
    if tls is None:
        pytest.skip("no openssl command to make a certificate")
    with root_server(NAMES, tls=tls) as server:
        assert server.url.startswith("https://")
        # Not trusted: no answer taken (and nothing raised).
        assert not ask(server.url)
        # Trusted through SSL_CERT_FILE, as for the rest of cglib.
        monkeypatch.setenv("SSL_CERT_FILE", tls[0])
        assert ask(server.url)
    assert [h.get("If-None-Match") for _, h in server.requests] == ['"v1"']


def test_client_asks_without_httpx_and_scopes_credentials() -> None:
    with root_server(NAMES) as server:
        creds = Credentials("user", "s3cret")
        client = IndexClient(Index(server.url), creds, settings=Settings(timeout=2))
        assert client.not_modified(server.url, "application/json", {"If-None-Match": '"v1"'})
        assert client._client is None  # httpx was never needed
        # Another origin (the port differs): no credentials go there.
        other = server.url.replace("127.0.0.1", "localhost")
        assert client.not_modified(other, "application/json", {"If-None-Match": '"v1"'})
        client.close()
    (_, first), (_, second) = server.requests
    assert first["Authorization"].startswith("Basic ")
    assert "Authorization" not in second
    assert first["User-Agent"].startswith("cglib/")


def test_client_with_an_open_connection_or_a_transport_asks_in_full() -> None:
    import httpx

    with root_server(NAMES) as server:
        mocked = IndexClient(
            Index(server.url), transport=httpx.MockTransport(lambda r: httpx.Response(304))
        )
        assert not mocked.not_modified(server.url, "*/*", {"If-None-Match": '"v1"'})
        live = IndexClient(Index(server.url))
        live.get_project_list()
        assert not live.not_modified(server.url, "*/*", {"If-None-Match": '"v1"'})
        live.close()
    assert len(server.requests) == 1  # only get_project_list's


def test_search_index_revalidates_without_httpx(tmp_path: Path) -> None:
    with root_server(NAMES) as server:
        with IndexClient(Index(server.url)) as client:
            first = search_index(client, "six", cache_dir=tmp_path)
        with IndexClient(Index(server.url)) as client:
            second = search_index(client, "zope_interface", cache_dir=tmp_path)
            assert client._client is None
    assert (first.source, second.source) == ("fetched", "revalidated")
    assert [m.name for m in second.matches] == ["Zope.Interface"]
    assert [h.get("If-None-Match") for _, h in server.requests] == [None, '"v1"']


def test_search_index_falls_back_when_the_server_ignores_validators(tmp_path: Path) -> None:
    with root_server(NAMES, ignore_validators=True) as server:
        with IndexClient(Index(server.url)) as client:
            search_index(client, "six", cache_dir=tmp_path)
        server.names.append("sixty")
        with IndexClient(Index(server.url)) as client:
            result = search_index(client, "sixty", cache_dir=tmp_path)
    assert result.source == "fetched"
    assert next(m.name for m in result.matches) == "sixty"
    # the conditional question, then the whole listing through httpx
    assert len(server.requests) == 3
    loaded = cache.load(cache.cache_path(server.url, tmp_path))
    assert loaded is not None
    assert "sixty" in loaded.names
