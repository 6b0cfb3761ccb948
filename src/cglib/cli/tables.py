"""Fitting rows to a terminal's width without breaking a word.

A column is kept whole on one line (names, versions, tags), or is free text
that may wrap at spaces, or is one line cut with ``…`` to fit (a yanked
reason, whose whole text ``--json`` and piped output give).  A word of free
text longer than :data:`WORD_CAP` cells may be cut with ``…``; nothing is
ever folded inside a word.  When the columns do not fit, the droppable ones go first, in
the order given; :func:`fit` answers ``None`` when even the columns that are
never dropped do not fit, and the caller falls back to one line per row.

Widths are terminal cells (a wide character counts two), measured by rich.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "GAP",
    "WORD_CAP",
    "Column",
    "cells",
    "cut",
    "fit",
    "flat",
    "join",
    "lay_out",
    "pad",
    "short_tags",
]

#: Spaces between two columns.
GAP = 2
#: Longest word of free text that is kept whole when it does not fit.
WORD_CAP = 30
#: Narrowest a column that is cut to fit becomes.
CUT_MIN = 16


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    #: Free text: may wrap at spaces.  Otherwise each cell stays on one line.
    wrap: bool = False
    #: One line, cut with "…" to fit (not below :data:`CUT_MIN`).
    cut: bool = False
    #: 0: never dropped; else dropped in increasing order (1 first).
    drop: int = 0


def cells(text: str) -> int:
    """The width of ``text`` on a terminal."""
    if text.isascii() and text.isprintable():
        return len(text)
    from rich.cells import cell_len

    return cell_len(text)


def cut(text: str, width: int) -> str:
    """``text`` cut with ``…`` to at most ``width`` cells."""
    if cells(text) <= width:
        return text
    if width <= 0:
        return ""
    room, used, kept = width - 1, 0, []
    for char in text:
        size = cells(char)
        if used + size > room:
            break
        kept.append(char)
        used += size
    return "".join(kept) + "…"


def _wrap(text: str, width: int) -> list[str]:
    """``text`` wrapped at spaces to ``width`` cells; a longer word is cut."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        word = cut(word, width)
        if line and cells(line) + 1 + cells(word) <= width:
            line += " " + word
        else:
            if line:
                lines.append(line)
            line = word
    lines.append(line)
    return lines


def lay_out(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], plan: Sequence[tuple[int, int]]
) -> list[str]:
    """The lines of ``rows`` under ``plan`` (from :func:`fit`): free text
    wrapped at spaces, cut columns cut with ``…``, others whole."""
    out: list[str] = []
    for row in rows:
        parts: list[list[str]] = []
        for i, width in plan:
            value = row[i]
            if columns[i].wrap and cells(value) > width:
                parts.append(_wrap(value, width))
            elif columns[i].cut:
                parts.append([cut(value, width)])
            else:
                parts.append([value])
        height = max(len(part) for part in parts)
        for k in range(height):
            out.append(join([part[k] if k < len(part) else "" for part in parts], flat(plan)))
    return out


def flat(plan: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(k, width) for k, (_, width) in enumerate(plan)]


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` cells."""
    return text + " " * max(0, width - cells(text))


def join(row: Sequence[str], plan: Sequence[tuple[int, int]]) -> str:
    """The cells of ``row`` that ``plan`` (from :func:`fit`) keeps, padded to
    their widths, :data:`GAP` apart (no trailing spaces)."""
    last = plan[-1][0]
    return (" " * GAP).join(row[i] if i == last else pad(row[i], w) for i, w in plan).rstrip()


def _min_width(column: Column, values: list[str]) -> int:
    head = cells(column.header)
    if column.cut:
        return max(head, min(CUT_MIN, max((cells(value) for value in values), default=0)))
    if column.wrap:
        words = [cells(word) for value in values for word in value.split()]
        return max(head, min(max(words, default=0), WORD_CAP))
    return max(head, max((cells(value) for value in values), default=0))


def fit(
    columns: Sequence[Column], rows: Sequence[Sequence[str]], width: int
) -> list[tuple[int, int]] | None:
    """The columns to show, as ``(index, width)`` pairs, so that they fit in
    ``width`` cells with :data:`GAP` between them; ``None`` when the columns
    that are never dropped do not fit."""
    index = [i for i in range(len(columns)) if any(row[i] for row in rows)]
    values = {i: [row[i] for row in rows] for i in range(len(columns))}
    least = {i: _min_width(columns[i], values[i]) for i in index}
    most = {
        i: max(cells(columns[i].header), max((cells(v) for v in values[i]), default=0))
        for i in index
    }

    def need(kept: list[int], sizes: dict[int, int]) -> int:
        return sum(sizes[i] for i in kept) + GAP * max(0, len(kept) - 1)

    droppable = sorted((i for i in index if columns[i].drop), key=lambda i: columns[i].drop)
    while need(index, least) > width:
        if not droppable:
            return None
        index.remove(droppable.pop(0))
    sizes = dict(most)
    excess = need(index, sizes) - width
    # Cut columns give way first, then free text, the widest first.
    for i in sorted(index, key=lambda i: (not columns[i].cut, least[i] - most[i])):
        if excess <= 0:
            break
        if columns[i].wrap or columns[i].cut:
            cut = min(excess, most[i] - least[i])
            sizes[i] -= cut
            excess -= cut
    return [(i, sizes[i]) for i in index]


_ARCH_SUFFIXES = (
    "x86_64",
    "aarch64",
    "arm64",
    "universal2",
    "i686",
    "armv7l",
    "ppc64le",
    "s390x",
    "ppc64",
    "riscv64",
    "amd64",
    "intel",
    "x86",
)
_LEGACY_MANYLINUX = ("manylinux1_", "manylinux2010_", "manylinux2014_")


def _platform(tag: str) -> str:
    """``manylinux_2_28_x86_64`` -> ``manylinux_2_28 x86_64``, ``win_amd64``
    -> ``win amd64``, ``any`` as it is."""
    for arch in _ARCH_SUFFIXES:
        if tag.endswith("_" + arch):
            return f"{tag[: -len(arch) - 1]} {arch}"
    return tag


@functools.lru_cache(maxsize=4096)
def short_tags(python: str, abi: str, platform: str) -> str:
    """A wheel's tags as a person reads them: ``cp312 manylinux_2_28 x86_64``,
    ``cp38 abi3 win amd64``, ``py3 any``.  The ABI is left out when it says
    nothing more than the Python tag (``none``, or the same as it); an old
    manylinux alias is left out beside the PEP 600 name of the same
    platform."""
    if abi not in ("none", python):
        python = abi if abi.startswith(python) else f"{python} {abi}"
    platforms = platform.split(".")
    modern = [p for p in platforms if not p.startswith(_LEGACY_MANYLINUX)]
    if modern and len(modern) < len(platforms):
        arches = {p.rsplit("_", 1)[-1] for p in modern}
        platforms = [
            p
            for p in platforms
            if not p.startswith(_LEGACY_MANYLINUX) or p.rsplit("_", 1)[-1] not in arches
        ]
    return f"{python} {', '.join(_platform(p) for p in platforms)}"
