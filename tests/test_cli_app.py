"""The typer application (cglib.cli.app): commands found by name, a misspelt
one suggested, and each command's module imported only when it is needed."""

from __future__ import annotations

import subprocess
import sys


def test_a_misspelt_command_is_suggested(cli):
    result = cli("verions", "six")
    assert result.exit_code == 2
    assert "Did you mean 'versions'?" in result.stderr


# -- what each command line imports ---------------------------------------------------------

_IMPORTS = """
import runpy, sys

INDEX = "https://example.org/simple/"
sys.argv = ["cglib", *sys.argv[1:]]
try:
    runpy.run_module("cglib", run_name="__main__")
except SystemExit:
    pass
names = ("httpx", "keyring", "rich", "packaging", "cglib.cli.search",
         "cglib.cli.versions", "cglib.cli.download", "cglib.cli.login", "cglib.cli.completion")
print(",".join(n for n in names if n in sys.modules), file=sys.stderr)
"""


def imported(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS, *args], capture_output=True, text=True, timeout=60
    )
    last = done.stderr.strip().splitlines()[-1]
    return set(last.split(",")) - {""}


def test_a_command_help_imports_only_that_command() -> None:
    assert imported("versions", "--help") == {"cglib.cli.versions"}
    assert imported("search", "-h") == {"cglib.cli.search"}
    assert imported("auth", "status", "--help") == {"cglib.cli.login"}
