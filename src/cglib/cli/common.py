"""Options every command shares, and the per-run session built from them.

Only cheap imports at module level: ``cglib --help`` must not load the
network stack, keyring or rich's progress machinery.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from cglib.cli.output import Output

if TYPE_CHECKING:
    from cglib.auth import Resolved
    from cglib.client import IndexClient
    from cglib.config import Index, Settings

__all__ = [
    "IndexNameOpt",
    "IndexUrlOpt",
    "JsonOpt",
    "NoInputOpt",
    "QuietOpt",
    "Session",
    "VerboseOpt",
    "current_output",
    "with_session",
]

IndexUrlOpt = Annotated[
    Optional[str],  # noqa: UP045 - typer needs a runtime type on 3.10
    typer.Option(
        "--index-url",
        metavar="URL",
        help="Index to use (default: $CGLIB_INDEX_URL, else Chainguard's Python index).",
        show_default=False,
    ),
]
IndexNameOpt = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--index",
        metavar="NAME",
        help="Chainguard index by short name: python, remediated, cu126, cu128, cu129.",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON document on stdout.")]
VerboseOpt = Annotated[
    int,
    typer.Option(
        "--verbose", "-v", count=True, show_default=False, help="Say more on stderr (repeatable)."
    ),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Only results and errors.")]
NoInputOpt = Annotated[
    bool,
    typer.Option(
        "--no-input",
        help="Never prompt or touch an interactive keyring (implied without a TTY; "
        "env CGLIB_NO_INPUT).",
    ),
]

_current: list[Output] = []

_COMMON_OPTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("index_url", IndexUrlOpt, None),
    ("index", IndexNameOpt, None),
    ("json", JsonOpt, False),
    ("verbose", VerboseOpt, 0),
    ("quiet", QuietOpt, False),
    ("no_input", NoInputOpt, False),
)


def with_session(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the options every command shares, and a :class:`Session`.

    ``command`` takes a ``session`` first, then its own options; the wrapper
    seen by typer takes its own options plus ``--index-url``, ``--index``,
    ``--json``, ``-v``, ``-q`` and ``--no-input``, and builds the session
    from them.
    """
    # eval_str, not typing.get_type_hints: before 3.11 the latter wraps an
    # `Annotated[...] = None` in Optional, hiding typer's Argument/Option.
    signature = inspect.signature(command, eval_str=True)
    own = [p for name, p in signature.parameters.items() if name != "session"]
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=hint)
        for name, hint, default in _COMMON_OPTIONS
    ]

    @functools.wraps(command)
    def wrapper(**options: Any) -> None:
        session = Session(
            index_url=options.pop("index_url"),
            index_name=options.pop("index"),
            json_mode=options.pop("json"),
            verbose=options.pop("verbose"),
            quiet=options.pop("quiet"),
            no_input=options.pop("no_input"),
        )
        command(session, **options)

    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*own, *shared], return_annotation=None
    )
    wrapper.__annotations__ = {
        **{p.name: p.annotation for p in own},
        **{name: hint for name, hint, _ in _COMMON_OPTIONS},
    }
    return wrapper


def current_output() -> Output | None:
    """The output of the command running now (for the error handler)."""
    return _current[-1] if _current else None


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "false", "no", "off")


class Session:
    """Everything a command needs: output, index, settings, credentials, client."""

    def __init__(
        self,
        *,
        index_url: str | None = None,
        index_name: str | None = None,
        json_mode: bool = False,
        verbose: int = 0,
        quiet: bool = False,
        no_input: bool = False,
    ) -> None:
        self.output = Output(json_mode=json_mode, verbose=verbose, quiet=quiet)
        _current.append(self.output)
        self.no_input = no_input or _truthy(os.environ.get("CGLIB_NO_INPUT")) or not _stdin_is_tty()
        self._index_url = index_url
        self._index_name = index_name
        self._index: Index | None = None
        self._settings: Settings | None = None
        self._resolved: Resolved | None = None

    @property
    def index(self) -> Index:
        if self._index is None:
            from cglib.config import resolve_index

            self._index = resolve_index(self._index_url, self._index_name)
            self.output.add_secret(self._index.url_password)
            self.output.note(f"index: {self._index.url}")
        return self._index

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from cglib.config import Settings

            self._settings = Settings.from_env()
        return self._settings

    def credentials(self) -> Resolved:
        """Resolve the credentials once; warnings and notes go to stderr."""
        if self._resolved is None:
            from cglib.auth import resolve_credentials

            env = dict(os.environ)
            if self.no_input:
                env["CGLIB_NO_INPUT"] = "1"
            resolved = resolve_credentials(self.index, env)
            if resolved.credentials is not None:
                self.output.add_secret(resolved.credentials.password)
            for warning in resolved.warnings:
                self.output.warn(warning)
            for note in resolved.notes:
                self.output.note(note)
            user = resolved.credentials.username if resolved.credentials else None
            shown = f" (user {user})" if user else ""
            self.output.note(f"credentials: {resolved.source}{shown}")
            self._resolved = resolved
        return self._resolved

    def client(self) -> IndexClient:
        from cglib.client import IndexClient

        resolved = self.credentials()
        index = self.index
        if resolved.credentials is None and index.is_chainguard:
            # Chainguard's indexes answer nothing without credentials: say so
            # now rather than after a round trip.
            from cglib.errors import ConfigError

            raise ConfigError(
                f"{index.url} needs credentials and none were found",
                url=index.url,
                hint="run `cglib login`, or set CHAINGUARD_PYTHON_IDENTITY_ID and "
                "CHAINGUARD_PYTHON_TOKEN (`chainctl auth pull-token --output env` prints them)",
            )
        return IndexClient(
            self.index,
            resolved.credentials,
            credentials_source=resolved.source,
            settings=self.settings,
            log=self.output.note,
        )


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False
