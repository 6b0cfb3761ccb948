"""How fast cglib reads big index pages, against the 0.3 s goal and html.parser.

Generates, in memory, a project page of 100 versions x 1,000 wheels (100,000
files) in PEP 503 HTML (absolute and relative links, ``#sha256=`` fragments,
``data-requires-python``, core metadata) and PEP 691 JSON, and a root page of
600,000 names in both forms; then times ``cglib.simple`` on each (median of
5 runs, the forms alternated) and a plain ``html.parser`` anchor collector,
which is what a parser built on the standard library would cost.

    python benchmarks/bench_parse.py [--files N] [--names N] [--runs N]
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import statistics
import time
from collections.abc import Callable
from html import escape
from html.parser import HTMLParser

from cglib.models import DistributionFile
from cglib.simple import _ANCHOR, _make_file, parse_project_list, parse_project_page

PAGE_URL = "https://libraries.example.org/python/simple/example-pkg/"
ROOT_URL = "https://libraries.example.org/python/simple/"
HTML = "text/html; charset=utf-8"
JSON = "application/vnd.pypi.simple.v1+json"
GOAL_PAGE = 0.3
GOAL_ROOT = 0.8

PYTHONS = ["cp38", "cp39", "cp310", "cp311", "cp312", "cp313", "cp314", "pp39", "pp310", "pp311"]
PLATFORMS = (
    [
        f"{family}_{arch}"
        for family in (
            [f"manylinux_2_{minor}" for minor in range(17, 40)]
            + [f"musllinux_1_{minor}" for minor in range(1, 3)]
        )
        for arch in ("x86_64", "aarch64", "ppc64le", "s390x")
    ]
    + [f"macosx_{major}_0_arm64" for major in range(11, 16)]
    + ["win_amd64", "win32"]
)


def _files(count: int) -> list[tuple[str, str, str]]:
    """(filename, unique id, sha256) for ``count`` wheels, 1,000 a version."""
    out = []
    per_version = 1000
    for index in range(count):
        version = f"{index // per_version // 10}.{index // per_version % 10}.{index % 3}"
        combo = index % per_version
        python = PYTHONS[combo % len(PYTHONS)]
        platform = PLATFORMS[combo // len(PYTHONS) % len(PLATFORMS)]
        build = f"-{combo // (len(PYTHONS) * len(PLATFORMS))}" if combo >= 960 else ""
        filename = f"example_pkg-{version}{build}-{python}-{python}-{platform}.whl"
        digest = hashlib.sha256(filename.encode()).hexdigest()
        unique = hashlib.sha1(filename.encode()).hexdigest()  # an id, not security
        out.append((filename, unique, digest))
    return out


def project_html(
    files: list[tuple[str, str, str]], *, relative: bool, metadata: bool = True
) -> bytes:
    """PyPI's shape: every link with its hash, requires-python and the core
    metadata hash under both attribute names; ``metadata=False`` leaves the
    last two out (pypiserver's and many private indexes' shape)."""
    prefix = "../../files/" if relative else "https://libraries.example.org/python/files/"
    lines = [
        "<!DOCTYPE html>\n<html>\n<head>\n"
        '<meta name="pypi:repository-version" content="1.1">\n'
        "<title>Links for example-pkg</title>\n</head>\n<body>\n<h1>Links for example-pkg</h1>\n"
    ]
    requires = escape(">=3.8", quote=True)
    for filename, unique, digest in files:
        core = (
            f' data-dist-info-metadata="sha256={digest}" data-core-metadata="sha256={digest}"'
            if metadata
            else ""
        )
        lines.append(
            f'<a href="{prefix}{unique}/{filename}#sha256={digest}" '
            f'data-requires-python="{requires}"{core}>{filename}</a><br/>\n'
        )
    lines.append("</body>\n</html>\n")
    return "".join(lines).encode()


def project_json(files: list[tuple[str, str, str]]) -> bytes:
    return json.dumps(
        {
            "meta": {"api-version": "1.1"},
            "name": "example-pkg",
            "files": [
                {
                    "filename": filename,
                    "url": f"../../files/{unique}/{filename}",
                    "hashes": {"sha256": digest},
                    "requires-python": ">=3.8",
                    "core-metadata": {"sha256": digest},
                    "size": 123456 + n,
                    "upload-time": "2026-11-24T08:57:12.123456Z",
                    "yanked": False,
                }
                for n, (filename, unique, digest) in enumerate(files)
            ],
            "versions": sorted({f[0].split("-")[1] for f in files}),
        }
    ).encode()


def root_html(count: int) -> bytes:
    body = "".join(f'<a href="project-{n}/">project-{n}</a><br/>\n' for n in range(count))
    return f"<!DOCTYPE html><html><body>\n{body}</body></html>\n".encode()


def root_json(count: int) -> bytes:
    names = [{"name": f"project-{n}"} for n in range(count)]
    return json.dumps({"meta": {"api-version": "1.0"}, "projects": names}).encode()


class _Anchors(HTMLParser):
    """The least an html.parser-based reader does: collect anchor attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[tuple[dict[str, str | None], str]] = []
        self._current: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._current = dict(attrs)
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._current is not None:
            self.anchors.append((self._current, "".join(self._text)))
            self._current = None


def html_parser_anchors(body: bytes) -> int:
    parser = _Anchors()
    parser.feed(body.decode())
    parser.close()
    return len(parser.anchors)


def _rebuild(files: tuple[DistributionFile, ...]) -> list[DistributionFile]:
    """New file models from the values of ``files``, through the parser's own
    fast constructor: what building the models costs, with nothing to parse."""
    return [
        _make_file(
            f.filename,
            f.url,
            f.project,
            f.version,
            f.kind,
            dict(f.hashes),
            f.requires_python,
            f.yanked,
            f.yanked_reason,
            dict(f.core_metadata) if isinstance(f.core_metadata, dict) else f.core_metadata,
            f.size,
            f.upload_time,
        )
        for f in files
    ]


def timed(func: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--files", type=int, default=100_000)
    cli.add_argument("--names", type=int, default=600_000)
    cli.add_argument("--runs", type=int, default=5)
    args = cli.parse_args()

    files = _files(args.files)
    cases: dict[str, tuple[Callable[[], object], float]] = {}
    pages = {
        "project HTML, absolute links": project_html(files, relative=False),
        "project HTML, relative links": project_html(files, relative=True),
        "project HTML, no metadata attrs": project_html(files, relative=False, metadata=False),
    }
    for label, body in pages.items():
        cases[label] = (
            lambda body=body: parse_project_page(body, HTML, PAGE_URL, "example-pkg"),
            GOAL_PAGE,
        )
    page_json = project_json(files)
    cases["project JSON"] = (
        lambda: parse_project_page(page_json, JSON, PAGE_URL, "example-pkg"),
        GOAL_PAGE,
    )
    names_html, names_json = root_html(args.names), root_json(args.names)
    cases["root HTML"] = (lambda: parse_project_list(names_html, HTML, ROOT_URL), GOAL_ROOT)
    cases["root JSON"] = (lambda: parse_project_list(names_json, JSON, ROOT_URL), GOAL_ROOT)

    # Sanity: every form gives every file.
    for label, (func, _goal) in cases.items():
        result = func()
        count = len(getattr(result, "files", getattr(result, "names", ())))
        expected = args.names if label.startswith("root") else args.files
        assert count == expected, (label, count)

    # Alternate the forms run by run so a noisy neighbour hurts them alike.
    walls: dict[str, list[float]] = {label: [] for label in cases}
    cpus: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(args.runs):
        for label, (func, _goal) in cases.items():
            wall, cpu = timed(func)
            walls[label].append(wall)
            cpus[label].append(cpu)
    baseline_page = timed(lambda: html_parser_anchors(pages["project HTML, absolute links"]))[0]
    baseline_root = timed(lambda: html_parser_anchors(names_html))[0]
    # What no parser of these forms can go below: decoding the JSON, and
    # finding the anchors (both without building anything from them; the
    # garbage collector paused, as cglib does).
    page_html = pages["project HTML, absolute links"]
    parsed = parse_project_page(page_json, JSON, PAGE_URL, "example-pkg").files
    gc.disable()
    try:
        floor_json = statistics.median(timed(lambda: json.loads(page_json))[0] for _ in range(3))
        floor_html = statistics.median(
            timed(lambda: _ANCHOR.findall(page_html.decode()))[0] for _ in range(3)
        )
        # And building the models alone, with every value already at hand.
        floor_models = statistics.median(timed(lambda: _rebuild(parsed))[0] for _ in range(3))
    finally:
        gc.enable()

    print(
        f"{args.files:,} files a project page, {args.names:,} names a root page; "
        f"median of {args.runs} runs (wall clock), and the least CPU time of a run"
    )
    print(f"{'case':30} {'wall s':>7} {'/ goal':>7} {'/ html.parser':>14} {'min CPU s':>10}")
    for label, (_func, goal) in cases.items():
        seconds = statistics.median(walls[label])
        baseline = baseline_root if label.startswith("root") else baseline_page
        print(
            f"{label:30} {seconds:7.3f} {seconds / goal:7.2f} {seconds / baseline:14.2f} "
            f"{min(cpus[label]):10.3f}"
        )
    print(f"{'html.parser anchors, project':30} {baseline_page:7.3f}")
    print(f"{'html.parser anchors, root':30} {baseline_root:7.3f}")
    print(f"{'json.loads alone, project':30} {floor_json:7.3f}")
    print(f"{'anchor regex alone, project':30} {floor_html:7.3f}")
    print(f"{'100k file models alone':30} {floor_models:7.3f}")
    print(
        f"{'floor, HTML (regex + models)':30} {floor_html + floor_models:7.3f}"
        f"   {'floor, JSON (loads + models)':30} {floor_json + floor_models:7.3f}"
    )
    print(f"goals: project page {GOAL_PAGE} s, root page {GOAL_ROOT} s (/ goal <= 1.00 meets it)")


if __name__ == "__main__":
    main()
