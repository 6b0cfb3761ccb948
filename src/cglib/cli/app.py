"""The typer application, with lazily loaded commands.

Each command lives in a module of :mod:`cglib.cli` with ``register(app)``.
The root group knows every command's name and one-line summary
(:data:`COMMANDS`) and imports a command's module only when that command runs,
completes or shows its help: ``cglib --help`` imports none of them.

To add a command: write ``cglib/cli/NAME.py`` with ``register(app)`` and add
one line to :data:`COMMANDS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

import typer
from typer.core import TyperGroup

from cglib.__about__ import __version__
from cglib.cli.common import (
    AllowInsecureHttpOpt,
    IndexNameOpt,
    IndexUrlOpt,
    JsonOpt,
    NoInputOpt,
    QuietOpt,
    VerboseOpt,
)

# click's Context and HelpFormatter, which typer vendors under a private name:
# typed loosely rather than imported from there.
Context = Any
Formatter = Any

__all__ = ["COMMANDS", "Command", "build_app"]

HELP = f"""cglib {__version__}: browse and download from private Python package indexes
(Chainguard Libraries for Python by default).

Credentials come from the index URL, the environment
(CHAINGUARD_PYTHON_IDENTITY_ID + CHAINGUARD_PYTHON_TOKEN for Chainguard, or
CGLIB_USERNAME + CGLIB_PASSWORD for any index), the keyring (`cglib login`)
or netrc, in that order. The options below are also accepted after the command name.

Exit codes: 0 ok, 2 usage, 3 configuration, 4 authentication, 5 not found,
6 network, 7 integrity, 8 policy, 9 local file system, 130 interrupted.
"""


class Command(NamedTuple):
    """Where a command lives and what ``cglib --help`` says of it."""

    module: str  # under cglib.cli, with register(app)
    summary: str


#: Every command, in the order of ``cglib --help``: one line each.
COMMANDS: dict[str, Command] = {
    "search": Command("search", "Find projects in the index by name."),
    "versions": Command("versions", "List a project's versions, newest first."),
    "show": Command("show", "Show one version's metadata without downloading it."),
    "download": Command("download", "Download the right files, verified, with dependencies."),
    "check": Command("check", "Check a lock file against the index; --update its hashes."),
    "login": Command("login", "Check credentials against the index, then store them."),
    "logout": Command("login", "Remove the credentials `cglib login` stored."),
    "auth": Command("login", "Inspect the credentials cglib would use."),
    "configure": Command(
        "configure", "Print the configuration that points pip, uv or poetry here."
    ),
    "cache": Command("cache", "Show or clear cglib's cache."),
    "config": Command("config_cmd", "Show cglib's settings and where each comes from."),
    "completion": Command("completion", "Print the shell completion script (bash, zsh, fish)."),
}

#: Settings shared by the root and each command module's typer app.
_TYPER_SETTINGS: dict[str, Any] = {
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
}


class LazyGroup(TyperGroup):
    """A typer group that imports a command's module when it is first needed."""

    def list_commands(self, ctx: Context) -> list[str]:
        return [*COMMANDS, *(name for name in self.commands if name not in COMMANDS)]

    def get_command(self, ctx: Context, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            self._load(COMMANDS[cmd_name])
        return self.commands.get(cmd_name)

    def _load(self, entry: Command) -> None:
        app = typer.Typer(**_TYPER_SETTINGS)
        importlib.import_module(f"cglib.cli.{entry.module}").register(app)
        for name, command in typer.main.get_group(app).commands.items():
            summary = COMMANDS[name].summary if name in COMMANDS else None
            if summary and not command.short_help:
                command.short_help = summary
            self.commands.setdefault(name, command)

    def format_commands(self, ctx: Context, formatter: Formatter) -> None:
        """The command list of ``cglib --help``, from :data:`COMMANDS` alone."""
        rows = [(name, entry.summary) for name, entry in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def resolve_command(self, ctx: Context, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in self.list_commands(ctx):
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx))
            also = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            ctx.fail(f"No such command {name!r}.{also}")
        return super().resolve_command(ctx, args)


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
    """Build the click command behind ``cglib`` (no command module imported)."""
    app = typer.Typer(
        name="cglib",
        help=HELP,
        cls=LazyGroup,
        no_args_is_help=True,
        context_settings={"help_option_names": ["-h", "--help"]},
        **{**_TYPER_SETTINGS, "add_completion": True},
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
        index_url: IndexUrlOpt = None,
        index: IndexNameOpt = None,
        json: JsonOpt = False,
        verbose: VerboseOpt = 0,
        quiet: QuietOpt = False,
        no_input: NoInputOpt = False,
        allow_insecure_http: AllowInsecureHttpOpt = False,
    ) -> None:
        """Browse and download from private Python package indexes."""
        # The values stay in the root context's params, where each command's
        # with_session finds them (cglib.cli.common.merge_shared).

    return typer.main.get_command(app)
