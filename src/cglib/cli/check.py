"""``cglib check FILE...``: are a lock's pins served by this index, with the
hashes it pins?  ``--update`` rewrites the lock to what the index serves."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cglib.cli.common import Session, with_session

if TYPE_CHECKING:
    from cglib.check import CheckReport
    from cglib.cli.output import Output
    from cglib.lockfiles import Change

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command(
        "check",
        help="Check a lock or requirements file against the index: is every pinned "
        "package served, with a hash the lock allows?  --update rewrites the hashes.",
        epilog="Formats: requirements.txt (== pins, --hash), pylock.toml, uv.lock, poetry.lock.  "
        "Exit 0 all ok/upstream (or updated), 5 missing/no-file/yanked, 7 a hash differs.  "
        "Examples:  cglib check uv.lock;  cglib check requirements.txt --update;  "
        "cglib check poetry.lock --target manylinux_2_28_x86_64@3.12 --json",
    )(check)


@with_session
def check(
    session: Session,
    files: Annotated[
        list[Path],
        typer.Argument(
            metavar="FILE...",
            help="requirements.txt, pylock.toml, uv.lock or poetry.lock.",
            show_default=False,
        ),
    ],
    target: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs a runtime type on 3.10
        typer.Option(
            "--target",
            metavar="TAG@X.Y",
            help="Check for CPython X.Y on platform TAG (repeatable; default this machine).",
            show_default=False,
        ),
    ] = None,
    update: Annotated[
        bool,
        typer.Option("--update", help="Rewrite the hashes (and URLs) to the index's, in place."),
    ] = False,
) -> None:
    from cglib.check import check_locks, update_locks
    from cglib.lockfiles import read_lock
    from cglib.targets import parse_target

    targets = [parse_target(spec) for spec in target or []]
    locks = [read_lock(path) for path in files]
    out = session.output
    from cglib.cli.progress import spinner

    with spinner(session.output, "checking against the index"), session.client() as client:
        report = check_locks(client, locks, targets)
    for warning in report.warnings:
        out.warn(warning)
    changes: list[Change] = update_locks(locks, report) if update else []
    if out.json_mode:
        document = report.to_json()
        if update:
            document["changes"] = [c.to_json() for c in changes]
        out.json(document)
    else:
        _print(out, report, with_target=bool(targets))
        for change in changes:
            out.info(f"updated {change.describe()}")
        if update and not changes:
            out.info("nothing to update: the lock already has the index's hashes")
    code = report.exit_code(updated=update)
    if code:
        raise typer.Exit(int(code))


def _print(out: Output, report: CheckReport, *, with_target: bool) -> None:
    columns = ["File", "Project", "Version", "Status", "Target", "Detail"]
    rows = [
        [
            e.file,
            e.project,
            e.version,
            e.status,
            e.target or "",
            e.message,
        ]
        for e in report.entries
    ]
    if out.stdout_is_tty:
        if not with_target:
            columns = [c for c in columns if c != "Target"]
            rows = [row[:4] + row[5:] for row in rows]
        out.table(columns, rows, title=f"{len(rows)} entries checked against {report.index}")
    else:
        out.rows(rows)
