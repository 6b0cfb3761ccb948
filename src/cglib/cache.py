"""On-disk cache of an index's root listing (every project name), and how
long it may be used without asking the index again.

One file per index, named after the index URL without credentials (its
host and path, and a CRC-32 of it), in ``$CGLIB_CACHE_DIR`` or else the
platform's user cache directory (``platformdirs.user_cache_dir("cglib")``),
under ``names/``.

The file is a one-line JSON header, padded with spaces to a multiple of the
memory-mapping granularity, followed by the body of a
:class:`~cglib.names.NameIndex`: the normalised names, grouped by length and
sorted, then the listed spellings that differ from them.  The header carries
the URL, the ``ETag`` and ``Last-Modified`` of the response, its freshness
(when the index last sent or confirmed the listing, and until when it is used
without asking: :func:`freshness`), where the body starts and its length.

Loading maps the body into memory instead of reading it: a warm search
touches only the pages its binary searches and scans need, and no name is
parsed.  What loading checks is the structure a search relies on (the
length, every length group's record ends, the spellings section), so a
truncated, padded or shifted file is recognised (:class:`CorruptCacheError`)
rather than searched; that costs a couple of milliseconds on 600,000 names,
where a checksum of the whole body would cost more than the search itself
(and a file is never written in place, so there is nothing for one to catch
that the structure checks miss).

Writes go to a temporary file in the same directory, then ``os.replace``:
readers see the old file or the new one, never half of one, however many
cglib processes write at once.
"""

from __future__ import annotations

import contextlib
import json
import math
import mmap
import os
import re
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cglib.config import default_cache_dir
from cglib.errors import UsageError
from cglib.names import NameIndex

__all__ = [
    "DEFAULT_MAX_AGE",
    "FORMAT",
    "CachedListing",
    "CorruptCacheError",
    "cache_path",
    "default_cache_dir",
    "discard",
    "freshness",
    "load",
    "max_age_from_env",
    "save",
    "store",
]

#: Bumped whenever the layout changes; an older file is simply refetched.
FORMAT = "cglib-names/3"
#: Seconds a listing is used without asking when the index does not say.
DEFAULT_MAX_AGE = 600
#: What a ``max-age`` too large to be meant literally counts as (RFC 9111, 1.2.2).
_MAX_DELTA = 2**31
#: What may not appear in a cache file's name.
_UNSAFE = re.compile(r"[^A-Za-z0-9._]+")
#: The longest header read (the URL and validators come from the server).
MAX_HEADER = 1 << 20


class CorruptCacheError(Exception):
    """A cache file exists but cannot be used (the caller warns and rebuilds)."""


@dataclass(frozen=True, slots=True)
class CachedListing:
    """A root listing as cached: its names, the validators to revalidate it,
    and its freshness."""

    url: str
    names: NameIndex
    etag: str | None
    last_modified: str | None
    #: When the index last sent or confirmed (304) the listing, in seconds
    #: since the epoch.
    fetched_at: float
    #: Until when it is used without asking the index (seconds since the epoch).
    fresh_until: float
    api_version: str | None
    path: Path

    def expires(self, max_age: float | None = None) -> float:
        """Until when the listing is used without asking: ``max_age`` seconds
        after it was fetched when given (``CGLIB_CACHE_MAX_AGE``), else
        :attr:`fresh_until`."""
        return self.fresh_until if max_age is None else self.fetched_at + max_age

    def is_fresh(self, now: float, max_age: float | None = None) -> bool:
        """Whether the listing may be used at ``now`` without asking.  One
        fetched "in the future" (the clock went back) is not."""
        return self.fetched_at <= now < self.expires(max_age)


def freshness(headers: Mapping[str, str], default: float = DEFAULT_MAX_AGE) -> tuple[bool, float]:
    """What a response's headers (names in lower case) say about caching it:
    whether it may be stored at all (no ``Cache-Control: no-store``), and for
    how many seconds from now it is fresh: ``max-age`` less the ``Age`` it
    already has, 0 for ``no-cache`` or a ``max-age`` that is not a number,
    else ``default``."""
    may_store, lifetime = True, None
    for directive in headers.get("cache-control", "").split(","):
        name, _, value = directive.partition("=")
        name = name.strip().lower()
        if name == "no-store":
            may_store = False
        elif name == "no-cache" and not value.strip():
            lifetime = 0.0  # use it only after asking (no-cache="field" names fields only)
        elif name == "max-age":
            seconds = _delta_seconds(value.strip().strip('"'))
            lifetime = seconds if lifetime is None else min(lifetime, seconds)
    if lifetime is None:
        return may_store, float(default)
    age = _delta_seconds(headers.get("age", "").strip()) if headers.get("age") else 0.0
    return may_store, max(0.0, lifetime - age)


def _delta_seconds(text: str) -> float:
    """A delta-seconds value (RFC 9111, 1.2.2); 0 (stale) when it is not one."""
    if not text.isascii() or not text.isdigit():
        return 0.0
    return float(_MAX_DELTA) if len(text) > 10 else float(min(int(text), _MAX_DELTA))


def max_age_from_env(environ: Mapping[str, str] | None = None) -> float | None:
    """``CGLIB_CACHE_MAX_AGE``: seconds a cached listing is used without asking,
    whatever the index said (``0``: always ask).  Anything
    but a number of seconds is a :class:`~cglib.errors.UsageError`.  Unset: the
    config file's ``cache-max-age``, else ``None``."""
    raw = (os.environ if environ is None else environ).get("CGLIB_CACHE_MAX_AGE", "").strip()
    if not raw:
        from cglib.config import default_cache_max_age  # the config file's cache-max-age

        return default_cache_max_age(environ)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise UsageError(
            f"CGLIB_CACHE_MAX_AGE must be a number of seconds, not {raw[:40]!r}",
            hint="for example 600 (ten minutes), or 0 to ask the index every time",
        )
    return value


def cache_path(index_url: str, cache_dir: str | Path | None = None) -> Path:
    """Where the listing of ``index_url`` (credentials are removed first) lives."""
    from cglib.urls import split_credentials

    clean, _, _ = split_credentials(index_url)
    base = Path(cache_dir) if cache_dir is not None else default_cache_dir() / "names"
    return base / f"{file_key(clean)}.names"


def file_key(url: str) -> str:
    """A file name for ``url`` that a person can read (``libraries.cgr.dev-python-simple``)
    and no other URL gets (a CRC-32 of the whole URL is appended; the header
    names the URL too, so even a collision only means a refetch)."""
    readable = _UNSAFE.sub("-", url.partition("://")[2]).strip("-.")[:80]
    return f"{readable}-{zlib.crc32(url.encode()):08x}"


def load(path: Path) -> CachedListing | None:
    """The cached listing at ``path``; ``None`` when there is none (or one of
    an older format); :class:`CorruptCacheError` when it is damaged."""
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below; the mapping outlives it
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorruptCacheError(f"cannot read the cache file {path}: {exc.strerror}") from None
    with f:
        try:
            return _load(f, path)
        except OSError as exc:
            raise CorruptCacheError(
                f"cannot read the cache file {path}: {exc.strerror or exc}"
            ) from None


def _load(f: BinaryIO, path: Path) -> CachedListing | None:
    line = f.readline(MAX_HEADER)
    try:
        header = json.loads(line) if line.endswith(b"\n") else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or not isinstance(header.get("format"), str):
        raise CorruptCacheError(f"the cache file {path} is damaged (no valid header)")
    if header["format"] != FORMAT:
        return None
    try:
        offset = int(header["offset"])
        size = int(header["size"])
        count = int(header["count"])
        buckets = {int(k): (int(v[0]), int(v[1])) for k, v in header["buckets"].items()}
        display = (int(header["display"][0]), int(header["display"][1]))
        url = str(header["url"])
        fetched_at = float(header["fetched_at"])
        fresh_until = float(header["fresh_until"])
        etag, last_modified = header.get("etag"), header.get("last_modified")
        api_version = header.get("api_version")
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        raise CorruptCacheError(f"the cache file {path} is damaged (bad header)") from None
    actual = os.fstat(f.fileno()).st_size - offset
    if offset < len(line) or actual != size:
        raise CorruptCacheError(
            f"the cache file {path} is truncated or padded ({actual} of {size} bytes)"
        )
    data = _body(f, offset, size)
    if not _well_formed(data, buckets, display, count):
        raise CorruptCacheError(f"the cache file {path} is damaged (bad name records)")
    for value in (etag, last_modified, api_version):
        if value is not None and not isinstance(value, str):
            raise CorruptCacheError(f"the cache file {path} is damaged (bad header)")
    names = NameIndex(data, buckets, display, count)
    return CachedListing(
        url, names, etag, last_modified, fetched_at, fresh_until, api_version, path
    )


def _body(f: BinaryIO, offset: int, size: int) -> bytes | mmap.mmap:
    """The body of the file, memory-mapped when the header is padded to this
    system's mapping granularity (it is unless the file came from another
    system), else read."""
    if size == 0:
        return b""
    if offset % mmap.ALLOCATIONGRANULARITY == 0:
        with contextlib.suppress(OSError, ValueError):
            return mmap.mmap(f.fileno(), size, offset=offset, access=mmap.ACCESS_READ)
    f.seek(offset)
    return f.read(size)


def _well_formed(
    data: bytes | mmap.mmap,
    buckets: dict[int, tuple[int, int]],
    display: tuple[int, int],
    count: int,
) -> bool:
    """The layout :class:`NameIndex` relies on: length groups of whole
    records, each ending in a newline, back to back, then the spellings."""
    position = 0
    records = 0
    for length, (start, end) in sorted(buckets.items(), key=lambda item: item[1]):
        width = length + 1
        if length < 1 or start != position or end < start or (end - start) % width:
            return False
        number = (end - start) // width
        if data[start + length : end : width] != b"\n" * number:
            return False
        records += number
        position = end
    start, end = display
    if start != position or end != len(data) or records != count:
        return False
    return start == end or data[end - 1 : end] == b"\n"


def store(
    path: Path,
    *,
    url: str,
    names: Iterable[str] | NameIndex,
    etag: str | None = None,
    last_modified: str | None = None,
    api_version: str | None = None,
    fetched_at: float | None = None,
    fresh_until: float | None = None,
) -> CachedListing:
    """Write a listing to ``path`` atomically and return it.

    ``fetched_at`` defaults to now, ``fresh_until`` to ``fetched_at`` (stale
    at once: the next search asks the index)."""
    index = names if isinstance(names, NameIndex) else NameIndex.build(names)
    when = time.time() if fetched_at is None else fetched_at
    until = when if fresh_until is None else fresh_until
    listing = CachedListing(url, index, etag, last_modified, when, until, api_version, path)
    save(listing)
    return listing


def save(listing: CachedListing) -> None:
    """Write ``listing`` to its :attr:`~CachedListing.path` atomically
    (:class:`OSError` when it cannot be written).  Its names must not be
    mapped from that very file on Windows (see :meth:`NameIndex.in_memory`)."""
    index = listing.names
    header: dict[str, object] = {
        "format": FORMAT,
        "url": listing.url,
        "etag": listing.etag,
        "last_modified": listing.last_modified,
        "fetched_at": listing.fetched_at,
        "fresh_until": listing.fresh_until,
        "api_version": listing.api_version,
        "count": index.count,
        "size": len(index.data),
        "buckets": {str(k): list(v) for k, v in index.buckets.items()},
        "display": list(index.display),
    }
    # Pad the header so the body starts on a mapping boundary ("offset" is
    # part of the header: widen until it fits).
    granularity = mmap.ALLOCATIONGRANULARITY
    offset = granularity
    while True:
        header["offset"] = offset
        head = json.dumps(header, separators=(",", ":")).encode()
        if len(head) < offset:
            break
        offset += granularity
    head = head.ljust(offset - 1) + b"\n"
    path = listing.path
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    import tempfile  # only writers need it (it imports random and shutil)

    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(head)
            f.write(index.data)
        _replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def discard(path: Path) -> None:
    """Remove the cached listing at ``path``, if any (the index said
    ``no-store``); :class:`OSError` when it cannot be removed."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _replace(source: str, target: Path) -> None:
    # On Windows a reader holding the target open makes replace fail for a moment.
    for attempt in range(20):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if os.name != "nt" or attempt == 19:
                raise
            time.sleep(0.01 * (attempt + 1))
