"""Which version and which file to download for a target: pure, no I/O.

A :class:`Target` describes the interpreter and machine the files are for:
by default this one (``packaging.tags.sys_tags()``), or one described by
``--platform`` (repeatable), ``--python-version``, ``--implementation`` and
``--abi``.  Platform tags are expanded as installers do (PEP 600): a target
``manylinux_2_39_x86_64`` also admits wheels tagged ``manylinux_2_28``,
``manylinux_2_17``/``manylinux2014``, ``manylinux2010`` and ``manylinux1``;
``musllinux_1_2`` admits ``musllinux_1_1``; ``macosx_14_0_arm64`` admits
older macOS versions and the ``universal2`` fat binaries.

:func:`choose_version` picks the newest matching version (PEP 440, PEP 592
for yanked files) and :func:`choose_files` the best file of a release for a
target, or explains why each file was turned down.
"""

from __future__ import annotations

import functools
import itertools
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from cglib.errors import UsageError
from cglib.filenames import wheel_tags  # re-exported: it lived here
from cglib.models import DistributionFile, ProjectPage, Release

if TYPE_CHECKING:
    from packaging.tags import Tag

__all__ = [
    "ALL",
    "Choice",
    "Target",
    "choose_files",
    "choose_version",
    "expand_platform",
    "is_pinned",
    "matching_releases",
    "names_prerelease",
    "wheel_tags",
]

#: ``--only-binary :all:`` / ``--no-binary :all:``: every project.
ALL = ":all:"

_MANYLINUX = re.compile(r"manylinux_(\d+)_(\d+)_(\w+)\Z")
_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
_LEGACY_RE = re.compile(r"(manylinux1|manylinux2010|manylinux2014)_(\w+)\Z")
_MUSLLINUX = re.compile(r"musllinux_(\d+)_(\d+)_(\w+)\Z")
_MACOSX = re.compile(r"macosx_(\d+)_(\d+)_(\w+)\Z")
_PLATFORM_WORD = re.compile(r"[A-Za-z0-9_.-]+\Z")
_ABI_WORD = re.compile(r"[A-Za-z0-9_]+\Z")
#: Upper bounds of the version numbers in platform tags and --python-version.
#: Older versions are enumerated down from the one given, so an absurd number
#: (``manylinux_2_99999_x86_64``, ``3.99999``) would build millions of tags.
#: glibc is at 2.41, macOS at 26 and Python at 3.14 as of 2025: room to spare.
MAX_PLATFORM_VERSION = 99
MAX_PYTHON_MINOR = 99
_MAX_PYTHON_MICRO = 999
#: Safety net: no target accepts more tags than this (a few thousand is usual).
_MAX_TAGS = 200_000
# Architectures that had manylinux wheels before glibc 2.17 (manylinux1, 2010).
_OLD_GLIBC_ARCHES = frozenset({"x86_64", "i686"})
# Architectures that manylinux2014 (glibc 2.17) defined.
_MANYLINUX2014_ARCHES = frozenset(
    {"x86_64", "i686", "aarch64", "armv7l", "ppc64", "ppc64le", "s390x"}
)
_IMPLEMENTATIONS = {
    "cp": "cpython",
    "pp": "pypy",
    "ip": "ironpython",
    "jy": "jython",
    "gp": "graalpy",
}


# ---------------------------------------------------------------------------
# Platform tags


def expand_platform(platform: str) -> list[str]:
    """Every platform tag that a machine of platform tag ``platform`` accepts,
    best first (PEP 600 for manylinux, the musllinux and macOS rules of
    ``packaging.tags``).  Other tags (``win_amd64``, ``linux_x86_64``…) stand
    for themselves.  Raises :class:`UsageError` for something that is not a
    platform tag at all."""
    if not _PLATFORM_WORD.match(platform) or len(platform) > 200:
        raise UsageError(
            f"not a platform tag: {platform!r}",
            hint="use a wheel platform tag such as manylinux_2_28_x86_64, macosx_14_0_arm64 "
            "or win_amd64",
        )
    tag = platform.lower().replace("-", "_").replace(".", "_")
    legacy = _LEGACY_RE.match(tag)
    if legacy:
        major, minor = _LEGACY_MANYLINUX[legacy[1]]
        return _manylinux(major, minor, legacy[2])
    match = _MANYLINUX.match(tag)
    if match:
        major, minor = _bounded_version(platform, match[1], match[2])
        return _manylinux(major, minor, match[3])
    match = _MUSLLINUX.match(tag)
    if match:
        major, minor = _bounded_version(platform, match[1], match[2])
        arch = match[3]
        return [f"musllinux_{major}_{m}_{arch}" for m in range(minor, -1, -1)]
    match = _MACOSX.match(tag)
    if match:
        from packaging.tags import mac_platforms

        version = _bounded_version(platform, match[1], match[2])
        expanded = list(mac_platforms(version, match[3]))
        return expanded or [tag]
    return [tag]


def _bounded_version(platform: str, major: str, minor: str) -> tuple[int, int]:
    """The version numbers of a platform tag, refused when beyond
    :data:`MAX_PLATFORM_VERSION` (older versions are enumerated from them)."""
    if len(major) > 3 or len(minor) > 3 or max(int(major), int(minor)) > MAX_PLATFORM_VERSION:
        raise UsageError(
            f"platform tag {platform!r} names a version beyond {MAX_PLATFORM_VERSION}",
            hint="use a real version, e.g. manylinux_2_28_x86_64 or macosx_14_0_arm64",
        )
    return int(major), int(minor)


def _manylinux(major: int, minor: int, arch: str) -> list[str]:
    """``manylinux_MAJOR_MINOR_ARCH`` and every older glibc of that major
    version it can run, with the legacy aliases right after their PEP 600
    twins (as ``packaging.tags`` orders them)."""
    if major != 2:
        return [f"manylinux_{major}_{minor}_{arch}"]
    lowest = 5 if arch in _OLD_GLIBC_ARCHES else 17
    out: list[str] = []
    for m in range(minor, lowest - 1, -1) if minor >= lowest else [minor]:
        out.append(f"manylinux_2_{m}_{arch}")
        if m == 17 and arch in _MANYLINUX2014_ARCHES:
            out.append(f"manylinux2014_{arch}")
        elif m == 12 and arch in _OLD_GLIBC_ARCHES:
            out.append(f"manylinux2010_{arch}")
        elif m == 5 and arch in _OLD_GLIBC_ARCHES:
            out.append(f"manylinux1_{arch}")
    return out


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# ---------------------------------------------------------------------------
# Targets


def _parse_python_version(text: str) -> tuple[int, ...]:
    raw = text.strip()
    parts: tuple[int, ...] | None = None
    if re.fullmatch(r"[23]\d{1,2}", raw):
        # pip's short form: 311 -> 3.11, 39 -> 3.9.
        parts = (int(raw[0]), int(raw[1:]))
    elif re.fullmatch(r"\d{1,4}(\.\d{1,4}){0,2}", raw):
        parts = tuple(int(p) for p in raw.split("."))
    if parts is None or not _python_version_ok(parts):
        raise UsageError(
            f"not a Python version: {text!r}",
            hint=f"write --python-version 3.12 (or 3, or 3.12.1; Python 2 or 3, minor up to "
            f"{MAX_PYTHON_MINOR})",
        )
    return parts


def _python_version_ok(parts: tuple[int, ...]) -> bool:
    """A version tags can be enumerated for: 2 or 3, small minor and micro."""
    return (
        1 <= len(parts) <= 3
        and parts[0] in (2, 3)
        and (len(parts) < 2 or 0 <= parts[1] <= MAX_PYTHON_MINOR)
        and (len(parts) < 3 or 0 <= parts[2] <= _MAX_PYTHON_MICRO)
    )


@dataclass(frozen=True)
class Target:
    """The interpreter and machine files are chosen for.

    Every field left ``None`` means "like this interpreter / machine".
    ``python_version`` is ``(3,)``, ``(3, 12)`` or ``(3, 12, 1)``;
    ``implementation`` a two-letter tag prefix (``cp``, ``pp``…); ``abis``
    wheel ABI tags; ``platforms`` platform tags as the user gave them
    (expanded by :meth:`tags`).
    """

    python_version: tuple[int, ...] | None = None
    implementation: str | None = None
    abis: tuple[str, ...] | None = None
    platforms: tuple[str, ...] | None = None
    _cache: dict[str, object] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        # Also for targets built by hand: tags are enumerated down from these.
        if self.python_version is not None and not _python_version_ok(tuple(self.python_version)):
            shown = ".".join(str(p) for p in self.python_version)
            raise UsageError(
                f"not a Python version: {shown!r}",
                hint=f"Python 2 or 3, minor version up to {MAX_PYTHON_MINOR}",
            )

    @classmethod
    def from_options(
        cls,
        *,
        platforms: Sequence[str] = (),
        python_version: str | None = None,
        implementation: str | None = None,
        abis: Sequence[str] = (),
    ) -> Target:
        """Build a target from command-line values, checking each one."""
        impl = None
        if implementation:
            impl = implementation.strip().lower()
            impl = {v: k for k, v in _IMPLEMENTATIONS.items()}.get(impl, impl)
            if not re.fullmatch(r"[a-z]{2}", impl):
                raise UsageError(
                    f"not an implementation: {implementation!r}",
                    hint="use cp (CPython), pp (PyPy), gp (GraalPy)",
                )
        for abi in abis:
            if not _ABI_WORD.match(abi) or len(abi) > 100:
                raise UsageError(
                    f"not an ABI tag: {abi!r}", hint="use a wheel ABI tag such as cp312 or abi3"
                )
        from cglib.targets import check_platforms

        target = cls(
            python_version=(
                _parse_python_version(python_version) if python_version is not None else None
            ),
            implementation=impl,
            abis=tuple(abis) or None,
            platforms=tuple(platforms) or None,
        )
        target.expanded_platforms()  # check them now: a tag at all,
        check_platforms(platforms)  # and one installers know (spelling hints)
        return target

    @property
    def is_default(self) -> bool:
        """True when the target is this interpreter on this machine."""
        return (
            self.python_version is None
            and self.implementation is None
            and self.abis is None
            and self.platforms is None
        )

    def expanded_platforms(self) -> list[str] | None:
        """The platform tags the target accepts (``None``: this machine's)."""
        if self.platforms is None:
            return None
        out: list[str] = []
        for platform in self.platforms:
            out.extend(expand_platform(platform))
        return _dedupe(out)

    def tags(self) -> list[Tag]:
        """Supported tags, best first (built once, on first use)."""
        cached = self._cache.get("tags")
        if cached is None:
            cached = list(itertools.islice(_dedupe_tags(self._build_tags()), _MAX_TAGS))
            self._cache["tags"] = cached
        assert isinstance(cached, list)
        return cached

    def priorities(self) -> dict[Tag, int]:
        """Each supported tag and its rank (0 is best)."""
        cached = self._cache.get("priorities")
        if cached is None:
            cached = {tag: rank for rank, tag in enumerate(self.tags())}
            self._cache["priorities"] = cached
        assert isinstance(cached, dict)
        return cached

    def _build_tags(self) -> Iterator[Tag]:
        from packaging import tags

        if self.is_default:
            yield from tags.sys_tags()
            return
        version = self.python_version or sys.version_info[:2]
        impl = self.implementation or tags.interpreter_name()
        platforms = self.expanded_platforms()
        if self.python_version is None:
            interpreter = f"{impl}{tags.interpreter_version()}"
        else:
            interpreter = f"{impl}{''.join(str(p) for p in version[:2])}"
        abis = list(self.abis) if self.abis is not None else None
        if impl == "cp":
            yield from tags.cpython_tags(version[:2], abis, platforms)
        else:
            yield from tags.generic_tags(interpreter, abis, platforms)
        if impl == "pp":
            compat: str | None = "pp3"
        elif impl == "cp":
            compat = interpreter
        else:
            compat = None
        yield from tags.compatible_tags(version[:2], compat, platforms)

    def python_full_version(self) -> Version:
        """The Python version checked against ``Requires-Python``: X.Y.0
        when only X.Y was given, as pip does."""
        if self.python_version is None:
            info = sys.version_info
            return Version(f"{info.major}.{info.minor}.{info.micro}")
        parts = [*self.python_version, 0, 0][:3]
        return Version(".".join(str(p) for p in parts))

    def describe(self) -> str:
        """A short description for messages: ``cp312 on manylinux_2_28_x86_64``."""
        if self.is_default:
            first = self.tags()[0] if self.tags() else None
            where = first.platform if first else "this machine"
            info = sys.version_info
            return f"this machine ({sys.implementation.name} {info.major}.{info.minor}, {where})"
        version = self.python_version or sys.version_info[:2]
        impl = self.implementation or "cp"
        text = f"{impl}{''.join(str(p) for p in version[:2])}"
        if self.abis:
            text += f" ({', '.join(self.abis)})"
        if self.platforms:
            text += f" on {', '.join(self.platforms)}"
        return text

    def marker_environment(self) -> dict[str, str]:
        """PEP 508 marker values for the target, as it would see itself
        (:func:`cglib.targets.marker_environment`)."""
        from cglib.targets import marker_environment

        return marker_environment(self)


def _dedupe_tags(tags: Iterable[Tag]) -> Iterator[Tag]:
    seen: set[Tag] = set()
    for tag in tags:
        if tag not in seen:
            seen.add(tag)
            yield tag


# ---------------------------------------------------------------------------
# Versions


def is_pinned(specifier: SpecifierSet) -> bool:
    """True for ``==1.2`` / ``===1.2`` (no wildcard): PEP 592 lets a pinned
    requirement take a yanked version."""
    specs = list(specifier)
    return (
        len(specs) == 1
        and specs[0].operator in ("==", "===")
        and not specs[0].version.endswith(".*")
    )


def names_prerelease(specifier: SpecifierSet) -> bool:
    """True when ``specifier`` names a pre-release (``>=2.0b1``): PEP 440 then
    admits pre-releases for it."""
    for spec in specifier:
        if spec.operator == "!=":
            continue
        try:
            if Version(spec.version.rstrip(".*")).is_prerelease:
                return True
        except InvalidVersion:
            continue
    return False


def matching_releases(
    page: ProjectPage,
    specifier: SpecifierSet | str = "",
    *,
    pre: bool = False,
    pinned: bool | None = None,
) -> list[Release]:
    """Every release matching ``specifier``, newest first.

    Pre-releases only with ``pre`` or when the specifier names one; a release
    whose files are all yanked only when the requirement is pinned with
    ``==`` (``pinned``; by default worked out from the specifier).  ``==2.0.0``
    also matches local builds such as ``2.0.0+cgr.1`` (PEP 440), newest
    first."""
    if isinstance(specifier, str):
        try:
            specifier = SpecifierSet(specifier)
        except InvalidSpecifier:
            raise UsageError(f"not a version specifier: {specifier!r}") from None
    if pinned is None:
        pinned = is_pinned(specifier)
    allow_pre = pre or names_prerelease(specifier)
    by_version: dict[Version, list[DistributionFile]] = {}
    for f in page.files:
        by_version.setdefault(f.version, []).append(f)
    out: list[Release] = []
    for version in sorted(by_version, reverse=True):
        if version.is_prerelease and not allow_pre:
            continue
        if not specifier.contains(version, prereleases=True):
            continue
        release = Release(version, tuple(by_version[version]))
        if release.yanked and not pinned:
            continue
        out.append(release)
    return out


def choose_version(
    page: ProjectPage,
    specifier: SpecifierSet | str = "",
    pre: bool = False,
    pinned: bool | None = None,
) -> Release | None:
    """The newest release matching ``specifier`` (see
    :func:`matching_releases`), or ``None``."""
    releases = matching_releases(page, specifier, pre=pre, pinned=pinned)
    return releases[0] if releases else None


# ---------------------------------------------------------------------------
# Files


@dataclass(frozen=True, slots=True)
class Choice:
    """What :func:`choose_files` found: the chosen files (best first; empty
    when nothing fits) and, for every file turned down, why."""

    files: tuple[DistributionFile, ...]
    rejected: tuple[tuple[DistributionFile, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.files)

    def report(self, limit: int = 8) -> str:
        """One line: each rejected file and the reason."""
        parts = [f"{f.filename} ({why})" for f, why in self.rejected[:limit]]
        more = len(self.rejected) - limit
        if more > 0:
            parts.append(f"and {more} more")
        return "; ".join(parts)


def _sdist_rank(f: DistributionFile) -> int:
    # PEP 625: .tar.gz is the standard sdist; others only as a fallback.
    return 0 if f.filename.endswith(".tar.gz") else 1


def choose_files(
    release: Release,
    target: Target,
    only_binary: bool = False,
    no_binary: bool = False,
    all_files: bool = False,
    *,
    allow_yanked: bool = False,
) -> Choice:
    """The file(s) of ``release`` to download for ``target``.

    The best wheel by the target's tag priority (ties go to the higher build
    number), else the sdist — unless ``only_binary`` (wheels only) or
    ``no_binary`` (sdists only).  ``all_files`` takes every file.  Yanked
    files only with ``allow_yanked``; files whose ``Requires-Python``
    excludes the target's Python are turned down (except with
    ``all_files``)."""
    rejected: list[tuple[DistributionFile, str]] = []
    candidates: list[DistributionFile] = []
    for f in release.files:
        if f.yanked and not allow_yanked:
            reason = "yanked"
            if f.yanked_reason:
                reason += f": {_short(f.yanked_reason)}"
            rejected.append((f, reason + "; pin it with == to take it"))
        else:
            candidates.append(f)
    if all_files:
        return Choice(tuple(candidates), tuple(rejected))

    priorities = target.priorities()
    python = target.python_full_version()
    wheels: list[tuple[int, int, DistributionFile]] = []
    sdists: list[DistributionFile] = []
    for f in candidates:
        if f.requires_python and not _python_ok(f.requires_python, python):
            rejected.append((f, f"requires Python {f.requires_python}, target is {python}"))
            continue
        if f.kind == "wheel":
            if no_binary:
                rejected.append((f, "a wheel, and --no-binary asks for sources"))
                continue
            parsed = wheel_tags(f.filename)
            if parsed is None:
                rejected.append((f, "not a valid wheel file name"))
                continue
            tags, build = parsed
            ranks = [priorities[t] for t in tags if t in priorities]
            if not ranks:
                rejected.append((f, "its tags do not fit the target"))
                continue
            wheels.append((min(ranks), -build, f))
        else:
            if only_binary:
                rejected.append((f, "an sdist, and --only-binary asks for wheels"))
                continue
            sdists.append(f)
    if wheels:
        wheels.sort(key=lambda item: (item[0], item[1], item[2].filename))
        return Choice((wheels[0][2],), tuple(rejected))
    if sdists:
        sdists.sort(key=lambda f: (_sdist_rank(f), f.filename))
        return Choice((sdists[0],), tuple(rejected))
    return Choice((), tuple(rejected))


@functools.lru_cache(maxsize=1024)
def _specifier(text: str) -> SpecifierSet | None:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def _python_ok(requires_python: str, python: Version) -> bool:
    spec = _specifier(requires_python)
    if spec is None:
        return True  # as pip does: an unreadable Requires-Python is ignored
    return spec.contains(python, prereleases=True)


def _short(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
