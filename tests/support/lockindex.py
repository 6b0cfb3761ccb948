"""A small PEP 503 / PEP 691 index for the lock-file tests (``cglib check``).

It serves, from memory, what a test puts in it: project pages as HTML or, when
the client asks for it, PEP 691 JSON (with ``size`` and ``upload-time``, as
PEP 700 has them), and the files themselves.  A file can be *upstream*: its
link then goes through ``/python-upstream/``, as Chainguard's links to files it
serves from the upstream fallback do.  A file can be yanked.  Projects it does
not hold answer 404.  ``latency`` delays every response (for benchmarks).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from support.quiet_http import QuietHandler, QuietServer

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
UPLOAD_TIME = "2026-01-02T03:04:05.000000Z"


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Served:
    project: str
    filename: str
    data: bytes
    upstream: bool = False
    yanked: str | None = None  # None: not yanked
    upload_time: str = UPLOAD_TIME

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def path(self) -> str:
        prefix = "/python-upstream" if self.upstream else ""
        return f"{prefix}/files/{quote(self.filename)}"


@dataclass
class LockIndex:
    latency: float = 0.0
    files: dict[str, Served] = field(default_factory=dict)
    port: int = 0
    #: Paths asked for, in order (pages and files).
    requests: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, project: str, filename: str, data: bytes, **options: object) -> Served:
        served = Served(normalize(project), filename, data, **options)  # type: ignore[arg-type]
        self.files[filename] = served
        return served

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.origin}/simple/"

    def page_files(self, project: str) -> list[Served]:
        return [f for f in self.files.values() if f.project == project]

    def html_page(self, project: str, files: list[Served]) -> bytes:
        rows = []
        for f in files:
            attrs = f'href="{html.escape(f.path)}#sha256={f.sha256}"'
            if f.yanked is not None:
                attrs += f' data-yanked="{html.escape(f.yanked)}"'
            rows.append(f"<a {attrs}>{html.escape(f.filename)}</a><br/>")
        return (
            '<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.0">'
            f"<title>Links for {project}</title></head><body>{''.join(rows)}</body></html>"
        ).encode()

    def json_page(self, project: str, files: list[Served]) -> bytes:
        entries = []
        for f in files:
            entry: dict[str, object] = {
                "filename": f.filename,
                "url": f.path,
                "hashes": {"sha256": f.sha256},
                "size": len(f.data),
                "upload-time": f.upload_time,
            }
            if f.yanked is not None:
                entry["yanked"] = f.yanked or True
            entries.append(entry)
        return json.dumps(
            {"meta": {"api-version": "1.1"}, "name": project, "files": entries}
        ).encode()


class _Handler(QuietHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body in one write, sent at once: with keep-alive, a small
    # body written after its headers would otherwise wait for the client's
    # delayed ACK (Nagle), 40 ms a response.
    disable_nagle_algorithm = True
    wbufsize = 1 << 16

    def do_GET(self) -> None:
        index = self.server.index
        path = unquote(urlsplit(self.path).path)
        with index._lock:
            index.requests.append(path)
        if index.latency:
            time.sleep(index.latency)
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["simple"] and len(parts) == 2:
            project = normalize(parts[1])
            files = index.page_files(project)
            if not files:
                self._send(404, b"not found")
                return
            if JSON_TYPE in self.headers.get("Accept", ""):
                self._send(200, index.json_page(project, files), JSON_TYPE)
            else:
                self._send(200, index.html_page(project, files), "text/html")
            return
        if parts[:1] == ["simple"] and len(parts) == 1:
            names = sorted({f.project for f in index.files.values()})
            body = "".join(f'<a href="{n}/">{n}</a>' for n in names)
            self._send(200, f"<html><body>{body}</body></html>".encode(), "text/html")
            return
        for f in index.files.values():
            if path == unquote(f.path):
                self._file(f.data)
                return
        self._send(404, b"not found")

    def do_HEAD(self) -> None:
        path = unquote(urlsplit(self.path).path)
        for f in self.server.index.files.values():
            if path == unquote(f.path):
                self.send_response(200)
                self.send_header("Content-Length", str(len(f.data)))
                self.send_header("Accept-Ranges", "bytes")
                self.end_headers()
                return
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _file(self, data: bytes) -> None:
        """The file, or the part a ``Range: bytes=…`` header asks for (uv
        reads a wheel's METADATA that way)."""
        wanted = self.headers.get("Range", "")
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted.strip())
        if not match or not (match[1] or match[2]):
            self._send(200, data, "application/octet-stream", Accept_Ranges="bytes")
            return
        size = len(data)
        if match[1]:
            start = int(match[1])
            end = min(int(match[2]), size - 1) if match[2] else size - 1
        else:
            start, end = max(0, size - int(match[2])), size - 1
        if start >= size or start > end:
            self._send(416, b"", Content_Range=f"bytes */{size}")
            return
        self._send(
            206,
            data[start : end + 1],
            "application/octet-stream",
            Content_Range=f"bytes {start}-{end}/{size}",
            Accept_Ranges="bytes",
        )


class _Server(QuietServer):
    index: LockIndex


@contextmanager
def run_lock_index(index: LockIndex | None = None) -> Iterator[LockIndex]:
    """Serve ``index`` on 127.0.0.1 (a free port) until the context ends."""
    index = index or LockIndex()
    server = _Server(("127.0.0.1", 0), _Handler)
    server.index = index
    index.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield index
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
