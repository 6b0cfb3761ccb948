"""How fast `cglib search` answers on an index of 600,000 project names.

Generates a root listing of realistic names (words joined by -, _ or ., some
capitalised, some numbered), serves it as PEP 503 HTML and PEP 691 JSON from a
local http.server on 127.0.0.1 that honours If-None-Match (answering 304) and
requires HTTP Basic credentials (given to cglib through CGLIB_USERNAME /
CGLIB_PASSWORD, as in CI), then measures in one run, alternating the
commands and taking medians:

- fresh: `cglib search QUERY` with a fresh cache (no request at all; checked
  on the server's side)                   goal: at most 0.8 x `pip --version`
- stale: the same with CGLIB_CACHE_MAX_AGE=0 (one conditional request,
  answered 304, and the cache file renewed)
                                          goal: at most 1.5 x `pip --version`
- cold: `cglib search QUERY --refresh` (fetch + parse + write the cache)
                                          goal: at most 1.5 s
- one query in-process on the cached names, several kinds of query
                                          goal: at most 50 ms each

With --json it prints one JSON document for run.py (see common.emit).

    python benchmarks/bench_search.py [--names N] [--runs N] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import statistics
import sys
import threading
import time
from collections import Counter
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

GOAL_FRESH = 0.8  # warm search, fresh cache / pip --version
GOAL_STALE = 1.5  # warm search, stale cache answered 304 / pip --version
GOAL_COLD = 1.5  # seconds
GOAL_QUERY = 50  # milliseconds

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


def serve(pages: dict[str, tuple[bytes, str]]) -> tuple[ThreadingHTTPServer, Counter[str]]:
    """Serve ``pages`` (path -> body, content type) with ETags and Basic auth;
    count the answers by status (``"200"``, ``"304"``, ``"401"``, ``"404"``)."""
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    etags = {
        path: '"' + hashlib.sha256(body).hexdigest()[:16] + '"' for path, (body, _) in pages.items()
    }
    counts: Counter[str] = Counter()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, status: int, body: bytes = b"", **headers: str) -> None:
            with lock:
                counts[str(status)] += 1
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            if self.headers.get("Authorization") != expected:
                self.answer(401)
            elif self.path not in pages:
                self.answer(404)
            elif self.headers.get("If-None-Match") == etags[self.path]:
                self.answer(304, ETag=etags[self.path])
            else:
                body, ctype = pages[self.path]
                self.answer(200, body, Content_Type=ctype, ETag=etags[self.path])

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, counts


def check_requests(command: common.Command, counts: Counter[str], expected: Counter[str]) -> None:
    """Run ``command`` once and check what the server answered it."""
    before = counts.copy()
    common.output_of(command)
    seen = counts - before
    if seen != expected:
        raise SystemExit(
            f"{' '.join(map(str, command.argv[1:]))}: the server answered {dict(seen)}, "
            f"expected {dict(expected)}"
        )


def measure(names_count: int, runs: int) -> tuple[list[common.Row], str]:
    from cglib import cache
    from cglib.search import search

    names = generate_names(names_count)
    html, js = root_html(names), root_json(names)
    about = (
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
    cglib, pip = common.cglib_exe(), common.pip_exe()
    rows: list[common.Row] = []
    with common.temp_dir() as tmp:
        home = Path(tmp) / "home"
        # Isolated as every benchmark is (own HOME, no keyring, .pyc files
        # written as an installed package has them); credentials from the
        # environment, as in CI.
        env = common.cglib_env(home, USER, PASSWORD, extra={"CGLIB_CACHE_DIR": tmp})
        stale_env = {**env, "CGLIB_CACHE_MAX_AGE": "0"}
        json_url, html_url = f"{base}/json/simple/", f"{base}/html/simple/"

        def search_cmd(url: str, *extra: str, environ: dict[str, str] = env) -> common.Command:
            return common.Command(
                [cglib, "search", "requests", "--index-url", url, *extra], environ
            )

        commands = {
            "pip --version": common.Command([pip, "--version"], common.pip_env(home)),
            "fresh": search_cmd(json_url),
            "stale": search_cmd(json_url, environ=stale_env),
            "cold json": search_cmd(json_url, "--refresh"),
            "cold html": search_cmd(html_url, "--refresh"),
        }
        # What each kind of search asks the server (also fills both caches).
        check_requests(commands["cold json"], counts, Counter({"200": 1}))
        check_requests(commands["cold html"], counts, Counter({"200": 1}))
        check_requests(commands["fresh"], counts, Counter())
        check_requests(commands["stale"], counts, Counter({"304": 1}))
        check_requests(commands["fresh"], counts, Counter())  # the 304 renewed it
        before = counts.copy()
        timed = common.compare(commands, runs=runs)
        rounds = runs + 1  # with the warm-up round
        # The fresh searches asked nothing: all the server saw were the stale
        # ones (304) and the cold ones (200).
        expected = Counter({"304": rounds, "200": 2 * rounds})
        if counts - before != expected:
            raise SystemExit(f"the server answered {dict(counts - before)}, not {dict(expected)}")
        costs = common.import_costs(
            ["-m", "cglib", "search", "requests", "--index-url", json_url], env
        )

        pip_s = timed["pip --version"].median
        imports = ", ".join(f"{name} {ms:.0f} ms" for name, ms in list(costs.items())[:5])
        fresh, stale = timed["fresh"], timed["stale"]
        rows.append(
            common.Row(
                "search, fresh cache (no request) / pip --version",
                fresh.median / pip_s,
                GOAL_FRESH,
                detail=f"{fresh.median * 1000:.0f} ms vs {pip_s * 1000:.0f} ms; imports: {imports}",
                limit="interpreter start and typer (click) import",
            )
        )
        rows.append(
            common.Row(
                "search, stale cache (one 304) / pip --version",
                stale.median / pip_s,
                GOAL_STALE,
                detail=f"{stale.median * 1000:.0f} ms; httpx import, the round trip, "
                "rewriting the cache file",
                limit="httpx import (with httpcore, h11, certifi)",
            )
        )
        for form in ("html", "json"):
            cold = timed[f"cold {form}"]
            rows.append(
                common.Row(
                    f"search, cold ({form} root, --refresh)",
                    cold.median,
                    GOAL_COLD,
                    unit="s",
                    detail=f"{cold.median / pip_s:.1f} x pip --version; peak RSS "
                    f"{cold.rss_mb:.0f} MB",
                    limit="parsing the root page and building the name index",
                )
            )

        # In-process: load the cache once, then one query at a time.
        path = cache.cache_path(json_url, Path(tmp) / "names")
        start = time.perf_counter()
        listing = cache.load(path)
        load_ms = (time.perf_counter() - start) * 1000
        assert listing is not None
        for kind, query in QUERIES.items():
            times = []
            for _ in range(max(runs, 3)):
                start = time.perf_counter()
                found = search(listing.names, query, 20)
                times.append(time.perf_counter() - start)
            rows.append(
                common.Row(
                    f"query {query!r} ({kind}, {len(found)} results)",
                    statistics.median(times) * 1000,
                    GOAL_QUERY,
                    unit="ms",
                    detail=f"cache file {path.stat().st_size / 1e6:.1f} MB, "
                    f"mapped in {load_ms:.1f} ms",
                )
            )
        listing.names.close()
    server.shutdown()
    server.server_close()
    return rows, about


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=None, help="names in the root listing")
    parser.add_argument("--runs", type=int, default=7, help="alternated rounds (median)")
    parser.add_argument("--quick", action="store_true", help="100,000 names (a smoke test)")
    parser.add_argument("--json", action="store_true", help="one JSON document (for run.py)")
    args = parser.parse_args()
    count = args.names or (100_000 if args.quick else 600_000)
    rows, about = measure(count, args.runs)
    common.emit(
        rows, as_json=args.json, title=f"search: {about}; median of {args.runs} alternated runs"
    )


if __name__ == "__main__":
    main()
