"""``cglib versions`` against ``pip index versions``, on local servers.

1. A small project (six: 18 versions, a wheel and an sdist each) on a real
   pypiserver with Basic auth on every request: ``cglib versions six`` (with
   CGLIB_USERNAME/CGLIB_PASSWORD) against ``pip index versions six`` (with the
   credentials in ``--index-url``, an isolated pip configuration).
2. A project of 100,000 files: a generated PEP 503 page (realistic wheel
   names, ``#sha256=`` fragments, ``data-requires-python``, core metadata),
   served by a static server; ``cglib versions`` end to end against
   ``pip index versions``, and the part of cglib's time spent parsing the page
   (``cglib.simple.parse_project_page`` plus ``ProjectPage.releases()`` on the
   same bytes, timed inside a fresh process as in the command).
3. On the same page, ``cglib versions --json`` against a Python script that
   merely reads the page with httpx and counts its anchors with
   ``html.parser`` (the floor of any Python client that looks at every link).

Alternated runs, medians.

    python benchmarks/bench_versions.py [--runs N] [--files N] [--json] [--profile]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common

GOAL_SMALL = 0.7  # cglib versions six / pip index versions six
GOAL_PARSE = 0.3  # seconds of parsing a 100,000-file page
GOAL_JSON = 0.8  # cglib versions big --json / httpx + html.parser counting anchors
SIX_VERSIONS = [f"1.{minor}.0" for minor in range(18)]
BIG = "big-project"

PYTHONS = ["cp39", "cp310", "cp311", "cp312", "cp313", "cp314", "pp310", "pp311"]
PLATFORMS = [
    f"{family}_{arch}"
    for family in ["manylinux_2_17", "manylinux_2_28", "manylinux_2_39", "musllinux_1_2"]
    for arch in ("x86_64", "aarch64", "ppc64le", "s390x", "armv7l")
] + ["macosx_11_0_arm64", "macosx_10_9_x86_64", "win_amd64", "win32", "win_arm64"]


def six_packages(directory: Path) -> None:
    dists = common.support("dists")
    for version in SIX_VERSIONS:
        dists.make_wheel(directory, "six", version, "py2.py3-none-any")
        dists.make_sdist(directory, "six", version)


def big_page(files: int) -> tuple[bytes, int]:
    """A PEP 503 page of ``files`` wheels (200 a version); returns (body, versions)."""
    per_version = len(PYTHONS) * len(PLATFORMS)
    lines = [
        "<!DOCTYPE html>\n<html>\n<head>\n"
        '<meta name="pypi:repository-version" content="1.1">\n'
        f"<title>Links for {BIG}</title>\n</head>\n<body>\n<h1>Links for {BIG}</h1>\n"
    ]
    versions = set()
    for n in range(files):
        release, combo = divmod(n, per_version)
        version = f"{release // 100}.{release // 10 % 10}.{release % 10}"
        versions.add(version)
        python = PYTHONS[combo % len(PYTHONS)]
        plat = PLATFORMS[combo // len(PYTHONS)]
        filename = f"big_project-{version}-{python}-{python}-{plat}.whl"
        digest = hashlib.sha256(filename.encode()).hexdigest()
        unique = digest[:2] + "/" + digest[2:4] + "/" + digest[4:60]
        lines.append(
            f'<a href="../../packages/{unique}/{filename}#sha256={digest}" '
            f'data-requires-python="&gt;=3.9" data-dist-info-metadata="sha256={digest}" '
            f'data-core-metadata="sha256={digest}">{filename}</a><br />\n'
        )
    lines.append("</body>\n</html>\n")
    return "".join(lines).encode(), len(versions)


_PARSE = """
import sys, time
from cglib.simple import parse_project_page
body = open(sys.argv[1], "rb").read()
start = time.perf_counter()
page = parse_project_page(body, "text/html", sys.argv[2], sys.argv[3])
page.releases()
print(time.perf_counter() - start)
"""


_READ = """
import sys
from html.parser import HTMLParser

import httpx


class Anchors(HTMLParser):
    count = 0

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.count += 1


with httpx.Client() as client:
    response = client.get(sys.argv[1])
    response.raise_for_status()
parser = Anchors()
parser.feed(response.text)
parser.close()
print(parser.count)
"""


def parse_seconds(path: Path, url: str, runs: int, env: dict[str, str]) -> float:
    """Median time of what `cglib versions` does with the page body, each in a new process."""
    times = []
    for _ in range(runs):
        command = common.Command([sys.executable, "-c", _PARSE, str(path), url, BIG], env)
        times.append(float(common.output_of(command)))
    return statistics.median(times)


def small(runs: int, home: Path, work: Path) -> list[common.Row]:
    packages = work / "packages"
    packages.mkdir()
    six_packages(packages)
    with common.pypiserver(packages, work) as server:
        url = server.url
        cenv = common.cglib_env(home, server.username, server.password)
        commands = {
            "cglib versions six": common.Command(
                [common.cglib_exe(), "versions", "six", "--index-url", url], cenv
            ),
            "pip index versions six": common.Command(
                [
                    common.pip_exe(),
                    "index",
                    "versions",
                    "six",
                    "--index-url",
                    server.url_with_credentials,
                ],
                common.pip_env(home),
            ),
        }
        assert common.output_of(commands["cglib versions six"]).startswith("1.17.0\t")
        assert "1.17.0" in common.output_of(commands["pip index versions six"])
        timed = common.compare(commands, runs=runs)
    ours, theirs = timed["cglib versions six"], timed["pip index versions six"]
    return [
        common.Row(
            "versions six / pip index versions six",
            ours.median / theirs.median,
            GOAL_SMALL,
            detail=f"{ours.median * 1000:.0f} ms vs {theirs.median * 1000:.0f} ms; "
            f"RSS {ours.rss_mb:.0f} MB vs {theirs.rss_mb:.0f} MB",
            limit="imports (typer, httpx, packaging) and the server's answer time",
        )
    ]


def big(runs: int, files: int, home: Path, work: Path) -> list[common.Row]:
    body, nversions = big_page(files)
    page_dir = work / "static" / "simple" / BIG
    page_dir.mkdir(parents=True)
    (page_dir / "index.html").write_bytes(body)
    with common.static_server(work / "static") as server:
        url = f"{server.url}simple/"
        cenv = common.cglib_env(home)
        commands = {
            "cglib versions": common.Command(
                [common.cglib_exe(), "versions", BIG, "--index-url", url], cenv
            ),
            "pip index versions": common.Command(
                [common.pip_exe(), "index", "versions", BIG, "--index-url", url],
                common.pip_env(home),
            ),
        }
        lines = common.output_of(commands["cglib versions"]).splitlines()
        assert len(lines) == nversions, (len(lines), nversions)
        timed = common.compare(commands, runs=runs, warmup=1)
        json_commands = {
            "cglib versions --json": common.Command(
                [common.cglib_exe(), "versions", BIG, "--json", "--index-url", url], cenv
            ),
            "httpx + html.parser": common.Command(
                [sys.executable, "-c", _READ, f"{url}{BIG}/"], cenv
            ),
        }
        document = json.loads(common.output_of(json_commands["cglib versions --json"]))
        assert sum(len(v["files"]) for v in document["versions"]) == files
        assert int(common.output_of(json_commands["httpx + html.parser"])) == files
        timed.update(common.compare(json_commands, runs=runs, warmup=1))
    parse = parse_seconds(page_dir / "index.html", f"{url}{BIG}/", max(3, runs), cenv)
    ours, theirs = timed["cglib versions"], timed["pip index versions"]
    as_json, reader = timed["cglib versions --json"], timed["httpx + html.parser"]
    size = f"{files:,} files, {len(body) / 1e6:.0f} MB page"
    return [
        common.Row(
            f"versions, {files // 1000}k-file page: parsing",
            parse,
            round(GOAL_PARSE * files / 100_000, 3),  # the goal is for 100,000 files
            unit="s",
            detail=f"{parse / ours.median:.0%} of cglib's {ours.median:.2f} s end to end ({size})",
            limit="one regex pass and a PEP 440 parse per distinct version, in one thread",
        ),
        common.Row(
            f"versions, {files // 1000}k-file page / pip index versions",
            ours.median / theirs.median,
            None,
            detail=f"{ours.median:.2f} s vs {theirs.median:.2f} s; "
            f"RSS {ours.rss_mb:.0f} MB vs {theirs.rss_mb:.0f} MB",
        ),
        common.Row(
            f"versions --json, {files // 1000}k-file page / httpx + html.parser",
            as_json.median / reader.median,
            GOAL_JSON,
            detail=f"{as_json.median:.2f} s vs {reader.median:.2f} s (reading the page and "
            f"counting its anchors); RSS {as_json.rss_mb:.0f} MB vs {reader.rss_mb:.0f} MB",
            limit="parsing, one dict per file, and the C JSON encoder (compact when piped)",
        ),
    ]


def profile(home: Path, work: Path) -> None:
    """Where `cglib versions six` spends its time: import costs and a cProfile top list."""
    import cProfile
    import io
    import pstats

    packages = work / "packages-profile"
    packages.mkdir()
    six_packages(packages)
    with common.pypiserver(packages, work) as server:
        env = common.cglib_env(home, server.username, server.password)
        argv = ["versions", "six", "--index-url", server.url]
        costs = common.import_costs(["-m", "cglib", *argv], env)
        print("import self-time by package (ms, python -X importtime -m cglib versions six):")
        for name, ms in list(costs.items())[:12]:
            print(f"  {name:20} {ms:7.1f}")
        print(f"  {'total':20} {sum(costs.values()):7.1f}")
        import os

        os.environ.update(env)
        from cglib.cli.main import run

        profiler = cProfile.Profile()
        profiler.enable()
        run(argv)
        profiler.disable()
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
        print(stream.getvalue(), file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="alternated rounds (median)")
    parser.add_argument("--files", type=int, default=100_000, help="files on the big page")
    parser.add_argument("--json", action="store_true", help="one JSON document (for run.py)")
    parser.add_argument("--skip-big", action="store_true", help="only the small project")
    parser.add_argument("--skip-small", action="store_true", help="only the 100k-file page")
    parser.add_argument(
        "--profile", action="store_true", help="print import costs and a cProfile of versions six"
    )
    args = parser.parse_args()
    with common.temp_dir() as tmp:
        home, work = Path(tmp) / "home", Path(tmp) / "work"
        home.mkdir()
        work.mkdir()
        if args.profile:
            profile(home, work)
            return
        rows = [] if args.skip_small else small(args.runs, home, work)
        if not args.skip_big:
            rows += big(max(3, args.runs // 3), args.files, home, work)
    common.emit(rows, as_json=args.json, title=f"versions, median of alternated runs ({args.runs})")


if __name__ == "__main__":
    main()
