"""A tiny static index on 127.0.0.1: PEP 503 pages from a dict, for tests that
run the installed ``cglib`` (a subprocess, which pytest-httpx cannot reach)."""

from __future__ import annotations

import html
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from support.quiet_http import QuietHandler, QuietServer

#: Python tags of the wheel zoo, oldest first.
ZOO_PYTHONS = ("cp38", "cp39", "cp310", "cp311", "cp312", "cp313")
#: Platforms of the wheel zoo: long manylinux names, musllinux, macOS, Windows.
ZOO_PLATFORMS = (
    "manylinux_2_17_x86_64.manylinux2014_x86_64",
    "manylinux_2_17_aarch64.manylinux2014_aarch64",
    "musllinux_1_2_x86_64",
    "macosx_10_9_x86_64",
    "macosx_11_0_arm64",
    "win_amd64",
    "win32",
)


def wheel_zoo(name: str = "wheelzoo", version: str = "1.0.0") -> list[str]:
    """One version with a wheel for each Python and platform above (42), and an sdist."""
    names = [
        f"{name}-{version}-{py}-{py}-{platform}.whl"
        for py in ZOO_PYTHONS
        for platform in ZOO_PLATFORMS
    ]
    return [*names, f"{name}-{version}.tar.gz"]


def page(files: Sequence[str | tuple[str, Mapping[str, str]]]) -> bytes:
    """A PEP 503 page linking ``files`` (a name, or a name and its attributes,
    e.g. ``{"data-yanked": "broken"}``)."""
    links = []
    for item in files:
        name, attrs = (item, {}) if isinstance(item, str) else item
        extra = "".join(f' {k}="{html.escape(v)}"' for k, v in attrs.items())
        sha = "#sha256=" + "0" * 64
        links.append(f'<a href="../../files/{name}{sha}"{extra}>{name}</a>')
    return ("<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>").encode()


JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def json_page(name: str, files: Sequence[Mapping[str, object]]) -> bytes:
    """A PEP 691 page: each file a dict with ``filename`` and any of
    ``requires-python``, ``yanked``, ``size``, ``upload-time``."""
    entries = [
        {"url": f"../../files/{f['filename']}", "hashes": {"sha256": "0" * 64}, **f} for f in files
    ]
    return json.dumps({"meta": {"api-version": "1.1"}, "name": name, "files": entries}).encode()


@contextmanager
def static_index(pages: Mapping[str, bytes]) -> Iterator[str]:
    """Serve ``pages`` (normalised project name -> HTML, or PEP 691 JSON when
    it starts with ``{``) at ``/simple/NAME/``; yields the index URL."""

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            parts = self.path.strip("/").split("/")
            if len(parts) == 2 and parts[0] == "simple" and parts[1] in pages:
                body = pages[parts[1]]
                self._send(200, body, JSON_TYPE if body.startswith(b"{") else "text/html")
            else:
                self._send(404, b"not found")

    server = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()
        server.server_close()
