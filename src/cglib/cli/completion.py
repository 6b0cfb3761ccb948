"""``cglib completion SHELL``: print the shell completion script.

The script calls ``cglib`` back with ``_CGLIB_COMPLETE`` set; typer answers
those calls before any command runs (and costs nothing when it is unset).
"""

from __future__ import annotations

import enum
from typing import Annotated

import typer

__all__ = ["register"]

PROG = "cglib"
COMPLETE_VAR = "_CGLIB_COMPLETE"


class Shell(str, enum.Enum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def register(app: typer.Typer) -> None:
    app.command(
        "completion",
        help="Print the shell completion script for bash, zsh or fish.",
        epilog="Examples:  cglib completion bash > ~/.local/share/bash-completion/completions/"
        "cglib;  cglib completion zsh > ~/.zfunc/_cglib;  "
        "cglib completion fish > ~/.config/fish/completions/cglib.fish",
    )(completion)


def completion(
    shell: Annotated[Shell, typer.Argument(metavar="SHELL", help="bash, zsh or fish.")],
) -> None:
    # What typer's own --show-completion prints, from its public completion
    # module (loaded with typer.main anyway), which re-exports it implicitly.
    from typer.completion import get_completion_script  # type: ignore[attr-defined]

    typer.echo(get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell.value))
