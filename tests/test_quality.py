"""Lint and type checks are part of the suite: ruff and mypy (strict on src) must be clean."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600
    )


def test_ruff_lint():
    done = _run("ruff", "check", "src", "tests", "benchmarks")
    assert done.returncode == 0, done.stdout + done.stderr


def test_ruff_format():
    done = _run("ruff", "format", "--check", "src", "tests", "benchmarks")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict():
    """Strict on src/cglib; the tests checked too (bodies, not annotations)."""
    done = _run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr
    checked = int(re.search(r"in (\d+) source files", done.stdout)[1])  # type: ignore[index]
    sources = [*(ROOT / "src" / "cglib").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]
    assert checked >= len(sources), "mypy does not check all of src/cglib and tests/"


HEAVY = ("httpx", "keyring", "rich", "packaging")


def test_building_the_app_imports_no_heavy_module():
    code = (
        "import sys\n"
        "from cglib.cli.app import build_app\n"
        "build_app()\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


def test_cglib_help_imports_no_heavy_module_and_no_command():
    """`cglib --help` as a user runs it: a fresh process, the real entry point."""
    from cglib.cli.app import COMMANDS

    modules = (*HEAVY, *sorted({f"cglib.cli.{entry.module}" for entry in COMMANDS.values()}))
    code = (
        "import runpy, sys\n"
        "sys.argv = ['cglib', '--help']\n"
        "try:\n"
        "    runpy.run_module('cglib', run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        f"print(','.join(m for m in {modules!r} if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Commands:" in done.stdout
    assert done.stderr.strip() == ""


def test_no_public_registry_hosts_in_tree():
    banned = ("pypi" + ".org", "python" + "hosted")
    offenders = []
    for path in ROOT.rglob("*"):
        if any(
            part
            in {
                ".venv",
                ".git",
                ".mypy_cache",
                ".ruff_cache",
                ".pytest_cache",
                "__pycache__",
                ".hypothesis",
            }
            or part.startswith(".venv")
            for part in path.parts
        ):
            continue
        if path.is_file() and path.suffix in {".py", ".md", ".toml", ".txt", ".html", ".json"}:
            text = path.read_text(errors="replace").lower()
            offenders += [f"{path.relative_to(ROOT)}: {b}" for b in banned if b in text]
    assert offenders == []
