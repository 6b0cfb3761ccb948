"""A few things at once: a function over items on a small thread pool.

Used to fetch the index pages of many requirements and then their files.  The
first failure stops the rest: it sets a :class:`threading.Event` that the
workers look at between chunks of work (raising :class:`Stopped`), and is
raised once every thread has finished, so no thread outlives the call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from typing import TypeVar

__all__ = ["DEFAULT_JOBS", "Stopped", "parallel_map"]

#: Files fetched at once by default: enough to hide latency, few enough to be polite.
DEFAULT_JOBS = 6

T = TypeVar("T")
R = TypeVar("R")


class Stopped(Exception):
    """Another task failed, or the user pressed Ctrl-C: stop where you are
    (a partial download is kept).  Never the error a caller sees."""


def parallel_map(
    jobs: int, func: Callable[[T], R], items: Sequence[T], stop: threading.Event
) -> list[R]:
    """``[func(x) for x in items]`` on up to ``jobs`` threads, in order.

    The first failure sets ``stop`` (the others stop at their next chunk,
    raising :class:`Stopped`) and is raised once every thread has finished;
    so is a ``KeyboardInterrupt`` in the calling thread."""
    if jobs <= 1 or len(items) <= 1:
        return [func(item) for item in items]
    pool = ThreadPoolExecutor(max_workers=min(jobs, len(items)), thread_name_prefix="cglib")
    futures: list[Future[R]] = []
    try:
        futures = [pool.submit(func, item) for item in items]
        _, pending = wait(futures, return_when=FIRST_EXCEPTION)
        if pending:
            stop.set()
            for future in pending:
                future.cancel()
            wait(pending)
    except BaseException:
        stop.set()
        for future in futures:
            future.cancel()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    errors = [f.exception() for f in futures if f.done() and not f.cancelled() and f.exception()]
    for error in errors:
        if error is not None and not isinstance(error, Stopped):
            raise error
    return [future.result() for future in futures]
