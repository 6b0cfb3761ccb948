"""The typer application: one thin module per command registers itself here."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import typer

from cglib.__about__ import __version__

__all__ = ["build_app"]

HELP = f"""cglib {__version__}: browse and download from private Python package indexes
(Chainguard Libraries for Python by default).

Credentials come from the index URL, the environment
(CHAINGUARD_PYTHON_IDENTITY_ID + CHAINGUARD_PYTHON_TOKEN), the keyring (`cglib login`)
or netrc, in that order.

Exit codes: 0 ok, 2 usage, 3 configuration, 4 authentication, 5 not found,
6 network, 7 integrity, 8 policy, 9 local file system, 130 interrupted.
"""

# Each module has `register(app)`; the order is the order in --help.
COMMAND_MODULES = (
    "search",
    "versions",
    "show",
    "download",
    "check",
    "login",
    "configure",
    "cache",
    "config_cmd",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cglib {__version__}")
        raise typer.Exit()


class MainCommand(Protocol):
    """What cli.main needs of the built command (a click command)."""

    def main(
        self, args: Sequence[str] | None = ..., prog_name: str | None = ..., **extra: Any
    ) -> Any: ...


def build_app() -> MainCommand:
    """Build the click command behind ``cglib``."""
    import importlib

    app = typer.Typer(
        name="cglib",
        help=HELP,
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def _root(
        version: bool = typer.Option(
            False,
            "--version",
            "-V",
            callback=_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ) -> None:
        """Browse and download from private Python package indexes."""

    for name in COMMAND_MODULES:
        module = importlib.import_module(f"cglib.cli.{name}")
        module.register(app)
    return typer.main.get_command(app)
