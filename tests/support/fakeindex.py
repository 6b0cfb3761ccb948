"""The one in-memory package index of the test suite.

Projects are data: each :class:`File` has its bytes (tiny real wheels and
sdists made by :mod:`support.dists`, or any bytes), hashes, yanked reason,
requires-python, core metadata (PEP 658), upload time and size (PEP 700).
:class:`FakeIndex` serves them:

- the root listing and the project pages in PEP 503 HTML (``form="html"``) or
  PEP 691 JSON (``form="json"``, when the client accepts it; HTML otherwise),
  with an ``ETag`` and ``304`` for a matching ``If-None-Match``;
- a project page asked for under a non-normalised name: ``301`` to the
  normalised one;
- the files where the page links them (``/files/NAME``; ``/f/ID/x``, a path
  that does not name the file, with :attr:`File.opaque`; under
  ``/python-upstream/`` with :attr:`File.upstream`), each with its PEP 658
  ``.metadata`` beside it: ``302`` to a second host (``store``) that refuses
  (``403``) any request carrying ``Authorization`` (or, with ``store=None``,
  answered by the index itself);
- the file bodies honour ``Range`` (``206``, ``416`` past the end) unless
  ``If-Range`` names another validator; ``ranges=False`` ignores ``Range``
  (``200``), ``range_status`` refuses it; :attr:`File.serve` answers one file
  its own way (a broken or truncated body: :func:`broken_after`);
- Basic auth when ``user``/``password`` are set (``reject_status`` otherwise);
- scripted answers for one path (:meth:`FakeIndex.queue`, :meth:`FakeIndex.always`),
  to play retries, redirects and broken servers.

It records every request with the status it answered (:attr:`FakeIndex.seen`,
:meth:`FakeIndex.asked` by kind), and mounts as an ``httpx.MockTransport``
(:meth:`FakeIndex.transport`, :meth:`FakeIndex.client`), through pytest-httpx
(:meth:`FakeIndex.mount`, for in-process CLI runs), or on real sockets on
127.0.0.1 (:func:`serve_http`, for the installed ``cglib`` run as a subprocess,
other tools and benchmarks, which neither can reach).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

import httpx
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from support.dists import make_sdist, make_wheel
from support.quiet_http import QuietHandler, QuietServer

if TYPE_CHECKING:
    from cglib.client import IndexClient
    from cglib.config import Settings

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "text/html"
UPLOAD_TIME = "2026-01-02T03:04:05.000000Z"
FORMS = ("html", "json")
PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"
#: The servers whose captured pages of ``six`` (tests/data/pages) :func:`replay` serves.
CAPTURED = ("devpi", "proxpi", "pypicloud", "pypiserver", "simple-repository-server")

#: What a scripted path answers: a status, a response, an exception to raise,
#: or a function of the request.
Answer = int | httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]
#: How a file's body is answered: a function of the request and the file's bytes.
Serve = Callable[[httpx.Request, bytes], httpx.Response]
#: The validator of every file body.
ETAG = '"v1"'


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def basic(user: str, password: str) -> str:
    """The ``Authorization`` header value of Basic ``user``/``password``."""
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class File:
    """One file of a project, as the index describes and serves it."""

    filename: str
    content: bytes
    #: ``""`` (the default): the real digest; ``None``: no hash on the page;
    #: anything else: that (wrong) digest.
    sha256: str | None = ""
    yanked: str | bool = False
    requires_python: str | None = None
    #: The PEP 658 metadata file (served at ``URL.metadata``), if any.
    metadata: bytes | None = None
    #: Its digest on the page: ``""`` (the default) the real one, else that (wrong) one.
    metadata_sha256: str = ""
    upload_time: str | None = UPLOAD_TIME
    #: The name the page gives the file (anchor text, JSON ``filename``), if not ``filename``.
    text: str | None = None
    #: Linked at ``/f/ID/x``, a path that does not name it (nor does its store URL).
    opaque: bool = False
    #: Linked under ``/python-upstream/files/``, as Chainguard links files of its
    #: upstream fallback.
    upstream: bool = False
    #: Answers the requests for its body instead of the usual ranged answer.
    serve: Serve | None = None

    @property
    def digest(self) -> str | None:
        if self.sha256 == "":
            return hashlib.sha256(self.content).hexdigest()
        return self.sha256

    @property
    def metadata_digest(self) -> str | None:
        if self.metadata is None:
            return None
        return self.metadata_sha256 or hashlib.sha256(self.metadata).hexdigest()

    @property
    def name(self) -> str:
        """The name the page gives it."""
        return self.filename if self.text is None else self.text

    @property
    def key(self) -> str:
        """Its last path segment on the store (``/o/KEY``)."""
        if self.opaque:
            return hashlib.sha256(self.filename.encode()).hexdigest()[:16]
        return quote(self.filename)

    @property
    def path(self) -> str:
        """Where the page links it, under the index's prefix."""
        if self.opaque:
            return f"/f/{self.key}/x"
        return ("/python-upstream" if self.upstream else "") + f"/files/{quote(self.filename)}"

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def version(self) -> str | None:
        try:
            if self.filename.endswith(".whl"):
                return str(parse_wheel_filename(self.filename)[1])
            return str(parse_sdist_filename(self.filename)[1])
        except (InvalidWheelFilename, InvalidSdistFilename):
            return None


@dataclass
class Seen:
    """A request the index saw and what it answered (``None``: it raised)."""

    request: httpx.Request
    response: httpx.Response | None

    @property
    def status(self) -> int:
        return self.response.status_code if self.response is not None else 0

    @property
    def host(self) -> str:
        return self.request.url.host

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def kind(self) -> str:
        """``redirect``, ``page``, ``metadata``, ``range`` (a ``Range``
        request not answered with the whole file) or ``file``."""
        if 300 <= self.status < 400:
            return "redirect"
        if "/simple/" in self.path:
            return "page"
        if self.path.endswith(".metadata"):
            return "metadata"
        if "range" in self.request.headers and self.status != 200:
            return "range"
        return "file"


@dataclass
class FakeIndex:
    """See the module docstring.  ``base`` is the index origin plus any
    prefix before ``/simple/`` (``https://example.org/python``)."""

    form: str = "json"
    base: str = "https://example.org"
    #: The host the file links redirect to; ``None``: the index answers them itself.
    store: str | None = "https://files.example.net"
    user: str | None = None
    password: str | None = None
    reject_status: int = 401
    #: Answer every request on the index host with this status (a broken server).
    status: int | None = None
    projects: dict[str, list[File]] = field(default_factory=dict)
    #: The names as given (the root lists them so), by normalised name.
    display: dict[str, str] = field(default_factory=dict)
    #: The pages' ``ETag`` (by default a digest of the body) and ``Last-Modified``.
    etag: str | None = None
    last_modified: str | None = None
    #: More headers on every page answer, 200 and 304 alike (``Cache-Control``, ``Age``).
    page_headers: dict[str, str] = field(default_factory=dict)
    #: ``False``: file bodies ignore ``Range`` (``200``, the whole file).
    ranges: bool = True
    #: Answer every ``Range`` request for a file body with this status (``416``, ``501``).
    range_status: int | None = None
    #: Seconds to wait before each answer (a distant server, for benchmarks).
    latency: float = 0.0
    #: Link every file added at a path that does not name it (:attr:`File.opaque`).
    opaque_links: bool = False
    seen: list[Seen] = field(default_factory=list)
    _scripts: dict[str, list[Answer]] = field(default_factory=dict)
    _always: dict[str, Answer] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        assert self.form in FORMS, self.form

    # -- the data -----------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"{self.base}/simple/"

    @property
    def prefix(self) -> str:
        return urlsplit(self.base).path.rstrip("/")

    def add(self, project: str, file: File) -> File:
        file.opaque = file.opaque or self.opaque_links
        self.project(project)
        self.projects[normalize(project)].append(file)
        return file

    def project(self, name: str) -> None:
        """List ``name`` in the root (as spelled here), even with no file."""
        self.display.setdefault(normalize(name), name)
        self.projects.setdefault(normalize(name), [])

    @property
    def files(self) -> list[File]:
        """Every file of every project."""
        return [f for files in self.projects.values() for f in files]

    def file(self, filename: str) -> File:
        return next(f for f in self.files if f.filename == filename)

    def wheel(
        self,
        name: str,
        version: str,
        tag: str = "py3-none-any",
        *,
        core_metadata: bool = True,
        padding: int = 0,
        **options: Any,
    ) -> File:
        """A real wheel (made by :func:`support.dists.make_wheel`), its METADATA
        also served on its own (PEP 658) unless ``core_metadata`` is false.
        ``options`` are fields of its METADATA (``requires_dist``, ``summary``,
        ...: :func:`support.dists.metadata_text`) or of its :class:`File`
        (``requires_python`` is both)."""
        file_options, fields = _split(options)
        with tempfile.TemporaryDirectory() as tmp:
            path = make_wheel(Path(tmp), name, version, tag, padding=padding, **fields)
            content = path.read_bytes()
            with zipfile.ZipFile(path) as archive:
                metadata = archive.read(f"{name.replace('-', '_')}-{version}.dist-info/METADATA")
        return self.add(
            name,
            File(path.name, content, metadata=metadata if core_metadata else None, **file_options),
        )

    def sdist(self, name: str, version: str, **options: Any) -> File:
        """A real sdist (made by :func:`support.dists.make_sdist`), with static
        metadata (``Metadata-Version: 2.2``) unless ``metadata_version`` says
        otherwise; ``options`` as for :meth:`wheel`."""
        file_options, fields = _split({"metadata_version": "2.2", **options})
        with tempfile.TemporaryDirectory() as tmp:
            path = make_sdist(Path(tmp), name, version, **fields)
            content = path.read_bytes()
        return self.add(name, File(path.name, content, **file_options))

    def link(self, project: str, filename: str, content: bytes = b"", **options: Any) -> File:
        """Any file name (also one no tool can parse), with ``content``."""
        return self.add(project, File(filename, content, **options))

    # -- scripted answers ---------------------------------------------------------

    def queue(self, path: str, *answers: Answer) -> None:
        """Answer the next requests for ``path`` with ``answers``, in order."""
        self._scripts.setdefault(path, []).extend(answers)

    def always(self, path: str, answer: Answer) -> None:
        """Answer every request for ``path`` (after any queued answers) so."""
        self._always[path] = answer

    # -- what was asked -----------------------------------------------------------

    @property
    def requests(self) -> list[httpx.Request]:
        return [s.request for s in self.seen]

    def on(self, host: str) -> list[Seen]:
        return [s for s in self.seen if s.host == host]

    def store_requests(self) -> list[httpx.Request]:
        if self.store is None:
            return []
        store = self._origin(self.store)
        return [s.request for s in self.seen if self._origin(str(s.request.url)) == store]

    def asked(self, kind: str) -> list[Seen]:
        """The requests of one :attr:`Seen.kind` (``page``, ``metadata``, ``range``, ...)."""
        return [s for s in self.seen if s.kind == kind]

    def forget(self) -> None:
        """Forget what was asked (between two runs of a command)."""
        with self._lock:
            self.seen.clear()

    # -- mounting -----------------------------------------------------------------

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def client(self, settings: Settings | None = None, **options: Any) -> IndexClient:
        """An ``IndexClient`` of this index, with its credentials (if any), that
        never sleeps between retries (one retry, by default)."""
        from cglib.auth import Credentials
        from cglib.client import IndexClient
        from cglib.config import Index, Settings

        credentials = None
        if self.user is not None:
            credentials = Credentials(self.user, self.password or "")
        return IndexClient(
            Index(self.url),
            credentials,
            credentials_source="env" if credentials else "none",
            settings=settings or Settings(retries=1, backoff=0.001),
            transport=self.transport(),
            **{"sleep": lambda _: None, **options},
        )

    def mount(self, httpx_mock: Any) -> FakeIndex:
        """Serve every request pytest-httpx intercepts."""
        httpx_mock.add_callback(self, is_reusable=True, is_optional=True)
        return self

    # -- serving ------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if self.latency:
            time.sleep(self.latency)
        try:
            response = self._answer(request)
        except Exception:
            with self._lock:
                self.seen.append(Seen(request, None))
            raise
        with self._lock:
            self.seen.append(Seen(request, response))
        return response

    def _origin(self, url: str) -> tuple[str, str, int | None]:
        parts = urlsplit(url)
        return parts.scheme, parts.hostname or "", parts.port

    def _answer(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        origin = (url.scheme, url.host, url.port)
        path = url.path
        scripted = self._scripted(path)
        if scripted is not None:
            return _play(scripted, request)
        if self.store is not None and origin == self._origin(self.store):
            return self._store(request)
        if origin != self._origin(self.base):
            return httpx.Response(404, text="not this host")
        if self.status is not None:
            return httpx.Response(self.status, text="broken")
        if self.user is not None and request.headers.get("authorization") != basic(
            self.user, self.password or ""
        ):
            return httpx.Response(self.reject_status, text="Unauthorized")
        if not path.startswith(self.prefix + "/"):
            return httpx.Response(404, text="not found")
        rest = path[len(self.prefix) :]
        if rest == "/simple/":
            return self._page(request, *self._root(request))
        m = re.fullmatch(r"/simple/([^/]+)/", rest)
        if m:
            name = m[1]
            if name != normalize(name):
                return httpx.Response(
                    301, headers={"Location": f"{self.prefix}/simple/{normalize(name)}/"}
                )
            if name not in self.projects:
                return httpx.Response(404, text="not found")
            return self._page(request, *self._project(request, name))
        for f in self.files:
            if rest == unquote(f.path):
                return self._link(request, f.key, f.content, f.serve)
            if f.metadata is not None and rest == unquote(f.path) + ".metadata":
                return self._link(request, f.key + ".metadata", f.metadata)
        return httpx.Response(404, text="not found")

    def _scripted(self, path: str) -> Answer | None:
        with self._lock:
            queued = self._scripts.get(path)
            if queued:
                return queued.pop(0)
        return self._always.get(path)

    def _link(
        self, request: httpx.Request, key: str, content: bytes, serve: Serve | None = None
    ) -> httpx.Response:
        """A file's link on the index: to the store, or the file itself."""
        if self.store is None:
            return self._body(request, content, serve)
        return httpx.Response(302, headers={"Location": f"{self.store}/o/{key}?sig=s3cr3t"})

    def _store(self, request: httpx.Request) -> httpx.Response:
        if "authorization" in request.headers:
            return httpx.Response(403, text="the store saw credentials")
        key = unquote(request.url.path.removeprefix("/o/"))
        for f in self.files:
            if key == unquote(f.key):
                return self._body(request, f.content, f.serve)
            if f.metadata is not None and key == unquote(f.key) + ".metadata":
                return self._body(request, f.metadata)
        return httpx.Response(404, text="no such object")

    def _body(
        self, request: httpx.Request, content: bytes, serve: Serve | None = None
    ) -> httpx.Response:
        """``content`` (a file's or its metadata's), ranged as asked, or as ``serve`` answers."""
        if serve is not None:
            return serve(request, content)
        headers = {"Content-Type": "application/octet-stream", "ETag": ETAG}
        wanted = request.headers.get("range")
        if self.ranges:
            headers["Accept-Ranges"] = "bytes"
        if not wanted or not self.ranges or request.headers.get("if-range", ETAG) != ETAG:
            return httpx.Response(200, content=content, headers=headers)
        if self.range_status is not None:
            return httpx.Response(self.range_status, text="no ranges here")
        size = len(content)
        m = re.fullmatch(r"bytes=(\d*)-(\d*)", wanted.strip())
        if not m or not (m[1] or m[2]):
            start, end = size, 0
        elif m[1]:
            start = int(m[1])
            end = min(int(m[2]), size - 1) if m[2] else size - 1
        else:
            start, end = max(0, size - int(m[2])), size - 1
        if start >= size or start > end:
            return httpx.Response(416, headers={"Content-Range": f"bytes */{size}"})
        headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return httpx.Response(206, content=content[start : end + 1], headers=headers)

    def _wants_json(self, request: httpx.Request) -> bool:
        return self.form == "json" and JSON_TYPE in request.headers.get("accept", "")

    def _page(self, request: httpx.Request, body: bytes, content_type: str) -> httpx.Response:
        etag = self.etag or '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        headers = {"ETag": etag, **self.page_headers}
        if request.headers.get("if-none-match") == etag:
            return httpx.Response(304, headers=headers)
        if self.last_modified:
            headers["Last-Modified"] = self.last_modified
        headers["Content-Type"] = content_type
        return httpx.Response(200, content=body, headers=headers)

    def _root(self, request: httpx.Request) -> tuple[bytes, str]:
        names = [self.display[key] for key in sorted(self.projects)]
        if self._wants_json(request):
            doc = {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in names]}
            return json.dumps(doc).encode(), JSON_TYPE
        links = "".join(
            f'<a href="{quote(normalize(n))}/">{html.escape(n)}</a><br>\n' for n in names
        )
        return (
            "<!DOCTYPE html><html><head><meta name='pypi:repository-version' content='1.1'>"
            f"</head><body>\n{links}</body></html>"
        ).encode(), HTML_TYPE

    def _project(self, request: httpx.Request, name: str) -> tuple[bytes, str]:
        files = self.projects[name]
        if self._wants_json(request):
            entries = [_json_file(f) for f in files]
            versions = sorted({v for f in files if (v := f.version) is not None})
            doc = {
                "meta": {"api-version": "1.1"},
                "name": name,
                "files": entries,
                "versions": versions,
            }
            return json.dumps(doc).encode(), JSON_TYPE
        anchors = "".join(_anchor(f) for f in files)
        return (
            "<!DOCTYPE html><html><head><meta name='pypi:repository-version' content='1.1'>"
            f"<title>Links for {html.escape(name)}</title></head><body>\n{anchors}</body></html>"
        ).encode(), HTML_TYPE


_FILE_FIELDS = frozenset(File.__dataclass_fields__) - {"filename", "content", "metadata"}


def _split(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``options`` of :meth:`FakeIndex.wheel`: those of the :class:`File`,
    those of the metadata (``requires_python`` goes to both)."""
    file_options = {k: v for k, v in options.items() if k in _FILE_FIELDS}
    fields = {k: v for k, v in options.items() if k not in _FILE_FIELDS}
    if "requires_python" in options:
        fields["requires_python"] = options["requires_python"]
    return file_options, fields


def _json_file(f: File) -> dict[str, object]:
    entry: dict[str, object] = {
        "filename": f.name,
        "url": f"../..{f.path}",
        "hashes": {"sha256": f.digest} if f.digest else {},
        "size": f.size,
    }
    if f.upload_time:
        entry["upload-time"] = f.upload_time
    if f.requires_python:
        entry["requires-python"] = f.requires_python
    if f.yanked:
        entry["yanked"] = f.yanked
    if f.metadata is not None:
        entry["core-metadata"] = {"sha256": f.metadata_digest}
    return entry


def _anchor(f: File) -> str:
    href = f"../..{f.path}"
    if f.digest:
        href += f"#sha256={f.digest}"
    attrs = f'href="{html.escape(href)}"'
    if f.requires_python:
        attrs += f' data-requires-python="{html.escape(f.requires_python)}"'
    if f.yanked:
        reason = f.yanked if isinstance(f.yanked, str) else ""
        attrs += f' data-yanked="{html.escape(reason)}"'
    if f.metadata is not None:
        attrs += f' data-core-metadata="sha256={f.metadata_digest}"'
    return f"<a {attrs}>{html.escape(f.name)}</a><br>\n"


def _play(answer: Answer, request: httpx.Request) -> httpx.Response:
    if isinstance(answer, int):
        return httpx.Response(answer)
    if isinstance(answer, httpx.Response):
        try:  # a fresh copy, so that one answer can be given many times
            content = answer.content
        except httpx.ResponseNotRead:  # a streamed body: given once
            return answer
        return httpx.Response(answer.status_code, headers=answer.headers, content=content)
    if isinstance(answer, Exception):
        if isinstance(answer, httpx.RequestError):
            answer.request = request
        raise answer
    return answer(request)


class _Handler(QuietHandler):
    """Hands each request to the :class:`FakeIndex` of its server."""

    server: _Server
    protocol_version = "HTTP/1.1"
    # Headers and body in one write, sent at once: with keep-alive, a small
    # body written after its headers would otherwise wait for the client's
    # delayed ACK (Nagle), 40 ms a response.
    disable_nagle_algorithm = True
    wbufsize = 1 << 16

    def do_GET(self) -> None:
        self._forward(body=True)

    def do_HEAD(self) -> None:
        self._forward(body=False)

    def _forward(self, body: bool) -> None:
        request = httpx.Request("GET", self.server.origin + self.path, headers=dict(self.headers))
        response = self.server.index(request)
        content = response.read()
        self.send_response(response.status_code)
        for key, value in response.headers.multi_items():
            if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)


class _Server(QuietServer):
    index: FakeIndex
    origin: str


@contextmanager
def serve_http(index: FakeIndex) -> Iterator[FakeIndex]:
    """Serve ``index`` over real HTTP on 127.0.0.1 (its ``base`` becomes
    ``http://127.0.0.1:PORT`` with the same path, its ``store``, if any,
    another port); yield it."""
    with ExitStack() as stack:
        for which in ("base", "store") if index.store is not None else ("base",):
            server = _Server(("127.0.0.1", 0), _Handler)
            server.index = index
            server.origin = f"http://127.0.0.1:{server.server_address[1]}"
            path = urlsplit(getattr(index, which)).path
            setattr(index, which, server.origin + path)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            stack.callback(thread.join, 5)
            stack.callback(server.server_close)
            stack.callback(server.shutdown)
        yield index


def broken_after(data: bytes, error: Exception) -> Serve:
    """A file answer (:attr:`File.serve`) that announces the whole file, gives
    ``data`` and then fails with ``error`` (a stall, a reset, a closed body)."""

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield data
            raise error

    def serve(request: httpx.Request, full: bytes) -> httpx.Response:
        return httpx.Response(
            200, stream=Body(), headers={"Content-Length": str(len(full)), "ETag": ETAG}
        )

    return serve


def replay(index: FakeIndex, server: str, project: str = "six") -> FakeIndex:
    """Answer ``/simple/{project}/`` with the page captured from ``server``
    (tests/data/pages/SERVER): its JSON page when the index's form is JSON and
    the server has one (else its HTML page), with the captured Content-Type."""
    folder = PAGES / server

    def captured(request: httpx.Request) -> httpx.Response:
        json_page = folder / f"project-{project}.json"
        if index._wants_json(request) and json_page.exists():
            body, headers = json_page, folder / f"project-{project}-json-headers.txt"
        else:
            body, headers = folder / f"project-{project}.html", folder / "project-headers.txt"
        return httpx.Response(
            200, content=body.read_bytes(), headers={"Content-Type": _content_type(headers)}
        )

    index.always(f"{index.prefix}/simple/{project}/", captured)
    return index


def _content_type(headers: Path) -> str:
    for line in headers.read_text().splitlines()[1:]:
        key, _, value = line.partition(":")
        if key.strip().lower() == "content-type":
            return value.strip()
    raise ValueError(f"no Content-Type in {headers.name}")


def six_index(
    *,
    user: str = "ci-user",
    password: str = "good-token",
    open: bool = False,
    reject_status: int = 401,
    root_status: int = 200,
    **options: Any,
) -> FakeIndex:
    """The index most CLI tests need: project ``six`` (one wheel) behind
    ``user``/``password`` (everyone with ``open``); ``root_status`` makes the
    root listing fail; other ``options`` go to :class:`FakeIndex`."""
    index = FakeIndex(
        user=None if open else user, password=password, reject_status=reject_status, **options
    )
    index.wheel("six", "1.17.0", "py2.py3-none-any")
    if root_status != 200:
        index.always("/simple/", root_status)
    return index
