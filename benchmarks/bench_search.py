"""How fast `cglib search` answers on an index of 600,000 project names.

Generates a root listing of realistic names (words joined by -, _ or ., some
capitalised, some numbered), serves it as PEP 503 HTML and PEP 691 JSON from a
local http.server on 127.0.0.1 that honours If-None-Match (answering 304) and
requires HTTP Basic credentials (given to cglib through CGLIB_USERNAME /
CGLIB_PASSWORD, as in CI), then measures, alternating the commands and taking
medians:

- warm: `cglib search QUERY` with a valid cache (the server answers 304)
  against `cglib --version`             goal: at most 2 x
- one query in-process on the cached names, several kinds of query
                                          goal: at most 50 ms each
- cold: `cglib search QUERY --refresh` (fetch + parse + write the cache)
                                          goal: at most 1.5 s

    python benchmarks/bench_search.py [--names N] [--runs N]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import common

WORDS = [
    "py",
    "django",
    "flask",
    "requests",
    "http",
    "json",
    "yaml",
    "toml",
    "data",
    "frame",
    "numpy",
    "pandas",
    "sci",
    "kit",
    "learn",
    "torch",
    "tensor",
    "flow",
    "async",
    "io",
    "aws",
    "azure",
    "google",
    "cloud",
    "client",
    "api",
    "sdk",
    "core",
    "utils",
    "tools",
    "lib",
    "test",
    "pytest",
    "mock",
    "fast",
    "auth",
    "oauth",
    "jwt",
    "crypto",
    "graph",
    "ql",
    "sql",
    "alchemy",
    "db",
    "redis",
    "mongo",
    "kafka",
    "celery",
    "task",
    "queue",
    "web",
    "server",
    "socket",
    "stream",
    "log",
    "logging",
    "config",
    "env",
    "path",
    "file",
    "zope",
    "interface",
    "plugin",
    "sphinx",
    "doc",
    "lint",
    "format",
    "black",
    "type",
    "types",
    "stub",
    "mypy",
    "rich",
    "click",
    "typer",
    "cli",
    "tui",
    "ui",
    "image",
    "vision",
    "audio",
    "text",
    "nlp",
    "token",
    "model",
    "ml",
    "ai",
    "llm",
    "chat",
    "open",
    "net",
    "grpc",
    "proto",
    "buf",
    "schema",
    "valid",
    "pydantic",
    "attrs",
    "class",
    "time",
    "date",
    "zone",
    "geo",
    "map",
    "plot",
    "chart",
    "dash",
    "viz",
    "cache",
    "store",
    "search",
    "index",
    "find",
    "match",
    "fuzzy",
    "string",
    "regex",
    "parse",
    "xml",
    "html",
    "css",
    "js",
    "node",
    "react",
    "vue",
    "angular",
    "build",
    "pack",
    "wheel",
    "setup",
    "dist",
    "install",
    "manager",
    "deploy",
    "ops",
]
USER, PASSWORD = "bench-user", "bench-password-123"
QUERIES = {
    "exact": "requests",
    "prefix": "django-rest",
    "substring": "alchemy-graph",
    "typo (1 edit)": "reqeusts",
    "typo (2 edits)": "flaskk-sqlalchemi",
    "no match": "qqqqqqqqqq",
    "short": "py",
}


def generate_names(count: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    out: list[str] = ["requests", "flask-sqlalchemy", "django", "six", "Zope.Interface"]
    seen = {n.lower().replace("_", "-").replace(".", "-") for n in out}
    while len(out) < count:
        words = [rng.choice(WORDS) for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.3:
            words.append(str(rng.randint(1, 99)))
        if rng.random() < 0.15:
            words[0] += rng.choice("xyzqkv") + rng.choice("aeiou")
        name = rng.choice("---_.").join(words)
        if rng.random() < 0.1:
            name = name.title()
        key = name.lower().replace("_", "-").replace(".", "-")
        if key not in seen:
            seen.add(key)
            out.append(name)
    out.sort(key=str.lower)  # servers list their names in order
    return out


def root_html(names: list[str]) -> bytes:
    body = "".join(f'<a href="/simple/{escape(n)}/">{escape(n)}</a><br/>\n' for n in names)
    return (
        '<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.1">'
        f"<title>Simple index</title></head><body>\n{body}</body></html>\n"
    ).encode()


def root_json(names: list[str]) -> bytes:
    return json.dumps(
        {"meta": {"api-version": "1.1"}, "projects": [{"name": n} for n in names]}
    ).encode()


def serve(pages: dict[str, tuple[bytes, str]]) -> tuple[ThreadingHTTPServer, dict[str, int]]:
    """Serve ``pages`` (path -> body, content type) with ETags and Basic auth."""
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    etags = {
        path: '"' + hashlib.sha256(body).hexdigest()[:16] + '"' for path, (body, _) in pages.items()
    }
    counts = {"200": 0, "304": 0, "401": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            if self.headers.get("Authorization") != expected:
                counts["401"] += 1
                self.send_response(401)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.path not in pages:
                self.send_error(404)
                return
            body, ctype = pages[self.path]
            etag = etags[self.path]
            if self.headers.get("If-None-Match") == etag:
                counts["304"] += 1
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            counts["200"] += 1
            self.send_response(200)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, counts


def cglib_command() -> list[str]:
    found = shutil.which("cglib", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "cglib"]


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr.strip()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=600_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from cglib import cache
    from cglib.search import search

    names = generate_names(args.names)
    html, js = root_html(names), root_json(names)
    print(
        f"{len(names):,} names; HTML root {len(html) / 1e6:.1f} MB, "
        f"JSON root {len(js) / 1e6:.1f} MB"
    )
    server, counts = serve(
        {
            "/html/simple/": (html, "text/html; charset=utf-8"),
            "/json/simple/": (js, "application/vnd.pypi.simple.v1+json"),
        }
    )
    base = f"http://127.0.0.1:{server.server_address[1]}"
    cglib = cglib_command()
    with tempfile.TemporaryDirectory() as tmp:
        # Isolated as every benchmark is (own HOME, no keyring, .pyc files
        # written as an installed package has them); credentials from the
        # environment, as in CI.
        env = common.cglib_env(Path(tmp) / "home", USER, PASSWORD, extra={"CGLIB_CACHE_DIR": tmp})
        results: list[tuple[str, float, float, str]] = []
        for form in ("html", "json"):
            url = f"{base}/{form}/simple/"
            search_cmd = [*cglib, "search", "requests", "--index-url", url]
            # Cold: fetch + parse + write the cache (the file is removed each time).
            cold = []
            for _ in range(max(3, args.runs // 2)):
                shutil.rmtree(Path(tmp) / "names", ignore_errors=True)
                cold.append(timed(search_cmd, env))
            cold_s = statistics.median(cold)
            results.append((f"cold search, {form} root", cold_s, 1.5, "s"))
            # Warm: the cache is valid and the server answers 304.
            warm, version = [], []
            for _ in range(args.runs):
                version.append(timed([*cglib, "--version"], env))
                warm.append(timed(search_cmd, env))
            ratio = statistics.median(warm) / statistics.median(version)
            print(
                f"[{form}] warm search {statistics.median(warm) * 1000:.0f} ms, "
                f"cglib --version {statistics.median(version) * 1000:.0f} ms"
            )
            results.append((f"warm search / --version, {form} root", ratio, 2.0, "x"))

        # In-process: load the cache once, then one query at a time.
        path = cache.cache_path(f"{base}/json/simple/", Path(tmp) / "names")
        start = time.perf_counter()
        listing = cache.load(path)
        load_s = time.perf_counter() - start
        assert listing is not None
        print(f"cache file {path.stat().st_size / 1e6:.1f} MB, loaded in {load_s * 1000:.1f} ms")
        for kind, query in QUERIES.items():
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                found = search(listing.names, query, 20)
                times.append(time.perf_counter() - start)
            label = f"query {query!r} ({kind}, {len(found)} results)"
            results.append((label, statistics.median(times) * 1000, 50, "ms"))
    server.shutdown()
    print(f"server answers: {counts}")
    print()
    print(f"{'measure':58} {'value':>9} {'goal':>7}  ratio-to-goal")
    for label, value, goal, unit in results:
        flag = "ok" if value <= goal else "OVER"
        print(f"{label:58} {value:8.2f}{unit} {goal:6g}{unit}  {value / goal:5.2f} {flag}")


if __name__ == "__main__":
    main()
