"""``cglib search QUERY``: project names in the index matching QUERY (typer's
side of it: options and help; the command is :mod:`cglib.cli.search_run`)."""

from __future__ import annotations

from typing import Annotated

import typer

from cglib.cli.common import Session, with_session
from cglib.cli.search_run import DEFAULT_LIMIT, run_search

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command(
        "search",
        help="Find projects in the index by name: exact, prefix, substring, close spellings.",
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
        bool, typer.Option("--refresh", help="Fetch the project list even if the cache is valid.")
    ] = False,
    offline: Annotated[
        bool, typer.Option("--offline", help="Use only the cached project list; no network.")
    ] = False,
) -> None:
    run_search(session, query, limit=limit, refresh=refresh, offline=offline)
