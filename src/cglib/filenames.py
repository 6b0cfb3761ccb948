"""Wheel and sdist file names: one grammar, parsed once, and whether a name is safe.

A wheel is ``{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl``
(PEP 427, PEP 425: a build tag starts with a digit, each tag may be a
``.``-separated set); an sdist is ``{name}-{version}`` and one of
:data:`SDIST_SUFFIXES`.  A name is a PEP 508 name, a version a PEP 440 one
written without spaces or control characters.  Everything else (eggs,
installers, junk) is not a distribution file.

* :class:`FilenameParser` reads many names of one page: it remembers every
  name, version and tag string it has parsed, since a page of 100,000 files
  has a few hundred distinct versions, a few thousand tag strings and usually
  one name (``benchmarks/bench_parse.py`` measures it).
* :func:`split_filename` gives every part of one name (:class:`FileName`);
  :func:`parse_filename` the (project, version, kind) of one name.
* :func:`wheel_tags` gives the tags and build number of a wheel name, for
  choosing files (memoised); :func:`split_wheel_tags` the tag strings of a
  name already known to be a wheel's, for display.
* :func:`check_filename` says whether a name from an index is safe to create
  in a directory: a name the parser accepts, in plain ASCII, short enough, no
  ``..`` and no leading dot (so no path, no hidden file, no device).

Pure, no I/O; :mod:`packaging.tags` is imported only when tags are asked for.
"""

from __future__ import annotations

import contextlib
import functools
import re
from typing import TYPE_CHECKING, NamedTuple

from packaging.version import InvalidVersion, Version

from cglib.errors import UnsafeFilenameError
from cglib.models import FileKind
from cglib.urls import PROJECT_NAME, normalize_name

if TYPE_CHECKING:
    from packaging.tags import Tag

__all__ = [
    "SDIST_SUFFIXES",
    "FileName",
    "FilenameParser",
    "WheelTags",
    "check_filename",
    "is_safe",
    "parse_filename",
    "split_filename",
    "split_wheel_tags",
    "wheel_tags",
]

#: The suffixes of an sdist, the standard one (PEP 625) first.
SDIST_SUFFIXES = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz")
#: The longest name created in a directory (most file systems' limit).
MAX_LENGTH = 255

# What follows name and version in a wheel name: an optional build tag, which
# starts with a digit, and the python, abi and platform tags (PEP 425, 427).
_WHEEL_TAGS = re.compile(
    r"(?:([0-9][A-Za-z0-9_.]*)-)?([A-Za-z0-9_.]+)-([A-Za-z0-9_.]+)-([A-Za-z0-9_.]+)\Z"
)
_BUILD_NUMBER = re.compile(r"[0-9]+")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


class WheelTags(NamedTuple):
    """The parts of a wheel name after its name and version."""

    #: The build tag (``""`` when none); it starts with its number.
    build: str
    #: Python tag(s), e.g. ``py2.py3`` or ``cp312``.
    python: str
    #: ABI tag(s), e.g. ``none`` or ``cp312``.
    abi: str
    #: Platform tag(s), e.g. ``any`` or ``manylinux_2_17_x86_64.manylinux2014_x86_64``.
    platform: str

    @property
    def build_number(self) -> int:
        """The number the build tag starts with; -1 when there is none."""
        match = _BUILD_NUMBER.match(self.build)
        return int(match[0]) if match else -1

    def tags(self) -> frozenset[Tag]:
        """Every tag of the compressed tag sets (PEP 425), as ``packaging``."""
        return _tag_set(self.python, self.abi, self.platform)


class FileName(NamedTuple):
    """A wheel or sdist file name, split."""

    #: The normalised project name (PEP 503).
    project: str
    version: Version
    kind: FileKind
    #: The wheel's tags; ``None`` for an sdist.
    wheel: WheelTags | None = None


def _split_tags(text: str) -> WheelTags | None:
    match = _WHEEL_TAGS.match(text)
    return WheelTags(match[1] or "", match[2], match[3], match[4]) if match else None


class FilenameParser:
    """Splits file names, remembering every name, version and tag string it
    has parsed.

    ``project`` (any spelling) tells where the name of an sdist ends, since
    names may contain ``-``; without it the last ``-`` does.  The name found
    may differ from ``project``: callers decide whether the file belongs to
    the project.
    """

    __slots__ = ("_names", "_tags", "_versions", "project")

    def __init__(self, project: str | None = None) -> None:
        self.project = normalize_name(project) if project else None
        self._names: dict[str, str | None] = {}
        self._versions: dict[str, Version | None] = {}
        self._tags: dict[str, WheelTags | None] = {}

    def name(self, raw: str) -> str | None:
        """The normalised form of a project name, or ``None``."""
        try:
            return self._names[raw]
        except KeyError:
            normal = normalize_name(raw) if PROJECT_NAME.fullmatch(raw) else None
            self._names[raw] = normal
            return normal

    def version(self, raw: str) -> Version | None:
        """A PEP 440 version, or ``None``."""
        try:
            return self._versions[raw]
        except KeyError:
            parsed: Version | None = None
            # Version() allows spaces around the version; a file name must not.
            if _SPACE_OR_CONTROL.search(raw) is None:
                with contextlib.suppress(InvalidVersion):
                    parsed = Version(raw)
            self._versions[raw] = parsed
            return parsed

    def parse(self, filename: str) -> tuple[str, Version, FileKind] | None:
        """(normalised name, version, kind) of a file name, or ``None``.

        The fast path of the page parsers, paid once per file of a page: the
        dictionary look-ups are inlined.  Every part is checked (name,
        version, tags, suffix), so what passes holds no path separator,
        space or control character.
        """
        if filename.endswith(".whl"):
            parts = filename[:-4].split("-")
            count = len(parts)
            if count == 5 or count == 6:
                tags = filename[len(parts[0]) + len(parts[1]) + 2 : -4]
                try:
                    split = self._tags[tags]
                except KeyError:
                    split = self._tags[tags] = _split_tags(tags)
                if split is None:
                    return None
                try:
                    name = self._names[parts[0]]
                except KeyError:
                    name = self.name(parts[0])
                try:
                    version = self._versions[parts[1]]
                except KeyError:
                    version = self.version(parts[1])
                if name is not None and version is not None:
                    return name, version, "wheel"
            return None
        for suffix in SDIST_SUFFIXES:
            if filename.endswith(suffix):
                stem = filename[: -len(suffix)]
                break
        else:
            return None
        # {name}-{version}: the name may contain '-', so find where the
        # project's own name ends when we know it.
        if self.project is not None:
            dash = stem.find("-")
            while dash > 0:
                if self.name(stem[:dash]) == self.project:
                    version = self.version(stem[dash + 1 :])
                    if version is None:
                        return None
                    return self.project, version, "sdist"
                dash = stem.find("-", dash + 1)
        raw_name, dash_found, raw_version = stem.rpartition("-")
        if not dash_found:
            return None
        name = self.name(raw_name)
        version = self.version(raw_version)
        if name is None or version is None:
            return None
        return name, version, "sdist"

    def split(self, filename: str) -> FileName | None:
        """Every part of a file name (:class:`FileName`), or ``None``."""
        parsed = self.parse(filename)
        if parsed is None:
            return None
        name, version, kind = parsed
        if kind == "sdist":
            return FileName(name, version, kind)
        parts = filename.split("-", 2)
        # parse() has remembered the tags of every wheel name it accepted.
        return FileName(name, version, kind, self._tags[parts[2][:-4]])


def parse_filename(
    filename: str, project: str | None = None
) -> tuple[str, Version, FileKind] | None:
    """Split a wheel or sdist file name into its normalised project name,
    version and kind.

    ``project`` (any spelling) tells where the name of an sdist ends, since
    names may contain ``-``.  Returns ``None`` for anything that is not a
    wheel or sdist name (eggs, installers, junk) or whose version is not a
    valid PEP 440 version.  The returned name may differ from ``project``:
    callers decide whether the file belongs to the project.
    """
    return FilenameParser(project).parse(filename)


def split_filename(filename: str, project: str | None = None) -> FileName | None:
    """Every part of a wheel or sdist file name (see :func:`parse_filename`)."""
    return FilenameParser(project).split(filename)


@functools.lru_cache(maxsize=65536)
def wheel_tags(filename: str) -> tuple[frozenset[Tag], int] | None:
    """The tags and build number (-1 when none) of a wheel file name, or
    ``None`` when it is not a valid wheel name.  Memoised: the files of a
    page are asked about many times."""
    parsed = split_filename(filename)
    if parsed is None or parsed.wheel is None:
        return None
    try:
        tags = parsed.wheel.tags()
    except ValueError:  # packaging's InvalidTag: "0-0-0", an empty component…
        return None
    return tags, parsed.wheel.build_number


def split_wheel_tags(filename: str) -> WheelTags | None:
    """The build and tag strings of a file name known to be a wheel's (its
    name and version are not checked again), or ``None``."""
    if not filename.endswith(".whl"):
        return None
    parts = filename[:-4].split("-")
    if len(parts) not in (5, 6):
        return None
    return _memo_split_tags(filename[len(parts[0]) + len(parts[1]) + 2 : -4])


_memo_split_tags = functools.lru_cache(maxsize=4096)(_split_tags)


@functools.lru_cache(maxsize=4096)
def _tag_set(python: str, abi: str, platform: str) -> frozenset[Tag]:
    from packaging.tags import parse_tag

    return parse_tag(f"{python}-{abi}-{platform}")


def is_safe(filename: str, project: str | None = None) -> bool:
    """True for a plain wheel or sdist name that is safe to create in a
    directory (see :func:`check_filename`)."""
    if not (
        0 < len(filename) <= MAX_LENGTH
        and filename.isascii()
        and filename.isprintable()
        and ".." not in filename
        and not filename.startswith(".")
        and "/" not in filename
        and "\\" not in filename
    ):
        return False
    parser = FilenameParser(project)
    parsed = parser.parse(filename)
    return parsed is not None and (parser.project is None or parsed[0] == parser.project)


def check_filename(filename: str, project: str | None = None) -> str:
    """Return ``filename`` if it is a plain wheel or sdist name that is safe
    to create in a directory, and (given ``project``) a file of that
    project; else raise :class:`UnsafeFilenameError` (exit 7)."""
    if not is_safe(filename, project):
        shown = filename.encode("unicode_escape").decode("ascii")[:120]
        raise UnsafeFilenameError(
            f"refusing to save {shown!r}: not a plain wheel or sdist file name",
            hint="the index served a suspicious link; nothing was written — tell its operator",
        )
    return filename
