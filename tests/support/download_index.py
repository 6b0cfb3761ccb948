"""An in-memory index for the download tests (httpx.MockTransport): no sockets.

Pages live on index.example.org and need credentials; file links there
answer 302 to store.example.net, which refuses any request that carries
credentials.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from cglib.auth import Credentials
from cglib.client import IndexClient
from cglib.config import Index, Settings

INDEX = "https://index.example.org/simple/"
STORE = "https://store.example.net"
TOKEN = "sentinel-token-1234"

StoreHandler = Callable[[httpx.Request, bytes], httpx.Response]


class FakeIndex:
    """Pages on index.example.org; file links 302 to store.example.net."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.page_names: dict[str, str] = {}  # filename -> link text
        self.hashes: dict[str, str | None] = {}
        self.requests: list[httpx.Request] = []
        self.store_handler: StoreHandler | None = None
        self.front_status: dict[str, httpx.Response] = {}

    def add(
        self, filename: str, data: bytes, *, text: str | None = None, digest: str | None = ""
    ) -> None:
        self.files[filename] = data
        self.page_names[filename] = text if text is not None else filename
        self.hashes[filename] = hashlib.sha256(data).hexdigest() if digest == "" else digest

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = request.url
        if url.host == "index.example.org":
            if request.headers.get("authorization") is None:
                return httpx.Response(401)
            parts = [p for p in url.path.split("/") if p]
            if parts[:1] == ["simple"] and len(parts) == 2:
                links = []
                for name, text in self.page_names.items():
                    if not name.lower().startswith(parts[1].replace("-", "_")):
                        continue
                    digest = self.hashes[name]
                    frag = f"#sha256={digest}" if digest else ""
                    links.append(
                        f'<a href="/f/{hashlib.sha256(name.encode()).hexdigest()[:16]}/x{frag}">'
                        f"{html.escape(text)}</a>"
                    )
                if not links:
                    return httpx.Response(404)
                return httpx.Response(200, html="".join(links))
            if parts[:1] == ["f"]:
                for name in self.files:
                    if hashlib.sha256(name.encode()).hexdigest()[:16] == parts[1]:
                        if name in self.front_status:
                            return self.front_status[name]
                        return httpx.Response(
                            302, headers={"Location": f"{STORE}/o/{parts[1]}?sig=s"}
                        )
            return httpx.Response(404)
        if request.headers.get("authorization") is not None:
            return httpx.Response(403, text="store saw credentials")
        for name, data in self.files.items():
            if hashlib.sha256(name.encode()).hexdigest()[:16] == url.path.split("/")[-1]:
                if self.store_handler is not None:
                    return self.store_handler(request, data)
                return httpx.Response(200, content=data, headers={"ETag": '"v1"'})
        return httpx.Response(404)

    def store_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.host == "store.example.net"]


@contextmanager
def index_client(fake: FakeIndex, settings: Settings | None = None) -> Iterator[IndexClient]:
    """A client of ``fake``, with credentials, that never sleeps between retries."""
    with IndexClient(
        Index(INDEX),
        Credentials("user", TOKEN),
        credentials_source="env",
        settings=settings or Settings(retries=1, backoff=0.001),
        transport=httpx.MockTransport(fake),
        sleep=lambda _: None,
    ) as client:
        yield client


def files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


def ranged(data: bytes, seen: list[dict[str, str]]) -> StoreHandler:
    """A store that honours ``Range`` with ``If-Range: "v1"``; records the headers."""

    def handler(request: httpx.Request, _: bytes) -> httpx.Response:
        seen.append(dict(request.headers))
        header = request.headers.get("range")
        if header and request.headers.get("if-range") == '"v1"':
            start = int(header.removeprefix("bytes=").rstrip("-"))
            return httpx.Response(
                206,
                content=data[start:],
                headers={
                    "Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}",
                    "ETag": '"v1"',
                },
            )
        return httpx.Response(200, content=data, headers={"ETag": '"v1"'})

    return handler


def broken_after(data: bytes, error: Exception) -> StoreHandler:
    """A store answer whose body gives ``data`` and then fails with ``error``."""

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield data
            raise error

    def handler(request: httpx.Request, full: bytes) -> httpx.Response:
        return httpx.Response(
            200,
            stream=Body(),
            headers={"Content-Length": str(len(full)), "ETag": '"v1"'},
        )

    return handler
