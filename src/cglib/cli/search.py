"""``cglib search QUERY``: project names in the index matching QUERY."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from cglib.cli.common import Session, with_session

__all__ = ["register"]

DEFAULT_LIMIT = 20


def register(app: typer.Typer) -> None:
    app.command(
        "search",
        help="Find projects in the index by name: exact, prefix, substring, close spellings. "
        "The project list is cached and used without asking the index while it is fresh "
        "(Cache-Control max-age, else 10 minutes; CGLIB_CACHE_MAX_AGE overrides).",
        epilog="Examples:  cglib search flask;  cglib search reqeusts --json;  "
        "cglib search zope --offline",
    )(search)


@with_session
def search(
    session: Session,
    query: Annotated[
        str, typer.Argument(metavar="QUERY", help="A name or part of one (any spelling).")
    ],
    limit: Annotated[
        int, typer.Option("--limit", "-n", min=1, help="At most this many results.")
    ] = DEFAULT_LIMIT,
    refresh: Annotated[
        bool,
        typer.Option("--refresh", help="Ask the index now, even if the cached list is fresh."),
    ] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use only the cached project list; no network.")
    ] = False,
) -> None:
    from cglib.errors import UsageError
    from cglib.search import search_index

    if refresh and offline:
        raise UsageError("use either --refresh or --offline, not both")
    if not query.strip():
        raise UsageError("the search query is empty", hint="give a project name or part of one")
    out = session.output
    # The client (and the credentials it needs) is made only if the cached
    # list is not fresh: a fresh one needs no request.
    connect = None if offline else session.client
    result = search_index(
        session.index, query, limit=limit, refresh=refresh, offline=offline, connect=connect
    )
    for warning in result.warnings:
        out.warn(warning)
    fresh = time.strftime("%H:%M:%S", time.localtime(result.fresh_until))
    out.note(f"project list: {result.total} names ({result.source}, fresh until {fresh})")
    if out.json_mode:
        out.json(result.to_json())
        return
    if not result.matches:
        out.info(f"no project matches {query!r} in {result.index} ({result.total} names)")
        return
    if out.stdout_is_tty:
        out.table(
            ["Name", "Match"],
            [[m.name, m.kind] for m in result.matches],
            title=f"{len(result.matches)} result(s) for {query!r}",
        )
    else:
        out.lines([m.name for m in result.matches])
