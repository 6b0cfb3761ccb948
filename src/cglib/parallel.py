"""A few things at once: a function over items on a small thread pool.

Used to fetch the index pages of many requirements and then their files.  The
first failure stops the rest: it sets a :class:`threading.Event` that the
workers look at between chunks of work (raising :class:`Stopped`), and is
raised once every thread has finished, so no thread outlives the call.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TypeVar

from cglib.errors import UsageError

__all__ = ["DEFAULT_JOBS", "Stopped", "check_jobs", "parallel_map"]

#: Files fetched at once by default: enough to hide latency, few enough to be polite.
DEFAULT_JOBS = 6
#: Seconds the threads get to stop after Ctrl-C before they are left behind.
GRACE = 0.8

T = TypeVar("T")
R = TypeVar("R")


def check_jobs(jobs: int) -> int:
    """Return ``jobs`` if it is a number of things to do at once (at least
    1); else raise :class:`~cglib.errors.UsageError` (exit 2)."""
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    return jobs


class Stopped(Exception):
    """Another task failed, or the user pressed Ctrl-C: stop where you are
    (a partial download is kept).  Never the error a caller sees."""


def parallel_map(
    jobs: int,
    func: Callable[[T], R],
    items: Sequence[T],
    stop: threading.Event,
    *,
    grace: float = GRACE,
) -> list[R]:
    """``[func(x) for x in items]`` on up to ``jobs`` threads, in order.

    The first failure sets ``stop`` (the others stop at their next chunk or
    wait, raising :class:`Stopped`) and is raised once every thread has
    finished.  A ``KeyboardInterrupt`` (Ctrl-C, or SIGTERM as the command
    line turns it into one) in the calling thread sets ``stop`` too, waits at
    most ``grace`` seconds for the threads, and is raised again: a thread
    stuck in a stalled read is left behind (the threads are daemons, so it
    never holds up the end of the process)."""
    if jobs <= 1 or len(items) <= 1:
        return [func(item) for item in items]
    results: list[R | None] = [None] * len(items)
    errors: list[BaseException | None] = [None] * len(items)
    finished = [False] * len(items)
    order = iter(range(len(items)))
    lock = threading.Lock()

    def work() -> None:
        while not stop.is_set():
            with lock:
                i = next(order, None)
            if i is None:
                return
            try:
                results[i] = func(items[i])
                finished[i] = True
            except BaseException as exc:  # handed to the caller below
                errors[i] = exc
                stop.set()
                return

    threads = [
        threading.Thread(target=work, name=f"cglib-{n}", daemon=True)
        for n in range(min(jobs, len(items)))
    ]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(0.1)  # a timed join: Ctrl-C gets through
    except BaseException:
        stop.set()
        deadline = time.monotonic() + grace
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        raise
    for error in errors:
        if error is not None and not isinstance(error, Stopped):
            raise error
    if not all(finished):
        raise Stopped
    return [r for r in results]  # type: ignore[misc]
