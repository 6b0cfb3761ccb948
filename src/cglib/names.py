"""The project names of an index, laid out for fast search.

A :class:`NameIndex` is one ``bytes`` buffer holding the PEP 503 normalised
names grouped by length, each group sorted and made of fixed-width records,
then the listed spellings that differ from the normalised ones.  The same
layout is the body of the on-disk cache (:mod:`cglib.cache`), so a warm search
maps one file and searches it without building 600,000 Python strings;
:mod:`cglib.search` ranks the matches.

Only valid project names (PEP 508: ASCII letters and digits, with ``.``,
``_`` and ``-`` inside) are kept: a name with a newline, a space or another
character no project name has is left out and counted
(:attr:`NameIndex.rejected`), never split into several names.
"""

from __future__ import annotations

import operator
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress, islice, repeat
from typing import TYPE_CHECKING

from cglib.urls import PROJECT_NAME

if TYPE_CHECKING:
    import mmap

__all__ = ["NameIndex", "normalize_query"]

_SEPARATORS = re.compile(r"[-_.]+")
#: The bytes a list of valid names joined by newlines is made of.
_NAME_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-\n"
_TO_DASH = str.maketrans("._", "--")
_TOP = b"\xff"  # sorts after every UTF-8 byte


def normalize_query(query: str) -> str:
    """PEP 503 normalisation of a search query, without surrounding white
    space.  Separators at the ends are kept: ``django-`` asks for the names
    that start so, not for ``django``."""
    return _SEPARATORS.sub("-", query.strip().lower())


class NameIndex:
    """Project names, normalised and laid out for fast search.

    ``data`` holds, for each name length ``L`` (in bytes), the sorted names
    of that length as records of ``L + 1`` bytes (name and ``\\n``), then a
    section of ``normalised<TAB>display`` lines, sorted, for the names whose
    listed spelling differs from the normalised one.  ``buckets`` maps each
    length to its ``(start, end)`` byte range; ``display`` is the range of the
    second section.  ``rejected`` counts the names :meth:`build` left out as
    not valid project names (0 for an index loaded from the cache).
    """

    __slots__ = ("buckets", "count", "data", "display", "rejected")

    def __init__(
        self,
        data: bytes | mmap.mmap,
        buckets: dict[int, tuple[int, int]],
        display: tuple[int, int],
        count: int,
        rejected: int = 0,
    ) -> None:
        self.data = data
        self.buckets = buckets
        self.display = display
        self.count = count
        self.rejected = rejected

    def __len__(self) -> int:
        return self.count

    def __repr__(self) -> str:
        return f"NameIndex({self.count} names)"

    def close(self) -> None:
        """Release the file mapping of an index loaded from the cache (on
        Windows a mapped file cannot be replaced); the index is empty after."""
        data = self.data
        self.data = b""
        self.buckets = {}
        self.display = (0, 0)
        self.count = 0
        if not isinstance(data, bytes):
            data.close()

    def in_memory(self) -> NameIndex:
        """The same names in memory, detached from any file mapping."""
        return NameIndex(bytes(self.data), dict(self.buckets), self.display, self.count)

    # -- building ----------------------------------------------------------------------

    @classmethod
    def build(cls, names: Iterable[str]) -> NameIndex:
        """Normalise, de-duplicate and lay out ``names`` (any order, any
        spelling); the first spelling of a normalised name is kept for display.
        Surrounding white space is stripped; what is then not a valid project
        name is left out and counted in :attr:`rejected`."""
        listed: Sequence[str] = names if isinstance(names, list | tuple) else list(names)
        text = "\n".join(listed)
        lowered = _normalized(text)
        rejected = 0
        if listed and not _all_valid(text, lowered, len(listed)):
            kept = [n for n in map(str.strip, listed) if PROJECT_NAME.fullmatch(n)]
            rejected = len(listed) - len(kept)
            listed = kept
            text = "\n".join(listed)
            lowered = _normalized(text)
        normalized = lowered.split("\n") if listed else []
        # Sorting is fast when the index lists its names in order already;
        # duplicates (two spellings of one name) end up side by side.
        unique = sorted(normalized)
        empty = bisect_right(unique, "")  # empty names pass _all_valid; they sort first
        if empty:
            rejected += empty
            del unique[:empty]
        duplicates = any(map(operator.eq, unique, islice(unique, 1, None)))
        if duplicates:
            unique = sorted(set(unique))
        # Group by length in C (the names are ASCII): a stable sort by length
        # keeps each group sorted.
        unique.sort(key=len)
        lengths = list(map(len, unique))
        parts: list[bytes] = []
        buckets: dict[int, tuple[int, int]] = {}
        offset = 0
        first = 0
        while first < len(unique):
            size = lengths[first]
            last = bisect_left(lengths, size + 1, first)
            chunk = ("\n".join(unique[first:last]) + "\n").encode()
            buckets[size] = (offset, offset + len(chunk))
            offset += len(chunk)
            parts.append(chunk)
            first = last
        # The first spelling listed for each name, where it is not the normalised one.
        if lowered == text:
            shown: list[str] = []
        elif not duplicates:
            # All in C: the pairs whose spellings differ, as "normalised<TAB>listed".
            differ = list(map(operator.ne, normalized, listed))
            shown = list(
                map(
                    operator.add,
                    map(operator.add, compress(normalized, differ), repeat("\t")),
                    compress(listed, differ),
                )
            )
        else:
            spelling: dict[str, str] = {}
            for norm, name in zip(normalized, listed, strict=True):
                spelling.setdefault(norm, name)
            shown = [n + "\t" + d for n, d in spelling.items() if n != d and n]
        shown.sort()
        section = ("\n".join(shown) + "\n").encode() if shown else b""
        parts.append(section)
        return cls(b"".join(parts), buckets, (offset, offset + len(section)), len(unique), rejected)

    def __iter__(self) -> Iterator[str]:
        """Normalised names, shortest first."""
        data = self.data
        for start, end in self.buckets.values():
            yield from data[start:end].decode().splitlines()

    # -- looking up --------------------------------------------------------------------

    def records(self, size: int) -> Records | None:
        """The names of ``size`` bytes, as a sorted sequence (``None``: there are none)."""
        span = self.buckets.get(size)
        if span is None:
            return None
        return Records(self.data, span[0], span[1], size)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = normalize_query(name).encode()
        records = self.records(len(key))
        return records is not None and records.find(key) >= 0

    def display_name(self, normalized: str) -> str:
        """The spelling the index listed for ``normalized``."""
        start, end = self.display
        if start == end:
            return normalized
        key = normalized.encode()
        data = self.data
        lo, hi = start, end  # both always at the start of a line
        while lo < hi:
            mid = (lo + hi) // 2
            newline = data.rfind(b"\n", lo, mid)
            line_start = lo if newline < 0 else newline + 1
            line_end = data.find(b"\n", line_start, hi)
            tab = data.find(b"\t", line_start, line_end)
            name = data[line_start:tab]
            if name == key:
                return data[tab + 1 : line_end].decode()
            if name < key:
                lo = line_end + 1
            else:
                hi = line_start
        return normalized


def _normalized(text: str) -> str:
    """PEP 503 normalisation of newline-separated names, all at once."""
    lowered = text.lower().translate(_TO_DASH)
    while "--" in lowered:
        lowered = lowered.replace("--", "-")
    return lowered


def _all_valid(text: str, lowered: str, count: int) -> bool:
    """Whether the ``count`` names joined in ``text`` (``lowered``: normalised)
    are all valid project names, or empty; checked in C over the whole text,
    which is much faster than name by name."""
    if not text.isascii() or text.count("\n") != count - 1:
        return False  # a character no name has, or a newline inside a name
    if text.encode().translate(None, _NAME_BYTES):
        return False
    # A name starting or ending with a separator (all "-" once normalised).
    return not (
        lowered.startswith("-") or lowered.endswith("-") or "\n-" in lowered or "-\n" in lowered
    )


class Records(Sequence[bytes]):
    """The sorted fixed-width records of one length, as a sequence."""

    __slots__ = ("data", "end", "n", "size", "start", "width")

    def __init__(self, data: bytes | mmap.mmap, start: int, end: int, size: int) -> None:
        self.data = data
        self.start = start
        self.end = end
        self.size = size
        self.width = size + 1
        self.n = (end - start) // self.width

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> bytes:  # type: ignore[override]
        if i < 0:
            i += self.n
        if not 0 <= i < self.n:
            raise IndexError("record index out of range")
        offset = self.start + i * self.width
        return self.data[offset : offset + self.size]

    def find(self, key: bytes) -> int:
        """Index of ``key`` (exactly ``size`` bytes), or -1."""
        i = bisect_left(self, key)
        return i if i < self.n and self[i] == key else -1

    def prefix_range(self, prefix: bytes) -> tuple[int, int]:
        return bisect_left(self, prefix), bisect_left(self, prefix + _TOP)

    def name(self, i: int) -> str:
        return self[i].decode()
