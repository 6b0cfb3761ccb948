"""Download distribution files: the right file for a target, verified, atomic.

:func:`download` resolves each requirement against the index (newest
matching version, best file for the :class:`~cglib.selection.Target`), then
fetches the files, several at once.  Each file is streamed to
``DEST/NAME.part`` while it is hashed, checked against its
``Content-Length``, the sha256 the index gave and any ``--hash`` of a
requirements file, and only then renamed to ``DEST/NAME``.  A file already
present with the right hash is not fetched again; a ``.part`` left by an
interrupted run is resumed with ``Range`` / ``If-Range``.  Two processes
downloading one file into one directory take turns: each file is fetched
under an exclusive lock on ``DEST/NAME.part.lock`` (``flock``; ``msvcrt`` on
Windows), deleted afterwards, and the second process then finds the file
already present.

A body that stalls past the read time-out or whose connection breaks, after
the retries (each resuming where the last stopped), is a
:class:`~cglib.errors.NetworkError` (exit 6) and its ``.part`` is kept for
the next run; a body the server ends before its ``Content-Length``, or whose
hash is wrong, is an :class:`~cglib.errors.IntegrityError` (exit 7) and
nothing is kept.

File links usually answer ``302`` to a pre-signed URL on an object store;
:meth:`cglib.client.IndexClient.stream` follows it without sending the index
credentials there.  File names come from the index and are trusted only
when they are plain wheel or sdist names: anything else is refused
(:class:`~cglib.errors.UnsafeFilenameError`) before a byte is written, and
nothing is ever written outside ``DEST``.

Nothing here prints: progress reaches the caller through a
:class:`ProgressCallback`, notes and warnings through ``log`` / ``warn``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from cglib.errors import (
    CglibError,
    IntegrityError,
    NetworkError,
    NoMatchError,
    UnsafeFilenameError,
    UsageError,
)
from cglib.urls import normalize_name, redact

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from cglib.client import IndexClient
    from cglib.models import DistributionFile, ProjectPage
    from cglib.selection import Target

__all__ = [
    "DEFAULT_JOBS",
    "DownloadRequest",
    "DownloadResult",
    "PlannedFile",
    "ProgressCallback",
    "check_filename",
    "download",
    "download_file",
    "plan",
]

#: Files fetched at once by default: enough to hide latency, few enough to be polite.
DEFAULT_JOBS = 6
#: Bodies at least this big are hashed and written in helper threads.
_PIPELINE_THRESHOLD = 4 << 20
#: Bytes handed to the hashing and writing threads at a time.
_BATCH = 1 << 20
#: Batches in flight per file (bounds memory: about _BATCH * (_QUEUE + 2)).
_QUEUE = 4

_SDIST_SUFFIXES = r"(?:tar\.gz|zip|tar\.bz2|tgz|tar\.xz)"
_SAFE_WHEEL = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?"  # name
    r"-[A-Za-z0-9_.!+]+"  # version
    r"(?:-[0-9][A-Za-z0-9_.]*)?"  # build tag
    r"-[A-Za-z0-9_.]+-[A-Za-z0-9_.]+-[A-Za-z0-9_.]+"  # python-abi-platform
    r"\.whl\Z"
)
_SAFE_SDIST = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?-[A-Za-z0-9_.!+]+\." + _SDIST_SUFFIXES + r"\Z"
)

Log = Callable[[str], None]


class ProgressCallback(Protocol):
    """Receives the progress of each file; called from worker threads."""

    def start(self, file: str, total: int | None) -> None:
        """``file`` starts; ``total`` bytes (``None`` when unknown)."""

    def advance(self, file: str, n: int) -> None:
        """``n`` more bytes of ``file`` arrived (or were found in a ``.part``)."""

    def done(self, file: str) -> None:
        """``file`` is finished (saved, already present, or given up)."""


@dataclass(frozen=True, slots=True)
class DownloadRequest:
    """One requirement to download, with the sha256 digests a requirements
    file allows for it (empty: any) and where it was written."""

    requirement: str
    hashes: frozenset[str] = frozenset()
    source: str = ""


@dataclass(frozen=True, slots=True)
class PlannedFile:
    """A file chosen for download, and the digests it must match."""

    file: DistributionFile
    hashes: frozenset[str] = frozenset()
    requirement: str = ""


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


class _Stopped(Exception):
    """Another file failed, or the user pressed Ctrl-C: stop, keep the .part."""


@dataclass
class _Run:
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


# ---------------------------------------------------------------------------
# File names


def check_filename(filename: str, project: str | None = None) -> str:
    """Return ``filename`` if it is a plain wheel or sdist name that is safe
    to create in a directory; else raise :class:`UnsafeFilenameError`."""
    ok = (
        0 < len(filename) <= 255
        and filename.isascii()
        and filename.isprintable()
        and ".." not in filename
        and not filename.startswith(".")
        and "/" not in filename
        and "\\" not in filename
        and (_SAFE_WHEEL.match(filename) or _SAFE_SDIST.match(filename)) is not None
    )
    if ok and project is not None and filename.endswith(".whl"):
        ok = normalize_name(filename.split("-", 1)[0]) == normalize_name(project)
    if not ok:
        shown = filename.encode("unicode_escape").decode("ascii")[:120]
        raise UnsafeFilenameError(
            f"refusing to save {shown!r}: not a plain wheel or sdist file name",
            hint="the index served a suspicious link; nothing was written — tell its operator",
        )
    return filename


def _inside(dest: Path, filename: str) -> Path:
    root = dest.resolve()
    final = (root / filename).resolve()
    if final.parent != root:
        raise UnsafeFilenameError(
            f"refusing to save {filename!r}: it would land outside {dest}",
            hint="nothing was written",
        )
    return dest / filename


# ---------------------------------------------------------------------------
# Choosing files


def _as_request(item: str | DownloadRequest) -> DownloadRequest:
    return item if isinstance(item, DownloadRequest) else DownloadRequest(item, source="")


def _map(
    jobs: int, func: Callable[[Any], Any], items: Sequence[Any], stop: threading.Event
) -> list[Any]:
    """``[func(x) for x in items]`` on up to ``jobs`` threads.  The first
    failure sets ``stop`` (the others stop at their next chunk, keeping their
    ``.part``) and is raised once every thread has finished."""
    if jobs <= 1 or len(items) <= 1:
        return [func(item) for item in items]
    pool = ThreadPoolExecutor(max_workers=min(jobs, len(items)), thread_name_prefix="cglib")
    futures: list[Future[Any]] = []
    try:
        futures = [pool.submit(func, item) for item in items]
        _, pending = wait(futures, return_when=FIRST_EXCEPTION)
        if pending:
            stop.set()
            for future in pending:
                future.cancel()
            wait(pending)
    except BaseException:
        stop.set()
        for future in futures:
            future.cancel()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    errors = [f.exception() for f in futures if f.done() and not f.cancelled() and f.exception()]
    for error in errors:
        if error is not None and not isinstance(error, _Stopped):
            raise error
    return [future.result() for future in futures]


def plan(
    client: IndexClient,
    requirements: Iterable[str | DownloadRequest],
    target: Target,
    *,
    pre: bool = False,
    only_binary: bool = False,
    no_binary: bool = False,
    all_files: bool = False,
    jobs: int = DEFAULT_JOBS,
    log: Log | None = None,
    warn: Log | None = None,
) -> list[PlannedFile]:
    """Resolve each requirement to the file(s) to download, in order.

    Requirements whose markers are false for ``target`` are skipped.
    Raises :class:`NoMatchError` (exit 5) when no version matches or no file
    fits, naming every file and why it was turned down.  A link of the
    project whose name is unsafe (a path, control characters: the parser
    leaves it out of the page's files) and that would have been a candidate
    is refused with :class:`UnsafeFilenameError` (exit 7) when it leaves
    nothing to take, or with ``--all-files``; else it is passed over with a
    warning."""
    from cglib.requirements import parse_requirement

    if sum((only_binary, no_binary, all_files)) > 1:
        raise UsageError("use only one of --only-binary, --no-binary and --all-files")
    environment: dict[str, str] | None = None
    wanted: list[tuple[DownloadRequest, Requirement]] = []
    for item in map(_as_request, requirements):
        requirement = parse_requirement(item.requirement)
        where = f"{item.source}: " if item.source else ""
        if requirement.url:
            raise UsageError(
                f"{where}{item.requirement!r} names a URL; cglib downloads from the index only",
                hint="write NAME or NAME==VERSION",
            )
        if requirement.marker is not None:
            if environment is None:
                environment = target.marker_environment()
            if not requirement.marker.evaluate(environment):
                if log:
                    log(f"skipping {item.requirement}: its marker is false for the target")
                continue
        wanted.append((item, requirement))

    names = list(dict.fromkeys(normalize_name(req.name) for _, req in wanted))
    stop = threading.Event()
    pages: dict[str, ProjectPage] = dict(
        zip(names, _map(jobs, client.get_project, names, stop), strict=True)
    )

    planned: dict[str, PlannedFile] = {}
    for item, requirement in wanted:
        page = pages[normalize_name(requirement.name)]
        for chosen in _choose(
            client, page, requirement, target, pre, only_binary, no_binary, all_files, log, warn
        ):
            key = chosen.filename
            previous = planned.get(key)
            hashes = item.hashes
            if previous is not None:
                if previous.hashes and hashes:
                    hashes = previous.hashes & hashes
                    if not hashes:
                        raise IntegrityError(
                            f"the --hash options for {chosen.filename} in {previous.requirement} "
                            f"and {item.source or item.requirement} have no digest in common",
                            hint="fix the requirements files",
                        )
                else:
                    hashes = previous.hashes or hashes
            planned[key] = PlannedFile(chosen, hashes, item.source or item.requirement)
    return list(planned.values())


def _choose(
    client: IndexClient,
    page: ProjectPage,
    requirement: Requirement,
    target: Target,
    pre: bool,
    only_binary: bool,
    no_binary: bool,
    all_files: bool,
    log: Log | None,
    warn: Log | None = None,
) -> tuple[DistributionFile, ...]:
    from cglib.selection import choose_files, is_pinned, matching_releases

    pinned = is_pinned(requirement.specifier)
    releases = matching_releases(page, requirement.specifier, pre=pre, pinned=pinned)
    index = redact(client.index.url)
    spec = str(requirement.specifier) or "any version"
    unsafe = _unsafe_links(page, requirement, pre)
    if unsafe and (all_files or not releases):
        _refuse_unsafe(page, unsafe, index)
    if not releases:
        known = sorted({f.version for f in page.files}, reverse=True)
        listed = ", ".join(str(v) for v in known[:8]) + (" …" if len(known) > 8 else "")
        what = "version" if pre else "final version"
        hint = (
            "add --pre to include pre-releases"
            if not pre and any(v.is_prerelease for v in known)
            else None
        )
        raise NoMatchError(
            f"no {what} of {page.name} matches {spec} on {index}"
            + (f" (it has: {listed})" if listed else " (it lists no files)"),
            url=index,
            hint=hint or _chainguard_not_found(client),
        )
    first_report = None
    for release in releases:
        choice = choose_files(
            release, target, only_binary, no_binary, all_files, allow_yanked=pinned
        )
        if choice.files:
            if first_report is not None and log:
                log(
                    f"{page.name} {releases[0].version} has no file for the target; "
                    f"taking {release.version}"
                )
            if unsafe and warn:
                shown = ", ".join(repr(name) for name in unsafe[:5])
                warn(
                    f"{page.name}: passing over {len(unsafe)} link(s) with an unsafe file "
                    f"name on {index}: {shown}; taking {choice.files[0].filename}"
                )
            for f in choice.files:
                if f.yanked:
                    # PEP 592: a pinned yanked file may be used, with a word of warning.
                    reason = f" ({f.yanked_reason})" if f.yanked_reason else ""
                    if log:
                        log(f"{f.filename} is yanked{reason}; taking it as it is pinned")
            return choice.files
        if first_report is None:
            first_report = choice
    assert first_report is not None
    if unsafe:
        _refuse_unsafe(page, unsafe, index)
    newest = releases[0]
    older = f" (nor do {len(releases) - 1} older matching versions)" if len(releases) > 1 else ""
    details = first_report.report() or "it has no files"
    raise NoMatchError(
        f"no file of {page.name} {newest.version} fits {target.describe()}{older}: {details}",
        url=index,
        hint=_platform_hint(client, target),
    )


_ESCAPED = re.compile(r"\\x[0-9a-fA-F]{2}")
_NOT_NAME = re.compile(r"[^A-Za-z0-9._+!-]")
_SUFFIX = re.compile(r".*?\.(?:whl|" + _SDIST_SUFFIXES + ")")


def _unsafe_links(page: ProjectPage, requirement: Requirement, pre: bool) -> list[str]:
    """Links of ``page`` left out for an unsafe name (a path, control
    characters) that would be a file of the project matching
    ``requirement`` once made safe: ``../../pkg-1.0.tar.gz``,
    ``pkg-1.0-py3-none-any.whl\\x00``.  The page gives skipped names with
    control characters escaped as ``\\xNN``."""
    from cglib.simple import parse_filename

    if not page.skipped:
        return []
    project = normalize_name(page.name)
    out: list[str] = []
    for shown in page.skipped:
        if not (
            "/" in shown
            or "\\" in shown
            or shown.startswith(".")
            or not shown.isprintable()
            or _ESCAPED.search(shown)
        ):
            continue  # an egg, an installer, a bad version: not a hostile name
        base = _NOT_NAME.sub("", re.split(r"[/\\]", _ESCAPED.sub("", shown))[-1])
        cut = _SUFFIX.match(base)  # junk after the suffix: "pkg-1.0.tar.gz\\x00"
        parsed = parse_filename(base, page.name) or (
            parse_filename(cut[0], page.name) if cut else None
        )
        if parsed is None or parsed[0] != project:
            continue
        if requirement.specifier.contains(parsed[1], prereleases=True if pre else None):
            out.append(shown)
    return out


def _refuse_unsafe(page: ProjectPage, unsafe: list[str], index: str) -> None:
    shown = ", ".join(repr(name) for name in unsafe[:5])
    more = f" and {len(unsafe) - 5} more" if len(unsafe) > 5 else ""
    raise UnsafeFilenameError(
        f"refusing {page.name} files with unsafe names on {index}: {shown}{more}",
        url=index,
        hint="the index served suspicious links; nothing was written — tell its operator",
    )


def _chainguard_not_found(client: IndexClient) -> str | None:
    if client.index.is_chainguard:
        return (
            "Chainguard queues a missing project or version for building from source, "
            "so it may just not be there yet"
        )
    return None


def _platform_hint(client: IndexClient, target: Target) -> str | None:
    if client.index.is_chainguard and target.platforms is None and sys.platform != "linux":
        return (
            "Chainguard's wheels are for Linux (glibc 2.28+, x86_64 or aarch64): add "
            "--platform manylinux_2_28_x86_64 (or manylinux_2_28_aarch64) to download for Linux"
        )
    if target.platforms is None:
        return "use --platform, --python-version or --all-files to download for another target"
    return "try another --platform or --python-version, or --all-files"


# ---------------------------------------------------------------------------
# Downloading


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

    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
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
        raise UsageError(
            f"cannot create the destination {str(directory)!r}: {exc.strerror or exc}"
        ) from None
    if not directory.is_dir():
        raise UsageError(f"the destination {str(directory)!r} is not a directory")
    run = _Run(client, directory, progress, log, warn, fsync)
    results: list[DownloadResult] = _map(
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
    directory.mkdir(parents=True, exist_ok=True)
    return _download_one(_Run(client, directory, progress, log, warn, fsync), item)


def _download_one(run: _Run, item: PlannedFile) -> DownloadResult:
    if run.stop.is_set():
        raise _Stopped
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
        try:
            with _FileLock(run, run.dest / f"{name}.part.lock", name):
                # Another process may have saved it while we waited.
                present = _present(final, expected, allowed)
                if present is None:
                    digest, size = _download_locked(run, f, name, final, expected, allowed)
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
        except OSError as exc:
            raise _write_error(exc, run.dest / name) from None
    digest, size = present
    run.note(f"{name}: already present with the right hash")
    if run.progress is not None:
        run.progress.start(name, size)
        run.progress.advance(name, size)
        run.progress.done(name)
    return DownloadResult(
        f.project, str(f.version), name, final, digest, size, "already-present", unverified
    )


def _download_locked(
    run: _Run,
    f: DistributionFile,
    name: str,
    final: Path,
    expected: str | None,
    allowed: frozenset[str],
) -> tuple[str, int]:
    """Fetch ``f`` into ``NAME.part`` and rename it to ``final``; the caller
    holds the lock of ``name``, so the ``.part`` is ours alone."""
    part = run.dest / f"{name}.part"
    meta = run.dest / f"{name}.part.json"
    try:
        digest, size = _fetch(run, f, part, meta, expected, allowed)
        _rename(part, final, run.fsync)
        with contextlib.suppress(OSError):
            meta.unlink()
    finally:
        if run.progress is not None:
            run.progress.done(name)
    return digest, size


def _write_error(exc: OSError, path: Path) -> CglibError:
    return UsageError(
        f"cannot write {str(path)!r}: {exc.strerror or exc}",
        hint="check the free space and permissions of the destination",
    )


# ---------------------------------------------------------------------------
# Locking: one process at a time per file and directory

#: How often a process waiting for another one's lock looks again (seconds).
_LOCK_POLL = 0.05


class _FileLock:
    """An exclusive lock on ``DEST/NAME.part.lock`` while ``NAME`` is fetched,
    so that two cglib processes downloading the same file into one directory
    take turns instead of writing one ``.part`` at once.

    POSIX: ``fcntl.flock`` (released by the kernel if the process dies).  The
    holder deletes the lock file before letting go; a waiter that then gets
    the lock of a deleted file sees that the path now names another file (or
    none) and tries again.  Windows: ``msvcrt.locking`` on the file's first
    byte; the file may stay behind there, as an open file cannot be deleted.
    Elsewhere (no ``fcntl``, no ``msvcrt``) no lock is taken.  A waiter gives
    up with a :class:`NetworkError` after the settings' total time-out.
    """

    def __init__(self, run: _Run, path: Path, name: str) -> None:
        self.run = run
        self.path = path
        self.name = name
        self.fd: int | None = None

    def __enter__(self) -> _FileLock:
        settings = self.run.client.settings
        deadline = time.monotonic() + settings.total_timeout
        told = False
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _BINARY, 0o644)
            try:
                if _try_lock(fd) and _same_file(fd, self.path):
                    self.fd = fd
                    return self
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)
            if self.run.stop.is_set():
                raise _Stopped
            if time.monotonic() >= deadline:
                raise NetworkError(
                    f"gave up waiting {settings.total_timeout:.0f}s for another cglib process "
                    f"downloading {self.name} into {str(self.run.dest)!r}",
                    hint="wait for it to finish, or download into another directory",
                )
            if not told:
                self.run.note(f"{self.name}: another cglib process is downloading it; waiting")
                told = True
            time.sleep(_LOCK_POLL)

    def __exit__(self, *exc: object) -> None:
        fd, self.fd = self.fd, None
        if fd is None:
            return
        if sys.platform != "win32":
            with contextlib.suppress(OSError):
                self.path.unlink()  # while still held: see the class docstring
        try:
            _unlock(fd)
        finally:
            os.close(fd)
        if sys.platform == "win32":
            with contextlib.suppress(OSError):
                self.path.unlink()


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock of ``fd`` without waiting; False if it is held."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        import fcntl
    except ImportError:  # pragma: no cover - a POSIX without fcntl: no lock
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def _same_file(fd: int, path: Path) -> bool:
    """True when ``path`` still names the file open as ``fd`` (the holder
    before us deletes it before letting go)."""
    if sys.platform == "win32":
        return True
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)


def _present(final: Path, expected: str | None, allowed: frozenset[str]) -> tuple[str, int] | None:
    """(digest, size) of a regular file already at ``final`` that matches."""
    if not (expected or allowed):
        return None
    try:
        if not final.is_file() or final.is_symlink():
            return None
        digest, size = _hash_file(final)
    except OSError:
        return None
    if expected and digest != expected:
        return None
    if allowed and digest not in allowed:
        return None
    return digest, size


def _hash_file(path: Path, limit: int | None = None) -> tuple[str, int]:
    hasher = hashlib.sha256()
    size = 0
    with path.open("rb", buffering=0) as fh:
        while limit is None or size < limit:
            want = _BATCH if limit is None else min(_BATCH, limit - size)
            block = fh.read(want)
            if not block:
                break
            hasher.update(block)
            size += len(block)
    return hasher.hexdigest(), size


def _rename(part: Path, final: Path, fsync: bool) -> None:
    if fsync:
        fd = os.open(part, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    os.replace(part, final)


def _discard(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


_WHOLE = frozenset({200})
_RESUMED = frozenset({200, 206})
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)


@dataclass
class _Resume:
    offset: int = 0
    validator: str | None = None
    hasher: Any = None


def _resume_state(part: Path, meta: Path, expected: str | None) -> _Resume:
    """What a ``.part`` left by an earlier run lets us skip."""
    try:
        if part.is_symlink() or not part.is_file():
            return _Resume()
        info = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _Resume()
    if not isinstance(info, dict) or info.get("sha256") != expected:
        return _Resume()
    validator = info.get("validator")
    validator = validator if isinstance(validator, str) and validator else None
    if expected is None and validator is None:
        return _Resume()  # nothing to prove the rest belongs to the same file
    try:
        size = part.stat().st_size
    except OSError:
        return _Resume()
    if size == 0:
        return _Resume()
    hasher = hashlib.sha256()
    with part.open("rb", buffering=0) as fh:
        for block in iter(lambda: fh.read(_BATCH), b""):
            hasher.update(block)
    return _Resume(size, validator, hasher)


def _content_range_start(value: str | None) -> tuple[int, int | None] | None:
    match = re.fullmatch(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*", value or "")
    if not match:
        return None
    total = int(match[3]) if match[3] != "*" else None
    return int(match[1]), total


def _fetch(
    run: _Run,
    f: DistributionFile,
    part: Path,
    meta: Path,
    expected: str | None,
    allowed: frozenset[str],
) -> tuple[str, int]:
    """Stream ``f`` into ``part``, resuming and retrying; return (sha256, size)
    of a complete, verified file."""
    name = f.filename
    settings = run.client.settings
    shown = redact(f.url.partition("?")[0].partition("#")[0])
    for stale in (part, meta):
        if stale.is_symlink():  # never write through a link planted in DEST
            stale.unlink()
    resume = _resume_state(part, meta, expected)
    if resume.offset:
        run.note(f"{name}: resuming after {resume.offset} bytes from an earlier run")
    restarted = False
    retries = 0
    while True:
        headers = {"Accept-Encoding": "identity"}
        if resume.offset:
            headers["Range"] = f"bytes={resume.offset}-"
            if resume.validator:
                headers["If-Range"] = resume.validator
        received = 0
        expected_length: int | None = None
        offset = 0
        started = False
        try:
            with run.client.stream(
                f.url,
                headers=headers,
                what=f"file {name}",
                ok_statuses=_RESUMED if resume.offset else _WHOLE,
            ) as response:
                status = response.status_code
                length_header = response.headers.get("content-length")
                length = int(length_header) if length_header and length_header.isdigit() else None
                offset = 0
                hasher = hashlib.sha256()
                if status == 206:
                    content_range = _content_range_start(response.headers.get("content-range"))
                    if resume.offset and content_range and content_range[0] == resume.offset:
                        offset = resume.offset
                        hasher = resume.hasher
                    else:
                        # A range we did not ask for: start again from nothing.
                        resume = _Resume()
                        _discard(part, meta)
                        continue
                elif resume.offset:
                    run.note(f"{name}: the server sent the whole file again; starting over")
                expected_length = None if length is None else offset + length
                validator = response.headers.get("etag") or response.headers.get("last-modified")
                _write_meta(meta, expected, validator if status in (200, 206) else None)
                if run.progress is not None:
                    run.progress.start(name, expected_length or f.size)
                    if offset:
                        run.progress.advance(name, offset)
                started = True
                received = _receive(
                    run, name, run.client.iter_raw(response), part, offset, hasher, length
                )
        except NetworkError as exc:
            received = max(0, _on_disk(part) - offset) if started else 0
            if exc.status == 416 and resume.offset:
                resume = _Resume()
                _discard(part, meta)
                continue
            if started and exc.retryable and retries < settings.retries:
                # The body broke off or stalled: go on from where it stopped.
                retries += 1
                run.note(f"{name}: transfer broke off ({exc.message}); resuming")
                time.sleep(min(settings.backoff * 2 ** (retries - 1), settings.max_retry_wait))
                resume = _resume_state(part, meta, expected)
                continue
            if started and _closed_early(exc):
                # The server ended the body before its Content-Length.
                _discard(part, meta)
                got = offset + received
                total = f" of {expected_length}" if expected_length is not None else ""
                raise IntegrityError(
                    f"truncated transfer of {name} from {shown}: got {got}{total} bytes",
                    url=shown,
                    hint="the server closed the connection early; try again",
                ) from None
            if started:
                # A time-out or a broken connection: keep the .part for the next run.
                raise NetworkError(
                    f"{exc.message} while downloading {name} (got {offset + received} bytes)",
                    status=exc.status,
                    url=exc.url or shown,
                    hint="the partial download is kept; run the command again to resume it",
                ) from None
            raise
        size = offset + received
        if expected_length is not None and size != expected_length:
            _discard(part, meta)
            raise IntegrityError(
                f"truncated transfer of {name} from {shown}: got {size} of {expected_length} bytes",
                url=shown,
                hint="the server closed the connection early; try again",
            )
        digest = hasher.hexdigest()
        if expected and digest != expected:
            if offset and not restarted:
                run.note(f"{name}: the resumed file does not match its hash; starting over")
                restarted = True
                resume = _Resume()
                _discard(part, meta)
                continue
            _discard(part, meta)
            raise IntegrityError(
                f"sha256 mismatch for {name} from {shown}: the index says {expected[:16]}…, "
                f"the download is {digest[:16]}…",
                url=shown,
                expected=expected,
                actual=digest,
                hint="nothing was saved; try again, and tell the index operator if it persists",
            )
        if allowed and digest not in allowed:
            _discard(part, meta)
            raise IntegrityError(
                f"sha256 of {name} ({digest[:16]}…) matches none of the --hash values of the "
                "requirements file",
                url=shown,
                expected=sorted(allowed)[0],
                actual=digest,
                hint="nothing was saved; update the hashes if the new file is trusted",
            )
        return digest, size


def _closed_early(exc: NetworkError) -> bool:
    """True when the server closed the connection before the end of the body
    it announced, as opposed to a time-out or a connection reset."""
    return exc.closed_early


def _on_disk(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _write_meta(meta: Path, expected: str | None, validator: str | None) -> None:
    data = json.dumps({"sha256": expected, "validator": validator})
    with contextlib.suppress(OSError):
        fd = os.open(meta, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o644)
        try:
            os.write(fd, data.encode())
        finally:
            os.close(fd)


def _receive(
    run: _Run,
    name: str,
    chunks: Iterator[bytes],
    part: Path,
    offset: int,
    hasher: Any,
    length: int | None,
) -> int:
    """Write ``chunks`` into ``part`` after its first ``offset`` bytes while
    hashing them; return how many bytes arrived."""
    flags = os.O_WRONLY | os.O_CREAT | _NOFOLLOW | _BINARY
    try:
        fd = os.open(part, flags, 0o644)
    except OSError as exc:
        raise _write_error(exc, part) from None
    try:
        os.ftruncate(fd, offset)
        os.lseek(fd, offset, os.SEEK_SET)
        if length is not None and length >= _PIPELINE_THRESHOLD:
            return _receive_pipelined(run, name, chunks, fd, hasher)
        return _receive_simple(run, name, chunks, fd, hasher)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _receive_simple(run: _Run, name: str, chunks: Iterator[bytes], fd: int, hasher: Any) -> int:
    received = 0
    progress = run.progress
    stop = run.stop
    for chunk in chunks:
        if stop.is_set():
            raise _Stopped
        hasher.update(chunk)
        try:
            _write_all(fd, chunk)
        except OSError as exc:
            raise _io_error(exc) from None
        received += len(chunk)
        if progress is not None:
            progress.advance(name, len(chunk))
    return received


class _Worker(threading.Thread):
    """Applies ``func`` to each batch from its queue until ``None`` arrives."""

    def __init__(self, func: Callable[[list[bytes]], None]) -> None:
        super().__init__(daemon=True, name="cglib-io")
        self.func = func
        self.queue: queue.Queue[list[bytes] | None] = queue.Queue(maxsize=_QUEUE)
        self.error: BaseException | None = None

    def run(self) -> None:
        while True:
            batch = self.queue.get()
            if batch is None:
                return
            if self.error is None:
                try:
                    self.func(batch)
                except BaseException as exc:  # handed to the reader
                    self.error = exc


def _receive_pipelined(run: _Run, name: str, chunks: Iterator[bytes], fd: int, hasher: Any) -> int:
    """Like :func:`_receive_simple`, with hashing and writing each in a
    thread of its own (both release the GIL on big buffers), so that the
    socket, the hash and the disk work at the same time."""

    def write(batch: list[bytes]) -> None:
        if len(batch) == 1:
            _write_all(fd, batch[0])
            return
        total = sum(len(b) for b in batch)
        written = os.writev(fd, batch)
        if written != total:
            _write_all(fd, b"".join(batch)[written:])

    def digest(batch: list[bytes]) -> None:
        for block in batch:
            hasher.update(block)

    workers = [_Worker(digest), _Worker(write)]
    for worker in workers:
        worker.start()
    received = 0
    progress = run.progress
    stop = run.stop
    batch: list[bytes] = []
    batch_size = 0
    try:
        for chunk in chunks:
            batch.append(chunk)
            batch_size += len(chunk)
            if batch_size >= _BATCH:
                _hand_over(workers, batch)
                received += batch_size
                if progress is not None:
                    progress.advance(name, batch_size)
                batch, batch_size = [], 0
                if stop.is_set():
                    raise _Stopped
        if batch:
            _hand_over(workers, batch)
            received += batch_size
            if progress is not None:
                progress.advance(name, batch_size)
    finally:
        for worker in workers:
            worker.queue.put(None)
        for worker in workers:
            worker.join()
    for worker in workers:
        if worker.error is not None:
            raise _io_error(worker.error)
    return received


def _hand_over(workers: list[_Worker], batch: list[bytes]) -> None:
    for worker in workers:
        if worker.error is not None:
            raise _io_error(worker.error)
        worker.queue.put(batch)


def _io_error(exc: BaseException) -> CglibError:
    if isinstance(exc, CglibError):
        return exc
    if isinstance(exc, OSError):
        return UsageError(
            f"cannot write the download: {exc.strerror or exc}",
            hint="check the free space and permissions of the destination",
        )
    raise exc
