"""``cglib show NAME[==VERSION]``: one version's core metadata, without downloading it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cglib.cli.common import Session, with_session

if TYPE_CHECKING:
    from cglib.client import IndexClient
    from cglib.coremetadata import ShowResult
    from cglib.models import DistributionFile, ProjectPage, Release

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.command(
        "show",
        help="Show one version's metadata (dependencies, extras, license, URLs, files) "
        "without downloading it; the newest final version by default.",
        epilog="Examples:  cglib show flask;  cglib show 'requests==2.32.3' --json",
    )(show)


@with_session
def show(
    session: Session,
    requirement: Annotated[
        str,
        typer.Argument(
            metavar="NAME[==VERSION]",
            help="Project name, optionally with a version specifier.",
            show_default=False,
        ),
    ],
    pre: Annotated[
        bool, typer.Option("--pre", help="Consider pre-releases for the newest version.")
    ] = False,
) -> None:
    from cglib.requirements import parse_requirement

    req = parse_requirement(requirement)
    from cglib.cli.progress import spinner

    with spinner(session.output, f"reading {req.name}"), session.client() as client:
        page = client.get_project(req.name)
        release = _release(page, str(req.specifier), pre)
        result = _read(client, page, release)
    out = session.output
    source = result.source_file
    if source is not None and source.kind == "sdist" and result.metadata.dynamic_requirements():
        out.warn(
            f"the dependencies of {source.filename} are only known after building it: "
            "the list below may be incomplete"
        )
    if out.json_mode:
        out.json(result.to_json())
        return
    out.lines(_plain(result))


def _release(page: ProjectPage, specifier: str, pre: bool) -> Release:
    from cglib.errors import NoMatchError
    from cglib.selection import matching_releases

    releases = matching_releases(page, specifier, pre=pre)
    if not releases and not pre and not specifier:
        releases = matching_releases(page, specifier, pre=True)
    if not releases:
        asked = f"{page.name}{specifier}" if specifier else page.name
        raise NoMatchError(
            f"no version of {asked} on the index",
            hint="`cglib versions " + page.name + "` lists what there is",
        )
    return releases[0]


def _source_file(release: Release) -> DistributionFile:
    """The cheapest file to read metadata from: one with a ``.metadata``
    file, else a wheel (range requests), else the sdist."""

    def rank(f: DistributionFile) -> tuple[bool, bool, bool]:
        return (not f.core_metadata, f.kind != "wheel", f.yanked)

    return min(release.files, key=rank)


def _read(client: IndexClient, page: ProjectPage, release: Release) -> ShowResult:
    from cglib.coremetadata import ShowResult
    from cglib.metadata import MetadataFetcher

    source = _source_file(release)
    with MetadataFetcher(client, jobs=1) as fetcher:
        found = fetcher.get(source, allow_dynamic=True)
    return ShowResult(page.name, found.metadata, release.files, source, found.source)


def _plain(result: ShowResult) -> list[str]:
    meta = result.metadata
    lines = [
        f"Name: {meta.name}",
        f"Version: {meta.version}",
        f"Summary: {_one_line(meta.summary)}",
        f"Requires-Python: {meta.requires_python or ''}",
        f"License: {_one_line(meta.license)}",
    ]
    lines.append("Requires:" + ("" if meta.requires_dist else " (none)"))
    lines += [f"  {_one_line(r)}" for r in meta.requires_dist]
    lines.append("Extras: " + ", ".join(meta.provides_extra))
    lines.append("Project-URLs:" + ("" if meta.project_urls else " (none)"))
    lines += [f"  {_one_line(k)}: {_one_line(v)}" for k, v in meta.project_urls.items()]
    lines.append("Files:")
    for f in result.files:
        extra = " (yanked)" if f.yanked else ""
        lines.append(f"  {f.filename}{extra}")
    return [line.rstrip() for line in lines]


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())
