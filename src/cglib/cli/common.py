"""Options every command shares, turned into a :class:`~cglib.cli.session.Session`.

The shared options are accepted before the command name (by the root
callback, :func:`cglib.cli.app.build_app`) and after it (by each command,
through :func:`with_session`); :func:`merge_shared` combines the two.

Only cheap imports at module level: ``cglib --help`` must not load the
network stack, keyring or rich's progress machinery.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Optional

import typer

from cglib.cli.session import Session, current_output

__all__ = [
    "SHARED_OPTIONS",
    "AllowInsecureHttpOpt",
    "IndexNameOpt",
    "IndexUrlOpt",
    "JsonOpt",
    "NoInputOpt",
    "QuietOpt",
    "Session",
    "VerboseOpt",
    "current_output",
    "merge_shared",
    "with_session",
]

IndexUrlOpt = Annotated[
    Optional[str],  # noqa: UP045 - typer needs a runtime type on 3.10
    typer.Option(
        "--index-url",
        "-i",
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

AllowInsecureHttpOpt = Annotated[
    bool,
    typer.Option(
        "--allow-insecure-http",
        help="Send credentials over plain http to a host outside the loopback range "
        "(env CGLIB_ALLOW_INSECURE_HTTP).",
    ),
]

#: (parameter name, annotated type, default) of every shared option.
SHARED_OPTIONS: tuple[tuple[str, Any, Any], ...] = (
    ("index_url", IndexUrlOpt, None),
    ("index", IndexNameOpt, None),
    ("json", JsonOpt, False),
    ("verbose", VerboseOpt, 0),
    ("quiet", QuietOpt, False),
    ("no_input", NoInputOpt, False),
    ("allow_insecure_http", AllowInsecureHttpOpt, False),
)


def merge_shared(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """The :class:`Session` arguments from the shared options given before the
    command name (``before``) and after it (``after``).

    The index nearest the command wins: when ``after`` names one (``--index-url``
    or ``--index``), ``before``'s are ignored.  ``-v`` counts add up; the flags
    (``--json``, ``-q``, ``--no-input``, ``--allow-insecure-http``) hold when given in either place.
    """
    near = after if (after.get("index_url") or after.get("index")) else before
    return {
        "index_url": near.get("index_url"),
        "index_name": near.get("index"),
        "json_mode": bool(before.get("json") or after.get("json")),
        "verbose": int(before.get("verbose") or 0) + int(after.get("verbose") or 0),
        "quiet": bool(before.get("quiet") or after.get("quiet")),
        "no_input": bool(before.get("no_input") or after.get("no_input")),
        "allow_insecure_http": bool(
            before.get("allow_insecure_http") or after.get("allow_insecure_http")
        ),
    }


_CONTEXT = "cglib_context"


def with_session(command: Callable[..., None]) -> Callable[..., None]:
    """Give ``command`` the options every command shares, and a :class:`Session`.

    ``command`` takes a ``session`` first, then its own options; the wrapper
    seen by typer takes its own options plus ``--index-url``/``-i``, ``--index``,
    ``--json``, ``-v``, ``-q`` and ``--no-input``, and builds the session from
    them and from the same options given before the command name (the root
    command's parameters, found through the click context).
    """
    # eval_str, not typing.get_type_hints: before 3.11 the latter wraps an
    # `Annotated[...] = None` in Optional, hiding typer's Argument/Option.
    signature = inspect.signature(command, eval_str=True)
    own = [p for name, p in signature.parameters.items() if name != "session"]
    shared = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=hint)
        for name, hint, default in SHARED_OPTIONS
    ]
    context = inspect.Parameter(_CONTEXT, inspect.Parameter.KEYWORD_ONLY, annotation=typer.Context)

    @functools.wraps(command)
    def wrapper(**options: Any) -> None:
        ctx: typer.Context = options.pop(_CONTEXT)
        after = {name: options.pop(name) for name, _, _ in SHARED_OPTIONS}
        before = ctx.find_root().params if ctx.parent is not None else {}
        session = Session(**merge_shared(before, after))
        command(session, **options)

    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*own, *shared, context], return_annotation=None
    )
    wrapper.__annotations__ = {
        **{p.name: p.annotation for p in own},
        **{name: hint for name, hint, _ in SHARED_OPTIONS},
        _CONTEXT: typer.Context,
    }
    return wrapper
