"""The core metadata of one distribution file, without downloading it if it can.

Sources, cheapest first:

1. the disk cache, keyed by the file's sha256 (a file's metadata never changes);
2. the PEP 658/714 ``.metadata`` file when the page offers it, checked
   against the hash the page gives;
3. for a wheel, ``*.dist-info/METADATA`` read with HTTP range requests: the
   tail of the file (end of central directory and central directory), then
   the one member (stored or deflated).  A server that ignores ``Range`` and
   answers ``200`` sends the whole file, which is then used as in 4;
4. the whole file, streamed to a spool directory and checked against the
   index's sha256; it is kept (:attr:`FileMetadata.whole_file`) so that a
   download can move it into place instead of fetching it again.

An sdist's ``PKG-INFO`` is used only when its Metadata-Version is 2.2 or
later and ``Requires-Dist`` is not dynamic (:class:`SdistMetadataError`
otherwise): cglib never runs a build backend.

Every request goes through :meth:`IndexClient.stream`, so the redirect rules
of the client apply (credentials never reach the file store).
:class:`MetadataFetcher` is safe to use from several threads and fetches in
parallel (:meth:`MetadataFetcher.prefetch`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import shutil
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cglib.coremetadata import CoreMetadata, parse_core_metadata
from cglib.errors import CglibError, IntegrityError, NetworkError, NoMatchError
from cglib.urls import redact

if TYPE_CHECKING:
    from cglib.client import IndexClient
    from cglib.models import DistributionFile

__all__ = [
    "FileMetadata",
    "MetadataFetcher",
    "SdistMetadataError",
    "metadata_cache_dir",
    "metadata_url",
]

#: Bytes asked for first from the end of a wheel: the end-of-central-directory
#: record and, for all but huge wheels, the whole central directory.
TAIL_BYTES = 64 * 1024
#: Smallest range asked for afterwards (a local header and a METADATA member).
MIN_RANGE = 16 * 1024
#: A METADATA bigger than this is not metadata.
MAX_METADATA = 16 * 1024 * 1024
_CHUNK = 256 * 1024


class SdistMetadataError(NoMatchError):
    """An sdist whose dependencies are only known after a build (exit 5)."""

    kind = "dynamic-metadata"


@dataclass(frozen=True, slots=True)
class FileMetadata:
    """The core metadata of ``file`` and where it came from."""

    file: DistributionFile
    metadata: CoreMetadata
    #: ``cache``, ``pep658``, ``range`` or ``whole``.
    source: str
    #: When the whole file was fetched (``source == "whole"``, or ``"range"``
    #: for a wheel smaller than the tail read): the file, its sha256 checked
    #: against the index's (when it gave one).  The fetcher removes its spool
    #: directory on :meth:`MetadataFetcher.close`: move the file out first.
    whole_file: Path | None = None
    #: sha256 of ``whole_file``.
    whole_sha256: str | None = None


def metadata_cache_dir(cache_dir: Path | None = None) -> Path:
    """Where metadata is cached: ``CACHE/metadata`` (``CGLIB_CACHE_DIR`` or
    the platform's cache dir)."""
    if cache_dir is None:
        from cglib.config import default_cache_dir

        cache_dir = default_cache_dir()
    return Path(cache_dir) / "metadata"


def metadata_url(file_url: str) -> str:
    """PEP 658: the metadata file is the file's URL with ``.metadata`` added
    to its path (before any query string)."""
    base, sep, query = file_url.partition("?")
    return f"{base}.metadata{sep}{query}"


class MetadataFetcher:
    """Fetch and cache core metadata of distribution files.

    ``cache_dir``: base cache directory (default: cglib's); ``cache=False``
    disables the disk cache.  ``jobs``: parallel fetches.  ``on_request``
    (optional) is told of each network fetch, ``(source, filename)``.
    """

    def __init__(
        self,
        client: IndexClient,
        *,
        cache_dir: Path | None = None,
        cache: bool = True,
        jobs: int = 8,
        on_request: Callable[[str, str], None] | None = None,
    ) -> None:
        self.client = client
        self._cache_dir = metadata_cache_dir(cache_dir) if cache else None
        self._jobs = max(1, jobs)
        self._on_request = on_request
        self._lock = threading.Lock()
        self._futures: dict[str, Future[FileMetadata]] = {}
        self._pool: ThreadPoolExecutor | None = None
        self._spool: Path | None = None

    # -- lifecycle -------------------------------------------------------------------

    def close(self, *, wait: bool = True) -> None:
        """Stop the workers and remove whole files not moved away;
        ``wait=False`` (after Ctrl-C) does not wait for a read still going."""
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None
        if self._spool is not None:
            shutil.rmtree(self._spool, ignore_errors=True)
            self._spool = None

    def __enter__(self) -> MetadataFetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ----------------------------------------------------------------------

    def prefetch(self, files: Iterable[DistributionFile]) -> None:
        """Start fetching the metadata of ``files`` in the background."""
        for f in files:
            self._future(f)

    def future(self, file: DistributionFile) -> Future[FileMetadata]:
        """The background fetch of the metadata of ``file`` (started if need be)."""
        return self._future(file)

    def get(self, file: DistributionFile, *, allow_dynamic: bool = False) -> FileMetadata:
        """The metadata of ``file`` (waits for a prefetch under way).

        An sdist whose ``Requires-Dist`` is only known after a build raises
        :class:`SdistMetadataError`, unless ``allow_dynamic`` (then check
        ``result.metadata.dynamic_requirements()`` yourself)."""
        result = self._future(file).result()
        if not allow_dynamic:
            self._checked(file, result)
        return result

    def cached(self, file: DistributionFile) -> CoreMetadata | None:
        """The metadata of ``file`` from the disk cache only, or ``None``."""
        path = self._cache_path(file)
        if path is None:
            return None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            return parse_core_metadata(data, source=file.filename)
        except CglibError:
            return None

    # -- internals -------------------------------------------------------------------

    def _future(self, file: DistributionFile) -> Future[FileMetadata]:
        key = file.url
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(
                        max_workers=self._jobs, thread_name_prefix="cglib-metadata"
                    )
                future = self._pool.submit(self._fetch, file)
                self._futures[key] = future
        return future

    def _cache_path(self, file: DistributionFile) -> Path | None:
        sha = (file.sha256 or "").lower()
        if self._cache_dir is None or len(sha) != 64 or not _is_hex(sha):
            return None
        return self._cache_dir / sha[:2] / f"{sha}.metadata"

    def _store(self, file: DistributionFile, data: bytes) -> None:
        path = self._cache_path(file)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except OSError:
            return  # a cache that cannot be written is no cache, not a failure

    def _fetch(self, file: DistributionFile) -> FileMetadata:
        cached = self.cached(file)
        if cached is not None:
            return FileMetadata(file, cached, "cache")
        if file.core_metadata:
            data = self._pep658(file)
            result = FileMetadata(file, parse_core_metadata(data, source=file.filename), "pep658")
            self._store(file, data)
            return result
        if file.kind == "wheel":
            return self._from_wheel(file)
        return self._whole(file, None)

    def _checked(self, file: DistributionFile, result: FileMetadata) -> FileMetadata:
        if file.kind == "sdist" and result.metadata.dynamic_requirements():
            raise SdistMetadataError(
                f"the dependencies of {file.filename} are only known after building it "
                f"(Metadata-Version {result.metadata.metadata_version or '?'}"
                f"{', Requires-Dist is dynamic' if result.metadata.metadata_version else ''})",
                hint="cglib never runs a build: ask for wheels (--only-binary), pin a version "
                "that has a wheel, or use --no-deps",
            )
        return result

    def _note(self, source: str, file: DistributionFile) -> None:
        if self._on_request is not None:
            self._on_request(source, file.filename)

    def _pep658(self, file: DistributionFile) -> bytes:
        self._note("pep658", file)
        url = metadata_url(file.url)
        with self.client.stream(
            url, headers={"Accept-Encoding": "identity"}, what=f"metadata of {file.filename}"
        ) as response:
            data = _read_limited(self.client, response, MAX_METADATA, url)
        expected = file.core_metadata
        if not isinstance(expected, bool):
            digest = expected.get("sha256")
            if digest:
                actual = hashlib.sha256(data).hexdigest()
                if actual != digest.lower():
                    raise IntegrityError(
                        f"sha256 mismatch for the metadata of {file.filename}: the index says "
                        f"{digest[:16]}…, got {actual[:16]}…",
                        url=redact(url),
                        expected=digest,
                        actual=actual,
                    )
        return data

    def _from_wheel(self, file: DistributionFile) -> FileMetadata:
        self._note("range", file)
        remote = _RemoteFile(self.client, file, self._spool_dir)
        try:
            remote.open_tail()
        except _WholeBody as whole:
            return self._whole(file, whole.path, whole.sha256)
        except NetworkError as exc:
            if exc.status not in (416, 501):
                raise
            return self._whole(file, None)
        everything = remote.whole()
        if everything is not None:
            # A small wheel: the tail is all of it.  Kept like a whole file,
            # so that a download saves it instead of fetching it again.
            path = _spool_name(self._spool_dir(), file)
            return self._whole(file, path, _write_data(path, everything), source="range")
        try:
            data = _wheel_metadata(zipfile.ZipFile(remote), file)
        except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
            if isinstance(exc, CglibError):
                raise
            raise IntegrityError(
                f"{file.filename} is not a readable wheel: {exc}", url=redact(file.url)
            ) from None
        self._store(file, data)
        return FileMetadata(file, parse_core_metadata(data, source=file.filename), "range")

    def _spool_dir(self) -> Path:
        with self._lock:
            if self._spool is None:
                try:
                    self._spool = Path(tempfile.mkdtemp(prefix="cglib-whole-"))
                except OSError as exc:
                    from cglib.transfer import local_error

                    raise local_error(exc, "create", tempfile.gettempdir()) from None
            return self._spool

    def _whole(
        self,
        file: DistributionFile,
        path: Path | None,
        sha: str | None = None,
        *,
        source: str = "whole",
    ) -> FileMetadata:
        if path is None:
            self._note("whole", file)
            path, sha = _download_whole(self.client, file, self._spool_dir())
        assert sha is not None
        expected = (file.sha256 or "").lower()
        if expected and sha != expected:
            path.unlink(missing_ok=True)
            raise IntegrityError(
                f"sha256 mismatch for {file.filename}: the index says {expected[:16]}…, "
                f"got {sha[:16]}…",
                url=redact(file.url),
                expected=expected,
                actual=sha,
            )
        try:
            if file.kind == "wheel":
                with zipfile.ZipFile(path) as archive:
                    data = _wheel_metadata(archive, file)
            else:
                data = _sdist_pkg_info(path, file)
        except (zipfile.BadZipFile, EOFError, ValueError, OSError) as exc:
            if isinstance(exc, CglibError):
                raise
            raise IntegrityError(
                f"{file.filename} is not a readable archive: {exc}", url=redact(file.url)
            ) from None
        self._store(file, data)
        meta = parse_core_metadata(data, source=file.filename)
        return FileMetadata(file, meta, source, whole_file=path, whole_sha256=sha)


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


def _read_limited(client: IndexClient, response: object, limit: int, url: str) -> bytes:
    buffer = bytearray()
    for chunk in client.iter_raw(response):  # type: ignore[arg-type]
        buffer += chunk
        if len(buffer) > limit:
            raise IntegrityError(
                f"{redact(url)} is larger than {limit} bytes: not a metadata file",
                url=redact(url),
            )
    return bytes(buffer)


def _spool_name(directory: Path, file: DistributionFile) -> Path:
    name = file.filename
    if not name or Path(name).name != name or name.startswith(".") or "\\" in name:
        raise IntegrityError(f"unsafe file name {name[:80]!r}", url=redact(file.url))
    # One new file, unique, that ends with (the end of) the file's own name:
    # ".part-" and 8 random characters, and at most 200 of the name's, stay
    # within the 255 that file systems allow.
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".part-", suffix="-" + name[-200:])
    except OSError as exc:
        from cglib.transfer import local_error

        raise local_error(exc, "create", directory) from None
    os.close(fd)
    return Path(tmp)


def _download_whole(
    client: IndexClient, file: DistributionFile, directory: Path
) -> tuple[Path, str]:
    """Stream ``file`` into ``directory``; return its path and sha256."""
    path = _spool_name(directory, file)
    with client.stream(
        file.url, headers={"Accept-Encoding": "identity"}, what=file.filename
    ) as response:
        return path, _write_body(client, response, path)


def _write_body(client: IndexClient, response: object, path: Path) -> str:
    """Stream the body into ``path``; a local failure (disk full) is a
    :class:`~cglib.errors.LocalFileError` (exit 9) and leaves nothing."""
    return _write_chunks(client.iter_raw(response), path)  # type: ignore[arg-type]


def _write_data(path: Path, data: bytes) -> str:
    """Write ``data`` into ``path`` as :func:`_write_body` does; its sha256."""
    return _write_chunks(iter((data,)), path)


def _write_chunks(chunks: Iterator[bytes], path: Path) -> str:
    from cglib.transfer import local_error

    hasher = hashlib.sha256()
    try:
        with path.open("wb") as out:
            for chunk in chunks:
                hasher.update(chunk)
                out.write(chunk)
    except OSError as exc:
        with contextlib.suppress(OSError):
            path.unlink()
        raise local_error(exc, "write", path) from None
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
    return hasher.hexdigest()


class _WholeBody(Exception):
    """The server ignored ``Range`` and sent the whole file (now on disk)."""

    def __init__(self, path: Path, sha256: str) -> None:
        super().__init__(str(path))
        self.path = path
        self.sha256 = sha256


class _RemoteFile(io.RawIOBase):
    """A read-only, seekable view of a remote file, fetched by ranges.

    Only the ranges read are fetched; they are kept (a wheel's tail and one
    member: a few tens of kilobytes)."""

    def __init__(
        self, client: IndexClient, file: DistributionFile, spool: Callable[[], Path]
    ) -> None:
        super().__init__()
        self._client = client
        self._file = file
        self._spool_dir = spool
        self._size = 0
        self._pos = 0
        self._segments: list[tuple[int, bytes]] = []

    def open_tail(self) -> None:
        """Fetch the last :data:`TAIL_BYTES` and learn the size."""
        start, data, size = self._get(f"bytes=-{TAIL_BYTES}")
        self._size = size
        self._segments.append((start, data))

    def whole(self) -> bytes | None:
        """The whole file, when the tail fetched is all of it."""
        start, data = self._segments[0]
        return data if start == 0 and len(data) == self._size else None

    def _get(self, byte_range: str) -> tuple[int, bytes, int]:
        url = self._file.url
        with self._client.stream(
            url,
            headers={"Range": byte_range, "Accept-Encoding": "identity"},
            what=self._file.filename,
            ok_statuses=frozenset({200, 206}),
        ) as response:
            status = getattr(response, "status_code", 200)
            if status == 200:
                path = _spool_name(self._spool_dir(), self._file)
                sha = _write_body(self._client, response, path)
                raise _WholeBody(path, sha)
            headers = getattr(response, "headers", {})
            content_range = headers.get("content-range", "")
            data = _read_limited(self._client, response, 64 * 1024 * 1024, url)
        parsed = _content_range(content_range)
        if parsed is None:
            raise NetworkError(
                f"bad Content-Range {content_range[:60]!r} from {redact(url)}", url=redact(url)
            )
        start, end, size = parsed
        if len(data) != end - start + 1:
            raise NetworkError(
                f"short range answer from {redact(url)}", url=redact(url), retryable=True
            )
        return start, data, size

    # -- io.RawIOBase ----------------------------------------------------------------

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            self._pos = offset
        elif whence == io.SEEK_CUR:
            self._pos += offset
        elif whence == io.SEEK_END:
            self._pos = self._size + offset
        else:  # pragma: no cover
            raise ValueError(f"bad whence {whence}")
        self._pos = max(0, self._pos)
        return self._pos

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._size - self._pos
        start = self._pos
        end = min(self._size, start + size)
        if end <= start:
            return b""
        data = self._slice(start, end)
        self._pos = end
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def _slice(self, start: int, end: int) -> bytes:
        for seg_start, data in self._segments:
            if seg_start <= start and end <= seg_start + len(data):
                return data[start - seg_start : end - seg_start]
        fetch_end = min(self._size, max(end, start + MIN_RANGE)) - 1
        got_start, data, _ = self._get(f"bytes={start}-{fetch_end}")
        self._segments.append((got_start, data))
        return data[start - got_start : end - got_start]


def _content_range(value: str) -> tuple[int, int, int] | None:
    """``bytes START-END/SIZE`` -> (start, end, size)."""
    unit, _, rest = value.strip().partition(" ")
    if unit.lower() != "bytes":
        return None
    span, _, total = rest.partition("/")
    first, _, last = span.partition("-")
    try:
        start, end, size = int(first), int(last), int(total)
    except ValueError:
        return None
    if not 0 <= start <= end < size:
        return None
    return start, end, size


def _wheel_metadata(archive: zipfile.ZipFile, file: DistributionFile) -> bytes:
    """``{name}-{version}.dist-info/METADATA`` of a wheel (the one top-level
    ``.dist-info`` directory)."""
    candidates = [
        info
        for info in archive.infolist()
        if info.filename.count("/") == 1 and info.filename.endswith(".dist-info/METADATA")
    ]
    if len(candidates) != 1:
        raise IntegrityError(
            f"{file.filename} has {len(candidates)} .dist-info/METADATA files, not one",
            url=redact(file.url),
        )
    info = candidates[0]
    if info.file_size > MAX_METADATA:
        raise IntegrityError(f"the METADATA of {file.filename} is too large", url=redact(file.url))
    return archive.read(info)


def _sdist_pkg_info(path: Path, file: DistributionFile) -> bytes:
    """The top-level ``PKG-INFO`` of an sdist (``.tar.gz`` or ``.zip``)."""
    name = file.filename
    if name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            members = [
                i
                for i in archive.infolist()
                if i.filename.count("/") == 1 and i.filename.endswith("/PKG-INFO")
            ]
            if members and members[0].file_size <= MAX_METADATA:
                return archive.read(members[0])
    elif name.endswith((".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar")):
        import tarfile

        with tarfile.open(path) as archive:
            for member in archive:
                if (
                    member.isfile()
                    and member.name.count("/") == 1
                    and member.name.endswith("/PKG-INFO")
                    and member.size <= MAX_METADATA
                ):
                    extracted = archive.extractfile(member)
                    if extracted is not None:
                        return extracted.read()
    raise SdistMetadataError(
        f"{file.filename} has no PKG-INFO: its dependencies are only known after building it",
        hint="cglib never runs a build: ask for wheels (--only-binary) or use --no-deps",
    )
