"""The lock between processes writing one file (cglib.filelock), with a fake clock."""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

import pytest

from cglib.filelock import FileLock, LockTimeout, same_file, try_lock

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")


class Clock:
    """A clock that moves only when the lock sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def hold(path: Path) -> int:
    """Take the lock as another process would."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_a_free_lock_is_taken_at_once_and_its_file_removed(tmp_path):
    path = tmp_path / "f.part.lock"
    clock = Clock()
    waited: list[bool] = []
    with FileLock(
        path, timeout=5, clock=clock, sleep=clock.sleep, on_wait=lambda: waited.append(True)
    ):
        assert path.exists()
        other = os.open(path, os.O_RDWR)
        try:
            assert not try_lock(other)  # held
        finally:
            os.close(other)
    assert not path.exists()
    assert clock.sleeps == []
    assert waited == []


def test_a_held_lock_is_waited_for_up_to_the_timeout(tmp_path):
    path = tmp_path / "f.part.lock"
    fd = hold(path)
    clock = Clock()
    waited: list[bool] = []
    try:
        with pytest.raises(LockTimeout) as info:
            with FileLock(
                path,
                timeout=1.0,
                poll=0.25,
                clock=clock,
                sleep=clock.sleep,
                on_wait=lambda: waited.append(True),
            ):
                pytest.fail("the lock was taken while held")
    finally:
        os.close(fd)
    assert clock.sleeps == [0.25] * 4  # no real time passed
    assert waited == [True]  # told once
    assert info.value.timeout == 1.0
    assert path.exists()  # the holder's file is not ours to delete


def test_the_lock_of_a_deleted_file_is_not_taken(tmp_path):
    """The holder deletes the file before letting go: a waiter that then
    locks the old file must see the path is gone and lock a new one."""
    path = tmp_path / "f.part.lock"
    fd = hold(path)
    clock = Clock()
    stale: list[int] = []

    def holder_finishes(seconds: float) -> None:
        clock.sleep(seconds)
        if not stale:
            stale.append(os.stat(path).st_ino)
            path.unlink()
            os.close(fd)

    with FileLock(path, timeout=5, poll=0.1, clock=clock, sleep=holder_finishes) as lock:
        assert lock.fd is not None
        assert same_file(lock.fd, path)
    assert clock.sleeps == [0.1]
    assert not path.exists()


def test_a_sleep_that_raises_cancels_the_wait(tmp_path):
    path = tmp_path / "f.part.lock"
    fd = hold(path)

    class Cancelled(Exception):
        pass

    def cancel(seconds: float) -> None:
        raise Cancelled

    try:
        with pytest.raises(Cancelled):
            with FileLock(path, timeout=5, sleep=cancel):
                pytest.fail("the lock was taken while held")
    finally:
        os.close(fd)


def test_a_symbolic_link_is_not_followed(tmp_path):
    target = tmp_path / "elsewhere"
    target.write_text("keep")
    path = tmp_path / "f.part.lock"
    path.symlink_to(target)
    with pytest.raises(OSError):
        with FileLock(path, timeout=0):
            pass
    assert target.read_text() == "keep"
