"""Download distribution files: the right file for a target, verified, atomic.

:func:`download` plans each requirement against the index
(:mod:`cglib.planning`: newest matching version, best file for the
:class:`~cglib.selection.Target`), then fetches the files, several at once
(:mod:`cglib.parallel`).  Each file is fetched by a
:class:`~cglib.transfer.Transfer`: streamed to ``DEST/NAME.part`` while it is
hashed, verified, resumed after an interruption, and only then renamed to
``DEST/NAME``.  A file already present with the right hash is not fetched
again.  Two processes downloading one file into one directory take turns:
each file is fetched under an exclusive lock on ``DEST/NAME.part.lock``
(:mod:`cglib.filelock`), deleted afterwards, and the second process then
finds the file already present.

File links usually answer ``302`` to a pre-signed URL on an object store;
:meth:`cglib.client.IndexClient.stream` follows it without sending the index
credentials there.  File names come from the index and are trusted only
when they are plain wheel or sdist names (:func:`cglib.filenames.check_filename`):
anything else is refused (:class:`~cglib.errors.UnsafeFilenameError`) before a
byte is written, and nothing is ever written outside ``DEST``.

Nothing here prints: progress reaches the caller through a
:class:`ProgressCallback`, notes and warnings through ``log`` / ``warn``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cglib.errors import LocalFileError, NetworkError, UnsafeFilenameError, UsageError
from cglib.filelock import FileLock, LockTimeout
from cglib.filenames import check_filename
from cglib.parallel import DEFAULT_JOBS, Stopped, parallel_map
from cglib.planning import DownloadRequest, FileOptions, PlannedFile, plan
from cglib.transfer import ProgressCallback, Transfer, hash_file, write_error

if TYPE_CHECKING:
    from cglib.client import IndexClient
    from cglib.models import DistributionFile
    from cglib.selection import Target

__all__ = [
    "DEFAULT_JOBS",
    "DownloadRequest",
    "DownloadResult",
    "FileOptions",
    "PlannedFile",
    "ProgressCallback",
    "check_filename",
    "check_jobs",
    "download",
    "download_file",
    "plan",
]

Log = Callable[[str], None]


def check_jobs(jobs: int) -> int:
    """Return ``jobs`` if it is a number of files to fetch at once (at
    least 1); else raise :class:`UsageError` (exit 2)."""
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    return jobs


@dataclass(frozen=True, slots=True)
class DownloadResult:
    """A file saved (or found already present) in the destination."""

    project: str
    version: str
    filename: str
    path: Path
    sha256: str
    size: int
    status: Literal["downloaded", "already-present"]
    #: True when neither the index nor a --hash gave a digest to check.
    unverified: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "project": self.project,
            "version": self.version,
            "filename": self.filename,
            "path": str(self.path),
            "sha256": self.sha256,
            "size": self.size,
            "status": self.status,
        }


@dataclass
class _Run:
    """One call of :func:`download`: where, how, and the event that stops
    every file when one fails."""

    client: IndexClient
    dest: Path
    progress: ProgressCallback | None
    log: Log | None
    warn: Log | None
    fsync: bool
    stop: threading.Event = field(default_factory=threading.Event)

    def note(self, message: str) -> None:
        if self.log is not None:
            self.log(message)

    def warning(self, message: str) -> None:
        if self.warn is not None:
            self.warn(message)

    def pause(self, seconds: float) -> None:
        """Sleep, unless another file fails meanwhile."""
        if self.stop.wait(seconds):
            raise Stopped


def download(
    client: IndexClient,
    requirements: Iterable[str | DownloadRequest],
    dest: str | os.PathLike[str],
    target: Target | None = None,
    *,
    pre: bool = False,
    only_binary: bool = False,
    no_binary: bool = False,
    all_files: bool = False,
    jobs: int = DEFAULT_JOBS,
    progress: ProgressCallback | None = None,
    log: Log | None = None,
    warn: Log | None = None,
    fsync: bool = False,
) -> list[DownloadResult]:
    """Download the best file of each requirement for ``target`` (default:
    this interpreter and machine) into ``dest``; return what was saved, in
    the order of the requirements."""
    from cglib.selection import Target

    check_jobs(jobs)
    planned = plan(
        client,
        requirements,
        target or Target(),
        pre=pre,
        only_binary=only_binary,
        no_binary=no_binary,
        all_files=all_files,
        jobs=jobs,
        log=log,
        warn=warn,
    )
    directory = Path(dest)
    for item in planned:  # refuse every bad name before writing anything
        check_filename(item.file.filename, item.file.project)
    if not planned:
        return []
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(exc, f"create the destination {str(directory)!r}") from None
    if not directory.is_dir():
        raise LocalFileError(
            f"the destination {str(directory)!r} is not a directory",
            path=str(directory),
            hint="give -d a directory (or a path that does not exist yet)",
        )
    run = _Run(client, directory, progress, log, warn, fsync)
    results: list[DownloadResult] = parallel_map(
        jobs, lambda item: _download_one(run, item), planned, run.stop
    )
    return results


def download_file(
    client: IndexClient,
    planned: PlannedFile | DistributionFile,
    dest: str | os.PathLike[str],
    *,
    progress: ProgressCallback | None = None,
    log: Log | None = None,
    warn: Log | None = None,
    fsync: bool = False,
) -> DownloadResult:
    """Download one file of an index page into ``dest`` (see :func:`download`)."""
    item = planned if isinstance(planned, PlannedFile) else PlannedFile(planned)
    check_filename(item.file.filename, item.file.project)
    directory = Path(dest)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(exc, f"create the destination {str(directory)!r}") from None
    return _download_one(_Run(client, directory, progress, log, warn, fsync), item)


def _download_one(run: _Run, item: PlannedFile) -> DownloadResult:
    if run.stop.is_set():
        raise Stopped
    f = item.file
    name = check_filename(f.filename, f.project)
    final = _inside(run.dest, name)
    expected = f.sha256.lower() if f.sha256 else None
    allowed = item.hashes
    unverified = expected is None and not allowed
    if unverified:
        run.warning(f"the index gives no sha256 for {name}: it is downloaded without a hash check")

    present = _present(final, expected, allowed)
    if present is None:
        lock = FileLock(
            run.dest / f"{name}.part.lock",
            timeout=run.client.settings.total_timeout,
            on_wait=lambda: run.note(f"{name}: another cglib process is downloading it; waiting"),
            sleep=run.pause,
        )
        try:
            with lock:
                # Another process may have saved it while we waited.
                present = _present(final, expected, allowed)
                if present is None:
                    digest, size = _fetch(run, f, final, expected, allowed)
                    return DownloadResult(
                        f.project,
                        str(f.version),
                        name,
                        final,
                        digest,
                        size,
                        "downloaded",
                        unverified,
                    )
        except LockTimeout as exc:
            raise NetworkError(
                f"gave up waiting {exc.timeout:.0f}s for another cglib process "
                f"downloading {name} into {str(run.dest)!r}",
                hint="wait for it to finish, or download into another directory",
            ) from None
        except OSError as exc:
            raise write_error(exc, f"write {str(run.dest / name)!r}") from None
    digest, size = present
    run.note(f"{name}: already present with the right hash")
    if run.progress is not None:
        run.progress.start(name, size)
        run.progress.advance(name, size)
        run.progress.done(name)
    return DownloadResult(
        f.project, str(f.version), name, final, digest, size, "already-present", unverified
    )


def _fetch(
    run: _Run,
    f: DistributionFile,
    final: Path,
    expected: str | None,
    allowed: frozenset[str],
) -> tuple[str, int]:
    """Fetch ``f`` to ``final``; the caller holds its lock."""
    transfer = Transfer(
        run.client,
        f,
        final,
        expected=expected,
        allowed=allowed,
        progress=run.progress,
        log=run.log,
        warn=run.warn,
        stop=run.stop,
        sleep=run.pause,
        fsync=run.fsync,
    )
    try:
        return transfer.run()
    finally:
        if run.progress is not None:
            run.progress.done(final.name)


def _inside(dest: Path, filename: str) -> Path:
    if (dest / filename).is_symlink():
        # Planted locally (the index cannot make links): say so, exit 9.
        shown = str(dest / filename)
        raise LocalFileError(
            f"{shown!r} is a symbolic link; cglib never writes through one",
            path=shown,
            hint="remove the link (or download into another directory)",
        )
    try:
        root = dest.resolve()
        final = (root / filename).resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop in DEST itself
        raise LocalFileError(
            f"cannot resolve {str(dest / filename)!r}: {exc}",
            path=str(dest / filename),
            hint="check the destination for symbolic link loops",
        ) from None
    if final.parent != root:
        raise UnsafeFilenameError(
            f"refusing to save {filename!r}: it would land outside {dest}",
            hint="nothing was written",
        )
    return dest / filename


def _present(final: Path, expected: str | None, allowed: frozenset[str]) -> tuple[str, int] | None:
    """(digest, size) of a regular file already at ``final`` that matches."""
    if not (expected or allowed):
        return None
    try:
        if not final.is_file() or final.is_symlink():
            return None
        digest, size = hash_file(final)
    except OSError:
        return None
    if expected and digest != expected:
        return None
    if allowed and digest not in allowed:
        return None
    return digest, size
