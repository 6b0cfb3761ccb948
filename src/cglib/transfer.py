"""The transfer of one file: streamed, hashed, resumed, verified, renamed.

:class:`Transfer` streams a file to ``DEST/NAME.part`` while it is hashed,
checks it against its ``Content-Length``, the sha256 the index gave and any
``--hash`` of a requirements file, and only then renames it to
``DEST/NAME``.  ``DEST/NAME.part.json`` records the expected hash and the
server's validator (``ETag`` or ``Last-Modified``), so that a ``.part`` left
by an interrupted run is resumed with ``Range`` / ``If-Range``.

Each request is an *attempt*; how it ended (:class:`Attempt`) and what
earlier attempts left (:class:`State`) decide, in the pure function
:func:`decide`, the next :class:`Step`:

* ``done``: the file is complete and verified;
* ``resume``: the body broke off or stalled; after a wait, ask for the rest
  (up to the settings' retries);
* ``restart``: discard the ``.part`` and ask for the whole file (the server
  answered a range we did not ask for, refused the range with ``416``, or
  the resumed file failed its hash: once);
* ``give-up``: raise the error.  A body that still stalls or breaks after
  the retries is a :class:`~cglib.errors.NetworkError` (exit 6) and its
  ``.part`` is kept for the next run; a body the server ends before its
  ``Content-Length``, or whose hash is wrong, is an
  :class:`~cglib.errors.IntegrityError` (exit 7) and nothing is kept.

The sleep between attempts is given (tests pass a fake; the download passes
one that a failure elsewhere cuts short).  Bodies of at least 4 MiB are
hashed and written in two helper threads, so that the socket, the hash and
the disk work at the same time.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import queue
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from cglib.errors import CglibError, IntegrityError, LocalFileError, NetworkError
from cglib.parallel import Stopped
from cglib.urls import redact

if TYPE_CHECKING:
    from cglib.client import IndexClient
    from cglib.models import DistributionFile

__all__ = [
    "Attempt",
    "ProgressCallback",
    "Rules",
    "State",
    "Step",
    "Transfer",
    "body_start",
    "decide",
    "hash_file",
    "local_error",
    "write_error",
]

#: Bodies at least this big are hashed and written in helper threads.
_PIPELINE_THRESHOLD = 4 << 20
#: Bytes handed to the hashing and writing threads at a time.
_BATCH = 1 << 20
#: Batches in flight per file (bounds memory: about _BATCH * (_QUEUE + 2)).
_QUEUE = 4

#: Attempts in a row without progress after which a transfer gives up.
MAX_IDLE = 2

_WHOLE = frozenset({200, 206})
_RESUMED = frozenset({200, 206})
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)
_CONTENT_RANGE = re.compile(r"\s*bytes\s+(\d+)-(\d+)/(\d+|\*)\s*")

Log = Callable[[str], None]


class ProgressCallback(Protocol):
    """Receives the progress of each file; called from worker threads."""

    def start(self, file: str, total: int | None) -> None:
        """``file`` starts; ``total`` bytes (``None`` when unknown)."""

    def advance(self, file: str, n: int) -> None:
        """``n`` more bytes of ``file`` arrived (or were found in a ``.part``)."""

    def done(self, file: str) -> None:
        """``file`` is finished (saved, already present, or given up)."""


#: errno values that mean the disk (or the process's file-size limit) is full.
NO_SPACE = frozenset(
    getattr(errno, name) for name in ("ENOSPC", "EFBIG", "EDQUOT") if hasattr(errno, name)
)


def local_error(exc: OSError, doing: str, path: str | os.PathLike[str]) -> LocalFileError:
    """The :class:`~cglib.errors.LocalFileError` (exit 9) for ``exc``, raised
    while cglib was trying to ``doing`` (``"write"``, ``"create the
    destination"``) ``path``: what failed, where, and what to do."""
    shown = str(path)
    code = exc.errno
    if code in NO_SPACE:
        what, hint = "no space left", "free some space, or download into another directory"
    elif code in (errno.EACCES, errno.EPERM):
        what, hint = "permission denied", "check the permissions of the directory"
    elif code == errno.EROFS:
        what, hint = "read-only file system", "download into a writable directory"
    elif code in (errno.ENOTDIR, errno.EEXIST):
        what, hint = "not a directory", "give -d a directory (or a path that does not exist yet)"
    elif code == errno.ELOOP:
        what, hint = "a symbolic link loop", "remove the link"
    else:
        what, hint = exc.strerror or type(exc).__name__, "check the destination"
    return LocalFileError(f"cannot {doing} {shown!r}: {what}", path=shown, hint=hint)


def write_error(exc: BaseException, doing: str = "write the download") -> CglibError:
    """The error a download reports when writing to the local disk fails
    (``doing`` says what: ``"write 'DEST/NAME'"``); the one place that
    decides its exit code: a :class:`~cglib.errors.LocalFileError` (exit 9).
    A :class:`CglibError` is returned as it is; anything but an ``OSError``
    is raised again."""
    if isinstance(exc, CglibError):
        return exc
    if isinstance(exc, OSError):
        quoted = _DOING.fullmatch(doing)
        if quoted:
            return local_error(exc, quoted[1], quoted[2] or quoted[3] or "")
        return local_error(exc, doing, str(exc.filename or "the destination"))
    raise exc


#: ``"write 'DEST/NAME'"``: what was done, and the path.
_DOING = re.compile(r"(.*?) (?:'(.*)'|\"(.*)\")")


# ---------------------------------------------------------------------------
# The state machine: pure


Action = Literal["done", "resume", "restart", "give-up"]


@dataclass(frozen=True, slots=True)
class Rules:
    """What the transfer of one file is held to, from start to end."""

    #: The file name, for messages.
    name: str
    #: The file's URL as shown in messages (no credentials, no query).
    url: str
    #: The sha256 the index gives (lower case), if any.
    expected: str | None = None
    #: The sha256 digests a requirements file allows (empty: any).
    allowed: frozenset[str] = frozenset()
    #: How many times a body that broke off is resumed.
    retries: int = 0
    #: The first wait before resuming (seconds); doubled each time.
    backoff: float = 0.5
    #: The longest wait before resuming (seconds).
    max_wait: float = 30.0


@dataclass(frozen=True, slots=True)
class State:
    """What the earlier attempts of a transfer leave to the next one."""

    #: Resumptions after a body that broke off, so far.
    retries: int = 0
    #: True once the transfer started over because a resumed file failed its hash.
    restarted: bool = False
    #: The furthest into the file any attempt got (bytes).
    reached: int = 0
    #: Attempts in a row that broke off without getting further than ``reached``.
    idle: int = 0


@dataclass(frozen=True, slots=True)
class Attempt:
    """How one request for the file ended."""

    #: The offset asked for with ``Range`` (0: the whole file was asked for).
    asked: int = 0
    #: Where in the file the body started (0 when the server sent it whole).
    offset: int = 0
    #: True once the answer was accepted and its body began to arrive.
    started: bool = False
    #: Bytes of body that arrived (and are in the ``.part``).
    received: int = 0
    #: The length of the whole file, from the answer's ``Content-Length``.
    length: int | None = None
    #: The sha256 of the whole ``.part``, when the body ended normally.
    digest: str | None = None
    #: True when the answer was a ``206`` for a range not asked for.
    wrong_range: bool = False
    #: The failure, when the request or its body failed.
    error: NetworkError | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """What to do after an attempt."""

    action: Action
    state: State
    #: Seconds to wait first (``resume``).
    wait: float = 0.0
    #: A note for the user, if any.
    note: str | None = None
    #: Delete the ``.part`` (and its ``.part.json``) first.
    discard: bool = False
    #: The error to raise (``give-up``).
    error: CglibError | None = None
    #: The digest and size of the complete file (``done``).
    digest: str = ""
    size: int = 0


def decide(attempt: Attempt, state: State, rules: Rules) -> Step:
    """The next step after ``attempt`` (see the module docstring).

    Pure.  Every path ends: a ``restart`` only follows an attempt that asked
    for a range (the next one asks for the whole file), at most once for a
    bad hash, and each ``resume`` uses up one of the retries."""
    name = rules.name
    error: CglibError
    if attempt.wrong_range:
        if attempt.asked:
            return Step("restart", state, discard=True)
        error = NetworkError(
            f"the server sent part of {name} when asked for all of it",
            url=rules.url,
            hint="try again; tell the index operator if it persists",
        )
        return Step("give-up", state, error=error)
    if attempt.error is not None:
        return _after_failure(attempt, attempt.error, state, rules)
    size = attempt.offset + attempt.received
    if attempt.length is not None and size != attempt.length:
        return Step("give-up", state, discard=True, error=_truncated(rules, size, attempt.length))
    digest = attempt.digest or ""
    if rules.expected and digest != rules.expected:
        if attempt.offset and not state.restarted:
            note = f"{name}: the resumed file does not match its hash; starting over"
            return Step("restart", replace(state, restarted=True), note=note, discard=True)
        error = IntegrityError(
            f"sha256 mismatch for {name} from {rules.url}: the index says "
            f"{rules.expected[:16]}…, the download is {digest[:16]}…",
            url=rules.url,
            expected=rules.expected,
            actual=digest,
            hint="nothing was saved; try again, and tell the index operator if it persists",
        )
        return Step("give-up", state, discard=True, error=error)
    if rules.allowed and digest not in rules.allowed:
        error = IntegrityError(
            f"sha256 of {name} ({digest[:16]}…) matches none of the --hash values of the "
            "requirements file",
            url=rules.url,
            expected=sorted(rules.allowed)[0],
            actual=digest,
            hint="nothing was saved; update the hashes if the new file is trusted",
        )
        return Step("give-up", state, discard=True, error=error)
    return Step("done", state, digest=digest, size=size)


def _after_failure(attempt: Attempt, exc: NetworkError, state: State, rules: Rules) -> Step:
    if exc.status == 416 and attempt.asked:
        # The range is beyond the file: it changed, or the .part is too long.
        return Step("restart", state, discard=True)
    if not attempt.started:
        return Step("give-up", state, error=exc)  # the client's own error, as it is
    got = attempt.offset + attempt.received
    # Another try only pays when the last one got somewhere: a body that
    # stalls at once is given up after two tries (two read time-outs).
    idle = 0 if got > state.reached else state.idle + 1
    if exc.retryable and state.retries < rules.retries and idle < MAX_IDLE:
        # The body broke off or stalled: go on from where it stopped.
        retries = state.retries + 1
        wait = min(rules.backoff * 2 ** (retries - 1), rules.max_wait)
        return Step(
            "resume",
            replace(state, retries=retries, reached=max(state.reached, got), idle=idle),
            wait=wait,
            note=f"retrying {rules.name} in {wait:.1f} s ({retries}/{rules.retries}): "
            f"{exc.message}",
        )
    if exc.closed_early:
        # The server ended the body before its Content-Length.
        return Step("give-up", state, discard=True, error=_truncated(rules, got, attempt.length))
    # A time-out or a broken connection: keep the .part for the next run.
    error = NetworkError(
        f"{exc.message} while downloading {rules.name} (got {got} bytes)",
        status=exc.status,
        url=exc.url or rules.url,
        hint="the partial download is kept; run the command again to resume it",
    )
    return Step("give-up", state, error=error)


class _TooLong(Exception):
    """A body went past the size announced for it."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


def _at_most(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    """``chunks``, raising :class:`_TooLong` as soon as they add up to more
    than ``limit`` bytes (the excess is never written)."""
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > limit:
            raise _TooLong(limit)
        yield chunk


def _truncated(rules: Rules, got: int, length: int | None) -> IntegrityError:
    total = f" of {length}" if length is not None else ""
    return IntegrityError(
        f"truncated transfer of {rules.name} from {rules.url}: got {got}{total} bytes",
        url=rules.url,
        hint="the server closed the connection early; try again",
    )


def body_start(status: int, asked: int, content_range: str | None) -> int | None:
    """Where in the file the body of an answer starts: 0 for a whole file
    (a ``200``, or a ``206`` whose ``Content-Range`` covers all of it),
    ``asked`` for the ``206`` of the range asked for; ``None`` for a ``206``
    of any other range."""
    if status != 206:
        return 0
    match = _CONTENT_RANGE.fullmatch(content_range or "")
    if not match:
        return None
    first, last, total = int(match[1]), int(match[2]), match[3]
    if asked and first == asked:
        return asked
    if not asked and first == 0 and total.isdigit() and last + 1 == int(total):
        return 0  # a 206 unasked for, but of the whole file: as good as a 200
    return None


# ---------------------------------------------------------------------------
# The .part and its .part.json


@dataclass
class _Resume:
    """What a ``.part`` lets the next request skip: its size, the server's
    validator and the hash of its bytes so far."""

    offset: int = 0
    validator: str | None = None
    hasher: Any = field(default_factory=hashlib.sha256)


def _resume_state(part: Path, meta: Path, expected: str | None, note: Log | None = None) -> _Resume:
    """What a ``.part`` left by an earlier attempt or run lets us skip.  A
    ``.part.json`` that cannot be used is discarded (with a note), never
    fatal: the file is then fetched whole."""
    try:
        if part.is_symlink() or not part.is_file():
            return _Resume()
        info = json.loads(meta.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return _Resume()
    except (OSError, ValueError):
        return _unusable(meta, note)
    if not isinstance(info, dict):
        return _unusable(meta, note)
    validator = info.get("validator")
    if validator is not None and not _sendable(validator):
        return _unusable(meta, note)
    if info.get("sha256") != expected:
        return _Resume()
    validator = validator if isinstance(validator, str) and validator else None
    if expected is None and validator is None:
        return _Resume()  # nothing to prove the rest belongs to the same file
    try:
        size = part.stat().st_size
    except OSError:
        return _Resume()
    if size == 0:
        return _Resume()
    hasher = hashlib.sha256()
    with part.open("rb", buffering=0) as fh:
        for block in iter(lambda: fh.read(_BATCH), b""):
            hasher.update(block)
    return _Resume(size, validator, hasher)


def _sendable(validator: object) -> bool:
    """True for a validator that goes back into ``If-Range`` as it came:
    text of latin-1 characters (RFC 7232 allows obs-text), no line breaks."""
    if not isinstance(validator, str):
        return False
    try:
        validator.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return "\r" not in validator and "\n" not in validator


def _unusable(meta: Path, note: Log | None) -> _Resume:
    if note is not None:
        note(f"{meta.name} cannot be used (not written by this cglib?); fetching the whole file")
    _discard(meta)
    return _Resume()


def _validator(response: Any) -> str | None:
    """The response's ``ETag`` (else ``Last-Modified``) as sent, byte for
    byte: bytes decoded as latin-1, so that any obs-text survives the round
    trip through ``.part.json`` and back into ``If-Range``."""
    found: dict[bytes, bytes] = {}
    for key, value in response.headers.raw:
        found.setdefault(key.lower(), value)
    raw = found.get(b"etag") or found.get(b"last-modified")
    if not raw:
        return None
    text = raw.decode("latin-1")
    return text if _sendable(text) else None


def _write_meta(meta: Path, expected: str | None, validator: str | None) -> None:
    data = json.dumps({"sha256": expected, "validator": validator})
    with contextlib.suppress(OSError):
        fd = os.open(meta, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, 0o644)
        try:
            os.write(fd, data.encode())
        finally:
            os.close(fd)


def _discard(*paths: Path) -> None:
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink()


def _on_disk(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def hash_file(path: Path) -> tuple[str, int]:
    """(sha256, size) of the file at ``path``."""
    hasher = hashlib.sha256()
    size = 0
    with path.open("rb", buffering=0) as fh:
        for block in iter(lambda: fh.read(_BATCH), b""):
            hasher.update(block)
            size += len(block)
    return hasher.hexdigest(), size


# ---------------------------------------------------------------------------
# The transfer


class Transfer:
    """Fetch ``file`` into ``final`` (through ``final.part``); :meth:`run`
    returns (sha256, size) of the complete, verified file.

    The caller holds the lock of ``final``, so the ``.part`` is ours alone.
    ``stop`` set (a failure elsewhere, Ctrl-C) stops the body at its next
    chunk with :class:`~cglib.parallel.Stopped`, the ``.part`` kept.
    """

    def __init__(
        self,
        client: IndexClient,
        file: DistributionFile,
        final: Path,
        *,
        expected: str | None = None,
        allowed: frozenset[str] = frozenset(),
        progress: ProgressCallback | None = None,
        log: Log | None = None,
        warn: Log | None = None,
        stop: threading.Event | None = None,
        sleep: Callable[[float], None] | None = None,
        fsync: bool = False,
    ) -> None:
        settings = client.settings
        self.client = client
        self.file = file
        self.final = final
        self.part = final.with_name(f"{final.name}.part")
        self.meta = final.with_name(f"{final.name}.part.json")
        self.rules = Rules(
            name=final.name,
            url=redact(file.url.partition("?")[0].partition("#")[0]),
            expected=expected,
            allowed=allowed,
            retries=settings.retries,
            backoff=settings.backoff,
            max_wait=settings.max_retry_wait,
        )
        self.progress = progress
        self.log = log
        self.warn = warn
        self.stop = stop if stop is not None else client.stop
        self.sleep = sleep if sleep is not None else self._pause
        self.fsync = fsync

    def run(self) -> tuple[str, int]:
        part, meta = self.part, self.meta
        for stale in (part, meta):
            if stale.is_symlink():  # never write through a link planted in DEST
                stale.unlink()
        resume = _resume_state(part, meta, self.rules.expected, self.log)
        if resume.offset:
            self._note(
                f"{self.rules.name}: resuming after {resume.offset} bytes from an earlier run"
            )
        state = State()
        while True:
            attempt = self._attempt(resume)
            step = decide(attempt, state, self.rules)
            if step.note and step.action == "resume":
                self._warning(step.note)  # a wait: said without -v, as pip does
            elif step.note:
                self._note(step.note)
            if step.discard:
                _discard(part, meta)
            if step.action == "done":
                self._save()
                return step.digest, step.size
            if step.action == "give-up":
                assert step.error is not None
                raise step.error from None
            if step.action == "resume":
                self.sleep(step.wait)
                resume = _resume_state(part, meta, self.rules.expected, self.log)
            else:
                resume = _Resume()
            state = step.state

    def _pause(self, seconds: float) -> None:
        """Wait ``seconds``, or until :attr:`stop` is set (then :class:`Stopped`)."""
        if self.stop.wait(seconds):
            raise Stopped

    def _note(self, message: str) -> None:
        if self.log is not None:
            self.log(message)

    def _warning(self, message: str) -> None:
        if self.warn is not None:
            self.warn(message)
        else:
            self._note(message)

    def _attempt(self, resume: _Resume) -> Attempt:
        """One request, going on from ``resume``; how it ended."""
        name = self.rules.name
        asked = resume.offset
        headers: dict[str, str | bytes] = {"Accept-Encoding": "identity"}
        if asked:
            headers["Range"] = f"bytes={asked}-"
            if resume.validator:
                headers["If-Range"] = resume.validator.encode("latin-1")
        offset = 0
        length: int | None = None
        started = False
        try:
            with self.client.stream(
                self.file.url,
                headers=headers,
                what=f"file {name}",
                ok_statuses=_RESUMED if asked else _WHOLE,
                stop=self.stop,
            ) as response:
                status = response.status_code
                start = body_start(status, asked, response.headers.get("content-range"))
                if start is None:
                    return Attempt(asked=asked, wrong_range=True)
                if asked and not start:
                    self._note(f"{name}: the server sent the whole file again; starting over")
                offset = start
                hasher = resume.hasher if offset else hashlib.sha256()
                length_header = response.headers.get("content-length")
                if length_header and length_header.isdigit():
                    length = offset + int(length_header)
                validator = _validator(response)
                _write_meta(self.meta, self.rules.expected, validator)
                if self.progress is not None:
                    self.progress.start(name, length or self.file.size)
                    if offset:
                        self.progress.advance(name, offset)
                started = True
                # Never more than announced: the response's length, else the
                # size the index gave (a chunked body could go on for ever).
                limit = length if length is not None else self.file.size
                body = self.client.iter_raw(response)
                if limit is not None:
                    body = _at_most(body, limit - offset)
                received = _receive(
                    body,
                    self.part,
                    offset,
                    hasher,
                    None if length is None else length - offset,
                    name,
                    self.progress,
                    self.stop,
                )
        except _TooLong as exc:
            _discard(self.part, self.meta)
            raise IntegrityError(
                f"{name} from {self.rules.url} is longer than the {offset + exc.limit} bytes "
                "announced for it; stopped reading it",
                url=self.rules.url,
                hint="nothing was saved; tell the index operator if it persists",
            ) from None
        except NetworkError as exc:
            received = max(0, _on_disk(self.part) - offset) if started else 0
            return Attempt(asked, offset, started, received, length, error=exc)
        return Attempt(asked, offset, True, received, length, hasher.hexdigest())

    def _save(self) -> None:
        """Rename the verified ``.part`` to the final name."""
        if self.fsync:
            fd = os.open(self.part, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(self.part, self.final)
        with contextlib.suppress(OSError):
            self.meta.unlink()


# ---------------------------------------------------------------------------
# Receiving a body


def _receive(
    chunks: Iterator[bytes],
    part: Path,
    offset: int,
    hasher: Any,
    length: int | None,
    name: str,
    progress: ProgressCallback | None,
    stop: threading.Event,
) -> int:
    """Write ``chunks`` into ``part`` after its first ``offset`` bytes while
    hashing them; return how many bytes arrived."""
    flags = os.O_WRONLY | os.O_CREAT | _NOFOLLOW | _BINARY
    try:
        fd = os.open(part, flags, 0o644)
    except OSError as exc:
        raise local_error(exc, "write", part) from None
    try:
        try:
            os.ftruncate(fd, offset)
            os.lseek(fd, offset, os.SEEK_SET)
            if length is not None and length >= _PIPELINE_THRESHOLD:
                return _receive_pipelined(chunks, fd, hasher, name, progress, stop)
            return _receive_simple(chunks, fd, hasher, name, progress, stop)
        finally:
            os.close(fd)
    except OSError as exc:
        error = local_error(exc, "write", part)
        if exc.errno in NO_SPACE:
            # A .part that cannot grow would only keep the disk full.
            _discard(part, part.with_name(f"{part.name}.json"))
            error.hint = f"{error.hint}; the partial file was removed"
        raise error from None


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _receive_simple(
    chunks: Iterator[bytes],
    fd: int,
    hasher: Any,
    name: str,
    progress: ProgressCallback | None,
    stop: threading.Event,
) -> int:
    received = 0
    for chunk in chunks:
        if stop.is_set():
            raise Stopped
        hasher.update(chunk)
        _write_all(fd, chunk)
        received += len(chunk)
        if progress is not None:
            progress.advance(name, len(chunk))
    return received


class _Worker(threading.Thread):
    """Applies ``func`` to each batch from its queue until ``None`` arrives."""

    def __init__(self, func: Callable[[list[bytes]], None]) -> None:
        super().__init__(daemon=True, name="cglib-io")
        self.func = func
        self.queue: queue.Queue[list[bytes] | None] = queue.Queue(maxsize=_QUEUE)
        self.error: BaseException | None = None

    def run(self) -> None:
        while True:
            batch = self.queue.get()
            if batch is None:
                return
            if self.error is None:
                try:
                    self.func(batch)
                except BaseException as exc:  # handed to the reader
                    self.error = exc


def _receive_pipelined(
    chunks: Iterator[bytes],
    fd: int,
    hasher: Any,
    name: str,
    progress: ProgressCallback | None,
    stop: threading.Event,
) -> int:
    """Like :func:`_receive_simple`, with hashing and writing each in a
    thread of its own (both release the GIL on big buffers), so that the
    socket, the hash and the disk work at the same time."""

    def write(batch: list[bytes]) -> None:
        if len(batch) == 1:
            _write_all(fd, batch[0])
            return
        total = sum(len(b) for b in batch)
        written = os.writev(fd, batch)
        if written != total:
            _write_all(fd, b"".join(batch)[written:])

    def digest(batch: list[bytes]) -> None:
        for block in batch:
            hasher.update(block)

    workers = [_Worker(digest), _Worker(write)]
    for worker in workers:
        worker.start()
    received = 0
    batch: list[bytes] = []
    batch_size = 0
    try:
        for chunk in chunks:
            batch.append(chunk)
            batch_size += len(chunk)
            if batch_size >= _BATCH:
                _hand_over(workers, batch)
                received += batch_size
                if progress is not None:
                    progress.advance(name, batch_size)
                batch, batch_size = [], 0
                if stop.is_set():
                    raise Stopped
        if batch:
            _hand_over(workers, batch)
            received += batch_size
            if progress is not None:
                progress.advance(name, batch_size)
    finally:
        for worker in workers:
            worker.queue.put(None)
        for worker in workers:
            worker.join()
    for worker in workers:
        if worker.error is not None:
            raise worker.error
    return received


def _hand_over(workers: list[_Worker], batch: list[bytes]) -> None:
    for worker in workers:
        if worker.error is not None:
            raise worker.error
        worker.queue.put(batch)
