"""Searching the project names of an index.

Ranking is pure (:func:`search`): on PEP 503 normalised names, exact match
first, then names that start with the query, then names that contain it,
then close spellings (one typo, or two for queries of eight characters or
more).  Inside each kind, shorter names come first, then alphabetical order.

The names live in a :class:`NameIndex`: one ``bytes`` buffer holding the
normalised names grouped by length, each group sorted and made of fixed-width
records.  That layout is also the on-disk cache format (:mod:`cglib.cache`),
so a warm search reads one file and searches it without building 600,000
Python strings: exact and prefix matches are binary searches, substrings a
``bytes.find`` scan, close spellings generated variants (one edit) or a
pigeonhole filter (two edits) checked by a bounded edit distance.

:func:`search_index` is the library entry point: the root listing of an index,
cached on disk and revalidated with ``ETag`` / ``Last-Modified``, searched.
"""

from __future__ import annotations

import operator
import re
import time
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from itertools import compress, islice, repeat
from typing import TYPE_CHECKING, Literal

from cglib._frozen import Frozen, init

if TYPE_CHECKING:
    import mmap
    from pathlib import Path

    from cglib.cache import CachedListing
    from cglib.client import Fetched, IndexClient
    from cglib.config import Index

__all__ = ["Match", "MatchKind", "NameIndex", "SearchResult", "search", "search_index"]

MatchKind = Literal["exact", "prefix", "substring", "fuzzy"]

_SEPARATORS = re.compile(r"[-_.]+")
#: Anything that cannot be part of a project name on a root listing.
_UNPRINTABLE = re.compile(r"[\x00-\x09\x0b-\x20\x7f]")
#: Characters tried when generating one-edit variants of a query.
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-"
_TOP = b"\xff"  # sorts after every UTF-8 byte
_TO_DASH = str.maketrans("._", "--")


def normalize_query(query: str) -> str:
    """PEP 503 normalisation, also stripping separators at the ends."""
    return _SEPARATORS.sub("-", query.strip().lower())


def _max_distance(length: int) -> int:
    if length < 3:
        return 0
    return 1 if length < 8 else 2


class Match(Frozen):
    """One search result: the name as the index lists it, and how it matched."""

    __slots__ = ("name", "kind", "normalized", "distance")
    name: str
    kind: MatchKind
    #: The PEP 503 normalised form of ``name``.
    normalized: str
    #: Edit distance from the query (0 for exact, prefix and substring).
    distance: int

    def __init__(self, name: str, kind: MatchKind, normalized: str = "", distance: int = 0) -> None:
        init(self, name=name, kind=kind, normalized=normalized, distance=distance)

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "match": self.kind}


class NameIndex:
    """Project names, normalised and laid out for fast search.

    ``data`` holds, for each name length ``L`` (in UTF-8 bytes), the sorted
    names of that length as records of ``L + 1`` bytes (name and ``\\n``),
    then a section of ``normalised<TAB>display`` lines, sorted, for the names
    whose listed spelling differs from the normalised one.  ``buckets`` maps
    each length to its ``(start, end)`` byte range; ``display`` is the range
    of the second section.
    """

    __slots__ = ("buckets", "count", "data", "display")

    def __init__(
        self,
        data: bytes | mmap.mmap,
        buckets: dict[int, tuple[int, int]],
        display: tuple[int, int],
        count: int,
    ) -> None:
        self.data = data
        self.buckets = buckets
        self.display = display
        self.count = count

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

    # -- building ----------------------------------------------------------------------

    @classmethod
    def build(cls, names: Iterable[str]) -> NameIndex:
        """Normalise, de-duplicate and lay out ``names`` (any order, any
        spelling); the first spelling of a normalised name is kept for display.
        Names with spaces or control characters are dropped."""
        listed = names if isinstance(names, list | tuple) else list(names)
        text = "\n".join(listed)
        if len(listed) and _UNPRINTABLE.search(text):
            listed = [n.strip() for n in listed]
            listed = [n for n in listed if n and not _UNPRINTABLE.search(n)]
            text = "\n".join(listed)
        lowered = text.lower().translate(_TO_DASH)
        while "--" in lowered:
            lowered = lowered.replace("--", "-")
        normalized = lowered.split("\n") if listed else []
        # Sorting is fast when the index lists its names in order already;
        # duplicates (two spellings of one name) end up side by side.
        unique = sorted(normalized)
        duplicates = any(map(operator.eq, unique, islice(unique, 1, None)))
        if duplicates or (unique and not unique[0]):
            unique = sorted(set(normalized) - {""})
        if lowered.isascii():
            # Group by length in C: a stable sort by length keeps each group sorted.
            unique.sort(key=len)
            lengths = list(map(len, unique))
        else:
            lengths = [len(n.encode()) for n in unique]
            order = sorted(range(len(unique)), key=lengths.__getitem__)
            unique = [unique[i] for i in order]
            lengths = [lengths[i] for i in order]
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
        return cls(b"".join(parts), buckets, (offset, offset + len(section)), len(unique))

    def __iter__(self) -> Iterator[str]:
        """Normalised names, shortest first."""
        data = self.data
        for start, end in self.buckets.values():
            yield from data[start:end].decode().splitlines()

    # -- looking up --------------------------------------------------------------------

    def _records(self, size: int) -> _Records | None:
        span = self.buckets.get(size)
        if span is None:
            return None
        return _Records(self.data, span[0], span[1], size)

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = normalize_query(name).encode()
        records = self._records(len(key))
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


class _Records(Sequence[bytes]):
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


# -- ranking ----------------------------------------------------------------------------


def search(names: NameIndex | Iterable[str], query: str, limit: int = 20) -> list[Match]:
    """Rank the names matching ``query``: exact, prefix, substring, fuzzy.

    ``names`` is a :class:`NameIndex` or any iterable of names (built into
    one first, which costs time at scale: keep the index for repeated
    searches).  At most ``limit`` matches are returned.
    """
    index = names if isinstance(names, NameIndex) else NameIndex.build(names)
    query_norm = normalize_query(query)
    if limit <= 0 or not query_norm or _UNPRINTABLE.search(query_norm):
        return []
    key = query_norm.encode()
    size = len(key)
    found: list[tuple[str, MatchKind, int]] = []
    seen: set[str] = set()

    def add(norm: str, kind: MatchKind, distance: int = 0) -> bool:
        if norm not in seen:
            seen.add(norm)
            found.append((norm, kind, distance))
        return len(found) >= limit

    done = False
    records = index._records(size)
    if records is not None and records.find(key) >= 0:
        done = add(query_norm, "exact")
    lengths = sorted(index.buckets)
    longer = [n for n in lengths if n > size]
    for length in longer:
        if done:
            break
        group = index._records(length)
        assert group is not None
        lo, hi = group.prefix_range(key)
        for i in range(lo, hi):
            if add(group.name(i), "prefix"):
                done = True
                break
    if not done:
        done = _substrings(index, key, longer, add)
    if not done:
        _fuzzy(index, query_norm, add)
    return [Match(index.display_name(norm), kind, norm, dist) for norm, kind, dist in found]


def _substrings(index: NameIndex, key: bytes, lengths: list[int], add: _Add) -> bool:
    data = index.data
    find = data.find
    for length in lengths:
        start, end = index.buckets[length]
        width = length + 1
        pos = find(key, start, end)
        while pos >= 0:
            record = (pos - start) // width
            record_start = start + record * width
            next_start = record_start + width
            if pos != record_start:  # names starting with the query are prefix matches
                if add(data[record_start : next_start - 1].decode(), "substring"):
                    return True
                pos = find(key, next_start, end)
            else:
                pos = find(key, pos + 1, end)
    return False


def _fuzzy(index: NameIndex, query: str, add: _Add) -> None:
    limit_distance = _max_distance(len(query))
    if limit_distance == 0:
        return
    candidates: dict[str, int] = {}
    # One edit (OSA: insert, delete, replace, swap neighbours): generate the
    # variants and look each up by binary search in its length group.
    for variant in _variants(query):
        key = variant.encode()
        records = index._records(len(key))
        if records is not None and records.find(key) >= 0 and variant != query:
            candidates[variant] = 1
    if limit_distance >= 2:
        for name in _pigeonhole(index, query, 2):
            if name not in candidates:
                distance = _osa(query, name, 2)
                if 0 < distance <= 2:
                    candidates[name] = distance
    ranked = sorted(
        candidates.items(), key=lambda item: (item[1], abs(len(item[0]) - len(query)), item[0])
    )
    for name, distance in ranked:
        if add(name, "fuzzy", distance):
            return


def _variants(word: str) -> set[str]:
    alphabet = set(_ALPHABET) | set(word)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out.update(a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1)
    out.update(a + c + b[1:] for a, b in splits if b for c in alphabet)
    out.update(a + c + b for a, b in splits for c in alphabet)
    return out


def _pigeonhole(index: NameIndex, query: str, distance: int) -> set[str]:
    """Names that may be within ``distance`` insertions, deletions or
    substitutions of ``query``: split the query into ``distance + 1`` pieces;
    such a name holds one of them intact, shifted by at most ``distance``."""
    key = query.encode()
    if len(key) != len(query):  # non-ASCII: offsets in bytes would not line up
        return set()
    pieces = distance + 1
    bounds = [len(key) * i // pieces for i in range(pieces + 1)]
    data = index.data
    find = data.find
    out: set[str] = set()
    for length in range(len(key) - distance, len(key) + distance + 1):
        span = index.buckets.get(length)
        if span is None:
            continue
        start, end = span
        width = length + 1
        for p in range(pieces):
            piece = key[bounds[p] : bounds[p + 1]]
            low, high = bounds[p] - distance, bounds[p] + distance
            pos = find(piece, start, end)
            while pos >= 0:
                offset = (pos - start) % width
                if low <= offset <= high:
                    record_start = pos - offset
                    out.add(data[record_start : record_start + length].decode())
                pos = find(piece, pos + 1, end)
    return out


def _osa(a: str, b: str, bound: int) -> int:
    """Optimal string alignment distance of ``a`` and ``b`` (insert, delete,
    replace, swap neighbours), or ``bound + 1`` once it must exceed ``bound``."""
    # Common ends cost nothing: strip them, then fill only a band of the table.
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    j = 0
    while j < n - i and a[-1 - j] == b[-1 - j]:
        j += 1
    a = a[i : len(a) - j]
    b = b[i : len(b) - j]
    la, lb = len(a), len(b)
    if abs(la - lb) > bound:
        return bound + 1
    if la == 0 or lb == 0:
        return max(la, lb)
    big = bound + 1
    previous2: list[int] = []
    previous = [c if c <= bound else big for c in range(lb + 1)]
    for row in range(1, la + 1):
        current = [big] * (lb + 1)
        if row <= bound:
            current[0] = row
        ca = a[row - 1]
        low = max(1, row - bound)
        high = min(lb, row + bound)
        row_min = big
        for col in range(low, high + 1):
            cb = b[col - 1]
            value = previous[col - 1] + (ca != cb)
            if previous[col] + 1 < value:
                value = previous[col] + 1
            if current[col - 1] + 1 < value:
                value = current[col - 1] + 1
            if row > 1 and col > 1 and ca == b[col - 2] and a[row - 2] == cb:
                value = min(value, previous2[col - 2] + 1)
            current[col] = value if value < big else big
            if value < row_min:
                row_min = value
        if row_min > bound:
            return big
        previous2, previous = previous, current
    return previous[lb]


if TYPE_CHECKING:
    from collections.abc import Callable

    _Add = Callable[..., bool]


# -- the library entry point ------------------------------------------------------------------


Source = Literal["cache", "revalidated", "fetched"]


class SearchResult(Frozen):
    """What :func:`search_index` found, and where the listing came from."""

    __slots__ = ("query", "index", "matches", "total", "source", "fetched_at", "warnings")
    query: str
    index: str
    matches: tuple[Match, ...]
    #: How many names the listing holds.
    total: int
    #: ``"cache"`` (no request), ``"revalidated"`` (304), ``"fetched"`` (200).
    source: Source
    #: When the listing was fetched (seconds since the epoch).
    fetched_at: float
    #: Things worth telling the user (a rebuilt cache, a stale listing…).
    warnings: tuple[str, ...]

    def __init__(
        self,
        query: str,
        index: str,
        matches: tuple[Match, ...],
        total: int,
        source: Source,
        fetched_at: float,
        warnings: tuple[str, ...] = (),
    ) -> None:
        init(
            self,
            query=query,
            index=index,
            matches=matches,
            total=total,
            source=source,
            fetched_at=fetched_at,
            warnings=warnings,
        )

    def to_json(self) -> dict[str, object]:
        return {
            "query": self.query,
            "index": self.index,
            "results": [m.to_json() for m in self.matches],
        }


def search_index(
    client: IndexClient | Index,
    query: str,
    *,
    limit: int = 20,
    refresh: bool = False,
    offline: bool = False,
    cache_dir: str | Path | None = None,
) -> SearchResult:
    """Search the project names of an index.

    The root listing is cached on disk (:mod:`cglib.cache`) and revalidated
    with ``If-None-Match`` / ``If-Modified-Since`` on each call; ``refresh``
    fetches it whatever the cache holds; ``offline`` (implied when
    ``client`` is an :class:`~cglib.config.Index` rather than a client) uses
    only the cache.  Raises :class:`~cglib.errors.NotFoundError` when the
    index has no root listing, or ``offline`` finds no cache.
    """
    from cglib import cache
    from cglib.errors import NotFoundError

    index: Index = client if _is_index(client) else client.index  # type: ignore[union-attr,assignment]
    live: IndexClient | None = None if _is_index(client) else client  # type: ignore[assignment]
    if live is None:
        offline = True
    path = cache.cache_path(index.url, cache_dir)
    warnings: list[str] = []
    cached: CachedListing | None = None
    try:
        cached = cache.load(path)
    except cache.CorruptCacheError as exc:
        warnings.append(f"{exc}; it will be rebuilt")

    if offline:
        if cached is None:
            raise NotFoundError(
                f"no cached project list for {index.url}",
                url=index.url,
                hint="run `cglib search` once without --offline to fetch it",
            )
        listing, source = cached, "cache"
    else:
        assert live is not None
        listing, source = _refresh(live, path, cached, refresh, warnings)

    matches = search(listing.names, query, limit)
    if listing.names.count == 0 and live is not None and live.credentials is None:
        warnings.append(
            f"{index.url} listed no projects to an anonymous request; "
            "it may need credentials (`cglib login`)"
        )
    return SearchResult(
        query=query,
        index=index.url,
        matches=tuple(matches),
        total=listing.names.count,
        source=source,  # type: ignore[arg-type]
        fetched_at=listing.fetched_at,
        warnings=tuple(warnings),
    )


def _is_index(value: object) -> bool:
    return not hasattr(value, "fetch")


def _refresh(
    client: IndexClient,
    path: Path,
    cached: CachedListing | None,
    refresh: bool,
    warnings: list[str],
) -> tuple[CachedListing, str]:
    from cglib import cache
    from cglib.client import ACCEPT_SIMPLE
    from cglib.errors import NetworkError, NotFoundError

    url = client.index.url
    headers: dict[str, str] = {}
    if cached is not None and not refresh and cached.url == url:
        if cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
    # Cheap first: a conditional request that needs no HTTP library loaded;
    # anything but a 304 is then fetched in full (with retries, redirects…).
    if cached is not None and headers and client.not_modified(url, ACCEPT_SIMPLE, headers):
        return cached, "revalidated"
    try:
        fetched: Fetched = client.fetch(
            url,
            accept=ACCEPT_SIMPLE,
            headers=headers,
            what="the project list",
            ok_statuses=frozenset({200, 304}) if headers else frozenset({200}),
        )
    except NotFoundError as exc:
        raise NotFoundError(
            f"{url} has no project list (404)",
            url=exc.url or url,
            hint="this index has no project list; try `cglib versions NAME`",
        ) from None
    except NetworkError as exc:
        status = exc.status
        if cached is None or (status is not None and status < 500 and status != 429):
            raise
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(cached.fetched_at))
        warnings.append(f"{exc.message}; using the cached project list from {when}")
        return cached, "cache"
    if fetched.status == 304 and cached is not None:
        return cached, "revalidated"
    from cglib.simple import parse_project_list

    listing = parse_project_list(fetched.content, fetched.content_type, fetched.url)
    names = NameIndex.build(listing.names)
    etag = fetched.headers.get("etag")
    last_modified = fetched.headers.get("last-modified")
    if cached is not None:
        cached.names.close()  # the file is about to be replaced
    try:
        stored = cache.store(
            path,
            url=url,
            names=names,
            etag=etag,
            last_modified=last_modified,
            api_version=listing.api_version,
        )
    except OSError as exc:
        warnings.append(f"cannot write the cache file {path}: {exc.strerror or exc}")
        stored = cache.CachedListing(
            url, names, etag, last_modified, time.time(), listing.api_version, path
        )
    return stored, "fetched"
