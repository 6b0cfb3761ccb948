"""The ``cglib search`` command itself, free of typer.

A plain ``cglib search`` runs :func:`run_search` straight from
:mod:`cglib.cli.quick`, since loading typer takes longer than a whole warm
search; :mod:`cglib.cli.search` gives typer the same command, with its
options and help.
"""

from __future__ import annotations

from cglib.cli.session import Session

__all__ = ["DEFAULT_LIMIT", "run_search"]

DEFAULT_LIMIT = 20


def run_search(
    session: Session,
    query: str,
    *,
    limit: int = DEFAULT_LIMIT,
    refresh: bool = False,
    offline: bool = False,
) -> None:
    from cglib.errors import UsageError
    from cglib.search import search_index

    if refresh and offline:
        raise UsageError("use either --refresh or --offline, not both")
    if not query.strip():
        raise UsageError("the search query is empty", hint="give a project name or part of one")
    out = session.output
    if offline:
        result = search_index(session.index, query, limit=limit, offline=True)
    else:
        with session.client() as client:
            result = search_index(client, query, limit=limit, refresh=refresh)
    for warning in result.warnings:
        out.warn(warning)
    out.note(f"project list: {result.total} names ({result.source})")
    if session.output.json_mode:
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
