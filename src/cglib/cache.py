"""On-disk cache of an index's root listing (every project name).

One file per index, named by the SHA-256 of the index URL without
credentials, in ``$CGLIB_CACHE_DIR`` or else the platform's user cache
directory (``platformdirs.user_cache_dir("cglib")``) under ``names/``.

The file is a one-line JSON header followed by the body of a
:class:`~cglib.search.NameIndex`: the normalised names, grouped by length and
sorted, then the listed spellings that differ from them.  The header carries
the URL, the ``ETag`` and ``Last-Modified`` of the response, when it was
fetched, and the length and CRC-32 of the body, so a truncated or damaged file
is recognised (:class:`CorruptCacheError`) rather than searched.  Loading
needs no parsing of the names: a warm search reads one file.

Writes go to a temporary file in the same directory, then ``os.replace``:
readers see the old file or the new one, never half of one, however many
cglib processes write at once.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cglib.search import NameIndex

__all__ = [
    "FORMAT",
    "CachedListing",
    "CorruptCacheError",
    "cache_path",
    "default_cache_dir",
    "load",
    "store",
]

#: Bumped whenever the layout changes; an older file is simply refetched.
FORMAT = "cglib-names/1"


class CorruptCacheError(Exception):
    """A cache file exists but cannot be used (the caller warns and rebuilds)."""


@dataclass(frozen=True, slots=True)
class CachedListing:
    """A root listing as cached: its names and the validators to revalidate it."""

    url: str
    names: NameIndex
    etag: str | None
    last_modified: str | None
    fetched_at: float
    api_version: str | None
    path: Path


def default_cache_dir() -> Path:
    """``$CGLIB_CACHE_DIR``, else the platform's user cache dir for cglib."""
    override = os.environ.get("CGLIB_CACHE_DIR", "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("cglib", appauthor=False))


def cache_path(index_url: str, cache_dir: str | Path | None = None) -> Path:
    """Where the listing of ``index_url`` (credentials are removed first) lives."""
    from cglib.urls import split_credentials

    clean, _, _ = split_credentials(index_url)
    key = hashlib.sha256(clean.encode()).hexdigest()
    base = Path(cache_dir) if cache_dir is not None else default_cache_dir() / "names"
    return base / f"{key}.names"


def load(path: Path) -> CachedListing | None:
    """The cached listing at ``path``; ``None`` when there is none (or one of
    an older format); :class:`CorruptCacheError` when it is damaged."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorruptCacheError(f"cannot read the cache file {path}: {exc.strerror}") from None
    newline = blob.find(b"\n")
    try:
        header = json.loads(blob[:newline]) if newline > 0 else None
    except ValueError:
        header = None
    if not isinstance(header, dict) or not isinstance(header.get("format"), str):
        raise CorruptCacheError(f"the cache file {path} is damaged (no valid header)")
    if header["format"] != FORMAT:
        return None
    body = blob[newline + 1 :]
    try:
        size = header["size"]
        if len(body) != size:
            raise CorruptCacheError(
                f"the cache file {path} is truncated ({len(body)} of {size} bytes)"
            )
        if zlib.crc32(body) != header["crc32"]:
            raise CorruptCacheError(f"the cache file {path} is damaged (checksum mismatch)")
        buckets = {int(k): (int(v[0]), int(v[1])) for k, v in header["buckets"].items()}
        display = (int(header["display"][0]), int(header["display"][1]))
        names = NameIndex(body, buckets, display, int(header["count"]))
        return CachedListing(
            url=str(header["url"]),
            names=names,
            etag=header.get("etag"),
            last_modified=header.get("last_modified"),
            fetched_at=float(header["fetched_at"]),
            api_version=header.get("api_version"),
            path=path,
        )
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        raise CorruptCacheError(f"the cache file {path} is damaged (bad header)") from None


def store(
    path: Path,
    *,
    url: str,
    names: Iterable[str] | NameIndex,
    etag: str | None = None,
    last_modified: str | None = None,
    api_version: str | None = None,
    fetched_at: float | None = None,
) -> CachedListing:
    """Write a listing to ``path`` atomically and return it as loaded."""
    index = names if isinstance(names, NameIndex) else NameIndex.build(names)
    when = time.time() if fetched_at is None else fetched_at
    header = {
        "format": FORMAT,
        "url": url,
        "etag": etag,
        "last_modified": last_modified,
        "fetched_at": when,
        "api_version": api_version,
        "count": index.count,
        "size": len(index.data),
        "crc32": zlib.crc32(index.data),
        "buckets": {str(k): list(v) for k, v in index.buckets.items()},
        "display": list(index.display),
    }
    head = json.dumps(header, separators=(",", ":")).encode() + b"\n"
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
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
    return CachedListing(url, index, etag, last_modified, when, api_version, path)


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
