"""A fake index of real (in-memory) wheels and sdists for resolution tests.

:class:`MetaIndex` is an httpx transport handler (use with
``httpx.MockTransport``) and can also be served over real HTTP on 127.0.0.1
(:func:`serve_metaindex`).  It serves project pages in PEP 691 JSON or PEP 503
HTML, PEP 658 ``.metadata`` files (optional), and files that answer ``Range``
requests with ``206`` (or ignore them with ``200``).  Every request is
recorded so tests can assert on what was asked.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import json
import re
import tarfile
import threading
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def metadata_text(
    name: str,
    version: str,
    *,
    requires_dist: Sequence[str] = (),
    requires_python: str | None = None,
    extras: Sequence[str] = (),
    summary: str | None = None,
    metadata_version: str = "2.1",
    dynamic: Sequence[str] = (),
    license: str | None = None,
    project_urls: Sequence[str] = (),
) -> str:
    """A ``METADATA`` / ``PKG-INFO`` file."""
    lines = [f"Metadata-Version: {metadata_version}", f"Name: {name}", f"Version: {version}"]
    if summary:
        lines.append(f"Summary: {summary}")
    if license:
        lines.append(f"License: {license}")
    lines += [f"Project-URL: {u}" for u in project_urls]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines += [f"Dynamic: {d}" for d in dynamic]
    lines += [f"Provides-Extra: {e}" for e in extras]
    lines += [f"Requires-Dist: {r}" for r in requires_dist]
    return "\n".join(lines) + "\n"


def wheel_bytes(name: str, version: str, tag: str, metadata: str, padding: int = 0) -> bytes:
    """A real wheel (zip) with ``metadata`` as its METADATA.  ``padding``
    bytes of incompressible data make it large enough for range reads to
    matter."""
    dist = re.sub(r"[-_.]+", "_", name)
    info = f"{dist}-{version}.dist-info"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{dist}/__init__.py", b"# test\n")
        if padding:
            archive.writestr(
                zipfile.ZipInfo(f"{dist}/blob.bin"),
                hashlib.shake_256(name.encode()).digest(padding),
            )
        archive.writestr(f"{info}/METADATA", metadata)
        archive.writestr(
            f"{info}/WHEEL", f"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: {tag}\n"
        )
        archive.writestr(f"{info}/RECORD", "")
    return buffer.getvalue()


def sdist_bytes(name: str, version: str, pkg_info: str) -> bytes:
    dist = re.sub(r"[-_.]+", "_", name)
    base = f"{dist}-{version}"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for member, data in {
            f"{base}/PKG-INFO": pkg_info.encode(),
            f"{base}/setup.py": b"raise SystemExit('never built')\n",
        }.items():
            entry = tarfile.TarInfo(member)
            entry.size = len(data)
            archive.addfile(entry, io.BytesIO(data))
    return buffer.getvalue()


@dataclass
class Dist:
    project: str
    version: str
    filename: str
    content: bytes
    metadata: bytes
    requires_python: str | None = None
    yanked: str | bool = False

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class MetaIndex:
    """The fake index.  ``pep658``: serve ``.metadata`` files; ``ranges``:
    answer Range requests (else 200 with the whole body); ``form``:
    ``json`` or ``html`` pages; ``files_on``: host of the file URLs (the
    same as the index by default)."""

    base: str = "https://example.org"
    pep658: bool = True
    ranges: bool = True
    form: str = "json"
    dists: list[Dist] = field(default_factory=list)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)
    wrong_metadata_hash: bool = False
    #: Answer range requests with this status instead (e.g. 416).
    range_status: int | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"{self.base}/simple/"

    def wheel(
        self,
        name: str,
        version: str,
        tag: str = "py3-none-any",
        *,
        requires_dist: Sequence[str] = (),
        requires_python: str | None = None,
        extras: Sequence[str] = (),
        yanked: str | bool = False,
        padding: int = 0,
        **meta: object,
    ) -> Dist:
        text = metadata_text(
            name,
            version,
            requires_dist=requires_dist,
            requires_python=requires_python,
            extras=extras,
            **meta,  # type: ignore[arg-type]
        )
        dist = re.sub(r"[-_.]+", "_", name)
        filename = f"{dist}-{version}-{tag}.whl"
        content = wheel_bytes(name, version, tag, text, padding)
        d = Dist(name, version, filename, content, text.encode(), requires_python, yanked)
        self.dists.append(d)
        return d

    def sdist(
        self,
        name: str,
        version: str,
        *,
        requires_dist: Sequence[str] = (),
        metadata_version: str = "2.2",
        dynamic: Sequence[str] = (),
    ) -> Dist:
        text = metadata_text(
            name,
            version,
            requires_dist=requires_dist,
            metadata_version=metadata_version,
            dynamic=dynamic,
        )
        dist = re.sub(r"[-_.]+", "_", name)
        filename = f"{dist}-{version}.tar.gz"
        d = Dist(name, version, filename, sdist_bytes(name, version, text), text.encode())
        self.dists.append(d)
        return d

    # -- what was asked -----------------------------------------------------------

    def seen(self, kind: str) -> list[tuple[str, str, str | None]]:
        """Requests of one kind: ``page``, ``metadata``, ``range``, ``file``."""
        return [r for r in self.requests if r[0] == kind]

    # -- serving ------------------------------------------------------------------

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for a GET of ``path``."""
        range_header = headers.get("range")
        m = re.fullmatch(r"/simple/([^/]+)/", path)
        if m:
            self._record("page", path, None)
            return self._page(m[1])
        if path == "/simple/":
            self._record("page", path, None)
            names = sorted({_norm(d.project) for d in self.dists})
            body = json.dumps(
                {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in names]}
            )
            return 200, {"content-type": JSON_TYPE}, body.encode()
        m = re.fullmatch(r"/files/([^/]+)", path)
        if m:
            name = m[1]
            if name.endswith(".metadata"):
                self._record("metadata", name, None)
                dist = self._by_filename(name[: -len(".metadata")])
                if dist is None or not self.pep658:
                    return 404, {}, b"not found"
                return 200, {"content-type": "text/plain"}, dist.metadata
            dist = self._by_filename(name)
            if dist is None:
                return 404, {}, b"not found"
            if range_header and self.range_status is not None:
                self._record("range", name, range_header)
                return self.range_status, {}, b"no ranges here"
            if range_header and self.ranges:
                self._record("range", name, range_header)
                return _ranged(dist.content, range_header)
            self._record("file", name, range_header)
            return 200, {"content-type": "application/octet-stream"}, dist.content
        return 404, {}, b"not found"

    def __call__(self, request):  # type: ignore[no-untyped-def]
        import httpx

        status, headers, body = self.answer(
            request.url.path, {k.lower(): v for k, v in request.headers.items()}
        )
        return httpx.Response(status, headers=headers, content=body)

    def _record(self, kind: str, what: str, extra: str | None) -> None:
        with self._lock:
            self.requests.append((kind, what, extra))

    def _by_filename(self, filename: str) -> Dist | None:
        return next((d for d in self.dists if d.filename == filename), None)

    def _page(self, project: str) -> tuple[int, dict[str, str], bytes]:
        dists = [d for d in self.dists if _norm(d.project) == project]
        if not dists:
            return 404, {}, b"not found"
        if self.form == "json":
            files = []
            for d in dists:
                entry: dict[str, object] = {
                    "filename": d.filename,
                    "url": f"../../files/{d.filename}",
                    "hashes": {"sha256": d.sha256},
                }
                if d.requires_python:
                    entry["requires-python"] = d.requires_python
                if d.yanked:
                    entry["yanked"] = d.yanked
                if self.pep658:
                    digest = hashlib.sha256(d.metadata).hexdigest()
                    if self.wrong_metadata_hash:
                        digest = "0" * 64
                    entry["core-metadata"] = {"sha256": digest}
                files.append(entry)
            body = json.dumps({"meta": {"api-version": "1.1"}, "name": project, "files": files})
            return 200, {"content-type": JSON_TYPE}, body.encode()
        anchors = []
        for d in dists:
            attrs = f'href="../../files/{d.filename}#sha256={d.sha256}"'
            if d.requires_python:
                attrs += f' data-requires-python="{html.escape(d.requires_python)}"'
            if d.yanked:
                reason = d.yanked if isinstance(d.yanked, str) else ""
                attrs += f' data-yanked="{html.escape(reason)}"'
            if self.pep658:
                digest = hashlib.sha256(d.metadata).hexdigest()
                attrs += f' data-core-metadata="sha256={digest}"'
            anchors.append(f"<a {attrs}>{d.filename}</a><br>")
        body = "<!DOCTYPE html><html><body>" + "\n".join(anchors) + "</body></html>"
        return 200, {"content-type": "text/html"}, body.encode()


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _ranged(content: bytes, header: str) -> tuple[int, dict[str, str], bytes]:
    size = len(content)
    m = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip())
    if not m or (not m[1] and not m[2]):
        return 416, {"content-range": f"bytes */{size}"}, b""
    if not m[1]:
        start = max(0, size - int(m[2]))
        end = size - 1
    else:
        start = int(m[1])
        end = min(size - 1, int(m[2])) if m[2] else size - 1
    if start >= size:
        return 416, {"content-range": f"bytes */{size}"}, b""
    return (
        206,
        {
            "content-range": f"bytes {start}-{end}/{size}",
            "content-type": "application/octet-stream",
        },
        content[start : end + 1],
    )


@contextlib.contextmanager
def serve_metaindex(index: MetaIndex) -> Iterator[str]:
    """Serve ``index`` over real HTTP on 127.0.0.1; yield its ``/simple/`` URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = index.answer(
                self.path.split("?")[0], {k.lower(): v for k, v in self.headers.items()}
            )
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
