"""``cglib download REQUIREMENT... [-r FILE] [-d DIR]``: the right files, verified."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from cglib.cli.common import (
    Session,
    with_session,
)

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from cglib.download import DownloadRequest

__all__ = ["register"]

EPILOG = (
    "Examples:  cglib download six==1.16.0 -d wheels;  "
    "cglib download -r requirements.txt --platform manylinux_2_28_x86_64 --python-version 3.12;  "
    "cglib download numpy --all-files --json"
)


def register(app: typer.Typer) -> None:
    app.command(
        "download",
        help="Download the best file of each requirement for a target (default: this machine), "
        "verified against the index's sha256, into DIR. Prints each saved path.",
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
    only_binary: Annotated[
        bool, typer.Option("--only-binary", help="Wheels only, never an sdist.")
    ] = False,
    no_binary: Annotated[bool, typer.Option("--no-binary", help="Sdists only.")] = False,
    all_files: Annotated[
        bool, typer.Option("--all-files", help="Every file of the chosen version.")
    ] = False,
    pre: Annotated[bool, typer.Option("--pre", help="Allow pre-releases.")] = False,
    jobs: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--jobs",
            "-j",
            metavar="N",
            help="Files to fetch at once (default 6).",
            show_default=False,
        ),
    ] = None,
) -> None:
    from cglib.download import DEFAULT_JOBS, DownloadRequest, FileOptions, check_jobs
    from cglib.download import download as run_download
    from cglib.errors import UsageError
    from cglib.selection import Target

    out = session.output
    FileOptions(only_binary, no_binary, all_files)  # checked before any file is read
    jobs = check_jobs(DEFAULT_JOBS if jobs is None else jobs)
    wanted: list[DownloadRequest] = [
        DownloadRequest(text, source="") for text in requirements or []
    ]
    for path in requirement_files or []:
        from_file, file_pre = _read_file(path, session)
        wanted.extend(from_file)
        pre = pre or file_pre
    if not wanted:
        raise UsageError(
            "nothing to download: give REQUIREMENT... or -r FILE",
            hint="e.g. cglib download six==1.16.0",
        )
    target = Target.from_options(
        platforms=platform or (),
        python_version=python_version,
        implementation=implementation,
        abis=abi or (),
    )
    if not target.is_default:
        out.note(f"target: {target.describe()}")

    show_progress = out.stderr_is_tty and not out.quiet and not out.json_mode
    with session.client() as client, _ProgressDisplay(session, show_progress) as progress:
        results = run_download(
            client,
            wanted,
            dest,
            target,
            pre=pre,
            only_binary=only_binary,
            no_binary=no_binary,
            all_files=all_files,
            jobs=jobs,
            progress=progress if show_progress else None,
            log=out.note,
            warn=out.warn,
        )
    if session.output.json_mode:
        out.json({"index": session.index.url, "files": [result.to_json() for result in results]})
        return
    out.lines([str(result.path) for result in results])
    if not results:
        out.info("nothing to download: no requirement applies to the target")
        return
    fetched = sum(1 for r in results if r.status == "downloaded")
    present = len(results) - fetched
    summary = f"saved {fetched} file{'s' if fetched != 1 else ''}"
    if present:
        summary += f", {present} already present"
    out.info(summary)


def _read_file(path: Path, session: Session) -> tuple[list[DownloadRequest], bool]:
    from cglib.download import DownloadRequest
    from cglib.reqfile import read_requirements

    parsed = read_requirements(path)
    for warning in parsed.warnings:
        session.output.warn(warning)
    return [DownloadRequest(r.text, r.hashes, r.source) for r in parsed.requirements], parsed.pre


class _ProgressDisplay:
    """A rich progress display on stderr, fed by the download threads."""

    def __init__(self, session: Session, enabled: bool) -> None:
        self._enabled = enabled
        self._session = session
        self._progress: Progress | None = None
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> _ProgressDisplay:
        if self._enabled:
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=self._session.output.err_console(),
                transient=False,
            )
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def start(self, file: str, total: int | None) -> None:
        if self._progress is None:
            return
        with self._lock:
            task = self._tasks.get(file)
            if task is None:
                self._tasks[file] = self._progress.add_task(file, total=total)
            else:
                self._progress.reset(task, total=total)

    def advance(self, file: str, n: int) -> None:
        task = self._tasks.get(file)
        if self._progress is not None and task is not None:
            self._progress.advance(task, n)

    def done(self, file: str) -> None:
        if self._progress is not None:
            self._progress.refresh()
