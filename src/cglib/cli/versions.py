"""``cglib versions NAME``: a project's versions and files, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cglib.cli.common import (
    Session,
    with_session,
)

if TYPE_CHECKING:
    from cglib.cli.output import Output
    from cglib.models import DistributionFile, ProjectPage, Release

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command(
        "versions",
        help="List a project's versions, newest first (with --files: each file).",
        epilog="Examples:  cglib versions apiflask;  cglib versions six --files --json",
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
    pre: Annotated[bool, typer.Option("--pre", help="Include pre-releases.")] = False,
    files: Annotated[
        bool, typer.Option("--files", help="List every file of each version.")
    ] = False,
) -> None:
    from cglib.requirements import check_project_name

    check_project_name(name)
    with session.client() as client:
        page = client.get_project(name)
    out = session.output
    if page.skipped:
        out.note(
            f"skipped {len(page.skipped)} link(s) whose file name or version could not be "
            f"parsed: {', '.join(page.skipped[:5])}{' …' if len(page.skipped) > 5 else ''}"
        )
    releases = page.releases(pre=pre)
    if session.output.json_mode:
        index = session.index.url
        out.json_from(
            lambda: page.to_json(index=index, releases=releases),
            lambda: page.to_json_text(index=index, releases=releases),
        )
        return
    if not releases:
        out.info(f"{page.name}: no {'' if pre else 'final '}versions with files on this index")
        return
    if files:
        _print_files(out, page, releases)
    else:
        _print_versions(out, page, releases)


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
            title=f"{page.name} ({len(releases)} versions)",
        )
    else:
        # Plain, script-friendly: the version first, then tab-separated details.
        out.rows(rows)


def _print_files(out: Output, page: ProjectPage, releases: list[Release]) -> None:
    rows = []
    for release in releases:
        for f in release.files:
            python, platform = _tags(f)
            rows.append(
                [
                    str(release.version),
                    f.filename,
                    f.kind,
                    python,
                    platform,
                    f.requires_python or "",
                    _size(f.size),
                    (f.upload_time or "")[:10],
                    _yank_text((f,)) if f.yanked else "",
                ]
            )
    if out.stdout_is_tty:
        out.table(
            [
                "Version",
                "File",
                "Kind",
                "Python",
                "Platform",
                "Requires-Python",
                "Size",
                "Uploaded",
                "Yanked",
            ],
            rows,
            title=f"{page.name} ({len(releases)} versions)",
            no_wrap=("File",),
        )
    else:
        out.rows(rows)


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
