"""Snapshots of ``--help`` for the root and every command, so that a change of
wording shows up in review.

The expected texts are in tests/data/help/ (``cglib.txt``, ``cglib-versions.txt``,
``cglib-auth-status.txt``, ...), rendered at 80 columns with the version
replaced by ``VERSION``.  After a deliberate change, regenerate them with::

    CGLIB_UPDATE_HELP=1 python -m pytest tests/test_help.py

and review the diff.  A new command gets its file the same way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import typer

from cglib.__about__ import __version__
from cglib.cli.app import COMMANDS, build_app

HELP_DIR = Path(__file__).parent / "data" / "help"
UPDATE = bool(os.environ.get("CGLIB_UPDATE_HELP"))


def command_paths() -> list[tuple[str, ...]]:
    """The root and every command and subcommand, found by walking the tree."""
    paths: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        paths.append(path)
        if not hasattr(command, "list_commands"):
            return
        ctx = typer.Context(command, info_name=path[-1] if path else "cglib")
        for name in command.list_commands(ctx):
            walk(command.get_command(ctx, name), (*path, name))

    walk(build_app(), ())
    return paths


PATHS = command_paths()


def snapshot(path: tuple[str, ...]) -> Path:
    return HELP_DIR / ("-".join(("cglib", *path)) + ".txt")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "cglib")
def test_help_text(cli, monkeypatch, path):
    monkeypatch.setenv("COLUMNS", "80")
    result = cli(*path, "--help")
    assert result.exit_code == 0, result.stderr
    text = result.stdout.replace(__version__, "VERSION")
    expected = snapshot(path)
    if UPDATE:
        HELP_DIR.mkdir(parents=True, exist_ok=True)
        expected.write_text(text)
    assert expected.exists(), f"no {expected.name}: run with CGLIB_UPDATE_HELP=1"
    assert text == expected.read_text(), f"{expected.name} differs (CGLIB_UPDATE_HELP=1)"


def test_no_stale_snapshots():
    assert sorted(p.name for p in HELP_DIR.glob("*.txt")) == sorted(
        snapshot(path).name for path in PATHS
    )


def test_every_listed_command_exists():
    assert {path[0] for path in PATHS if path} == set(COMMANDS)
