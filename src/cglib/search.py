"""Searching the project names of an index.

Ranking is pure (:func:`search`): on PEP 503 normalised names, exact match
first, then names that start with the query, then names that contain it,
then close spellings (one typo, or two for queries of eight characters or
more).  Inside each kind, shorter names come first, then alphabetical order.

The names live in a :class:`~cglib.names.NameIndex`, whose layout is also the
on-disk cache format (:mod:`cglib.cache`): exact and prefix matches are binary
searches, substrings a ``bytes.find`` scan, close spellings generated
variants (one edit) or a pigeonhole filter (two edits) checked by a bounded
edit distance.

:func:`search_index` is the library entry point: the root listing of an index,
cached on disk, used without any request while it is fresh and revalidated
with ``If-None-Match`` / ``If-Modified-Since`` once it is not, searched.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from cglib.names import NameIndex, normalize_query

if TYPE_CHECKING:
    from pathlib import Path

    from cglib.cache import CachedListing
    from cglib.client import IndexClient
    from cglib.config import Index

__all__ = ["Match", "MatchKind", "SearchResult", "Source", "search", "search_index"]

MatchKind = Literal["exact", "prefix", "substring", "fuzzy"]

#: Anything that cannot be part of a project name.
_UNPRINTABLE = re.compile(r"[\x00-\x09\x0b-\x20\x7f]")
#: Characters tried when generating one-edit variants of a query.
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-"


def _max_distance(length: int) -> int:
    if length < 3:
        return 0
    return 1 if length < 8 else 2


@dataclass(frozen=True, slots=True)
class Match:
    """One search result: the name as the index lists it, and how it matched."""

    name: str
    kind: MatchKind
    #: The PEP 503 normalised form of ``name``.
    normalized: str = ""
    #: Edit distance from the query (0 for exact, prefix and substring).
    distance: int = 0

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "match": self.kind}


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
    records = index.records(size)
    if records is not None and records.find(key) >= 0:
        done = add(query_norm, "exact")
    lengths = sorted(index.buckets)
    longer = [n for n in lengths if n > size]
    for length in longer:
        if done:
            break
        group = index.records(length)
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
        records = index.records(len(key))
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


@dataclass(frozen=True, slots=True)
class SearchResult:
    """What :func:`search_index` found, and where the listing came from."""

    query: str
    index: str
    matches: tuple[Match, ...]
    #: How many names the listing holds.
    total: int
    #: ``"cache"`` (no request), ``"revalidated"`` (304), ``"fetched"`` (200).
    source: Source
    #: When the index last sent or confirmed the listing (seconds since the epoch).
    fetched_at: float
    #: Until when the listing is used without asking the index again.
    fresh_until: float
    #: Things worth telling the user (a rebuilt cache, a stale listing…).
    warnings: tuple[str, ...] = ()

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
    max_age: float | None = None,
    connect: Callable[[], IndexClient] | None = None,
) -> SearchResult:
    """Search the project names of an index.

    The root listing is cached on disk (:mod:`cglib.cache`) and used without
    any request while it is fresh: ``max_age`` seconds after it was fetched
    when given, else ``CGLIB_CACHE_MAX_AGE`` when set, else for the
    ``Cache-Control: max-age`` the index gave (10 minutes when it gave none).
    A stale listing is revalidated with ``If-None-Match`` /
    ``If-Modified-Since`` (a ``304`` makes it fresh again); ``refresh`` asks
    at once, without validators; ``offline`` uses only the cache.

    ``client`` is an :class:`~cglib.client.IndexClient`, or an
    :class:`~cglib.config.Index` with ``connect`` making the client only when
    a request is needed (this function closes it after), or an ``Index``
    alone, which means ``offline``.  Raises
    :class:`~cglib.errors.NotFoundError` when the index has no root listing,
    or ``offline`` finds no cache, and :class:`~cglib.errors.UsageError` for
    a ``CGLIB_CACHE_MAX_AGE`` that is not a number of seconds.
    """
    from cglib import cache, config
    from cglib.errors import NotFoundError

    live: IndexClient | None
    if isinstance(client, config.Index):
        index, live = client, None
    else:
        index, live = client.index, client
    if live is None and connect is None:
        offline = True
    if max_age is None:
        max_age = cache.max_age_from_env()
    path = cache.cache_path(index.url, cache_dir)
    warnings: list[str] = []
    cached: CachedListing | None = None
    try:
        cached = cache.load(path)
    except cache.CorruptCacheError as exc:
        warnings.append(f"{exc}; it will be rebuilt")
    if cached is not None and cached.url != index.url:  # another URL with the same key
        cached.names.close()
        cached = None

    asked_anonymously = False
    source: Source
    if offline:
        if cached is None:
            raise NotFoundError(
                f"no cached project list for {index.url}",
                url=index.url,
                hint="run `cglib search` once without --offline to fetch it",
            )
        listing, source = cached, "cache"
    elif _fresh(cached, refresh, max_age):
        assert cached is not None
        listing, source = cached, "cache"
    elif live is not None:
        listing, source = _ask(live, path, cached, refresh, warnings)
        asked_anonymously = live.credentials is None
    else:
        assert connect is not None
        with connect() as made:
            listing, source = _ask(made, path, cached, refresh, warnings)
            asked_anonymously = made.credentials is None

    matches = search(listing.names, query, limit)
    if listing.names.count == 0 and asked_anonymously:
        warnings.append(
            f"{index.url} listed no projects to an anonymous request; "
            "it may need credentials (`cglib login`)"
        )
    return SearchResult(
        query=query,
        index=index.url,
        matches=tuple(matches),
        total=listing.names.count,
        source=source,
        fetched_at=listing.fetched_at,
        fresh_until=listing.expires(max_age),
        warnings=tuple(warnings),
    )


def _fresh(cached: CachedListing | None, refresh: bool, max_age: float | None) -> bool:
    """Whether ``cached`` is used without asking.  An empty listing never is:
    it is what some indexes show a request they do not recognise."""
    if cached is None or refresh or cached.names.count == 0:
        return False
    return cached.is_fresh(time.time(), max_age)


def _ask(
    client: IndexClient,
    path: Path,
    cached: CachedListing | None,
    refresh: bool,
    warnings: list[str],
) -> tuple[CachedListing, Source]:
    """Fetch the root listing (conditionally when there is a cached one),
    store it as its ``Cache-Control`` allows, and return it."""
    from cglib import cache
    from cglib.client import ACCEPT_SIMPLE
    from cglib.errors import NetworkError, NotFoundError

    url = client.index.url
    headers: dict[str, str] = {}
    if cached is not None and not refresh:
        if cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
    try:
        fetched = client.fetch(
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
    now = time.time()
    may_store, lifetime = cache.freshness(fetched.headers)
    source: Source
    if fetched.status == 304 and cached is not None:
        # Still the listing we have: renew its freshness (and any validator
        # the 304 updates).  Its names stay mapped from the file about to be
        # replaced, which POSIX allows; Windows does not, so there they are
        # copied out first.
        names = cached.names.in_memory() if os.name == "nt" else cached.names
        etag = fetched.headers.get("etag") or cached.etag
        last_modified = fetched.headers.get("last-modified") or cached.last_modified
        api_version, source = cached.api_version, "revalidated"
    else:
        from cglib.simple import parse_project_list

        parsed = parse_project_list(fetched.content, fetched.content_type, fetched.url)
        names = NameIndex.build(parsed.names)
        if names.rejected:
            plural = "" if names.rejected == 1 else "s"
            warnings.append(
                f"left out {names.rejected} invalid project name{plural} "
                f"from the project list of {url}"
            )
        etag = fetched.headers.get("etag")
        last_modified = fetched.headers.get("last-modified")
        api_version, source = parsed.api_version, "fetched"
    if cached is not None and names is not cached.names:
        cached.names.close()
    listing = cache.CachedListing(
        url, names, etag, last_modified, now, now + lifetime, api_version, path
    )
    try:
        if may_store:
            cache.save(listing)
        else:
            cache.discard(path)  # the index asks that its listing not be kept
    except OSError as exc:
        verb = "write" if may_store else "remove"
        warnings.append(f"cannot {verb} the cache file {path}: {exc.strerror or exc}")
    return listing, source
