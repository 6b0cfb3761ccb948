"""What a person sees while cglib works: one overall bar, a few transfers,
a spinner with a status, retry waits; then a one-line summary.

:class:`ProgressDisplay` is a context manager that implements
:class:`cglib.transfer.ProgressCallback` (``start`` / ``advance`` /
``done``, called from worker threads) plus:

- ``expect(files, total_bytes)``: how many files the run will fetch (else the
  overall bar counts the files started so far);
- ``status(text)``: what is being done now (a page fetch, a resolution step);
  a spinner with it appears once work without a transfer lasts
  :data:`SPINNER_DELAY` seconds, and ``status(None)`` clears it;
- ``retrying(text)``: a line printed above the bars (a retry wait).

The display lives on stderr and only on a terminal: never on a pipe, with
``--json`` or ``-q`` (:meth:`ProgressDisplay.for_output` decides).  Disabled,
every method does nothing but ``retrying``, which goes to ``fallback`` (e.g.
``Output.note``) when one is given.  At the end the bars are cleared and,
when files were fetched, one summary line stays:
``fetched 60 files, 123.4 MB in 3.2 s (38.5 MB/s)``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live

    from cglib.cli.output import Output

__all__ = ["ACTIVE", "SPINNER_DELAY", "ProgressDisplay"]

#: Transfers shown under the overall bar at most.
ACTIVE = 4
#: Seconds of work without a transfer before the spinner shows.
SPINNER_DELAY = 0.5


@dataclass
class _File:
    total: int | None
    done: int = 0
    started: float = 0.0


class ProgressDisplay:
    """A progress display on a rich console (see the module's docstring)."""

    def __init__(
        self,
        console: Console | None,
        *,
        enabled: bool = True,
        active: int = ACTIVE,
        spinner_delay: float = SPINNER_DELAY,
        fallback: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._console = console
        self._enabled = enabled and console is not None
        self._active_max = active
        self._delay = spinner_delay
        self._fallback = fallback
        self._clock = clock
        self._lock = threading.RLock()
        self._live: Live | None = None
        self._files: dict[str, _File] = {}
        self._finished: set[str] = set()
        self._expected_files: int | None = None
        self._expected_bytes: int | None = None
        self._bytes = 0
        self._first: float | None = None
        self._status: str | None = None
        self._status_since = 0.0
        self._conclusion: str | None = None
        self._output: Output | None = None

    @classmethod
    def for_output(cls, out: Output, **options: object) -> ProgressDisplay:
        """A display on ``out``'s stderr, enabled only on a terminal and
        without ``--json`` or ``-q``; retry lines go to ``out.note`` otherwise.
        While it is shown, ``out``'s messages are printed above it."""
        enabled = out.stderr_is_tty and not out.quiet and not out.json_mode
        display = cls(
            out.err_console() if enabled else None,
            enabled=enabled,
            fallback=out.note,
            **options,  # type: ignore[arg-type]
        )
        display._output = out
        return display

    @property
    def enabled(self) -> bool:
        return self._enabled

    # -- context -------------------------------------------------------------------

    def __enter__(self) -> ProgressDisplay:
        if self._enabled:
            from rich.live import Live

            self._live = Live(
                get_renderable=self._render,
                console=self._console,
                transient=True,
                refresh_per_second=8,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start()
            if self._output is not None:
                self._output.divert(self._above)
        return self

    def _above(self, line: str) -> None:
        """Print ``line`` (which may hold colour codes) above the display."""
        from rich.text import Text

        live = self._live
        if live is not None:
            live.console.print(Text.from_ansi(line), highlight=False)

    def __exit__(self, *exc: object) -> None:
        if self._live is None:
            return
        if self._output is not None:
            self._output.divert(None)
        with self._lock:
            self._status = None
            summary = self.summary() if self._conclusion is None else self._concluded()
        self._live.stop()
        self._live = None
        if summary and self._console is not None:
            self._console.print(summary, highlight=False, markup=False)

    # -- ProgressCallback ------------------------------------------------------------

    def expect(self, files: int, total_bytes: int | None = None) -> None:
        """The run will fetch ``files`` files of ``total_bytes`` (when known)."""
        with self._lock:
            self._expected_files = files
            self._expected_bytes = total_bytes

    def start(self, file: str, total: int | None) -> None:
        if not self._enabled:
            return
        with self._lock:
            now = self._clock()
            if self._first is None:
                self._first = now
            known = self._files.get(file)
            if known is not None:  # started again (a restart): forget what it had
                self._bytes -= known.done
            self._files[file] = _File(total, 0, now)
            self._finished.discard(file)

    def advance(self, file: str, n: int) -> None:
        if not self._enabled:
            return
        with self._lock:
            state = self._files.get(file)
            if state is not None:
                state.done += n
                self._bytes += n

    def done(self, file: str) -> None:
        if not self._enabled:
            return
        with self._lock:
            if file in self._files:
                self._finished.add(file)

    # -- status and retries ---------------------------------------------------------------

    def status(self, text: str | None) -> None:
        """What is being done now (``None``: nothing); the spinner shows it
        once work lasts :data:`SPINNER_DELAY` seconds."""
        if not self._enabled:
            return
        with self._lock:
            if text is not None and self._status is None:
                self._status_since = self._clock()
            self._status = text

    def retrying(self, text: str) -> None:
        """A line above the bars (a retry wait: ``connection reset; retrying
        in 2 s``); without a display, to the fallback."""
        live = self._live
        if live is not None:
            live.console.print(f"retrying: {text}", style="yellow", highlight=False, markup=False)
        elif self._fallback is not None:
            self._fallback(f"retrying: {text}")

    # -- what is shown -------------------------------------------------------------------

    def conclude(self, text: str) -> None:
        """Say ``text`` (``saved 3 files, 1 already present``) instead of the
        display's own summary when it closes, with the bytes fetched, the
        time taken and the rate after it."""
        with self._lock:
            self._conclusion = text

    def _concluded(self) -> str:
        text = self._conclusion or ""
        if self._first is None or not self._bytes:
            return text
        took = max(self._clock() - self._first, 1e-6)
        rate = f", {_bytes(int(self._bytes / took))}/s" if took >= 0.05 else ""
        return f"{text} ({_bytes(self._bytes)} in {took:.1f} s{rate})"

    def summary(self) -> str:
        """The line that replaces the bars (empty when no file was fetched)."""
        with self._lock:
            count = len(self._finished)
            if not count or self._first is None:
                return ""
            took = max(self._clock() - self._first, 1e-6)
            text = f"fetched {count} file{'s' if count != 1 else ''}, {_bytes(self._bytes)}"
            text += f" in {took:.1f} s"
            if took >= 0.05:
                text += f" ({_bytes(int(self._bytes / took))}/s)"
            return text

    def snapshot(self, width: int = 80) -> str:
        """The display as it would look now, as plain text (for tests and
        debugging)."""
        from rich.console import Console

        console = Console(width=width, force_terminal=False, color_system=None, record=True)
        with console.capture() as capture:
            console.print(self._render(width))
        return capture.get()

    def _overall(self, now: float, width: int, bar_width: int) -> RenderableType:
        """The overall line: a bar, files done of all, bytes, rate, ETA."""
        from rich.progress_bar import ProgressBar
        from rich.table import Table

        total_files = max(self._expected_files or 0, len(self._files))
        finished = len(self._finished)
        total_bytes = self._expected_bytes
        if total_bytes is None and all(f.total is not None for f in self._files.values()):
            total_bytes = sum(f.total or 0 for f in self._files.values())
        elapsed = max(now - (self._first or now), 1e-6)
        text = _overall_text(finished, total_files, self._bytes, total_bytes, elapsed)
        if total_bytes:
            bar = ProgressBar(total=total_bytes, completed=self._bytes, width=bar_width)
        else:
            bar = ProgressBar(total=total_files, completed=finished, width=bar_width)
        grid = Table.grid(padding=(0, 1))
        grid.add_column(width=bar_width, no_wrap=True)
        grid.add_column(width=max(8, width - bar_width - 1), no_wrap=True, overflow="ellipsis")
        grid.add_row(bar, text)
        return grid

    def _render(self, width: int | None = None) -> RenderableType:
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.spinner import Spinner
        from rich.table import Table

        with self._lock:
            now = self._clock()
            parts: list[RenderableType] = []
            active = [(name, f) for name, f in self._files.items() if name not in self._finished]
            if self._status is not None and not active and now - self._status_since >= self._delay:
                parts.append(Spinner("dots", text=self._status, style="cyan"))
            if self._files:
                if width is None:
                    width = self._console.width if self._console is not None else 80
                bar_width = 20 if width >= 80 else 10
                parts.append(self._overall(now, width, bar_width))
                rows = []
                for name, f in active[: self._active_max]:
                    if f.total:
                        bar = ProgressBar(total=f.total, completed=f.done, width=bar_width)
                        rows.append((name, bar, f"{_bytes(f.done)}/{_bytes(f.total)}"))
                    else:
                        rows.append(
                            (name, ProgressBar(total=None, width=bar_width), _bytes(f.done))
                        )
                if rows:
                    figures = max(len(row[2]) for row in rows)
                    grid = Table.grid(padding=(0, 1))
                    grid.add_column(
                        width=max(8, width - bar_width - figures - 4),
                        no_wrap=True,
                        overflow="ellipsis",
                    )
                    grid.add_column(width=bar_width, no_wrap=True)
                    grid.add_column(width=figures, no_wrap=True)
                    for name, bar, text in rows:
                        grid.add_row(f"  {name}", bar, text)
                    parts.append(grid)
                if len(active) > self._active_max:
                    parts.append(f"  … {len(active) - self._active_max} more")
            return Group(*parts)


def _overall_text(done_files: int, files: int, done: int, total: int | None, elapsed: float) -> str:
    text = f"{done_files}/{files} files  {_bytes(done)}"
    if total:
        text += f"/{_bytes(total)}"
    if elapsed >= 0.2:
        rate = done / elapsed
        text += f"  {_bytes(int(rate))}/s"
        if total and rate > 0 and total > done:
            text += f"  ETA {_duration((total - done) / rate)}"
    return text


def _bytes(n: int) -> str:
    value = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"  # pragma: no cover


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@contextmanager
def spinner(out: Output, text: str) -> Iterator[ProgressDisplay]:
    """A spinner saying ``text`` on a terminal while the block runs longer
    than :data:`SPINNER_DELAY` (a slow page): nothing otherwise."""
    with ProgressDisplay.for_output(out) as display:
        display.status(text)
        yield display
