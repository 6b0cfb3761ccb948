"""IndexClient: credentials scoping, redirects, retries, and error mapping,
against the fake index (pages in both forms where the test is about pages)."""

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
from support.fakeindex import FakeIndex, basic

CHAINGUARD = "https://libraries.cgr.dev/python"
CREDS = Credentials("org/id", "sentinel-token-1234")
SIX = "six-1.17.0-py2.py3-none-any.whl"
SIX_PAGE = "/python/simple/six/"
SIX_FILE = f"{CHAINGUARD}/files/{SIX}"


def chainguard(form: str = "json", **options) -> FakeIndex:
    """Chainguard's index (its URL), holding six, behind CREDS."""
    options = {"user": CREDS.username, "password": CREDS.password, **options}
    index = FakeIndex(form=form, base=CHAINGUARD, **options)
    index.wheel("six", "1.17.0", "py2.py3-none-any")
    return index


def other(**options) -> FakeIndex:
    """Another index (https://example.org/simple/), open to everyone."""
    return FakeIndex(**options)


def make_client(index: FakeIndex, creds=CREDS, **settings):
    waits: list[float] = []
    client = IndexClient(
        Index(index.url),
        creds,
        credentials_source="env" if creds else "none",
        settings=Settings(**{"retries": 3, "backoff": 0.01, **settings}),
        transport=index.transport(),
        sleep=waits.append,
    )
    client.waits = waits  # type: ignore[attr-defined]
    return client


def test_sends_credentials_up_front_and_asks_for_json(form):
    index = chainguard(form)
    with make_client(index) as client:
        page = client.get_project("SIX")
    seen = index.requests
    assert len(seen) == 1
    assert seen[0].url == "https://libraries.cgr.dev/python/simple/six/"
    assert seen[0].headers["Accept"] == ACCEPT_SIMPLE
    assert seen[0].headers["Authorization"] == basic(CREDS.username, CREDS.password)
    assert page.name == "six"
    assert page.files[0].url == SIX_FILE
    assert page.files[0].sha256 == index.file(SIX).digest


def test_follows_redirect_to_normalised_name_on_same_host(form):
    index = chainguard(form)
    index.wheel("zope.interface", "7.2")
    with make_client(index) as client:
        fetched = client.fetch("https://libraries.cgr.dev/python/simple/Zope.Interface/")
    assert fetched.url.endswith("/zope-interface/")
    assert [s.status for s in index.seen] == [301, 200]
    assert all("Authorization" in r.headers for r in index.requests)


def test_redirect_to_another_host_drops_credentials():
    index = chainguard()
    with make_client(index) as client:
        fetched = client.fetch(SIX_FILE)
    assert fetched.content == index.file(SIX).content
    first, second = index.requests
    assert "Authorization" in first.headers
    assert second.url.host == "files.example.net"
    assert "Authorization" not in second.headers


def test_same_host_other_port_is_another_origin():
    index = chainguard(store="https://libraries.cgr.dev:8443")
    with make_client(index) as client:
        fetched = client.fetch(SIX_FILE)
    assert fetched.content == index.file(SIX).content
    assert index.requests[1].url.port == 8443
    assert "Authorization" not in index.requests[1].headers


def test_redirect_loop_is_an_error():
    index = other()
    index.always("/a", httpx.Response(302, headers={"Location": "/b"}))
    index.always("/b", httpx.Response(302, headers={"Location": "/a"}))
    with make_client(index) as client, pytest.raises(NetworkError) as info:
        client.fetch("https://example.org/a")
    assert "redirect loop" in info.value.message
    assert client.waits == []  # not retried


def test_too_many_redirects():
    index = other()
    for n in range(100):
        index.always(f"/{n}", httpx.Response(302, headers={"Location": f"/{n + 1}"}))
    with make_client(index) as client, pytest.raises(NetworkError) as info:
        client.fetch("https://example.org/0")
    assert "redirects" in info.value.message


def test_retries_5xx_then_succeeds():
    index = chainguard()
    index.queue(SIX_PAGE, 503, 503)
    with make_client(index) as client:
        client.get_project("six")
    assert [s.status for s in index.seen] == [503, 503, 200]
    assert len(client.waits) == 2


def test_honours_retry_after_capped():
    index = chainguard()
    index.queue(
        SIX_PAGE,
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(429, headers={"Retry-After": "3600"}),
    )
    with make_client(index, max_retry_wait=20) as client:
        client.get_project("six")
    assert client.waits == [7.0, 20.0]
    assert [s.status for s in index.seen] == [429, 429, 200]


def test_gives_up_after_bounded_retries():
    index = chainguard()
    index.always(SIX_PAGE, 503)
    with make_client(index) as client, pytest.raises(NetworkError) as info:
        client.get_project("six")
    assert len(index.seen) == 4
    assert info.value.status == 503
    assert info.value.exit_code == 6


def test_total_timeout_bounds_retries():
    index = chainguard()
    index.always(SIX_PAGE, httpx.Response(503, headers={"Retry-After": "10"}))
    with make_client(index, total_timeout=5) as client, pytest.raises(NetworkError):
        client.get_project("six")
    assert client.waits == []


def test_connection_errors_are_retried_then_reported():
    index = chainguard()
    index.always(SIX_PAGE, httpx.ConnectError("Connection refused"))
    with make_client(index) as client, pytest.raises(NetworkError) as info:
        client.get_project("six")
    assert len(index.seen) == 4
    assert "cannot connect" in info.value.message
    assert "libraries.cgr.dev" in info.value.message


def test_timeout_is_reported():
    index = chainguard()
    index.always(SIX_PAGE, httpx.ReadTimeout("timed out"))
    with make_client(index, retries=0) as client, pytest.raises(NetworkError) as info:
        client.get_project("six")
    assert "timed out" in info.value.message


def test_401_without_credentials_is_configuration():
    index = chainguard()
    with make_client(index, creds=None) as client:
        with pytest.raises(ConfigError) as info:
            client.get_project("six")
    assert index.seen[0].status == 401
    assert "Authorization" not in index.requests[0].headers
    assert info.value.exit_code == 3
    assert "cglib login" in str(info.value)


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_credentials(status):
    index = other(user=CREDS.username, password="another-token", reject_status=status)
    with make_client(index) as client:
        with pytest.raises(AuthError) as info:
            client.get_project("six")
    assert index.seen[0].status == status
    assert info.value.exit_code == 4
    assert "from env" in info.value.message
    assert CREDS.password not in str(info.value)


def test_403_on_chainguard_means_no_entitlement():
    index = chainguard(password="another-token", reject_status=403)
    with make_client(index) as client, pytest.raises(AuthError) as info:
        client.get_project("six")
    assert "entitlement" in info.value.message


def test_404_names_project_and_hints_on_chainguard(form):
    index = chainguard(form)
    with make_client(index) as client, pytest.raises(NotFoundError) as info:
        client.get_project("Nope")
    assert [s.status for s in index.seen] == [404]
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
    index = chainguard()
    index.always(f"/python/files/{SIX}", httpx.Response(409, content=json.dumps(body).encode()))
    with make_client(index) as client, pytest.raises(PolicyError) as info:
        client.fetch(SIX_FILE)
    assert info.value.reason == reason
    assert words in info.value.message
    assert info.value.exit_code == 8
    error = info.value.to_json()["error"]
    assert isinstance(error, dict)
    assert error["reason"] == reason


def test_409_with_garbage_body():
    index = chainguard()
    index.always(f"/python/files/{SIX}", httpx.Response(409, content=b"\xff\x00<html>"))
    with make_client(index) as client:
        with pytest.raises(PolicyError) as info:
            client.fetch(SIX_FILE)
    assert info.value.reason is None


def test_pre_signed_query_is_not_shown_in_errors():
    index = chainguard()
    index.always(f"/o/{SIX}", 500)  # the store fails
    with make_client(index, retries=0) as client, pytest.raises(NetworkError) as info:
        client.fetch(SIX_FILE)
    assert index.requests[1].url.params["sig"] == "s3cr3t"
    assert "s3cr3t" not in str(info.value)
    assert "files.example.net" in str(info.value)


def test_repr_has_no_secret():
    client = make_client(chainguard())
    assert CREDS.password not in repr(client)
    assert CREDS.password not in repr(CREDS)
    client.close()


def test_body_that_breaks_off_is_fetched_once_more():
    class Broken(httpx.SyncByteStream):
        def __iter__(self):
            yield b'{"meta": '
            raise httpx.ReadError("connection reset")

    index = chainguard()
    index.queue(
        SIX_PAGE,
        httpx.Response(
            200, stream=Broken(), headers={"Content-Type": "application/vnd.pypi.simple.v1+json"}
        ),
    )
    with make_client(index) as client:
        page = client.get_project("six")
    assert page.name == "six"
    assert len(index.seen) == 2


def test_threads_share_one_http_client(monkeypatch):
    """The httpx client is made on first use; threads that first use it at once
    must not each make one (the lost ones would never be closed: leaked sockets)."""
    import threading
    import time

    made = []
    real = httpx.Client

    class SlowClient(real):  # type: ignore[misc, valid-type]
        def __init__(self, *args, **kwargs):
            made.append(self)
            time.sleep(0.05)  # widen the window a race needs
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(httpx, "Client", SlowClient)
    index = chainguard()
    with make_client(index) as client:
        threads = [threading.Thread(target=client.get_project, args=("six",)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(index.seen) == 8
    assert len(made) == 1


def _counting_tls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    import cglib.tls

    built: list[int] = []
    real = cglib.tls.tls_context

    def counting():  # type: ignore[no-untyped-def]
        built.append(1)
        return real()

    monkeypatch.setattr(cglib.tls, "tls_context", counting)
    return built


def _plain_index() -> FakeIndex:
    index = FakeIndex(base="http://127.0.0.1:9")
    index.wheel("six", "1.17.0", "py2.py3-none-any")
    return index


def test_plain_http_index_builds_no_tls_context(monkeypatch):
    built = _counting_tls(monkeypatch)
    with make_client(_plain_index(), creds=None) as client:
        client.get_project("six")
    assert built == []


def test_https_index_and_proxies_build_one_tls_context(monkeypatch):
    built = _counting_tls(monkeypatch)
    with make_client(chainguard()) as client:
        client.get_project("six")
        client.get_project("six")
    assert built == [1]
    # Through a proxy even an http index may speak TLS (to the proxy).
    monkeypatch.setenv("HTTP_PROXY", "https://proxy.example.org:3128")
    with make_client(_plain_index(), creds=None) as client:
        client.get_project("six")
    assert built == [1, 1]
