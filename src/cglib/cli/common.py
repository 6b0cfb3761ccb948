"""Options every command shares, turned into a :class:`~cglib.cli.session.Session`.

Only cheap imports at module level: ``cglib --help`` must not load the
network stack, keyring or rich's progress machinery.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, Optional

import typer

from cglib.cli.session import Session, current_output

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
