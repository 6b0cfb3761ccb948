"""``cglib versions NAME``: a project's versions and files, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cglib.cli.common import (
    Session,
    with_session,
)

if TYPE_CHECKING:
    from packaging.specifiers import SpecifierSet

    from cglib.cli.output import Output
    from cglib.models import DistributionFile, ProjectPage, Release

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command(
        "versions",
        help="List a project's versions, newest first (with --files: each file); "
        "SPECIFIER keeps only the matching ones.",
        epilog="Examples:  cglib versions apiflask;  cglib versions six '>=1.10,<2' --limit 3;  "
        "cglib versions six --files --json",
    )(versions)


@with_session
def versions(
    session: Session,
    name: Annotated[
        str,
        typer.Argument(
            metavar="NAME",
            help="Project name (any spelling: APIFlask = apiflask).",
            show_default=False,
        ),
    ],
    specifier: Annotated[
        Optional[str],  # noqa: UP045 - typer needs a runtime type on 3.10
        typer.Argument(
            metavar="[SPECIFIER]",
            help="PEP 440 version specifier, e.g. '>=1.10,<2' (quote it).",
            show_default=False,
        ),
    ] = None,
    pre: Annotated[bool, typer.Option("--pre", help="Include pre-releases.")] = False,
    files: Annotated[
        bool, typer.Option("--files", help="List every file of each version.")
    ] = False,
    limit: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--limit",
            "-n",
            min=1,
            metavar="N",
            help="Only the newest N versions.",
            show_default=False,
        ),
    ] = None,
) -> None:
    from cglib.models import latest
    from cglib.requirements import check_project_name

    check_project_name(name)
    wanted = _specifier(specifier)
    from cglib.cli.progress import spinner

    with spinner(session.output, f"fetching {name}"), session.client() as client:
        page = client.get_project(name)
    out = session.output
    if page.skipped:
        out.note(
            f"skipped {len(page.skipped)} link(s) whose file name or version could not be "
            f"parsed: {', '.join(page.skipped[:5])}{' …' if len(page.skipped) > 5 else ''}"
        )
    matching = _matching(page, wanted, pre)
    newest = latest(matching, pre=pre)
    shown = matching[:limit] if limit else matching
    if session.output.json_mode:
        index = session.index.url
        top = None if newest is None else newest.version
        out.json_from(
            lambda: page.to_json(index=index, releases=shown, latest=top),
            lambda: page.to_json_text(index=index, releases=shown, latest=top),
        )
        return
    if not shown:
        out.info(_nothing(page, wanted, pre))
        return
    if files:
        _print_files(out, page, shown)
    else:
        _print_versions(out, page, shown)
    if newest is None and all(r.yanked for r in matching):
        out.info(_all_yanked(page, wanted))


def _specifier(text: str | None) -> SpecifierSet | None:
    """``text`` as a PEP 440 specifier set (usage error when it is not one)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    from cglib.errors import UsageError

    if text is None or not text.strip():
        return None
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        hint = "e.g. '>=1.10,<2', '==1.2.*' or '~=2.0', quoted for the shell"
        if text[:1].isalnum():
            hint = f"a specifier starts with an operator: '=={text}'?"
        raise UsageError(f"not a PEP 440 version specifier: {text!r}", hint=hint) from None


def _matching(page: ProjectPage, specifier: SpecifierSet | None, pre: bool) -> list[Release]:
    """Releases matching ``specifier``, newest first: final releases unless
    ``pre``, the specifier names a pre-release, or no final release matches
    (PEP 440).  Yanked releases are kept (they are listed, marked)."""
    every = page.releases(pre=True)
    if specifier is not None:
        every = [r for r in every if specifier.contains(r.version, prereleases=True)]
    if pre or (specifier is not None and specifier.prereleases):
        return every
    final = [r for r in every if not r.version.is_prerelease]
    return final or every


def _nothing(page: ProjectPage, specifier: SpecifierSet | None, pre: bool) -> str:
    if specifier is None:
        return f"{page.name}: no {'' if pre else 'final '}versions with files on this index"
    known = page.releases(pre=True)
    newest = f" (newest: {known[0].version})" if known else " (it lists no files)"
    return f"no version of {page.name} matches {specifier}{newest}"


def _all_yanked(page: ProjectPage, specifier: SpecifierSet | None) -> str:
    which = f"of {page.name} matching {specifier}" if specifier else f"of {page.name}"
    return (
        f"every version {which} is yanked (pin one with == to download it, "
        f"e.g. cglib download '{page.name}==VERSION')"
    )


def _print_versions(out: Output, page: ProjectPage, releases: list[Release]) -> None:
    rows = []
    for release in releases:
        kinds = _kinds(release.files)
        requires = _requires(release.files)
        uploaded = max((f.upload_time or "" for f in release.files), default="")[:10]
        state = _yank_text(release.files) if release.yanked else ""
        rows.append([str(release.version), kinds, requires, uploaded, state])
    if out.stdout_is_tty:
        out.table(
            ["Version", "Files", "Requires-Python", "Uploaded", "Yanked"],
            rows,
            title=f"{page.name} ({_count(len(releases), 'version')})",
            no_wrap=("Version", "Uploaded"),
            cut=("Yanked",),
            drop=("Uploaded", "Requires-Python", "Files"),
        )
    else:
        # Plain, script-friendly: the version first, then tab-separated details.
        out.rows(rows)


def _print_files(out: Output, page: ProjectPage, releases: list[Release]) -> None:
    if not out.stdout_is_tty:
        out.rows(
            [
                [
                    str(release.version),
                    f.filename,
                    f.kind,
                    *_tags(f),
                    f.requires_python or "",
                    _size(f.size),
                    (f.upload_time or "")[:10],
                    _yank_text((f,)) if f.yanked else "",
                ]
                for release in releases
                for f in release.files
            ]
        )
        return
    total = sum(len(r.files) for r in releases)
    title = f"{page.name} ({_count(len(releases), 'version')}, {_count(total, 'file')})"
    out.title(title)
    out.print_lines(_files_lines(out, releases))


Line = list[tuple[str, str]]
#: Files are listed under their version, indented by this much.
INDENT = "  "


def _files_lines(out: Output, releases: list[Release]) -> list[Line]:
    """Each version on a line of its own, its files under it, indented: as
    a table (file name, short tags, size, requires-python where the files
    of a version differ, a yanked mark) that drops columns to fit the
    terminal, else one file name per line.  A file name is never cut: a
    name wider than the terminal overflows its line, alone on it."""
    from cglib.cli.tables import GAP, Column, cells, fit, join

    width = out.width
    columns = [
        Column("File"),
        Column("Tags", drop=3),
        Column("Size", drop=2),
        Column("Requires-Python", drop=1),
        Column("Yanked"),
    ]
    groups = []
    for release in releases:
        varies = len({f.requires_python for f in release.files}) > 1
        rows = [
            [
                f.filename,
                _short_tags(f),
                _size(f.size),
                (f.requires_python or "") if varies else "",
                "yanked" if f.yanked and not release.yanked else "",
            ]
            for f in release.files
        ]
        groups.append((release, out.safe_rows(rows)))
    every = [row for _, rows in groups for row in rows]
    plan = fit(columns, every, width - len(INDENT)) if every else None
    if plan is not None and len(plan) == 1:
        plan = None  # the file name alone: no header needed
    lines: list[Line] = []
    if plan is not None:
        lines.append([(INDENT + join([c.header for c in columns], plan), "bold")])
    for release, rows in groups:
        lines.append(_version_line(out, release, width))
        for row in rows:
            if plan is not None:
                lines.append([(INDENT + join(row, plan), "")])
                continue
            name, mark = row[0], row[4]
            text = INDENT + name if len(INDENT) + cells(name) <= width else name
            if mark and cells(text) + GAP + cells(mark) <= width:
                text += " " * GAP + mark
            lines.append([(text, "")])
    return lines


def _version_line(out: Output, release: Release, width: int) -> Line:
    """The version, its yanked state (the reason cut with … to fit), then
    as many of its file count, requires-python and upload date as fit."""
    from cglib.cli.tables import cells

    version = str(release.version)
    parts: Line = [(version, "bold")]
    used = cells(version)
    yanked = sum(1 for f in release.files if f.yanked)
    if yanked:
        text = _yank_text(release.files)
        if not release.yanked:
            text = f"{yanked} of {len(release.files)} files {text}"
        text = out.safe_rows([[text]])[0][0]
        room = width - used - 2
        if cells(text) > room:
            text = text[: max(0, room - 1)] + "…" if room > 1 else ""
        if text:
            parts.append(("  " + text, "red"))
            used += 2 + cells(text)
    uploaded = max((f.upload_time or "" for f in release.files), default="")[:10]
    requires = _requires(release.files)
    details = [
        _kinds(release.files),
        f"requires-python {requires}" if requires else "",
        f"uploaded {uploaded}" if uploaded else "",
    ]
    for detail in out.safe_rows([details])[0]:
        if detail and used + 2 + cells(detail) <= width:
            parts.append(("  " + detail, "dim"))
            used += 2 + cells(detail)
    return parts


def _short_tags(f: DistributionFile) -> str:
    from cglib.cli.tables import short_tags
    from cglib.filenames import split_wheel_tags

    if f.kind != "wheel":
        return "source"
    tags = split_wheel_tags(f.filename)
    return "" if tags is None else short_tags(tags.python, tags.abi, tags.platform)


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''}"


def _kinds(files: tuple[DistributionFile, ...]) -> str:
    wheels = sum(1 for f in files if f.kind == "wheel")
    sdists = len(files) - wheels
    parts = []
    if wheels:
        parts.append(f"{wheels} wheel{'s' if wheels != 1 else ''}")
    if sdists:
        parts.append("sdist" if sdists == 1 else f"{sdists} sdists")
    return ", ".join(parts)


def _requires(files: tuple[DistributionFile, ...]) -> str:
    values = sorted({f.requires_python for f in files if f.requires_python})
    return " | ".join(values)


def _yank_text(files: tuple[DistributionFile, ...]) -> str:
    reasons = sorted({f.yanked_reason for f in files if f.yanked_reason})
    return "yanked" + (f": {'; '.join(reasons)}" if reasons else "")


def _tags(f: DistributionFile) -> tuple[str, str]:
    from cglib.filenames import split_wheel_tags

    if f.kind != "wheel":
        return "source", "any"
    tags = split_wheel_tags(f.filename)
    if tags is None:
        return "", ""
    return tags.python, tags.platform


def _size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return str(size)  # pragma: no cover
