"""IndexClient: credentials scoping, redirects, retries, and error mapping."""

from __future__ import annotations

import json

import httpx
import pytest

from cglib.auth import Credentials
from cglib.client import ACCEPT_SIMPLE, IndexClient
from cglib.config import Index, Settings
from cglib.errors import (
    AuthError,
    ConfigError,
    NetworkError,
    NotFoundError,
    PolicyError,
)

INDEX = Index("https://libraries.cgr.dev/python/simple/")
OTHER = Index("https://example.org/simple/")
CREDS = Credentials("org/id", "sentinel-token-1234")
SIX_JSON = {
    "meta": {"api-version": "1.1"},
    "name": "six",
    "files": [
        {
            "filename": "six-1.17.0-py2.py3-none-any.whl",
            "url": "../../files/six-1.17.0-py2.py3-none-any.whl",
            "hashes": {"sha256": "ab" * 32},
        }
    ],
}


def make_client(handler, index=INDEX, creds=CREDS, **settings):
    waits: list[float] = []
    client = IndexClient(
        index,
        creds,
        credentials_source="env" if creds else "none",
        settings=Settings(**{"retries": 3, "backoff": 0.01, **settings}),
        transport=httpx.MockTransport(handler),
        sleep=waits.append,
    )
    client.waits = waits  # type: ignore[attr-defined]
    return client


def json_page(request: httpx.Request) -> httpx.Response:
    return httpx.Response(
        200, json=SIX_JSON, headers={"Content-Type": "application/vnd.pypi.simple.v1+json"}
    )


def test_sends_credentials_up_front_and_negotiates_json():
    seen = []

    def handler(request):
        seen.append(request)
        return json_page(request)

    with make_client(handler) as client:
        page = client.get_project("SIX")
    assert seen[0].url == "https://libraries.cgr.dev/python/simple/six/"
    assert seen[0].headers["Accept"] == ACCEPT_SIMPLE
    assert seen[0].headers["Authorization"].startswith("Basic ")
    assert page.name == "six"
    assert (
        page.files[0].url
        == "https://libraries.cgr.dev/python/files/six-1.17.0-py2.py3-none-any.whl"
    )


def test_follows_redirect_to_normalised_name_on_same_host():
    seen = []

    def handler(request):
        seen.append(request)
        if request.url.path.endswith("/Zope.Interface/"):
            return httpx.Response(301, headers={"Location": "/python/simple/zope-interface/"})
        body = dict(SIX_JSON, name="zope-interface", files=[])
        return httpx.Response(
            200, json=body, headers={"Content-Type": "application/vnd.pypi.simple.v1+json"}
        )

    with make_client(handler) as client:
        fetched = client.fetch("https://libraries.cgr.dev/python/simple/Zope.Interface/")
    assert fetched.url.endswith("/zope-interface/")
    assert all("Authorization" in r.headers for r in seen)


def test_redirect_to_another_host_drops_credentials():
    seen = []

    def handler(request):
        seen.append(request)
        if request.url.host == "libraries.cgr.dev":
            return httpx.Response(
                302, headers={"Location": "https://store.example.org/blob?X-Sig=abc"}
            )
        return httpx.Response(200, content=b"data")

    with make_client(handler) as client:
        fetched = client.fetch("https://libraries.cgr.dev/python/files/x.whl")
    assert fetched.content == b"data"
    assert "Authorization" in seen[0].headers
    assert "Authorization" not in seen[1].headers


def test_same_host_other_port_is_another_origin():
    seen = []

    def handler(request):
        seen.append(request)
        if request.url.port is None:
            return httpx.Response(302, headers={"Location": "https://libraries.cgr.dev:8443/x"})
        return httpx.Response(200, content=b"ok")

    with make_client(handler) as client:
        client.fetch("https://libraries.cgr.dev/python/simple/six/")
    assert "Authorization" not in seen[1].headers


def test_redirect_loop_is_an_error():
    def handler(request):
        target = "/b" if request.url.path == "/a" else "/a"
        return httpx.Response(302, headers={"Location": target})

    with make_client(handler, index=OTHER) as client, pytest.raises(NetworkError) as info:
        client.fetch("https://example.org/a")
    assert "redirect loop" in info.value.message
    assert client.waits == []  # not retried


def test_too_many_redirects():
    def handler(request):
        n = int(request.url.path.strip("/") or 0)
        return httpx.Response(302, headers={"Location": f"/{n + 1}"})

    with make_client(handler, index=OTHER) as client, pytest.raises(NetworkError) as info:
        client.fetch("https://example.org/0")
    assert "redirects" in info.value.message


def test_retries_5xx_then_succeeds():
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) < 3:
            return httpx.Response(503)
        return json_page(request)

    with make_client(handler) as client:
        client.get_project("six")
    assert len(calls) == 3
    assert len(client.waits) == 2


def test_honours_retry_after_capped():
    calls = []

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "7"})
        if len(calls) == 2:
            return httpx.Response(429, headers={"Retry-After": "3600"})
        return json_page(request)

    with make_client(handler, max_retry_wait=20) as client:
        client.get_project("six")
    assert client.waits == [7.0, 20.0]


def test_gives_up_after_bounded_retries():
    calls = []

    def handler(request):
        calls.append(request)
        return httpx.Response(503)

    with make_client(handler) as client, pytest.raises(NetworkError) as info:
        client.get_project("six")
    assert len(calls) == 4
    assert info.value.status == 503
    assert info.value.exit_code == 6


def test_total_timeout_bounds_retries():
    def handler(request):
        return httpx.Response(503, headers={"Retry-After": "10"})

    with make_client(handler, total_timeout=5) as client, pytest.raises(NetworkError):
        client.get_project("six")
    assert client.waits == []


def test_connection_errors_are_retried_then_reported():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ConnectError("Connection refused", request=request)

    with make_client(handler) as client, pytest.raises(NetworkError) as info:
        client.get_project("six")
    assert len(calls) == 4
    assert "cannot connect" in info.value.message
    assert "libraries.cgr.dev" in info.value.message


def test_timeout_is_reported():
    def handler(request):
        raise httpx.ReadTimeout("timed out", request=request)

    with make_client(handler, retries=0) as client, pytest.raises(NetworkError) as info:
        client.get_project("six")
    assert "timed out" in info.value.message


def test_401_without_credentials_is_configuration():
    with make_client(lambda r: httpx.Response(401), creds=None) as client:
        with pytest.raises(ConfigError) as info:
            client.get_project("six")
    assert info.value.exit_code == 3
    assert "cglib login" in str(info.value)


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_credentials(status):
    with make_client(lambda r: httpx.Response(status), index=OTHER) as client:
        with pytest.raises(AuthError) as info:
            client.get_project("six")
    assert info.value.exit_code == 4
    assert "from env" in info.value.message
    assert CREDS.password not in str(info.value)


def test_403_on_chainguard_means_no_entitlement():
    with make_client(lambda r: httpx.Response(403)) as client, pytest.raises(AuthError) as info:
        client.get_project("six")
    assert "entitlement" in info.value.message


def test_404_names_project_and_hints_on_chainguard():
    with make_client(lambda r: httpx.Response(404)) as client, pytest.raises(NotFoundError) as info:
        client.get_project("Nope")
    assert "'nope'" in info.value.message
    assert "building from source" in str(info.value)


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("MALWARE_DETECTED", "malware"),
        ("POLICY_ORG_BLOCKLIST", "block list"),
        ("POLICY_COOLDOWN", "cool-down"),
    ],
)
def test_409_policy_reason(reason, words):
    body = {"error": "withheld", "reason": reason, "message": "see your admin"}

    def handler(request):
        return httpx.Response(409, content=json.dumps(body).encode())

    with make_client(handler) as client, pytest.raises(PolicyError) as info:
        client.fetch("https://libraries.cgr.dev/python/files/x.whl")
    assert info.value.reason == reason
    assert words in info.value.message
    assert info.value.exit_code == 8
    assert info.value.to_json()["error"]["reason"] == reason


def test_409_with_garbage_body():
    with make_client(lambda r: httpx.Response(409, content=b"\xff\x00<html>")) as client:
        with pytest.raises(PolicyError) as info:
            client.fetch("https://libraries.cgr.dev/python/files/x.whl")
    assert info.value.reason is None


def test_pre_signed_query_is_not_shown_in_errors():
    def handler(request):
        if request.url.host == "libraries.cgr.dev":
            return httpx.Response(
                302, headers={"Location": "https://store.example.org/b?sig=SECRETSIG"}
            )
        return httpx.Response(500)

    with make_client(handler, retries=0) as client, pytest.raises(NetworkError) as info:
        client.fetch("https://libraries.cgr.dev/python/files/x.whl")
    assert "SECRETSIG" not in str(info.value)
    assert "store.example.org" in str(info.value)


def test_repr_has_no_secret():
    client = make_client(json_page)
    assert CREDS.password not in repr(client)
    assert CREDS.password not in repr(CREDS)
    client.close()


def test_body_that_breaks_off_is_fetched_once_more():
    calls = []

    class Broken(httpx.SyncByteStream):
        def __iter__(self):
            yield b'{"meta": '
            raise httpx.ReadError("connection reset")

    def handler(request):
        calls.append(request)
        if len(calls) == 1:
            return httpx.Response(
                200,
                stream=Broken(),
                headers={"Content-Type": "application/vnd.pypi.simple.v1+json"},
            )
        return json_page(request)

    with make_client(handler) as client:
        page = client.get_project("six")
    assert page.name == "six"
    assert len(calls) == 2


def test_tls_context_verifies_and_honours_ssl_cert_file(monkeypatch, tmp_path):
    import ssl

    from cglib.client import tls_context

    context = tls_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate")
    monkeypatch.setenv("SSL_CERT_FILE", str(bogus))
    with pytest.raises(ssl.SSLError):
        tls_context()


def _counting_tls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    import cglib.tls

    built: list[int] = []
    real = cglib.tls.tls_context

    def counting():  # type: ignore[no-untyped-def]
        built.append(1)
        return real()

    monkeypatch.setattr(cglib.tls, "tls_context", counting)
    return built


def test_plain_http_index_builds_no_tls_context(monkeypatch):
    built = _counting_tls(monkeypatch)
    with make_client(json_page, index=Index("http://127.0.0.1:9/simple/")) as client:
        client.get_project("six")
    assert built == []


def test_https_index_and_proxies_build_one_tls_context(monkeypatch):
    built = _counting_tls(monkeypatch)
    with make_client(json_page) as client:
        client.get_project("six")
        client.get_project("six")
    assert built == [1]
    # Through a proxy even an http index may speak TLS (to the proxy).
    monkeypatch.setenv("HTTP_PROXY", "https://proxy.example.org:3128")
    with make_client(json_page, index=Index("http://127.0.0.1:9/simple/")) as client:
        client.get_project("six")
    assert built == [1, 1]
