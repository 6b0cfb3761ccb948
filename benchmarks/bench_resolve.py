"""Resolving and downloading a small real closure: `cglib download` vs `pip download`.

Builds 14 tiny wheels that depend on each other (two roots, extras, a
marker, an older version that must not be chosen), serves them as a static
PEP 503 index on 127.0.0.1 with 20 ms added to every response
(``common.static_server``), and times, alternating the commands and taking
medians:

- ``cglib download ROOTS`` (cold metadata cache) vs ``pip download ROOTS``
  (no cache), both resolving the dependencies, for two index shapes: with
  PEP 658 ``.metadata`` files, and without (cglib then reads the wheel itself
  and keeps it as the download);
- the same ``cglib download`` with a warm metadata cache;
- in process: a second resolution with a warm metadata cache asks for no
  metadata (counted);
- cglib's peak RSS.

Goals: cglib <= 0.4 x pip download; no metadata request when warm; peak RSS
under 100 MB.  Ratios in one run, not timed assertions.

    python benchmarks/bench_resolve.py [--runs 5] [--json]
"""

from __future__ import annotations

import argparse
import hashlib
import html
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

sys.path.insert(0, str(common.TESTS))

from support.dists import make_wheel

LATENCY = 0.02
GOAL_PIP = 0.4
GOAL_RSS_MB = 100
ROOTS = ["webapp[extra]", "cli-tool"]

#: name, version, Requires-Dist, Provides-Extra
TREE: list[tuple[str, str, list[str], list[str]]] = [
    (
        "webapp",
        "2.0",
        ["router>=1", "templates", "config", "extra-lib; extra == 'extra'"],
        ["extra"],
    ),
    ("webapp", "1.0", ["router"], []),
    ("router", "1.2", ["urlparse-lite", "config>=1"], []),
    ("router", "1.1", ["urlparse-lite"], []),
    ("templates", "3.0", ["markup-safe", "config"], []),
    ("markup-safe", "2.1", [], []),
    ("config", "1.4", ["typing-compat; python_version < '3.8'"], []),
    ("typing-compat", "1.0", [], []),
    ("urlparse-lite", "0.3", [], []),
    ("extra-lib", "1.0", ["small-util"], []),
    ("small-util", "0.9", [], []),
    ("cli-tool", "5.0", ["colors", "config", "arg-parse>=2"], []),
    ("colors", "0.4", ["winterm; sys_platform == 'win32'"], []),
    ("winterm", "1.0", [], []),
    ("arg-parse", "2.2", [], []),
    ("arg-parse", "1.0", [], []),
]


def build_index(root: Path, *, pep658: bool) -> None:
    """Wheels in ``root/files``, PEP 503 pages in ``root/simple/NAME/index.html``
    (with ``.metadata`` files and their hashes when ``pep658``)."""
    files = root / "files"
    files.mkdir(parents=True)
    pages: dict[str, list[str]] = {}
    for name, version, requires, extras in TREE:
        wheel = make_wheel(
            files,
            name,
            version,
            requires_dist=requires,
            provides_extra=extras,
            payload=b"#" * 2000,
        )
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        attrs = f'href="../../files/{wheel.name}#sha256={digest}"'
        if pep658:
            import zipfile

            with zipfile.ZipFile(wheel) as archive:
                member = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
                metadata = archive.read(member)
            (files / f"{wheel.name}.metadata").write_bytes(metadata)
            meta = hashlib.sha256(metadata).hexdigest()
            attrs += f' data-core-metadata="sha256={meta}" data-dist-info-metadata="sha256={meta}"'
        pages.setdefault(name, []).append(f"<a {attrs}>{html.escape(wheel.name)}</a><br>")
    for name, links in pages.items():
        page = root / "simple" / name
        page.mkdir(parents=True)
        (page / "index.html").write_text(
            "<!DOCTYPE html><html><body>\n" + "\n".join(links) + "\n</body></html>\n"
        )


def warm_resolution_requests(url: str, cache: Path) -> tuple[int, int]:
    """Metadata requests of a cold, then a warm, resolution (in process)."""
    from cglib.client import IndexClient
    from cglib.config import Index
    from cglib.metadata import MetadataFetcher
    from cglib.resolve import resolve

    counts = []
    for _ in range(2):
        seen: list[tuple[str, str]] = []
        with (
            IndexClient(Index(url)) as client,
            MetadataFetcher(client, cache_dir=cache, on_request=_recorder(seen)) as fetcher,
        ):
            resolve(client, ROOTS, fetcher=fetcher)
        counts.append(len(seen))
    return counts[0], counts[1]


def _recorder(seen: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    return lambda source, filename: seen.append((source, filename))


def bench(shape: str, pep658: bool, work: Path, runs: int) -> list[common.Row]:
    root = work / shape
    build_index(root, pep658=pep658)
    cglib, pip = common.cglib_exe(), common.pip_exe()
    rows: list[common.Row] = []
    with common.static_server(root, latency=LATENCY) as server:
        url = f"{server.url}simple/"
        home = work / f"home-{shape}"
        cold_cache = work / f"cache-cold-{shape}"
        warm_cache = work / f"cache-warm-{shape}"
        dests = {k: work / f"{shape}-{k}" for k in ("cglib", "warm", "pip")}

        def clean(*paths: Path) -> object:
            return lambda: [shutil.rmtree(p, ignore_errors=True) for p in paths]

        # As docs/performance.md's method says (and as a Chainguard index needs):
        # both tools get credentials, cglib from the environment, pip in the URL;
        # the static server ignores them.
        user, password = "bench-user", "bench-token"
        creds = {"CGLIB_USERNAME": user, "CGLIB_PASSWORD": password}
        pip_url = url.replace("http://", f"http://{user}:{password}@", 1)
        cglib_cmd = [cglib, "download", *ROOTS, "-q", "--index-url", url]
        commands = {
            "cglib download (cold cache)": common.Command(
                [*cglib_cmd, "-d", str(dests["cglib"])],
                env=common.cglib_env(home, extra={"CGLIB_CACHE_DIR": str(cold_cache), **creds}),
                before=clean(dests["cglib"], cold_cache),
            ),
            "cglib download (warm cache)": common.Command(
                [*cglib_cmd, "-d", str(dests["warm"])],
                env=common.cglib_env(home, extra={"CGLIB_CACHE_DIR": str(warm_cache), **creds}),
                before=clean(dests["warm"]),
            ),
            "pip download": common.Command(
                [pip, "download", *ROOTS, "-q", "--index-url", pip_url, "-d", str(dests["pip"])],
                env=common.pip_env(home),
                before=clean(dests["pip"]),
            ),
        }
        results = common.compare(commands, runs=runs, warmup=1)
        ours = sorted(p.name for p in dests["cglib"].iterdir())
        theirs = sorted(p.name for p in dests["pip"].iterdir())
        if ours != theirs:
            raise SystemExit(f"cglib saved {ours}, pip saved {theirs}")
        pip_s = results["pip download"].median
        for label in ("cglib download (cold cache)", "cglib download (warm cache)"):
            m = results[label]
            rows.append(
                common.Row(
                    f"resolve: {label} / pip download, {len(ours)} wheels, {shape}, 20 ms",
                    m.median / pip_s,
                    GOAL_PIP,
                    detail=f"{m.median:.3f} s vs {pip_s:.3f} s (medians of {runs})",
                )
            )
        rss = max(results[label].rss_mb for label in results if label.startswith("cglib"))
        rows.append(
            common.Row(
                f"resolve: cglib download peak RSS, {shape}",
                rss,
                GOAL_RSS_MB,
                unit="MB",
                detail=f"pip {results['pip download'].rss_mb:.0f} MB",
            )
        )
        cold, warm = warm_resolution_requests(url, work / f"cache-inproc-{shape}")
        rows.append(
            common.Row(
                f"resolve: metadata requests of a warm re-resolution, {shape}",
                float(warm),
                0.0,
                unit="requests",
                detail=f"{cold} when cold",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows: list[common.Row] = []
    with common.temp_dir("cglib-bench-resolve-") as tmp:
        work = Path(tmp)
        rows += bench("PEP 658", True, work, args.runs)
        rows += bench("no PEP 658", False, work, args.runs)
    common.emit(rows, as_json=args.json, title="cglib download (resolving) vs pip download")


if __name__ == "__main__":
    main()
