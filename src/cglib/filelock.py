"""An exclusive lock between processes, on a file beside the one being written.

Two cglib processes downloading one file into one directory take turns:
each holds ``DEST/NAME.part.lock`` while it writes ``NAME.part``.

POSIX: ``fcntl.flock`` (released by the kernel if the process dies).  The
holder deletes the lock file before letting go; a waiter that then gets the
lock of a deleted file sees that the path now names another file (or none)
and tries again.  Windows: ``msvcrt.locking`` on the file's first byte; the
file may stay behind there, as an open file cannot be deleted.  Elsewhere (no
``fcntl``, no ``msvcrt``) no lock is taken.

The clock and the sleep between tries are given (tests pass fakes); a waiter
gives up with :class:`LockTimeout` after ``timeout`` seconds.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["FileLock", "LockTimeout", "remove_held", "same_file", "try_lock", "unlock"]

#: How often a process waiting for another one's lock looks again (seconds).
POLL = 0.05

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_BINARY = getattr(os, "O_BINARY", 0)

#: The lock files this process holds now (see :func:`remove_held`).
_HELD: set[Path] = set()
_HELD_LOCK = threading.Lock()


def remove_held() -> list[Path]:
    """Delete the lock files this process holds; return them.

    For the end of an interrupted run, when a thread that holds a lock is
    stuck in a stalled read and is left behind: the kernel lets go of the
    lock when the process ends, and this removes the file (POSIX)."""
    with _HELD_LOCK:
        held = sorted(_HELD)
        _HELD.clear()
    if sys.platform == "win32":
        return []
    for path in held:
        with contextlib.suppress(OSError):
            path.unlink()
    return held


class LockTimeout(Exception):
    """The lock stayed held by another process for the whole time-out."""

    def __init__(self, path: Path, timeout: float) -> None:
        super().__init__(f"{path} stayed locked for {timeout:.0f}s")
        self.path = path
        self.timeout = timeout


class FileLock:
    """``with FileLock(path, timeout=…):`` holds the exclusive lock of ``path``.

    ``on_wait`` is called once, when the lock is found held by another
    process; ``sleep`` (which may raise to cancel the wait) between tries
    and ``clock`` (monotonic seconds) are given for tests.  An ``OSError``
    creating the lock file is raised as it is.
    """

    def __init__(
        self,
        path: Path,
        *,
        timeout: float,
        on_wait: Callable[[], None] | None = None,
        poll: float = POLL,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.path = path
        self.timeout = timeout
        self.on_wait = on_wait
        self.poll = poll
        self.clock = clock
        self.sleep = sleep
        self.fd: int | None = None

    def __enter__(self) -> FileLock:
        deadline = self.clock() + self.timeout
        told = False
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _NOFOLLOW | _BINARY, 0o644)
            try:
                if try_lock(fd) and same_file(fd, self.path):
                    self.fd = fd
                    with _HELD_LOCK:
                        _HELD.add(self.path)
                    return self
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)
            if self.clock() >= deadline:
                raise LockTimeout(self.path, self.timeout)
            if not told:
                told = True
                if self.on_wait is not None:
                    self.on_wait()
            self.sleep(self.poll)

    def __exit__(self, *exc: object) -> None:
        fd, self.fd = self.fd, None
        if fd is None:
            return
        with _HELD_LOCK:
            _HELD.discard(self.path)
        if sys.platform != "win32":
            with contextlib.suppress(OSError):
                self.path.unlink()  # while still held: see the module docstring
        try:
            unlock(fd)
        finally:
            os.close(fd)
        if sys.platform == "win32":
            with contextlib.suppress(OSError):
                self.path.unlink()


def try_lock(fd: int) -> bool:
    """Take the exclusive lock of ``fd`` without waiting; False if it is held."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        import fcntl
    except ImportError:  # pragma: no cover - a POSIX without fcntl: no lock
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def unlock(fd: int) -> None:
    """Let go of the lock of ``fd``."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    try:
        import fcntl
    except ImportError:  # pragma: no cover
        return
    fcntl.flock(fd, fcntl.LOCK_UN)


def same_file(fd: int, path: Path) -> bool:
    """True when ``path`` still names the file open as ``fd`` (the holder
    before us deletes it before letting go)."""
    if sys.platform == "win32":
        return True
    try:
        now = os.stat(path, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino)
