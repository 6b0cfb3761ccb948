"""A function over items on a small thread pool (cglib.parallel): results in
order, the first failure stops the rest and is raised once every thread has
finished; the --jobs check.  Ctrl-C during parallel_map is in test_interrupt.py."""

from __future__ import annotations

import threading
import time

import pytest

from cglib.errors import UsageError
from cglib.parallel import DEFAULT_JOBS, Stopped, check_jobs, parallel_map


@pytest.mark.parametrize("jobs", [1, 2, DEFAULT_JOBS, 64])
def test_check_jobs_returns_a_count_of_at_least_one(jobs: int) -> None:
    assert check_jobs(jobs) == jobs


@pytest.mark.parametrize("jobs", [0, -1, -8])
def test_check_jobs_refuses_less_than_one_as_a_usage_error(jobs: int) -> None:
    with pytest.raises(UsageError) as info:
        check_jobs(jobs)
    assert info.value.exit_code == 2
    assert info.value.message == f"--jobs must be at least 1, not {jobs}"


def test_results_come_in_the_order_of_the_items_whatever_finishes_first() -> None:
    done = [threading.Event() for _ in range(4)]
    finished: list[int] = []

    def last_first(n: int) -> int:
        if n < 3:
            assert done[n + 1].wait(5)  # each item ends after the next one
        finished.append(n)
        done[n].set()
        return n * n

    assert parallel_map(4, last_first, [0, 1, 2, 3], threading.Event()) == [0, 1, 4, 9]
    assert finished == [3, 2, 1, 0]


def test_the_items_run_on_up_to_jobs_threads_at_once() -> None:
    together = threading.Barrier(3, timeout=5)  # broken unless 3 run at the same time
    running: set[str] = set()

    def meet(n: int) -> str:
        running.add(threading.current_thread().name)
        together.wait()
        return threading.current_thread().name

    names = parallel_map(3, meet, [0, 1, 2], threading.Event())
    assert len(set(names)) == 3
    assert threading.current_thread().name not in names
    assert all(name.startswith("cglib-") for name in running)


@pytest.mark.parametrize(("jobs", "items"), [(1, [1, 2, 3]), (4, [7])])
def test_one_job_or_one_item_runs_in_the_calling_thread(jobs: int, items: list[int]) -> None:
    seen: list[threading.Thread] = []

    def record(n: int) -> int:
        seen.append(threading.current_thread())
        return -n

    assert parallel_map(jobs, record, items, threading.Event()) == [-n for n in items]
    assert seen == [threading.current_thread()] * len(items)


def test_the_first_failure_stops_the_rest_and_is_raised_after_every_thread_ended() -> None:
    stop = threading.Event()
    started: list[int] = []
    ended: list[int] = []

    def work(n: int) -> int:
        started.append(n)
        if n == 0:
            time.sleep(0.05)
            raise ValueError("item 0 is broken")
        # A long task that notices the stop at its next chunk, as a transfer does.
        for _ in range(500):
            if stop.is_set():
                time.sleep(0.2)  # still cleaning up when the failure is known
                ended.append(n)
                raise Stopped
            time.sleep(0.01)
        ended.append(n)
        return n

    with pytest.raises(ValueError, match="item 0 is broken"):
        parallel_map(2, work, list(range(20)), stop)
    assert stop.is_set()
    assert sorted(started) == [0, 1]  # no item was started after the failure
    assert ended == [1]  # the other thread had finished before the error was raised
    assert not [t for t in threading.enumerate() if t.name.startswith("cglib-")]


def test_stopped_from_outside_raises_stopped() -> None:
    stop = threading.Event()
    stop.set()
    calls: list[int] = []
    with pytest.raises(Stopped):
        parallel_map(2, calls.append, [1, 2, 3], stop)
    assert calls == []


def test_a_task_that_only_stopped_is_never_the_error_raised() -> None:
    stop = threading.Event()

    def work(n: int) -> int:
        if n == 0:
            stop.wait(5)
            raise Stopped  # first in order, but only the echo of item 1's failure
        time.sleep(0.05)
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        parallel_map(2, work, [0, 1], stop)
