"""Which file(s) of which version to download for a requirement and a target.

:func:`choose` answers it for one requirement and its project page: the
newest matching version that has a file for the target (as pip and uv
choose), and its best file (:func:`cglib.selection.choose_files`), or an
explanatory error: :class:`~cglib.errors.NoMatchError` (exit 5) naming every
file and why it was turned down, with a hint about ``--pre`` or the target;
:class:`~cglib.errors.UnsafeFilenameError` (exit 7) for a link of the project
whose name is unsafe (a path, control characters) when it leaves nothing
else to take.  :func:`plan` does it for many requirements: markers evaluated
for the target, pages fetched a few at once, each file planned once with the
``--hash`` digests of every requirement that asked for it.

Nothing here writes a file; :mod:`cglib.download` fetches what is planned.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from cglib.errors import IntegrityError, NoMatchError, UnsafeFilenameError, UsageError
from cglib.filenames import SDIST_SUFFIXES, parse_filename
from cglib.parallel import DEFAULT_JOBS, parallel_map
from cglib.urls import normalize_name, redact

if TYPE_CHECKING:
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet

    from cglib.client import IndexClient
    from cglib.config import Index
    from cglib.models import DistributionFile, ProjectPage
    from cglib.selection import Target

__all__ = ["DownloadRequest", "FileOptions", "PlannedFile", "choose", "plan"]

Log = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class FileOptions:
    """Which files of a version may be taken: ``only_binary`` (wheels only),
    ``no_binary`` (sdists only) or ``all_files`` (every file, whatever the
    target); at most one of them (else :class:`UsageError`, exit 2)."""

    only_binary: bool = False
    no_binary: bool = False
    all_files: bool = False

    def __post_init__(self) -> None:
        if sum((self.only_binary, self.no_binary, self.all_files)) > 1:
            raise UsageError("use only one of --only-binary, --no-binary and --all-files")


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
    #: The projects whose requirements brought it in (empty: asked for).
    required_by: tuple[str, ...] = ()


# ---------------------------------------------------------------------------
# One requirement


def choose(
    page: ProjectPage,
    requirement: Requirement,
    target: Target,
    options: FileOptions | None = None,
    *,
    index: Index,
    pre: bool = False,
    prefer_binary: bool = False,
    log: Log | None = None,
    warn: Log | None = None,
) -> tuple[DistributionFile, ...]:
    """The file(s) of ``page`` to download for ``requirement`` and ``target``.

    The newest matching version with a file for the target wins (pre-releases
    with ``pre``, or when the specifier names one; yanked files only when
    pinned, with a note); with ``prefer_binary`` the newest version with a
    wheel for the target beats a newer one with only an sdist.  ``index``
    names the index in messages and hints.
    Raises :class:`NoMatchError` when no version matches or no file fits; a
    link of the project whose name is unsafe (the parser leaves it out of
    the page's files) and that would have been a candidate is refused with
    :class:`UnsafeFilenameError` when it leaves nothing to take, or with
    ``all_files``; else it is passed over with a warning."""
    from cglib.selection import choose_files, is_pinned, matching_releases

    options = options or FileOptions()
    page = _first_of_each_name(page, warn)
    pinned = is_pinned(requirement.specifier)
    releases = matching_releases(page, requirement.specifier, pre=pre, pinned=pinned)
    shown_index = redact(index.url)
    unsafe = _unsafe_links(page, requirement, pre)
    if unsafe and (options.all_files or not releases):
        raise _unsafe_error(page, unsafe, shown_index)
    if not releases:
        raise _no_version_error(page, requirement, index, pre)
    if prefer_binary:
        with_wheel = [
            r
            for r in releases
            if any(
                f.kind == "wheel"
                for f in choose_files(
                    r, target, options.only_binary, options.no_binary, allow_yanked=pinned
                ).files
            )
        ]
        releases = with_wheel + [r for r in releases if r not in with_wheel]
    first_report = None
    for release in releases:
        choice = choose_files(
            release,
            target,
            options.only_binary,
            options.no_binary,
            options.all_files,
            allow_yanked=pinned,
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
                    f"name on {shown_index}: {shown}; taking {choice.files[0].filename}"
                )
            for f in choice.files:
                if f.yanked and log:
                    # PEP 592: a pinned yanked file may be used, with a word of warning.
                    reason = f" ({f.yanked_reason})" if f.yanked_reason else ""
                    log(f"{f.filename} is yanked{reason}; taking it as it is pinned")
            return choice.files
        if first_report is None:
            first_report = choice
    assert first_report is not None
    if unsafe:
        raise _unsafe_error(page, unsafe, shown_index)
    newest = releases[0]
    older = f" (nor do {len(releases) - 1} older matching versions)" if len(releases) > 1 else ""
    details = first_report.report() or "it has no files"
    raise NoMatchError(
        f"no file of {page.name} {newest.version} fits {target.describe()}{older}: {details}",
        url=shown_index,
        hint=_platform_hint(index, target),
    )


def _first_of_each_name(page: ProjectPage, warn: Log | None) -> ProjectPage:
    """``page`` with one file per file name: the first listed.  Two links of
    one name with different hashes are warned about; either way the same
    file is chosen, with or without ``--all-files``."""
    seen: dict[str, DistributionFile] = {}
    kept: list[DistributionFile] = []
    for f in page.files:
        first = seen.get(f.filename)
        if first is None:
            seen[f.filename] = f
            kept.append(f)
        elif first.sha256 != f.sha256 and warn is not None:
            warn(
                f"{page.name}: the index lists {f.filename} twice with different hashes; "
                "taking the first one listed"
            )
    if len(kept) == len(page.files):
        return page
    return replace(page, files=tuple(kept))


def only_yanked_error(page: ProjectPage, specifier: SpecifierSet, pre: bool) -> NoMatchError | None:
    """The error for a project whose versions matching ``specifier`` are all
    yanked (PEP 592: taken only when pinned with ``==``), or ``None``."""
    from cglib.selection import matching_releases

    releases = matching_releases(page, specifier, pre=pre, pinned=True)
    if not releases or not all(release.yanked for release in releases):
        return None
    spec = f" matching {specifier}" if str(specifier) else ""
    return NoMatchError(
        f"every version of {page.name}{spec} is yanked",
        hint=f"pin one with == to take it anyway, e.g. '{page.name}=={releases[0].version}'",
    )


def _no_version_error(
    page: ProjectPage, requirement: Requirement, index: Index, pre: bool
) -> NoMatchError:
    yanked = only_yanked_error(page, requirement.specifier, pre)
    if yanked is not None:
        return yanked
    shown_index = redact(index.url)
    spec = str(requirement.specifier) or "any version"
    known = sorted({f.version for f in page.files}, reverse=True)
    listed = ", ".join(str(v) for v in known[:8]) + (" …" if len(known) > 8 else "")
    what = "version" if pre else "final version"
    hint = (
        "add --pre to include pre-releases"
        if not pre and any(v.is_prerelease for v in known)
        else None
    )
    return NoMatchError(
        f"no {what} of {page.name} matches {spec} on {shown_index}"
        + (f" (it has: {listed})" if listed else " (it lists no files)"),
        url=shown_index,
        hint=hint or _chainguard_not_found(index),
    )


_ESCAPED = re.compile(r"\\x[0-9a-fA-F]{2}")
_NOT_NAME = re.compile(r"[^A-Za-z0-9._+!-]")
_SUFFIX = re.compile(
    r".*?(?:\.whl|" + "|".join(re.escape(suffix) for suffix in SDIST_SUFFIXES) + ")"
)


def _unsafe_links(page: ProjectPage, requirement: Requirement, pre: bool) -> list[str]:
    """Links of ``page`` left out for an unsafe name (a path, control
    characters) that would be a file of the project matching
    ``requirement`` once made safe: ``../../pkg-1.0.tar.gz``,
    ``pkg-1.0-py3-none-any.whl\\x00``.  The page gives skipped names with
    control characters escaped as ``\\xNN``."""
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


def _unsafe_error(page: ProjectPage, unsafe: list[str], shown_index: str) -> UnsafeFilenameError:
    shown = ", ".join(repr(name) for name in unsafe[:5])
    more = f" and {len(unsafe) - 5} more" if len(unsafe) > 5 else ""
    return UnsafeFilenameError(
        f"refusing {page.name} files with unsafe names on {shown_index}: {shown}{more}",
        url=shown_index,
        hint="the index served suspicious links; nothing was written — tell its operator",
    )


def _chainguard_not_found(index: Index) -> str | None:
    if index.is_chainguard:
        return (
            "Chainguard queues a missing project or version for building from source, "
            "so it may just not be there yet"
        )
    return None


def _platform_hint(index: Index, target: Target) -> str | None:
    if index.is_chainguard and target.platforms is None and sys.platform != "linux":
        return (
            "Chainguard's wheels are for Linux (glibc 2.28+, x86_64 or aarch64): add "
            "--platform manylinux_2_28_x86_64 (or manylinux_2_28_aarch64) to download for Linux"
        )
    if target.platforms is None:
        return "use --platform, --python-version or --all-files to download for another target"
    return "try another --platform or --python-version, or --all-files"


# ---------------------------------------------------------------------------
# Many requirements


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
    binary_rule: Callable[[str], tuple[bool, bool]] | None = None,
    prefer_binary: bool = False,
) -> list[PlannedFile]:
    """Resolve each requirement to the file(s) to download, in order.

    Requirements whose markers are false for ``target`` are skipped; URL
    requirements are refused (:class:`UsageError`).  Each project's page is
    fetched once, up to ``jobs`` at a time; each file is planned once, with
    the digests that every requirement asking for it allows (none in
    common: :class:`IntegrityError`).  ``binary_rule(name)`` gives
    ``(only_binary, no_binary)`` per project (pip's per-name lists; default:
    the two flags).  See :func:`choose` for the errors of each requirement."""
    options = FileOptions(only_binary, no_binary, all_files)
    wanted = _applicable(requirements, target, log)
    names = list(dict.fromkeys(normalize_name(req.name) for _, req in wanted))
    pages = dict(
        zip(names, parallel_map(jobs, client.get_project, names, threading.Event()), strict=True)
    )
    planned: dict[str, PlannedFile] = {}
    for item, requirement in wanted:
        page = pages[normalize_name(requirement.name)]
        these = options
        if binary_rule is not None:
            only, no = binary_rule(requirement.name)
            these = FileOptions(only, no and not all_files, all_files and not only)
        for chosen in choose(
            page,
            requirement,
            target,
            these,
            index=client.index,
            pre=pre,
            prefer_binary=prefer_binary,
            log=log,
            warn=warn,
        ):
            planned[chosen.filename] = _merge(planned.get(chosen.filename), chosen, item)
    return list(planned.values())


def _applicable(
    requirements: Iterable[str | DownloadRequest], target: Target, log: Log | None
) -> list[tuple[DownloadRequest, Requirement]]:
    """The requirements parsed, without those whose marker is false for ``target``."""
    from cglib.requirements import parse_requirement

    environment: dict[str, str] | None = None
    wanted: list[tuple[DownloadRequest, Requirement]] = []
    for item in requirements:
        request = item if isinstance(item, DownloadRequest) else DownloadRequest(item)
        requirement = parse_requirement(request.requirement)
        where = f"{request.source}: " if request.source else ""
        if requirement.url:
            raise UsageError(
                f"{where}{request.requirement!r} names a URL; cglib downloads from the index only",
                hint="write NAME or NAME==VERSION",
            )
        if requirement.marker is not None:
            if environment is None:
                environment = target.marker_environment()
            if not requirement.marker.evaluate(environment):
                if log:
                    log(f"skipping {request.requirement}: its marker is false for the target")
                continue
        wanted.append((request, requirement))
    return wanted


def _merge(
    previous: PlannedFile | None, chosen: DistributionFile, item: DownloadRequest
) -> PlannedFile:
    """``chosen`` planned for ``item``, after ``previous`` planned it for
    another requirement: a file must match the --hash digests of both."""
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
    return PlannedFile(chosen, hashes, item.source or item.requirement)
