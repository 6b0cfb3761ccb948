"""A hostile package index for the reliability and security suite.

``HostileIndex`` runs two small threaded HTTP servers from the test process:

- the *index* on 127.0.0.1 needs HTTP Basic auth (:data:`USERNAME` /
  :data:`TOKEN`) on every request and serves the same projects twice: as
  PEP 503 HTML under ``/html/simple/`` and as PEP 691 JSON under
  ``/json/simple/``.  File links point to ``/files/PROJECT/FILENAME``.
  Each project is a *case*: a page or a file that misbehaves in one way
  (wrong hash, hostile file names, truncated body, 409, 429/500 then success,
  503 forever, redirect loop, stalled response, malformed or deeply nested
  page, 50 MB page, login page, 401/403, redirect to another host, …);
- the *other host* on 127.0.0.2 (Linux routes all of 127/8 to the loopback)
  records the headers of every request and, like an object store, refuses
  any request that carries an ``Authorization`` header (400).  Pages and
  files redirected there are served from it without credentials.

Failures that turn into success ("429 then 200") count requests per case;
:meth:`HostileIndex.reset` clears the counters and the request log, and is
meant to run before each test.  Stalling handlers wait on an event that
:meth:`HostileIndex.stop` sets, and never longer than :data:`STALL_LIMIT`
seconds, so a test can never hang on them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from support.dists import make_wheel
from support.quiet_http import QuietHandler, QuietServer

__all__ = [
    "ETAG_LATIN1",
    "HOST",
    "OTHER_HOST",
    "TOKEN",
    "USERNAME",
    "Dist",
    "HostileIndex",
    "Recorded",
    "run_hostile_index",
]

HOST = "127.0.0.1"
OTHER_HOST = "127.0.0.2"
USERNAME = "hostile-user"
#: The secret: it must never appear in anything cglib prints.
TOKEN = "SENTINEL-hostile-9f8e7d"
#: Longest time any stalling handler waits before giving up on its own.
STALL_LIMIT = 20.0
#: The ETag of the ``etag-latin1`` file: obs-text (RFC 7232), sent as latin-1 bytes.
ETAG_LATIN1 = '"caf\xe9-\xff"'
#: Size of the ``huge`` page.
HUGE_PAGE_BYTES = 50 * 1024 * 1024
#: Depth of the deeply nested pages.
NESTING_DEPTH = 100_000

POLICY_REASONS = ("MALWARE_DETECTED", "POLICY_ORG_BLOCKLIST", "POLICY_COOLDOWN")

#: Hostile file names, by case: each project lists one file of that name.
EVIL_NAMES = {
    "evil-dotdot": "../../evil_dotdot-1.0-py3-none-any.whl",
    "evil-absolute": "/var/evil_absolute-1.0-py3-none-any.whl",
    "evil-backslash": "..\\..\\evil_backslash-1.0-py3-none-any.whl",
    "evil-nul": "evil_nul-1.0-py3-none-any\x00.whl",
    "evil-control": "evil_control-1.0-py3-none-any\x1b[2J\r\n.whl",
}


@dataclass
class Dist:
    """One file of a project, as the index lists it."""

    filename: str
    data: bytes
    #: sha256 the page advertises; ``None``: the real one.
    page_sha256: str | None = None
    #: ``None``: not yanked; a string: yanked with that reason ("" for none).
    yanked: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Recorded:
    """One request as a server saw it."""

    server: str  # "index" or "other"
    path: str
    headers: dict[str, str]


@dataclass
class HostileIndex:
    workdir: Path
    port: int = 0
    other_port: int = 0
    projects: dict[str, list[Dist]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)
    #: Bytes per second for the ``slow`` file (0: no throttle).
    slow_rate: int = 2 * 1024 * 1024
    release: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- addresses -------------------------------------------------------------

    def url(self, fmt: str) -> str:
        """The simple index root for ``fmt`` (``"html"`` or ``"json"``)."""
        return f"http://{HOST}:{self.port}/{fmt}/simple/"

    def url_with_credentials(self, fmt: str) -> str:
        return self.url(fmt).replace("http://", f"http://{USERNAME}:{TOKEN}@", 1)

    @property
    def other_root(self) -> str:
        return f"http://{OTHER_HOST}:{self.other_port}/"

    # -- bookkeeping -----------------------------------------------------------

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self.counters.clear()

    def count(self, key: str) -> int:
        """Increment and return the request counter of ``key``."""
        with self._lock:
            self.counters[key] = self.counters.get(key, 0) + 1
            return self.counters[key]

    def record(self, server: str, path: str, headers: dict[str, str]) -> None:
        with self._lock:
            self.requests.append(Recorded(server, path, headers))

    def seen(self, server: str | None = None, path_contains: str = "") -> list[Recorded]:
        with self._lock:
            return [
                r
                for r in self.requests
                if (server is None or r.server == server) and path_contains in r.path
            ]

    def stall(self, seconds: float = STALL_LIMIT) -> None:
        """Wait until the server stops (bounded)."""
        self.release.wait(min(seconds, STALL_LIMIT))

    # -- the cases -------------------------------------------------------------

    def build(self) -> None:
        """Make the projects every case serves."""
        wheels = self.workdir / "wheels"
        wheels.mkdir(parents=True, exist_ok=True)

        def wheel(project: str, version: str, payload: bytes = b"", **kw: str | None) -> Dist:
            path = make_wheel(wheels, project, version, payload=payload)
            return Dist(path.name, path.read_bytes(), **kw)

        p = self.projects
        for name in (
            "good",
            "short-body",
            "file-429",
            "file-500",
            "file-503",
            "file-stall",
            "offhost-file",
            "flaky-429",
            "flaky-500",
            "offhost",
        ):
            p[name] = [wheel(name, "1.0", payload=name.encode() * 64)]
        p["wrong-hash"] = [wheel("wrong-hash", "1.0", page_sha256=hashlib.sha256(b"x").hexdigest())]
        for reason in POLICY_REASONS:
            p[_policy_project(reason)] = [wheel(_policy_project(reason), "1.0")]
        p["mixed-versions"] = [
            wheel("mixed-versions", "1.0"),
            wheel("mixed-versions", "2.0"),
            Dist("mixed_versions-notaversion-py3-none-any.whl", b"junk"),
            Dist("mixed_versions-1..0-py3-none-any.whl", b"junk"),
            Dist("mixed_versions-9.0-beta-gamma-py3-none-any.whl", b"junk"),
            Dist("mixed-versions-latest.tar.gz", b"junk"),
            Dist("mixed-versions-3.0.0.0.0.dev-x.tar.gz", b"junk"),
        ]
        p["all-yanked"] = [
            wheel("all-yanked", "1.0", yanked=""),
            wheel("all-yanked", "2.0", yanked="broken build"),
        ]
        for case, name in EVIL_NAMES.items():
            p[case] = [Dist(name, b"evil")]
        # Every hostile name, plus one honest file: only the honest one may be saved.
        p["evil-mixed"] = [
            Dist(name.replace(case.replace("-", "_"), "evil_mixed"), b"evil")
            for case, name in EVIL_NAMES.items()
        ]
        p["evil-mixed"].append(wheel("evil-mixed", "1.0"))
        # A file big enough to interrupt, served slowly.
        p["slow"] = [wheel("slow", "1.0", payload=_noise(6 * 1024 * 1024))]
        # Several files for the concurrent downloads.
        p["many"] = [wheel("many", f"1.{i}", payload=_noise(256 * 1024, seed=i)) for i in range(3)]
        for case in PAGE_CASES:
            p.setdefault(case, [wheel(case, "1.0")])
        # Issue 14: one file name twice with different bytes; a 206 of the
        # whole file unasked for; an ETag holding obs-text (latin-1).
        first = wheel("dup-names", "1.0", payload=b"first")
        alt = wheels / "alt"
        alt.mkdir(exist_ok=True)
        second = make_wheel(alt, "dup-names", "1.0", payload=b"second")
        p["dup-names"] = [first, Dist(first.filename, second.read_bytes())]
        p["whole-206"] = [wheel("whole-206", "1.0", payload=b"whole" * 64)]
        p["etag-latin1"] = [wheel("etag-latin1", "1.0", payload=_noise(64 * 1024, seed=7))]

    def dist(self, project: str, filename: str) -> Dist | None:
        for d in self.projects.get(project, ()):
            if d.filename == filename:
                return d
        return None


#: Cases decided by the page handler before any page is served.
PAGE_CASES = (
    "auth-401",
    "auth-401-bare",
    "auth-403",
    "login-page",
    "down-503",
    "loop",
    "loop-b",
    "stall",
    "malformed",
    "binary",
    "nested",
    "huge",
)


def _policy_project(reason: str) -> str:
    return "policy-" + reason.lower().replace("_", "-")


def policy_project(reason: str) -> str:
    """The project whose file answers 409 with ``reason``."""
    return _policy_project(reason)


def _noise(size: int, seed: int = 0) -> bytes:
    """Incompressible bytes, deterministic."""
    out = bytearray()
    block = hashlib.sha256(f"seed-{seed}".encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * 32
    return bytes(out[:size])


# -- pages -----------------------------------------------------------------------


def html_page(index: HostileIndex, project: str) -> bytes:
    rows = []
    for d in index.projects.get(project, ()):
        href = f"/files/{project}/{quote(d.filename, safe='')}#sha256={d.page_sha256 or d.sha256}"
        yanked = "" if d.yanked is None else f' data-yanked="{html.escape(d.yanked)}"'
        rows.append(
            f'<a href="{html.escape(href)}" data-requires-python="&gt;=3.8"{yanked}>'
            f"{html.escape(d.filename, quote=False)}</a><br/>"
        )
    return (
        "<!DOCTYPE html><html><head>"
        '<meta name="pypi:repository-version" content="1.1">'
        f"<title>Links for {project}</title></head><body><h1>Links for {project}</h1>\n"
        + "\n".join(rows)
        + "\n</body></html>\n"
    ).encode("utf-8")


def json_page_data(index: HostileIndex, project: str) -> dict[str, object]:
    files = []
    for d in index.projects.get(project, ()):
        files.append(
            {
                "filename": d.filename,
                "url": f"/files/{project}/{quote(d.filename, safe='')}",
                "hashes": {"sha256": d.page_sha256 or d.sha256},
                "requires-python": ">=3.8",
                "yanked": False if d.yanked is None else (d.yanked or True),
                "size": len(d.data),
            }
        )
    return {"meta": {"api-version": "1.1"}, "name": project, "files": files}


def json_page(index: HostileIndex, project: str) -> bytes:
    return json.dumps(json_page_data(index, project)).encode()


HTML_TYPE = "text/html; charset=utf-8"
JSON_TYPE = "application/vnd.pypi.simple.v1+json"

LOGIN_PAGE = b"""<!DOCTYPE html><html><head><title>Sign in</title></head><body>
<h1>Sign in to your repository</h1>
<form method="post" action="/login"><input name="user"><input type="password" name="pw">
<a href="/forgot">Forgot your password?</a><button>Sign in</button></form></body></html>
"""

#: Broken structure, but valid UTF-8: one honest link survives in the HTML.
MALFORMED = {
    "html": (
        b'<html><body><a href=<<<>>> <a href=\'unterminated <a href="/files/x" '
        b'<<<a>>> <a><a =""> <a href=""></a> <a href="#sha256="></a> <a href>'
        b'<a href="/files/malformed/malformed-1.0-py3-none-any.whl">'
        b"malformed-1.0-py3-none-any.whl</a </tr></table></body"
    ),
    "json": b'{"meta": {"api-version": "1.1"}, "name": "malformed", "files": [{"filename": ',
}
#: Not text at all, under a page content type.
BINARY = bytes(range(256)) * 64


# -- the handlers ------------------------------------------------------------------


class _Handler(QuietHandler):
    protocol_version = "HTTP/1.1"
    index: HostileIndex  # set on the subclass
    server_name_tag = "index"

    # helpers

    def _authorised(self) -> bool:
        expected = "Basic " + base64.b64encode(f"{USERNAME}:{TOKEN}".encode()).decode()
        return self.headers.get("Authorization") == expected

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        self.index.record(self.server_name_tag, self.path, dict(self.headers.items()))
        try:
            self.route(path)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def route(self, path: str) -> None:
        raise NotImplementedError


class _IndexHandler(_Handler):
    def route(self, path: str) -> None:
        if not self._authorised():
            self._send(401, b"Unauthorized", WWW_Authenticate='Basic realm="hostile"')
            return
        parts = [unquote(p) for p in path.split("/") if p]
        if len(parts) >= 2 and parts[0] in ("html", "json") and parts[1] == "simple":
            fmt = parts[0]
            if len(parts) == 2:
                self.root_page(fmt)
            elif len(parts) == 3:
                self.project_page(fmt, parts[2])
            else:
                self._send(404, b"Not Found")
        elif len(parts) == 3 and parts[0] == "files":
            self.file(parts[1], parts[2])
        else:
            self._send(404, b"Not Found")

    def root_page(self, fmt: str) -> None:
        names = sorted(self.index.projects)
        if fmt == "json":
            body = json.dumps(
                {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in names]}
            ).encode()
            self._send(200, body, JSON_TYPE, ETag='"root-1"')
        else:
            links = "".join(f'<a href="{n}/">{n}</a>\n' for n in names)
            body = f"<!DOCTYPE html><html><body>\n{links}</body></html>\n".encode()
            self._send(200, body, HTML_TYPE, ETag='"root-1"')

    def project_page(self, fmt: str, project: str) -> None:
        index = self.index
        page_type = JSON_TYPE if fmt == "json" else HTML_TYPE
        if project == "auth-401":
            self._send(401, b"token expired", WWW_Authenticate='Basic realm="hostile"')
        elif project == "auth-401-bare":
            self._send(401, b"Unauthorized")
        elif project == "auth-403":
            self._send(403, b"Forbidden: no entitlement")
        elif project == "login-page":
            self._send(200, LOGIN_PAGE, HTML_TYPE)
        elif project == "down-503":
            self._send(503, b"Service Unavailable", Retry_After="1")
        elif project == "flaky-429" and index.count(f"{fmt}/{project}") == 1:
            self._send(429, b"Too Many Requests", Retry_After="1")
        elif project == "flaky-500" and index.count(f"{fmt}/{project}") == 1:
            self._send(500, b"Internal Server Error")
        elif project in ("loop", "loop-b"):
            other = "loop-b" if project == "loop" else "loop"
            self._send(302, b"", Location=f"/{fmt}/simple/{other}/")
        elif project == "offhost":
            self._send(302, b"", Location=f"{index.other_root}{fmt}/simple/offhost/")
        elif project == "stall":
            self.send_response(200)
            self.send_header("Content-Type", page_type)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<html>" if fmt == "html" else b"{")
            self.wfile.flush()
            index.stall()
            self.close_connection = True
        elif project == "malformed":
            self._send(200, MALFORMED[fmt], page_type)
        elif project == "binary":
            self._send(200, BINARY, page_type)
        elif project == "nested":
            self._send(200, _nested(index, fmt), page_type)
        elif project == "huge":
            self._huge(fmt, page_type)
        elif project in index.projects:
            body = json_page(index, project) if fmt == "json" else html_page(index, project)
            self._send(200, body, page_type)
        else:
            self._send(404, b"Not Found")

    def _huge(self, fmt: str, page_type: str) -> None:
        """A 50 MB page: padding, then the real links."""
        if fmt == "json":
            data = json_page_data(self.index, "huge")
            tail = json.dumps(data)[1:].encode()  # without the opening brace
            head = b'{"padding": "'
            mid = b'", '
            filler = b"x" * (1024 * 1024)
        else:
            tail = html_page(self.index, "huge")
            head = b"<!-- "
            mid = b" -->"
            filler = b"<p>padding</p> " * (1024 * 1024 // 15)
        pad = HUGE_PAGE_BYTES - len(head) - len(mid) - len(tail)
        self.send_response(200)
        self.send_header("Content-Type", page_type)
        self.send_header("Content-Length", str(HUGE_PAGE_BYTES))
        self.end_headers()
        self.wfile.write(head)
        while pad > 0:
            chunk = filler[:pad]
            self.wfile.write(chunk)
            pad -= len(chunk)
        self.wfile.write(mid + tail)

    def file(self, project: str, filename: str) -> None:
        index = self.index
        dist = index.dist(project, filename)
        if dist is None:
            self._send(404, b"Not Found")
            return
        data = dist.data
        if project.startswith("policy-"):
            reason = next(r for r in POLICY_REASONS if _policy_project(r) == project)
            body = json.dumps(
                {"error": "blocked", "reason": reason, "message": f"withheld: {reason}"}
            ).encode()
            self._send(409, body, "application/json")
        elif project == "short-body":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif project == "file-429" and index.count(f"file/{project}") == 1:
            self._send(429, b"slow down", Retry_After="1")
        elif project == "file-500" and index.count(f"file/{project}") == 1:
            self._send(500, b"oops")
        elif project == "file-503":
            self._send(503, b"Service Unavailable")
        elif project == "file-stall":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[:100])
            self.wfile.flush()
            index.stall()
            self.close_connection = True
        elif project == "whole-206":
            self._send(
                206,
                data,
                "application/octet-stream",
                Content_Range=f"bytes 0-{len(data) - 1}/{len(data)}",
            )
        elif project == "etag-latin1":
            self._etag_latin1(data)
        elif project == "offhost-file":
            target = f"{index.other_root}obj/{quote(filename)}?X-Signature=abc123&expires=9"
            self._send(302, b"", Location=target)
        else:
            self._serve_bytes(data, throttle=index.slow_rate if project == "slow" else 0)

    def _etag_latin1(self, data: bytes) -> None:
        """First request: half the body, then a stall; later ones: the rest
        (206) when ``If-Range`` holds the ETag byte for byte, else all of it."""
        if self.index.count("file/etag-latin1") == 1:
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", ETAG_LATIN1)  # sent as latin-1 bytes
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.index.stall()
            self.close_connection = True
            return
        header = self.headers.get("Range", "")
        if header.startswith("bytes=") and self.headers.get("If-Range") == ETAG_LATIN1:
            start = int(header[len("bytes=") :].rstrip("-"))
            self._send(
                206,
                data[start:],
                "application/octet-stream",
                ETag=ETAG_LATIN1,
                Content_Range=f"bytes {start}-{len(data) - 1}/{len(data)}",
            )
        else:
            self._send(200, data, "application/octet-stream", ETag=ETAG_LATIN1)

    def _serve_bytes(self, data: bytes, throttle: int = 0) -> None:
        start = 0
        status = 200
        header = self.headers.get("Range", "")
        if header.startswith("bytes=") and header.endswith("-"):
            try:
                start = int(header[len("bytes=") : -1])
            except ValueError:
                start = 0
            if 0 < start < len(data):
                status = 206
            else:
                start = 0
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data) - start))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", '"' + hashlib.sha256(data).hexdigest()[:16] + '"')
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.end_headers()
        if not throttle:
            self.wfile.write(data[start:])
            return
        chunk = max(1, throttle // 50)
        for offset in range(start, len(data), chunk):
            if self.index.release.is_set():
                break
            self.wfile.write(data[offset : offset + chunk])
            self.wfile.flush()
            time.sleep(0.02)


class _OtherHandler(_Handler):
    """The other host: records headers, refuses credentials like an object store."""

    server_name_tag = "other"

    def route(self, path: str) -> None:
        if "Authorization" in self.headers:
            self._send(400, b"credentials sent to the wrong host")
            return
        parts = [unquote(p) for p in path.split("/") if p]
        index = self.index
        if len(parts) == 3 and parts[0] in ("html", "json") and parts[2] == "offhost":
            fmt = parts[0]
            # Links are absolute, back to the index's own /files/ URLs.
            if fmt == "json":
                data = json_page_data(index, "offhost")
                for entry in data["files"]:  # type: ignore[attr-defined]
                    entry["url"] = f"http://{HOST}:{index.port}{entry['url']}"
                self._send(200, json.dumps(data).encode(), JSON_TYPE)
            else:
                body = html_page(index, "offhost").replace(
                    b'href="/files/', f'href="http://{HOST}:{index.port}/files/'.encode()
                )
                self._send(200, body, HTML_TYPE)
        elif len(parts) == 2 and parts[0] == "obj":
            dist = index.dist("offhost-file", parts[1])
            if dist is None:
                self._send(404, b"Not Found")
            else:
                self._send(200, dist.data, "application/octet-stream")
        else:
            self._send(404, b"Not Found")


def _nested(index: HostileIndex, fmt: str) -> bytes:
    """A page nested :data:`NESTING_DEPTH` deep (one real link inside, for HTML)."""
    if fmt == "json":
        inner = b"[" * NESTING_DEPTH + b"]" * NESTING_DEPTH
        page = json_page(index, "nested")
        return page[:-1] + b', "x-deep": ' + inner + b"}"
    link = html_page(index, "nested").split(b"<h1>", 1)[1]
    return (
        b"<html><body>"
        + b"<div><span>" * NESTING_DEPTH
        + b"<h1>"
        + link
        + b"</span></div>" * NESTING_DEPTH
        + b"</body></html>"
    )


_Server = QuietServer


@contextmanager
def run_hostile_index(workdir: Path) -> Iterator[HostileIndex]:
    """Start the hostile index and the other host; stop them at the end."""
    index = HostileIndex(workdir)
    index.build()
    index_handler = type("IndexHandler", (_IndexHandler,), {"index": index})
    other_handler = type("OtherHandler", (_OtherHandler,), {"index": index})
    main = _Server((HOST, 0), index_handler)
    other = _Server((OTHER_HOST, 0), other_handler)
    index.port = main.server_address[1]
    index.other_port = other.server_address[1]
    threads = [
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        for s in (main, other)
    ]
    for thread in threads:
        thread.start()
    try:
        yield index
    finally:
        index.release.set()
        for server in (main, other):
            server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join(timeout=5)


# -- helpers for the tests --------------------------------------------------------

#: Short time-outs and few retries, so that failure cases stay fast.
FAST_ENV = {
    "CGLIB_TIMEOUT": "1",
    "CGLIB_RETRIES": "2",
    "CGLIB_MAX_RETRY_WAIT": "0.2",
}


def credentials_env(**extra: str) -> dict[str, str]:
    """Environment with the index credentials and the fast network settings."""
    return {"CGLIB_USERNAME": USERNAME, "CGLIB_PASSWORD": TOKEN, **FAST_ENV, **extra}


def snapshot(root: Path, exclude: Path | None = None) -> dict[str, int]:
    """Every file under ``root`` (except under ``exclude``) and its size."""
    found: dict[str, int] = {}
    for path in root.rglob("*"):
        if exclude is not None and (path == exclude or exclude in path.parents):
            continue
        if path.is_file() or path.is_symlink():
            found[str(path.relative_to(root))] = path.lstat().st_size
    return found


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error: ")]


# -- limits: page size, redirect targets (tests/test_hostile_limits.py) ------------

#: Decoded size of the ``gzip-bomb`` page (sent as about 1 MB of gzip).
BOMB_BYTES = 1024 * 1024 * 1024
#: Redirect targets that are not http(s) URLs, or not URLs at all, by case.
BAD_LOCATIONS = {
    "javascript": "javascript:alert(document.cookie)",
    "mailto": "mailto:ops@example.org",
    "data": "data:text/html,<h1>hi</h1>",
    "malformed": "http://[::1",
}
#: Pages that grow without end or decode to far more than they weigh.
LIMIT_PAGE_CASES = ("gzip-bomb", "endless")


def redirect_page_case(kind: str) -> str:
    """The project whose page redirects to ``BAD_LOCATIONS[kind]``."""
    return f"redirect-page-{kind}"


def redirect_file_case(kind: str) -> str:
    """The project whose one file redirects to ``BAD_LOCATIONS[kind]``."""
    return f"redirect-file-{kind}"


_BOMB: list[tuple[bytes, bytes, int, bytes]] = []


def gzip_bomb() -> tuple[bytes, bytes, int, bytes]:
    """``(head, block, count, tail)``: ``head + block * count + tail`` is one gzip
    member of :data:`BOMB_BYTES` spaces.  Made once, in well under a second:
    each MiB of spaces compresses to the same sync-flushed block."""
    if not _BOMB:
        import struct
        import zlib

        mib = b" " * (1024 * 1024)
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
        head = compressor.compress(mib) + compressor.flush(zlib.Z_SYNC_FLUSH)
        block = compressor.compress(mib) + compressor.flush(zlib.Z_SYNC_FLUSH)
        again = compressor.compress(mib) + compressor.flush(zlib.Z_SYNC_FLUSH)
        assert block == again, "zlib did not settle on one block"
        end = compressor.flush()[:-8]  # the final block, without the trailer
        crc = 0
        for _ in range(BOMB_BYTES // len(mib)):
            crc = zlib.crc32(mib, crc)
        tail = end + struct.pack("<II", crc, BOMB_BYTES & 0xFFFFFFFF)
        _BOMB.append((head, block, BOMB_BYTES // len(mib) - 1, tail))
    return _BOMB[0]


class _LimitsIndexHandler(_IndexHandler):
    """The hostile index, plus the page-size and redirect-target cases."""

    def project_page(self, fmt: str, project: str) -> None:
        page_type = JSON_TYPE if fmt == "json" else HTML_TYPE
        kind = project.removeprefix("redirect-page-")
        if project == "gzip-bomb":
            head, block, count, tail = gzip_bomb()
            self.send_response(200)
            self.send_header("Content-Type", page_type)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(head) + len(block) * count + len(tail)))
            self.end_headers()
            self.wfile.write(head)
            for _ in range(count):
                self.wfile.write(block)
            self.wfile.write(tail)
        elif project == "endless":
            self.send_response(200)
            self.send_header("Content-Type", page_type)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = (b"<p>padding</p>" if fmt == "html" else b"xxxxxxxxxxxxxx") * 65536
            framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
            self.wfile.write(b"5\r\n<!-- \r\n" if fmt == "html" else b'd\r\n{"padding": "\r\n')
            deadline = time.monotonic() + STALL_LIMIT
            while not self.index.release.is_set() and time.monotonic() < deadline:
                self.wfile.write(framed)
            self.close_connection = True
        elif project.startswith("redirect-page-") and kind in BAD_LOCATIONS:
            self._send(302, b"", Location=BAD_LOCATIONS[kind])
        else:
            super().project_page(fmt, project)

    def file(self, project: str, filename: str) -> None:
        kind = project.removeprefix("redirect-file-")
        if project.startswith("redirect-file-") and kind in BAD_LOCATIONS:
            self._send(302, b"", Location=BAD_LOCATIONS[kind])
        else:
            super().file(project, filename)


@contextmanager
def run_hostile_limits_index(workdir: Path) -> Iterator[HostileIndex]:
    """:func:`run_hostile_index` with the cases of :class:`_LimitsIndexHandler`."""
    index = HostileIndex(workdir)
    index.build()
    wheels = workdir / "wheels"
    for kind in BAD_LOCATIONS:
        for project in (redirect_page_case(kind), redirect_file_case(kind)):
            path = make_wheel(wheels, project, "1.0", payload=project.encode())
            index.projects[project] = [Dist(path.name, path.read_bytes())]
    for project in LIMIT_PAGE_CASES:
        path = make_wheel(wheels, project, "1.0")
        index.projects[project] = [Dist(path.name, path.read_bytes())]
    gzip_bomb()  # made before serving: making it while a client waits could time it out
    handlers = (
        type("IndexHandler", (_LimitsIndexHandler,), {"index": index}),
        type("OtherHandler", (_OtherHandler,), {"index": index}),
    )
    servers = [_Server((HOST, 0), handlers[0]), _Server((OTHER_HOST, 0), handlers[1])]
    index.port = servers[0].server_address[1]
    index.other_port = servers[1].server_address[1]
    threads = [
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        for s in servers
    ]
    for thread in threads:
        thread.start()
    try:
        yield index
    finally:
        index.release.set()
        for server in servers:
            server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join(timeout=5)
