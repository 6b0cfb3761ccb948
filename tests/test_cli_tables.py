"""`cglib versions` on a real terminal: tables that fit 60, 80 and 120 columns.

The installed ``cglib`` runs under a pseudo-terminal of each width against a
small local index.  What a person must always get: no line wider than the
terminal (the one exception: a file name wider than the terminal, alone on
its line), every file name whole on one line, every file under a line that
names its version, and no word broken (every word on the screen is a word of
the same listing printed on a terminal wide enough for everything, or a
value cut with ``…``).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cglib.cli.tables import Column, cells, fit, short_tags
from support.dists import wheel_zoo
from support.fakeindex import FakeIndex, serve_http
from support.isolation import isolated_env
from support.servers import cglib_executable
from support.terminal import run_in_terminal, strip_ansi

WIDTHS = (60, 80, 120)
REASON = "a broken build that nobody should install: see the tracker for the details of it"

MIXED = [
    {
        "filename": "mixed-2.1.0-cp312-cp312-manylinux_2_28_x86_64.whl",
        "requires-python": ">=3.9",
        "size": 12_345_678,
        "upload-time": "2025-01-02T03:04:05Z",
    },
    {
        "filename": "mixed-2.1.0-py3-none-any.whl",
        "requires-python": ">=3.8, !=3.9.0, !=3.9.1",
        "size": 45_678,
        "upload-time": "2025-01-02T03:04:05Z",
    },
    {
        "filename": "mixed-2.1.0.tar.gz",
        "requires-python": ">=3.9",
        "size": 99_999,
        "upload-time": "2025-01-02T03:04:06Z",
    },
    {
        "filename": "mixed-2.0.0-py3-none-any.whl",
        "yanked": REASON,
        "size": 45_000,
        "upload-time": "2024-06-01T00:00:00Z",
    },
    {
        "filename": "mixed-2.0.0.tar.gz",
        "yanked": REASON,
        "size": 95_000,
        "upload-time": "2024-06-01T00:00:00Z",
    },
    {
        "filename": "mixed-1.0.0-cp38-abi3-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
        "size": 1_000,
        "upload-time": "2023-01-01T00:00:00Z",
    },
    {
        "filename": "mixed-1.0.0-cp38-abi3-macosx_10_9_universal2.whl",
        "yanked": True,
        "size": 1_000,
        "upload-time": "2023-01-01T00:00:00Z",
    },
]
VERSIONS = {
    "wheelzoo": {name: "1.0.0" for name in wheel_zoo()},
    "mixed": {str(f["filename"]): str(f["filename"]).split("-")[1] for f in MIXED},
}
for _name in list(VERSIONS["mixed"]):
    if _name.endswith(".tar.gz"):
        VERSIONS["mixed"][_name] = _name.removeprefix("mixed-").removesuffix(".tar.gz")


@pytest.fixture(scope="module")
def index_url():
    """The index URL of each project: wheelzoo on a PEP 503 page (no sizes, no
    times), mixed on a PEP 691 one."""
    zoo = FakeIndex(form="html", store=None)
    for name in wheel_zoo():
        zoo.link("wheelzoo", name)
    mixed = FakeIndex(form="json", store=None)
    for f in MIXED:
        mixed.link(
            "mixed",
            str(f["filename"]),
            bytes(int(str(f["size"]))),
            requires_python=f.get("requires-python"),
            yanked=f.get("yanked", False),
            upload_time=f["upload-time"],
        )
    with serve_http(zoo), serve_http(mixed):
        yield {"wheelzoo": zoo.url, "mixed": mixed.url}


def _screen(
    index_url: dict[str, str], home: Path, columns: int, project: str, *args: str
) -> list[str]:
    code, text = run_in_terminal(
        [cglib_executable(), "versions", project, *args, "-i", index_url[project]],
        columns=columns,
        env=isolated_env(home),
    )
    assert code == 0, text
    return strip_ansi(text).rstrip("\n").split("\n")


def _words(lines: list[str]) -> set[str]:
    return {word for line in lines for word in line.split()}


@pytest.mark.parametrize("columns", WIDTHS)
@pytest.mark.parametrize("project", ["wheelzoo", "mixed"])
def test_files_fit_the_terminal(index_url, isolate, project, columns):
    lines = _screen(index_url, isolate, columns, project, "--files")
    files = VERSIONS[project]
    wide = _screen(index_url, isolate, 400, project, "--files")
    for line in lines:
        # Only a file name wider than the terminal may overflow, alone on its line.
        assert cells(line) <= columns or (line.strip() in files and len(line.strip()) > columns)
    seen = {}
    current = None
    versions = set(files.values())
    for line in lines:
        words = line.split()
        if words and not line.startswith(" ") and words[0] in versions:
            current = words[0]
        for word in words:
            if word in files:
                seen[word] = current
    # Every file name is whole on one line, under its own version.
    assert seen == files
    # No word is broken: each word is one of the wide listing, or a value cut with "…".
    cut = {w for w in _words(lines) - _words(wide) if not w.endswith("…")}
    assert not cut


@pytest.mark.parametrize("columns", WIDTHS)
def test_wheelzoo_stays_readable(index_url, isolate, columns):
    lines = _screen(index_url, isolate, columns, "wheelzoo", "--files")
    # One line per file plus a title, the version, at most a header: not 884 lines.
    assert len(lines) <= len(wheel_zoo()) + 3
    if columns >= 120:
        assert any("cp312 manylinux_2_17 x86_64" in line for line in lines)


@pytest.mark.parametrize("columns", WIDTHS)
def test_versions_table_fits(index_url, isolate, columns):
    lines = _screen(index_url, isolate, columns, "mixed")
    wide = _screen(index_url, isolate, 400, "mixed")
    assert all(cells(line) <= columns for line in lines)
    firsts = [line.split()[0] for line in lines[2:] if line and not line.startswith(" ")]
    assert firsts[:3] == ["2.1.0", "2.0.0", "1.0.0"]
    cut = {w for w in _words(lines) - _words(wide) if not w.endswith("…")}
    assert not cut
    assert any("yanked:" in line for line in lines)
    if columns >= 120:
        assert any("2025-01-02" in line for line in lines)  # upload dates when there is room


def test_narrow_drops_low_value_columns_first(index_url, isolate):
    wide = "\n".join(_screen(index_url, isolate, 160, "mixed", "--files"))
    middle = "\n".join(_screen(index_url, isolate, 120, "mixed", "--files"))
    narrow = "\n".join(_screen(index_url, isolate, 80, "mixed", "--files"))
    assert "12.3 MB" in wide
    assert "cp312 manylinux_2_28 x86_64" in wide
    assert "!=3.9.1" in wide  # requires-python per file, as the files of 2.1.0 differ
    # The size goes before the tags; the requires-python stays on the version's line.
    assert "12.3 MB" not in middle
    assert "cp312 manylinux_2_28 x86_64" in middle
    assert "requires-python >=3.8" in middle
    assert "cp312 manylinux_2_28 x86_64" not in narrow


def test_piped_output_is_unchanged(index_url, isolate):
    done = subprocess.run(
        [cglib_executable(), "versions", "mixed", "--files", "-i", index_url["mixed"]],
        capture_output=True,
        text=True,
        env=isolated_env(isolate),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    rows = [line.split("\t") for line in done.stdout.splitlines()]
    assert rows[0] == [
        "2.1.0",
        "mixed-2.1.0-cp312-cp312-manylinux_2_28_x86_64.whl",
        "wheel",
        "cp312",
        "manylinux_2_28_x86_64",
        ">=3.9",
        "12.3 MB",
        "2025-01-02",
    ]
    assert rows[3][0] == "2.0.0"
    assert rows[3][-1] == f"yanked: {REASON}"
    assert len(rows) == len(MIXED)


@pytest.mark.parametrize(
    ("tags", "short"),
    [
        (("cp312", "cp312", "manylinux_2_28_x86_64"), "cp312 manylinux_2_28 x86_64"),
        (("py3", "none", "any"), "py3 any"),
        (("py2.py3", "none", "any"), "py2.py3 any"),
        (
            ("cp38", "cp38", "manylinux_2_17_x86_64.manylinux2014_x86_64"),
            "cp38 manylinux_2_17 x86_64",
        ),
        (("cp38", "abi3", "win_amd64"), "cp38 abi3 win amd64"),
        (("cp313", "cp313t", "macosx_11_0_arm64"), "cp313t macosx_11_0 arm64"),
        (("cp311", "cp311", "manylinux2014_x86_64"), "cp311 manylinux2014 x86_64"),
        (("cp311", "cp311", "win32"), "cp311 win32"),
    ],
)
def test_short_tags(tags, short):
    assert short_tags(*tags) == short


def test_fit_drops_in_order_and_never_below_a_word():
    columns = [Column("Name"), Column("Note", wrap=True), Column("A", drop=2), Column("B", drop=1)]
    rows = [["alpha", "some words here", "aaaaaaaaaa", "bbbbbbbbbb"]]
    assert fit(columns, rows, 200) == [(0, 5), (1, 15), (2, 10), (3, 10)]
    # B goes first, then A; the note shrinks to its longest word, never less.
    assert fit(columns, rows, 5 + 2 + 15 + 2 + 10) == [(0, 5), (1, 15), (2, 10)]
    assert fit(columns, rows, 5 + 2 + 10) == [(0, 5), (1, 10)]
    assert fit(columns, rows, 5 + 2 + 5) == [(0, 5), (1, 5)]
    assert fit(columns, rows, 5 + 2 + 4) is None
