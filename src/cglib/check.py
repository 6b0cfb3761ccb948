"""Check pinned packages of lock files against an index, and update the
locks to what the index serves.  No printing: the CLI shows the results.

For each pinned package and each target, :func:`check_locks` finds the
release on the index and the file the lock would install there (the best
file for the target among the files the lock names, else the best file of
the release), and gives one :class:`CheckEntry` with a status:

``ok``            served, and its sha256 is one the lock allows;
``hash-differs``  served with another hash (a rebuild);
``upstream``      served from Chainguard's upstream fallback
                  (``/python-upstream/`` in the file URL), hash allowed;
``yanked``        the file the target would get is yanked;
``no-file``       the version is there with no file for the target;
``missing``       no such project or version on the index.

Each project page is fetched once, pages concurrently.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from packaging.version import InvalidVersion, Version

from cglib.errors import ExitCode, NotFoundError
from cglib.lockfiles import Change, FileUpdate, LockedPackage, LockFile, write_updates
from cglib.models import DistributionFile, ProjectPage, Release
from cglib.parallel import parallel_map
from cglib.selection import Target, choose_files, matching_releases

if TYPE_CHECKING:
    from cglib.client import IndexClient

__all__ = ["CheckEntry", "CheckReport", "Status", "check_locks", "update_locks"]

Status = Literal["ok", "hash-differs", "upstream", "yanked", "no-file", "missing"]
UPSTREAM_MARK = "/python-upstream/"
#: Pages fetched at once.
DEFAULT_JOBS = 32


@dataclass(frozen=True, slots=True)
class CheckEntry:
    """One pinned package of one lock file, for one target."""

    file: str
    project: str
    version: str
    status: Status
    #: sha256 digests the lock allows (for the file it would install).
    expected: tuple[str, ...]
    #: sha256 of the file the index serves for the target (empty: none).
    actual: tuple[str, ...]
    url: str | None
    #: The target (``None``: this machine, the default).
    target: str | None
    #: One line saying what was found.
    message: str
    where: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "project": self.project,
            "version": self.version,
            "status": self.status,
            "expected": list(self.expected),
            "actual": list(self.actual),
            "url": self.url,
            "target": self.target,
            "message": self.message,
        }


@dataclass(slots=True)
class CheckReport:
    """Every entry of a check run, and the releases found (for updates)."""

    index: str
    entries: list[CheckEntry] = field(default_factory=list)
    #: (file, project, version) -> the release the index serves.
    releases: dict[tuple[str, str, str], Release] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {"index": self.index, "entries": [e.to_json() for e in self.entries]}

    def statuses(self) -> set[Status]:
        return {e.status for e in self.entries}

    def exit_code(self, *, updated: bool = False) -> ExitCode:
        """0 when every entry is ok or upstream (or every hash was just
        updated); 5 when anything is missing, has no file or is yanked; else
        7 (a hash differs)."""
        statuses = self.statuses()
        if statuses & {"missing", "no-file", "yanked"}:
            return ExitCode.NOT_FOUND
        if "hash-differs" in statuses and not updated:
            return ExitCode.INTEGRITY
        return ExitCode.OK


def check_locks(
    client: IndexClient,
    locks: Sequence[LockFile],
    targets: Sequence[Target] = (),
    *,
    jobs: int = DEFAULT_JOBS,
) -> CheckReport:
    """Check every package of ``locks`` for each of ``targets`` (default:
    this machine)."""
    described: list[tuple[Target, str | None]] = [(t, t.describe()) for t in targets]
    described = described or [(Target(), None)]
    names = list(dict.fromkeys(p.name for lock in locks for p in lock.packages))
    pages = _fetch_pages(client.get_project, names, jobs)
    report = CheckReport(index=client.index.url)
    chainguard = client.index.is_chainguard
    for lock in locks:
        report.warnings.extend(lock.warnings)
        for package in lock.packages:
            page = pages[package.name]
            release = _release(page, package.version) if page is not None else None
            if release is not None:
                report.releases[(str(lock.path), package.name, package.version)] = release
            for target, label in described:
                if not _applies(package, target):
                    continue
                report.entries.append(
                    _check_one(str(lock.path), package, page, release, target, label, chainguard)
                )
    return report


def update_locks(locks: Sequence[LockFile], report: CheckReport) -> list[Change]:
    """Rewrite each lock's hashes (and URLs, sizes, upload times) to what
    the index serves for its releases; return the changes made."""
    changes: list[Change] = []
    for lock in locks:
        updates: dict[tuple[str, str], list[FileUpdate]] = {}
        for package in lock.packages:
            release = report.releases.get((str(lock.path), package.name, package.version))
            if release is None:
                continue
            updates[(package.name, package.version)] = [
                FileUpdate(f.filename, f.url, f.sha256, f.size, f.upload_time)
                for f in release.files
                if f.sha256
            ]
        changes.extend(write_updates(lock, updates))
    return changes


def _fetch_pages(
    get: Callable[[str], ProjectPage], names: list[str], jobs: int
) -> dict[str, ProjectPage | None]:
    """Each project's page (``None``: the index has no such project), fetched
    on up to ``jobs`` threads.  Any other failure is raised."""

    def one(name: str) -> ProjectPage | None:
        try:
            return get(name)
        except NotFoundError:
            return None

    if len(names) <= 1 or jobs <= 1:
        return {name: one(name) for name in names}
    # The first page alone: it opens the client's connection pool once.
    pages = {names[0]: one(names[0])}
    rest = names[1:]
    # Daemon threads: after Ctrl-C a stalled read does not hold up the exit.
    found = parallel_map(min(jobs, len(rest)), one, rest, threading.Event())
    pages.update(zip(rest, found, strict=True))
    return pages


def _release(page: ProjectPage, version: str) -> Release | None:
    """The release ``==version`` (exactly that version when there is one,
    else the newest local build of it, such as ``2.0.0+cgr.1``)."""
    try:
        wanted = Version(version)
    except InvalidVersion:
        return None
    releases = matching_releases(page, f"=={wanted}", pre=True, pinned=True)
    for release in releases:
        if release.version == wanted:
            return release
    return releases[0] if releases else None


def _applies(package: LockedPackage, target: Target) -> bool:
    if not package.marker:
        return True
    from packaging.markers import InvalidMarker, Marker

    try:
        return Marker(package.marker).evaluate(target.marker_environment())
    except InvalidMarker:
        return True  # as installers would fail loudly on it; check the package anyway


def _check_one(
    file: str,
    package: LockedPackage,
    page: ProjectPage | None,
    release: Release | None,
    target: Target,
    label: str | None,
    chainguard: bool,
) -> CheckEntry:
    def entry(
        status: Status,
        message: str,
        expected: frozenset[str] = package.hashes,
        served: DistributionFile | None = None,
    ) -> CheckEntry:
        actual = (served.sha256,) if served is not None and served.sha256 else ()
        return CheckEntry(
            file,
            package.name,
            package.version,
            status,
            tuple(sorted(expected)),
            actual,
            served.url if served is not None else None,
            label,
            message,
            package.where,
        )

    queued = (
        "; Chainguard has now queued it for building from source, so it may appear later"
        if chainguard
        else ""
    )
    if page is None:
        return entry("missing", f"no project {package.name} on the index{queued}")
    if release is None:
        return entry("missing", f"no version {package.version} of {package.name}{queued}")
    served = _served_file(package, release, target)
    if served is None:
        where = target.describe()
        return entry("no-file", f"version {package.version} has no file for {where}")
    named = package.hashes_for(served.filename)
    expected = named if named is not None else package.hashes
    if served.yanked:
        reason = f": {served.yanked_reason}" if served.yanked_reason else ""
        return entry("yanked", f"{served.filename} is yanked{reason}", expected, served)
    if expected and served.sha256 not in expected:
        shown = served.sha256[:12] if served.sha256 else "no hash"
        return entry(
            "hash-differs",
            f"{served.filename} has sha256 {shown}, not one the lock allows",
            expected,
            served,
        )
    if UPSTREAM_MARK in served.url:
        return entry(
            "upstream",
            f"{served.filename} is served from the upstream fallback, not built by Chainguard",
            expected,
            served,
        )
    return entry("ok", f"{served.filename} matches", expected, served)


def _served_file(
    package: LockedPackage, release: Release, target: Target
) -> DistributionFile | None:
    """The file of ``release`` the lock would install on ``target``: the
    best one among the files the lock names, else the best one served."""
    names = package.filenames
    if names:
        named = tuple(f for f in release.files if f.filename in names)
        if named:
            choice = choose_files(Release(release.version, named), target, allow_yanked=True)
            if choice:
                return choice.files[0]
    choice = choose_files(release, target, allow_yanked=True)
    return choice.files[0] if choice else None
