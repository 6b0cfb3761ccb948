"""``cglib search`` without typer.

A warm search (the cached project list confirmed by a ``304``) takes a few
milliseconds of work; loading typer and click takes several times that.  So
:func:`parse` reads the plain forms of a search command line itself, and
:mod:`cglib.cli.main` runs :func:`~cglib.cli.search_run.run_search` on them
with the same :class:`~cglib.cli.session.Session` and error handling as
typer would.

It understands only what it can take exactly as typer does: one QUERY and
the options ``-n/--limit N``, ``--refresh``, ``--offline``, ``--index-url
URL``, ``--index NAME``, ``--json``, ``-v/--verbose``, ``-q/--quiet`` and
``--no-input``, each given once (``-v`` repeatable), values as separate
words or after ``=``.  Anything else (``--help``, a bad or missing value,
an unknown option, a second QUERY, ``--``) returns ``None``, and typer parses
the command line and reports what is wrong with it.
"""

from __future__ import annotations

from collections.abc import Callable

from cglib.cli.search_run import DEFAULT_LIMIT

__all__ = ["parse"]

_FLAGS = {
    "--refresh": "refresh",
    "--offline": "offline",
    "--json": "json",
    "--quiet": "quiet",
    "-q": "quiet",
    "--no-input": "no_input",
}
_VALUED = {
    "--limit": "limit",
    "-n": "limit",
    "--index-url": "index_url",
    "--index": "index",
}


def parse(args: list[str]) -> Callable[[], None] | None:
    """The command ``args`` (after ``cglib``) stands for, ready to run, when
    it is a plain ``search``; ``None`` otherwise."""
    if not args or args[0] != "search":
        return None
    options: dict[str, object] = {}
    verbose = 0
    query: str | None = None
    words = iter(args[1:])
    for word in words:
        if not word.startswith("-"):
            if query is not None:
                return None
            query = word
            continue
        name, eq, value = word.partition("=")
        if name in _VALUED:
            if not eq:
                value = next(words, "")
            if not value or value.startswith("-"):
                return None
            key = _VALUED[name]
        elif not eq and name in _FLAGS:
            key, value = _FLAGS[name], ""
        elif not eq and name == "--verbose":
            verbose += 1
            continue
        elif not eq and name[1:2] == "v" and name[1:] == "v" * (len(name) - 1):
            verbose += len(name) - 1  # -v, -vv, -vvv
            continue
        else:
            return None
        if key in options:
            return None
        options[key] = value if value else True
    if query is None:
        return None
    raw_limit = options.pop("limit", None)
    limit = DEFAULT_LIMIT
    if raw_limit is not None:
        try:
            limit = int(str(raw_limit))
        except ValueError:
            return None
        if limit < 1:
            return None
    return lambda: _run(query, limit, verbose, options)


def _run(query: str, limit: int, verbose: int, options: dict[str, object]) -> None:
    from cglib.cli.search_run import run_search
    from cglib.cli.session import Session

    index_url = options.get("index_url")
    index_name = options.get("index")
    session = Session(
        index_url=index_url if isinstance(index_url, str) else None,
        index_name=index_name if isinstance(index_name, str) else None,
        json_mode=bool(options.get("json")),
        verbose=verbose,
        quiet=bool(options.get("quiet")),
        no_input=bool(options.get("no_input")),
    )
    run_search(
        session,
        query,
        limit=limit,
        refresh=bool(options.get("refresh")),
        offline=bool(options.get("offline")),
    )
