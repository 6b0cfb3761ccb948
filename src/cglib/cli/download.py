"""``cglib download REQUIREMENT... [-r FILE] [-d DIR]``: the right files, verified."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cglib.cli.common import (
    Session,
    with_session,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from cglib.client import IndexClient
    from cglib.download import DownloadResult
    from cglib.pages import ProjectPages
    from cglib.selection import Target

#: A requirement as given: its text, its ``--hash`` digests and where it came from.
_Wanted = tuple[str, frozenset[str], str]

__all__ = ["register"]

EPILOG = (
    "Examples:  cglib download flask -d wheels;  "
    "cglib download -r requirements.txt --platform manylinux_2_28_x86_64 --python-version 3.12;  "
    "cglib download -r requirements.txt --target manylinux_2_28_x86_64@3.12 "
    "--target manylinux_2_28_aarch64@3.12 -d wheelhouse;  "
    "cglib download six==1.16.0 --no-deps --all-files --json"
)


def register(app: typer.Typer) -> None:
    app.command(
        "download",
        help="Resolve the requirements and download the whole closure (like pip download) "
        "for a target (default: this machine) or several, verified against the index's "
        "sha256, into DIR. Prints each saved path.",
        epilog=EPILOG,
    )(download)


@with_session
def download(
    session: Session,
    requirements: Annotated[
        Optional[list[str]],  # noqa: UP045 - typer needs a runtime type on 3.10
        typer.Argument(
            metavar="REQUIREMENT...",
            help="PEP 508 requirements: NAME, NAME==1.2, 'NAME>=1,<2'.",
            show_default=False,
        ),
    ] = None,
    requirement_files: Annotated[
        Optional[list[Path]],  # noqa: UP045
        typer.Option(
            "--requirement",
            "-r",
            metavar="FILE",
            help="Read requirements from FILE (repeatable; --hash options are verified).",
            show_default=False,
        ),
    ] = None,
    dest: Annotated[
        Path, typer.Option("--dest", "-d", metavar="DIR", help="Directory to save the files in.")
    ] = Path("."),
    platform: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--platform",
            metavar="TAG",
            help="Target platform tag (repeatable), e.g. manylinux_2_28_x86_64; older "
            "compatible tags are admitted too (PEP 600).",
            show_default=False,
        ),
    ] = None,
    python_version: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--python-version",
            metavar="X.Y",
            help="Target Python version (default: this interpreter's).",
            show_default=False,
        ),
    ] = None,
    implementation: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--implementation",
            metavar="IMPL",
            help="Target implementation: cp (CPython), pp (PyPy)…",
            show_default=False,
        ),
    ] = None,
    abi: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--abi", metavar="ABI", help="Target ABI tag (repeatable).", show_default=False
        ),
    ] = None,
    target_specs: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--target",
            metavar="TAG@X.Y",
            help="A whole target environment (repeatable): platform tag and CPython version, "
            "e.g. manylinux_2_28_aarch64@3.12. Saves the union of the closures.",
            show_default=False,
        ),
    ] = None,
    no_deps: Annotated[
        bool, typer.Option("--no-deps", help="Only what was named, not its dependencies.")
    ] = False,
    only_binary: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--only-binary",
            metavar=":all:|NAMES",
            help="Wheels only, for every project (:all:) or the comma-separated NAMES "
            "(repeatable; :none: empties the list), as in pip.",
            show_default=False,
        ),
    ] = None,
    no_binary: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--no-binary",
            metavar=":all:|NAMES",
            help="Sdists only, for every project (:all:) or the comma-separated NAMES "
            "(repeatable; :none: empties the list), as in pip.",
            show_default=False,
        ),
    ] = None,
    prefer_binary: Annotated[
        bool,
        typer.Option(
            "--prefer-binary", help="Prefer an older version with a wheel to a newer sdist."
        ),
    ] = False,
    all_files: Annotated[
        bool, typer.Option("--all-files", help="Every file of each chosen version.")
    ] = False,
    pre: Annotated[bool, typer.Option("--pre", help="Allow pre-releases.")] = False,
    require_hashes: Annotated[
        bool,
        typer.Option(
            "--require-hashes",
            help="Every saved file must match a --hash of the requirements (implied once "
            "any requirement has one).",
        ),
    ] = False,
    jobs: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            help="Files to fetch at once (default: the config file's jobs, else 6).",
            show_default=False,
        ),
    ] = None,
) -> None:
    from cglib.config import default_jobs
    from cglib.errors import UsageError
    from cglib.parallel import check_jobs

    out = session.output
    only = _binary_option("--only-binary", only_binary or [])
    no = _binary_option("--no-binary", no_binary or [])
    # pip: a name given to both ends up where it was given last; cglib cannot
    # see the order of two options, so --no-binary wins.
    only -= no - {":all:"}
    if ":all:" in only and ":all:" in no:
        raise UsageError("use only one of --only-binary :all: and --no-binary :all:")
    if all_files and (only or no):
        raise UsageError("use only one of --only-binary, --no-binary and --all-files")
    jobs = check_jobs(default_jobs() if jobs is None else jobs)
    targets = _targets(target_specs or [], platform, python_version, implementation, abi)
    wanted: list[_Wanted] = [(text, frozenset(), "") for text in requirements or []]
    for path in requirement_files or []:
        from_file, file_pre = _read_file(path, session)
        wanted.extend(from_file)
        pre = pre or file_pre
    if not wanted:
        raise UsageError(
            "nothing to download: give REQUIREMENT... or -r FILE",
            hint="e.g. cglib download six==1.16.0",
        )
    for target in targets:
        if not target.is_default:
            out.note(f"target: {target.describe()}")

    from cglib.cli.progress import ProgressDisplay

    with contextlib.ExitStack() as stack:
        client = stack.enter_context(session.client())
        progress = stack.enter_context(ProgressDisplay.for_output(out))
        shown = progress.enabled
        resolving = (lambda project: progress.status(f"resolving {project}")) if shown else None
        pages = None
        if not no_deps:
            pages = stack.enter_context(_start_reading(client, wanted, jobs, resolving))
        # Loaded while the first pages are on their way.
        from cglib.download import DownloadRequest
        from cglib.download import download as run_download

        results = run_download(
            client,
            [DownloadRequest(text, hashes, source) for text, hashes, source in wanted],
            dest,
            targets=targets,
            pre=pre,
            only_binary=only,
            no_binary=no,
            all_files=all_files,
            no_deps=no_deps,
            prefer_binary=prefer_binary,
            require_hashes=require_hashes,
            jobs=jobs,
            progress=progress if shown else None,
            pages=pages,
            log=out.note,
            warn=out.warn,
        )
        progress.status(None)
        summary = _summary(results)
        if shown and results:
            progress.conclude(summary)  # said by the display as it closes
    if session.output.json_mode:
        out.json(
            {
                "index": session.index.url,
                "targets": [target.describe() for target in targets],
                "files": [result.to_json() for result in results],
            }
        )
        return
    out.lines([str(result.path) for result in results])
    if not results:
        out.info("nothing to download: no requirement applies to the target")
    elif not shown:
        out.info(summary)


def _summary(results: list[DownloadResult]) -> str:
    fetched = sum(1 for r in results if r.status == "downloaded")
    present = len(results) - fetched
    summary = f"saved {fetched} file{'s' if fetched != 1 else ''}"
    if present:
        summary += f", {present} already present"
    return summary


def _binary_option(option: str, values: list[str]) -> set[str]:
    """pip's ``--only-binary`` / ``--no-binary`` values: ``:all:``, ``:none:``
    (empties what came before) or comma-separated project names."""
    from cglib.errors import UsageError
    from cglib.urls import normalize_name

    names: set[str] = set()
    for value in values:
        if value.startswith("-") or not value.strip():
            raise UsageError(
                f"{option} needs a value: :all:, :none: or project names (not {value!r})",
                hint=f"write {option} :all: (every project) or {option} NAME,NAME as in pip",
            )
        for name in value.split(","):
            name = name.strip()
            if name == ":none:":
                names.clear()
            elif name == ":all:":
                names = {":all:"}
            elif name:
                names.add(normalize_name(name))
    return names


def _targets(
    specs: list[str],
    platform: list[str] | None,
    python_version: str | None,
    implementation: str | None,
    abi: list[str] | None,
) -> list[Target]:
    """``--target`` values, or the one target the other options describe."""
    from cglib.errors import UsageError
    from cglib.selection import Target
    from cglib.targets import parse_target

    if specs:
        if platform or python_version or implementation or abi:
            raise UsageError(
                "--target names whole environments: do not combine it with --platform, "
                "--python-version, --implementation or --abi",
                hint="write each environment as --target TAG@X.Y",
            )
        return list(dict.fromkeys(parse_target(spec) for spec in specs))
    return [
        Target.from_options(
            platforms=platform or (),
            python_version=python_version,
            implementation=implementation,
            abis=abi or (),
        )
    ]


def _read_file(path: Path, session: Session) -> tuple[list[_Wanted], bool]:
    from cglib.reqfile import read_requirements

    parsed = read_requirements(path)
    for warning in parsed.warnings:
        session.output.warn(warning)
    return [(r.text, r.hashes, r.source) for r in parsed.requirements], parsed.pre


def _start_reading(
    client: IndexClient,
    wanted: list[_Wanted],
    jobs: int,
    resolving: Callable[[str], None] | None,
) -> ProjectPages:
    """The pages of the requirements, their reads started now: the network
    works while the rest of cglib loads.  A requirement that does not parse
    is left to the download, which reports it with where it came from."""
    from cglib.errors import CglibError
    from cglib.pages import ProjectPages
    from cglib.requirements import parse_requirement

    pages = ProjectPages(client, jobs, resolving)
    for text, _, _ in wanted:
        try:
            pages.prefetch(parse_requirement(text).name)
        except CglibError:
            continue
    return pages
