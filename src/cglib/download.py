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

import contextlib
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from cglib.errors import (
    IntegrityError,
    LocalFileError,
    NetworkError,
    UnsafeFilenameError,
    UsageError,
)
from cglib.filelock import FileLock, LockTimeout
from cglib.filenames import check_filename
from cglib.parallel import DEFAULT_JOBS, Stopped, check_jobs, parallel_map
from cglib.planning import DownloadRequest, FileOptions, PlannedFile, plan
from cglib.transfer import ProgressCallback, Transfer, hash_file, write_error
from cglib.urls import normalize_name

if TYPE_CHECKING:
    from packaging.requirements import Requirement

    from cglib.client import IndexClient
    from cglib.metadata import MetadataFetcher
    from cglib.models import DistributionFile
    from cglib.pages import ProjectPages
    from cglib.resolve import Options
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
#: A file fetched whole to read its metadata: where it is, and its sha256 when known.
_Kept = tuple[Path, str | None]


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
    #: The projects whose requirements brought it in (empty: asked for).
    required_by: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "project": self.project,
            "version": self.version,
            "filename": self.filename,
            "path": str(self.path),
            "sha256": self.sha256,
            "size": self.size,
            "status": self.status,
            "required_by": list(self.required_by),
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
    #: Files already fetched whole (to read their metadata), by URL: where
    #: each is and its sha256, if known.
    reuse: dict[str, _Kept] = field(default_factory=dict)
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
    only_binary: bool | Iterable[str] = False,
    no_binary: bool | Iterable[str] = False,
    all_files: bool = False,
    jobs: int = DEFAULT_JOBS,
    progress: ProgressCallback | None = None,
    log: Log | None = None,
    warn: Log | None = None,
    fsync: bool = False,
    targets: Sequence[Target] = (),
    no_deps: bool = False,
    prefer_binary: bool = False,
    require_hashes: bool = False,
    resolving: Callable[[str], None] | None = None,
    fetcher: MetadataFetcher | None = None,
    pages: ProjectPages | None = None,
) -> list[DownloadResult]:
    """Resolve ``requirements`` and download the closure into ``dest``.

    Like ``pip download``: the dependencies are resolved
    (:func:`cglib.resolve.resolve`) for ``target`` (default: this
    interpreter and machine), or for each of ``targets`` (the union of the
    closures is saved); ``no_deps`` takes only what was named.  Then the
    best file of each pinned version for each target, or every file of it
    with ``all_files``.  ``only_binary`` / ``no_binary``: ``True`` for every
    project, or project names (``":all:"`` too, as in pip).  Hash mode
    (``require_hashes``, or any request carrying ``--hash`` digests): every
    file saved must be covered by a digest of a request for its project
    (else :class:`IntegrityError`, exit 7, before anything is fetched).
    ``resolving`` is told of each project as the resolver reads it (from
    worker threads).  ``pages``: the :class:`~cglib.pages.ProjectPages` to
    read the project pages through (and close yourself), e.g. one whose reads
    of the requirements' pages have started already (``resolving`` is then
    its own ``progress``); by default one is made here.  A file whose metadata
    had to be fetched whole is moved into place instead of being fetched
    twice.  Returns what was saved: the requested projects first, in order,
    then their dependencies by name."""
    from cglib.selection import ALL, Target

    check_jobs(jobs)
    if target is not None and targets:
        raise UsageError("give either target or targets, not both")
    chosen_targets = list(targets) or [target or Target()]
    only = _names(only_binary, ALL)
    no = _names(no_binary, ALL)
    if ALL in only and ALL in no:
        raise UsageError("use only one of --only-binary :all: and --no-binary :all:")
    if all_files and (only or no):
        raise UsageError("use only one of --only-binary, --no-binary and --all-files")
    requests = [r if isinstance(r, DownloadRequest) else DownloadRequest(r) for r in requirements]
    hash_mode = require_hashes or any(r.hashes for r in requests)
    own_fetcher = fetcher is None and not no_deps
    own_pages = pages is None and not no_deps
    interrupted = False
    reuse: dict[str, _Kept] = {}
    try:
        if not no_deps:
            parsed = _parse_requests(requests)
            if pages is None:
                from cglib.pages import ProjectPages

                pages = ProjectPages(client, jobs, resolving)
            # The roots' pages are read while the resolver loads.
            pages.prefetch_all(requirement.name for _, requirement in parsed)
        from cglib.resolve import Options

        options = Options(pre, only, no, prefer_binary, no_deps, jobs)
        if no_deps:
            planned = _plan_named(client, requests, chosen_targets, options, all_files, log, warn)
        else:
            assert pages is not None
            if fetcher is None:
                from cglib.metadata import MetadataFetcher

                fetcher = MetadataFetcher(client, jobs=jobs)
            planned = _plan_closure(
                client,
                parsed,
                chosen_targets,
                options,
                all_files,
                fetcher,
                pages,
                warn,
                reuse,
            )
        if hash_mode:
            _check_hashes(planned)
        return _fetch_all(client, planned, dest, jobs, progress, log, warn, fsync, reuse)
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        if own_pages and pages is not None:
            pages.close(wait=not interrupted)
        if own_fetcher and fetcher is not None:
            fetcher.close(wait=not interrupted)


def _names(value: bool | Iterable[str], everything: str) -> frozenset[str]:
    if value is True:
        return frozenset({everything})
    if value is False:
        return frozenset()
    return frozenset(value)


def _plan_named(
    client: IndexClient,
    requests: list[DownloadRequest],
    targets: list[Target],
    options: Options,
    all_files: bool,
    log: Log | None,
    warn: Log | None,
) -> list[PlannedFile]:
    """``--no-deps``: what was named, planned for each target, each file once."""
    merged: dict[str, PlannedFile] = {}
    for target in targets:
        for item in plan(
            client,
            requests,
            target,
            pre=options.pre,
            all_files=all_files,
            jobs=options.jobs,
            log=log,
            warn=warn,
            binary_rule=options.binary_rule,
            prefer_binary=options.prefer_binary,
        ):
            merged.setdefault(item.file.filename, item)
    return list(merged.values())


def _parse_requests(requests: list[DownloadRequest]) -> list[tuple[DownloadRequest, Requirement]]:
    """Each request with its parsed requirement; a URL is refused."""
    from cglib.requirements import parse_requirement

    parsed = []
    for request in requests:
        requirement = parse_requirement(request.requirement)
        if requirement.url:
            where = f"{request.source}: " if request.source else ""
            raise UsageError(
                f"{where}{request.requirement!r} names a URL; cglib downloads from the index only",
                hint="write NAME or NAME==VERSION",
            )
        parsed.append((request, requirement))
    return parsed


def _plan_closure(
    client: IndexClient,
    parsed: list[tuple[DownloadRequest, Requirement]],
    targets: list[Target],
    options: Options,
    all_files: bool,
    fetcher: MetadataFetcher,
    pages: ProjectPages,
    warn: Log | None,
    reuse: dict[str, _Kept],
) -> list[PlannedFile]:
    """The files of the resolved closure for every target, each once, with
    the ``--hash`` digests of the requests for its project."""
    from cglib.resolve import resolve

    if not parsed:
        return []
    resolution = resolve(
        client,
        [requirement for _, requirement in parsed],
        targets,
        options,
        fetcher=fetcher,
        pages=pages,
    )
    for warning in resolution.warnings:
        if warn is not None:
            warn(warning)
    order = {normalize_name(req.name): i for i, (_, req) in reversed(list(enumerate(parsed)))}
    hashes = _hashes_by_project(parsed)
    planned: dict[str, PlannedFile] = {}
    for tr in resolution.targets:
        for pin in tr.pins.values():
            name = normalize_name(pin.project)
            files = pin.release_files if all_files else pin.files
            for f in files:
                previous = planned.get(f.url)
                required_by = pin.required_by
                if previous is not None:
                    required_by = tuple(dict.fromkeys((*previous.required_by, *required_by)))
                planned[f.url] = PlannedFile(
                    f, hashes.get(name, frozenset()), pin.project, required_by
                )
                if (
                    pin.whole_file is not None
                    and pin.metadata_file is not None
                    and pin.metadata_file.url == f.url
                ):
                    reuse[f.url] = (pin.whole_file, pin.whole_sha256)
    return sorted(
        planned.values(),
        key=lambda p: (
            order.get(normalize_name(p.file.project), len(order)),
            normalize_name(p.file.project),
            p.file.filename,
        ),
    )


def _hashes_by_project(
    parsed: list[tuple[DownloadRequest, Requirement]],
) -> dict[str, frozenset[str]]:
    """The digests allowed for each project: those every request for it
    with ``--hash`` options allows (none in common: :class:`IntegrityError`)."""
    out: dict[str, frozenset[str]] = {}
    for request, requirement in parsed:
        if not request.hashes:
            continue
        name = normalize_name(requirement.name)
        previous = out.get(name)
        if previous is None:
            out[name] = request.hashes
            continue
        out[name] = previous & request.hashes
        if not out[name]:
            raise IntegrityError(
                f"the --hash options of the requirements on {requirement.name} have no digest "
                "in common",
                hint="fix the requirements files",
            )
    return out


def _check_hashes(planned: list[PlannedFile]) -> None:
    """Hash mode: every file must be covered by a ``--hash`` (as in pip)."""
    missing = [item for item in planned if not item.hashes]
    if not missing:
        return
    shown = "; ".join(
        f"{item.file.filename}"
        + (f" (required by {', '.join(item.required_by)})" if item.required_by else "")
        for item in missing[:8]
    )
    more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
    first = missing[0].file
    example = (
        f"{first.project}=={first.version} --hash=sha256:{first.sha256}" if first.sha256 else ""
    )
    raise IntegrityError(
        f"hashes are required (a requirement has --hash, or --require-hashes), but none "
        f"covers {shown}{more}; nothing was downloaded",
        hint=(f"add each to the requirements file, e.g. {example}" if example else None)
        or "add a --hash for each file to the requirements file",
    )


def _fetch_all(
    client: IndexClient,
    planned: list[PlannedFile],
    dest: str | os.PathLike[str],
    jobs: int,
    progress: ProgressCallback | None,
    log: Log | None,
    warn: Log | None,
    fsync: bool,
    reuse: dict[str, _Kept],
) -> list[DownloadResult]:
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
    run = _Run(client, directory, progress, log, warn, fsync, reuse)
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
                    moved = _move_whole(run, f.url, final, expected, allowed)
                    digest, size = moved or _fetch(run, f, final, expected, allowed)
                    return _result(item, final, digest, size, "downloaded", unverified)
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
    _shown_whole(run, name, size)
    return _result(item, final, digest, size, "already-present", unverified)


def _result(
    item: PlannedFile,
    final: Path,
    digest: str,
    size: int,
    status: Literal["downloaded", "already-present"],
    unverified: bool,
) -> DownloadResult:
    f = item.file
    return DownloadResult(
        f.project,
        str(f.version),
        final.name,
        final,
        digest,
        size,
        status,
        unverified,
        item.required_by,
    )


def _shown_whole(run: _Run, name: str, size: int) -> None:
    """Tell the progress display that ``name`` is there at once, whole."""
    if run.progress is not None:
        run.progress.start(name, size)
        run.progress.advance(name, size)
        run.progress.done(name)


def _move_whole(
    run: _Run, url: str, final: Path, expected: str | None, allowed: frozenset[str]
) -> tuple[str, int] | None:
    """Move the whole file fetched to read its metadata into place, when
    its hash is right; ``None`` when there is none (fetch it then)."""
    kept = run.reuse.pop(url, None)
    if kept is None:
        return None
    source, digest = kept
    if not source.is_file():
        return None
    if digest is None:
        digest, size = hash_file(source)
    else:
        size = source.stat().st_size  # its sha256 was taken as it arrived
    if (expected and digest != expected) or (allowed and digest not in allowed):
        return None  # fetched again, and the transfer says what is wrong
    temporary = final.with_name(f".{final.name}.whole")
    try:
        shutil.move(source, temporary)  # a copy when the spool is on another disk
        if run.fsync:
            with temporary.open("rb") as fh:
                os.fsync(fh.fileno())
        os.replace(temporary, final)
    except OSError:
        with contextlib.suppress(OSError):
            temporary.unlink()  # nothing partial is left in DEST
        raise
    run.note(f"{final.name}: kept from reading its metadata (sha256 checked)")
    _shown_whole(run, final.name, size)
    return digest, size


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
