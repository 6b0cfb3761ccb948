"""A real HTTP server on 127.0.0.1 serving one root listing, for tests that run
the installed ``cglib search`` (a subprocess, which pytest-httpx cannot reach).

It answers ``If-None-Match`` with ``304`` when the ETag matches, records every
request (path and headers), and can be told to answer a fixed status or to
stall before answering.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JSON_TYPE = "application/vnd.pypi.simple.v1+json"


@dataclass
class RootServer:
    names: list[str]
    etag: str = '"v1"'
    #: Answer every request with this status (and no body) when set.
    status: int | None = None
    #: Seconds to wait before answering.
    stall: float = 0.0
    #: Ignore If-None-Match (answer 200 with the listing every time).
    ignore_validators: bool = False
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/simple/"

    def body(self) -> bytes:
        return json.dumps(
            {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in self.names]}
        ).encode()


@contextmanager
def root_server(names: list[str], **options: object) -> Iterator[RootServer]:
    state = RootServer(list(names), **options)  # type: ignore[arg-type]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            state.requests.append((self.path, dict(self.headers.items())))
            if state.stall:
                time.sleep(state.stall)
            if state.status is not None:
                self.send_response(state.status)
                if state.status in (301, 302):
                    self.send_header("Location", "/elsewhere/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if (
                not state.ignore_validators
                and self.headers.get("If-None-Match") == state.etag
                and self.path == "/simple/"
            ):
                self.send_response(304)
                self.send_header("ETag", state.etag)
                self.end_headers()
                return
            body = state.body()
            self.send_response(200)
            self.send_header("Content-Type", JSON_TYPE)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", state.etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
