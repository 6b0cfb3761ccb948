"""`cglib search` without typer (cglib.cli.quick): it takes exactly the plain
command lines, leaves everything else to typer, and does what typer would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tests.support.rootserver import root_server

from cglib.cli.main import run
from cglib.cli.quick import parse

NAMES = ["six", "sixer", "requests", "requests-oauthlib", "Zope.Interface", "Django"]


@pytest.mark.parametrize(
    "argv",
    [
        ["search", "six"],
        ["search", "six", "--json"],
        ["search", "--json", "six"],
        ["search", "six", "-n", "3"],
        ["search", "six", "--limit", "3"],
        ["search", "six", "--limit=3"],
        ["search", "six", "-v"],
        ["search", "six", "-vv", "--verbose"],
        ["search", "six", "-q", "--no-input"],
        ["search", "six", "--refresh"],
        ["search", "six", "--offline"],
        ["search", "six", "--index", "python"],
        ["search", "six", "--index-url", "https://example.org/simple/"],
        ["search", "six", "--index-url=https://example.org/simple/"],
        ["search", ""],
    ],
)
def test_plain_command_lines_are_taken(argv: list[str]) -> None:
    assert parse(argv) is not None


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["versions", "six"],
        ["search"],
        ["search", "--help"],
        ["search", "six", "-h"],
        ["search", "six", "sixer"],
        ["search", "six", "--limit", "0"],
        ["search", "six", "--limit", "many"],
        ["search", "six", "--limit"],
        ["search", "six", "--limit", "--json"],
        ["search", "six", "-n3"],
        ["search", "six", "--json", "--json"],
        ["search", "six", "--json=yes"],
        ["search", "six", "--index-url="],
        ["search", "six", "--colour"],
        ["search", "--", "six"],
        ["search", "-six"],
        ["search", "six", "--v"],
        ["search", "six", "-vq"],
    ],
)
def test_everything_else_is_left_to_typer(argv: list[str]) -> None:
    assert parse(argv) is None


def _both(
    argv: list[str],
    capsys: pytest.CaptureFixture[str],
    prepare: Callable[[], object] = lambda: None,
) -> list[tuple[int, str, str]]:
    """The outcome of ``argv`` without typer and through typer, each run
    after ``prepare()``."""
    outcomes = []
    for quick in (True, False):
        prepare()
        capsys.readouterr()
        code = run(list(argv), quick=quick)
        captured = capsys.readouterr()
        outcomes.append((code, captured.out, captured.err))
    return outcomes


@pytest.mark.parametrize(
    "extra",
    [
        [],
        ["--json"],
        ["-v"],
        ["-q"],
        ["--limit", "1"],
        ["--offline"],
        ["--refresh", "-v"],
        ["--refresh", "--offline"],
    ],
    ids=lambda extra: " ".join(extra) or "plain",
)
@pytest.mark.parametrize("query", ["six", "reqeusts", "nothing-like-it", " "])
def test_same_outcome_as_through_typer(
    extra: list[str],
    query: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("CGLIB_USERNAME", "user")
    monkeypatch.setenv("CGLIB_PASSWORD", "s3cret-token")
    runs = iter(range(100))

    def fresh_cache(warm: bool) -> None:
        monkeypatch.setenv("CGLIB_CACHE_DIR", str(tmp_path / str(next(runs))))
        if warm:
            assert run(["search", "six", "--index-url", server.url]) == 0

    with root_server(NAMES) as server:
        argv = ["search", query, "--index-url", server.url, *extra]
        for warm in (False, True):
            quick, typer = _both(argv, capsys, lambda warm=warm: fresh_cache(warm))
            assert quick == typer, (warm, argv)
            assert "s3cret-token" not in quick[1] + quick[2]


def test_same_errors_as_through_typer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # No credentials for Chainguard's index: exit 3 before any request.
    quick, typer = _both(["search", "six", "--index", "python"], capsys)
    assert quick == typer
    assert quick[0] == 3
    # An unknown index name: a usage error (exit 2).
    quick, typer = _both(["search", "six", "--index", "nope"], capsys)
    assert quick == typer
    assert quick[0] == 2
    # Both --index-url and --index.
    argv = ["search", "six", "--index", "python", "--index-url", "https://example.org/simple/"]
    quick, typer = _both(argv, capsys)
    assert quick == typer
    assert quick[0] == 2
