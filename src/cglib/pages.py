"""Project pages read once each, in the background, several at once.

A resolution asks for the page of every project of the closure, often before
it needs it: :class:`ProjectPages` starts each read on a small thread pool the
first time a name is named (:meth:`~ProjectPages.prefetch`) and hands out the
same page to every later caller (:meth:`~ProjectPages.page`).  Starting the
roots' pages first thing lets the network work while the rest of cglib loads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING

from cglib.errors import NoMatchError, NotFoundError
from cglib.parallel import DEFAULT_JOBS
from cglib.urls import normalize_name

if TYPE_CHECKING:
    from cglib.client import IndexClient
    from cglib.models import ProjectPage

__all__ = ["ProjectPages"]


class ProjectPages:
    """The project pages of one index for one run, each read once.

    ``progress`` is called with each project name as its read starts (from
    worker threads).  Use as a context manager, or call :meth:`close`."""

    def __init__(
        self,
        client: IndexClient,
        jobs: int = DEFAULT_JOBS,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.client = client
        self._progress = progress
        self._lock = threading.Lock()
        self._pages: dict[str, Future[ProjectPage | None]] = {}
        self._pool = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="cglib-pages")
        client.prepare()
        #: Set by :meth:`close`: nothing new starts.
        self.closed = False

    def __enter__(self) -> ProjectPages:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        # After Ctrl-C a stalled read is not waited for.
        self.close(wait=kind is None or not issubclass(kind, KeyboardInterrupt))

    def close(self, *, wait: bool = True) -> None:
        """Start nothing new; ``wait=False`` (after Ctrl-C) leaves a read that
        is still going to end on its own instead of waiting for it."""
        self.closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)

    def prefetch(self, name: str, then: Callable[[ProjectPage | None], None] | None = None) -> None:
        """Start reading ``name``'s page (unless started already); ``then``
        is called with it when it has arrived, unless reading it failed."""
        if self.closed:
            return
        future = self._future(name)
        if then is not None:
            future.add_done_callback(lambda f: then(f.result()) if not f.exception() else None)

    def prefetch_all(self, names: Iterable[str]) -> None:
        for name in names:
            self.prefetch(name)

    def page(self, name: str) -> ProjectPage | None:
        """``name``'s page, or ``None`` when the index has no such project;
        other failures (credentials, network) are raised."""
        return self._future(name).result()

    def _future(self, name: str) -> Future[ProjectPage | None]:
        key = normalize_name(name)
        with self._lock:
            future = self._pages.get(key)
            if future is None:
                future = self._pool.submit(self._get, key)
                self._pages[key] = future
        return future

    def _get(self, name: str) -> ProjectPage | None:
        if self._progress is not None:
            self._progress(name)
        try:
            return self.client.get_project(name)
        except NotFoundError as exc:
            if isinstance(exc, NoMatchError):
                raise
            return None  # no such project: no candidates
