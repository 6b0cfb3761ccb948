"""A redirecting index with a separate object store, for download tests and benchmarks.

``IndexWithStore`` runs two small threaded HTTP/1.1 servers:

- the *front* on 127.0.0.1: PEP 503 HTML pages under ``/simple/NAME/`` and
  file links ``/files/ID/FILENAME``, Basic auth required on everything; a
  file link answers ``302`` to a pre-signed URL on the store (or ``409``
  with a JSON policy body, when told to);
- the *store* on 127.0.0.2 (Linux routes all of 127/8 to the loopback):
  serves ``/obj/ID?expires=…&signature=…`` only with a valid HMAC signature
  that has not expired, rejects (403) any request that carries an
  ``Authorization`` header, honours ``Range`` / ``If-Range`` with an ETag,
  and sends bodies with ``sendfile`` so that it is never the bottleneck.

Every request's host, path and headers are recorded for assertions.  A file
can be told to misbehave: ``truncate`` (send half the body, then close),
``truncate-once`` (only full-body answers are cut, so a resume works),
``wrong`` (same length, other bytes), ``ignore-range`` (always 200),
``slow`` (64 KiB every 10 ms), ``expired`` (the signed URL has expired),
``409:REASON``.  ``latency`` adds a delay to every response.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import json
import os
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from support.quiet_http import QuietHandler, QuietServer

FRONT_HOST = "127.0.0.1"
STORE_HOST = "127.0.0.2"


@dataclass
class StoredFile:
    project: str
    filename: str
    path: Path
    sha256: str
    id: str
    requires_python: str | None = None
    yanked: str | None = None  # None: not yanked; "" yanked without reason
    #: Text of the anchor (the file name the index shows); default the file name.
    link_text: str | None = None
    #: sha256 the page advertises; default the real one; "" for none.
    page_hash: str | None = None


@dataclass
class Recorded:
    server: str  # "front" or "store"
    method: str
    path: str
    headers: dict[str, str]
    status: int = 0


@dataclass
class IndexWithStore:
    root: Path
    username: str = "store-user"
    password: str = "store-secret-token"
    latency: float = 0.0
    files: dict[str, StoredFile] = field(default_factory=dict)
    behaviour: dict[str, str] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    front_port: int = 0
    store_port: int = 0
    _key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- content -----------------------------------------------------------------

    def add(
        self,
        project: str,
        filename: str,
        data: bytes | None = None,
        *,
        source: Path | None = None,
        requires_python: str | None = None,
        yanked: str | None = None,
        link_text: str | None = None,
        page_hash: str | None = None,
    ) -> StoredFile:
        """Serve ``data`` (or the file ``source``) as ``filename`` of ``project``."""
        file_id = secrets.token_hex(12)
        path = self.root / file_id
        if source is not None and _same_fs(source, self.root):
            os.link(source, path)
        elif source is not None:
            path.write_bytes(source.read_bytes())
        else:
            path.write_bytes(data or b"")
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        stored = StoredFile(
            _normalize(project),
            filename,
            path,
            digest.hexdigest(),
            file_id,
            requires_python,
            yanked,
            link_text,
            page_hash,
        )
        self.files[file_id] = stored
        return stored

    def by_name(self, filename: str) -> StoredFile:
        for f in self.files.values():
            if f.filename == filename:
                return f
        raise KeyError(filename)

    # -- addresses -----------------------------------------------------------------

    @property
    def index_url(self) -> str:
        return f"http://{FRONT_HOST}:{self.front_port}/simple/"

    @property
    def index_url_with_credentials(self) -> str:
        return self.index_url.replace("http://", f"http://{self.username}:{self.password}@", 1)

    @property
    def auth_header(self) -> str:
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        return f"Basic {token}"

    def signed_url(self, file_id: str, ttl: float = 300) -> str:
        expires = str(int(time.time() + ttl))
        return (
            f"http://{STORE_HOST}:{self.store_port}/obj/{file_id}"
            f"?expires={expires}&signature={self._sign(file_id, expires)}"
        )

    def _sign(self, file_id: str, expires: str) -> str:
        return hmac.new(self._key, f"{file_id}:{expires}".encode(), hashlib.sha256).hexdigest()

    def store_requests(self) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.server == "store"]

    def record(self, entry: Recorded) -> None:
        with self._lock:
            self.requests.append(entry)

    # -- pages -----------------------------------------------------------------

    def page(self, project: str) -> bytes | None:
        files = [f for f in self.files.values() if f.project == project]
        if not files:
            return None
        rows = []
        for f in files:
            digest = f.sha256 if f.page_hash is None else f.page_hash
            href = f"/files/{f.id}/{quote(f.filename)}" + (f"#sha256={digest}" if digest else "")
            attrs = f'href="{html.escape(href)}"'
            if f.requires_python:
                attrs += f' data-requires-python="{html.escape(f.requires_python)}"'
            if f.yanked is not None:
                attrs += f' data-yanked="{html.escape(f.yanked)}"'
            text = f.link_text if f.link_text is not None else f.filename
            rows.append(f"<a {attrs}>{html.escape(text)}</a><br/>")
        body = (
            "<!DOCTYPE html><html><head>"
            '<meta name="pypi:repository-version" content="1.0">'
            f"<title>Links for {project}</title></head><body>"
            f"<h1>Links for {project}</h1>{''.join(rows)}</body></html>"
        )
        return body.encode()


def _normalize(name: str) -> str:
    import re

    return re.sub(r"[-_.]+", "-", name).lower()


def _same_fs(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return False


class _Handler(QuietHandler):
    protocol_version = "HTTP/1.1"
    server_version = "test-store"
    sys_version = ""
    state: IndexWithStore
    role: str

    def _send(
        self, status: int, body: bytes, content_type: str = "text/plain", **headers: str
    ) -> None:
        super()._send(status, body, content_type, **headers)
        self._entry.status = status

    def do_GET(self) -> None:
        state = self.state
        self._entry = Recorded(self.role, "GET", self.path, dict(self.headers.items()))
        state.record(self._entry)
        if state.latency:
            time.sleep(state.latency)
        if self.role == "front":
            self._front()
        else:
            self._store()

    # -- the index front -----------------------------------------------------------

    def _front(self) -> None:
        state = self.state
        if self.headers.get("Authorization") != state.auth_header:
            self._send(401, b"credentials needed", WWW_Authenticate='Basic realm="test"')
            return
        path = urlsplit(self.path).path
        parts = [unquote(p) for p in path.split("/") if p]
        if len(parts) == 2 and parts[0] == "simple":
            page = state.page(_normalize(parts[1]))
            if page is None:
                self._send(404, b"no such project")
            else:
                self._send(200, page, "text/html; charset=utf-8")
            return
        if len(parts) == 3 and parts[0] == "files" and parts[1] in state.files:
            mode = state.behaviour.get(state.files[parts[1]].filename, "")
            if mode.startswith("409"):
                reason = mode.partition(":")[2] or "MALWARE_DETECTED"
                body = json.dumps(
                    {"error": "withheld", "reason": reason, "message": "blocked for the test"}
                ).encode()
                self._send(409, body, "application/json")
                return
            if mode == "expired":
                target = state.signed_url(parts[1], ttl=-10)
            else:
                target = state.signed_url(parts[1])
            self._send(302, b"", Location=target)
            return
        self._send(404, b"not found")

    # -- the object store -----------------------------------------------------------

    def _store(self) -> None:
        state = self.state
        if "Authorization" in self.headers:
            self._send(
                403,
                b"<Error><Code>InvalidArgument</Code><Message>Only one auth mechanism allowed"
                b"</Message></Error>",
                "application/xml",
            )
            return
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        parts = [p for p in url.path.split("/") if p]
        if len(parts) != 2 or parts[0] != "obj" or parts[1] not in state.files:
            self._send(404, b"no such object")
            return
        file_id = parts[1]
        expires = (query.get("expires") or [""])[0]
        signature = (query.get("signature") or [""])[0]
        if not hmac.compare_digest(signature, state._sign(file_id, expires)):
            self._send(403, b"SignatureDoesNotMatch", "application/xml")
            return
        if not expires.isdigit() or int(expires) < time.time():
            self._send(403, b"Request has expired", "application/xml")
            return
        stored = state.files[file_id]
        mode = state.behaviour.get(stored.filename, "")
        size = stored.path.stat().st_size
        etag = f'"{stored.sha256[:32]}"'
        start = 0
        status = 200
        range_header = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if range_header and mode != "ignore-range" and (if_range is None or if_range == etag):
            spec = range_header.removeprefix("bytes=").split("-")
            if spec[0].isdigit():
                start = int(spec[0])
                if start >= size:
                    self._send(416, b"", Content_Range=f"bytes */{size}")
                    return
                status = 206
        length = size - start
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("ETag", etag)
        self.send_header("Accept-Ranges", "bytes")
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.end_headers()
        self._entry.status = status
        if mode == "wrong":
            self.wfile.write(bytes(b ^ 0x55 for b in stored.path.read_bytes()[start:]))
            return
        truncate = mode == "truncate" or (mode == "truncate-once" and status == 200)
        send = length // 2 if truncate else length
        with stored.path.open("rb") as fh:
            if mode == "slow":
                fh.seek(start)
                for block in iter(lambda: fh.read(1 << 16), b""):
                    self.wfile.write(block)
                    time.sleep(0.01)
            elif send:
                self.connection.sendfile(fh, start, send)
        if send < length:
            self.close_connection = True


@contextmanager
def run_store(root: Path, *, latency: float = 0.0) -> Iterator[IndexWithStore]:
    """Start the front and the store; stop them when the context ends."""
    files = root / "objects"
    files.mkdir(parents=True, exist_ok=True)
    state = IndexWithStore(files, latency=latency)
    servers = []
    for role, host in (("front", FRONT_HOST), ("store", STORE_HOST)):
        handler = type(f"{role.title()}Handler", (_Handler,), {"state": state, "role": role})
        server = QuietServer((host, 0), handler)
        server.daemon_threads = True
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    state.front_port = servers[0].server_address[1]
    state.store_port = servers[1].server_address[1]
    try:
        yield state
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
