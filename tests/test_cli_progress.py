"""The progress display (cglib.cli.progress): one overall bar, a few
transfers, a spinner, retry lines, a summary at the end; only on a terminal."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import threading

from rich.console import Console

from cglib.cli.output import Output
from cglib.cli.progress import ACTIVE, ProgressDisplay
from support.isolation import isolated_env
from support.screen import final_screen
from support.terminal import run_in_terminal, strip_ansi


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _console(stream: io.StringIO) -> Console:
    return Console(file=stream, force_terminal=True, width=80, color_system=None)


def _run_files(display: ProgressDisplay, count: int, size: int = 1000) -> None:
    for i in range(count):
        name = f"pkg{i}-1.0-py3-none-any.whl"
        display.start(name, size)
        display.advance(name, size)
        display.done(name)


def test_sixty_files_end_as_one_summary_line():
    stream = io.StringIO()
    with ProgressDisplay(_console(stream)) as display:
        display.expect(60)
        _run_files(display, 60)
    screen = final_screen(stream.getvalue())
    assert len(screen) == 1, screen
    assert screen[0].startswith("fetched 60 files, 60.0 kB in ")


def test_at_most_a_few_transfers_under_the_overall_bar():
    clock = Clock()
    display = ProgressDisplay(_console(io.StringIO()), clock=clock)
    display.expect(60, 60 * 1000)
    for i in range(10):
        display.start(f"pkg{i}.whl", 1000)
        display.advance(f"pkg{i}.whl", 500)
    display.done("pkg0.whl")
    clock.now += 2
    lines = display.snapshot(80).splitlines()
    assert "1/60 files" in lines[0]
    assert "5.0 kB/60.0 kB" in lines[0]
    assert "2.5 kB/s" in lines[0]
    assert "ETA 0:22" in lines[0]
    shown = [line for line in lines if line.startswith("  pkg")]
    assert len(shown) == ACTIVE
    assert "pkg0.whl" not in "\n".join(lines)  # finished: gone from the list
    assert lines[-1].strip() == f"… {9 - ACTIVE} more"
    assert all(len(line.rstrip()) <= 80 for line in lines)
    assert all(len(line.rstrip()) <= 60 for line in display.snapshot(60).splitlines())


def test_spinner_only_after_half_a_second():
    clock = Clock()
    display = ProgressDisplay(_console(io.StringIO()), clock=clock)
    display.status("fetching the page of numpy")
    assert display.snapshot().strip() == ""
    clock.now += 0.3
    display.status("resolving numpy")  # a new step does not restart the wait
    clock.now += 0.3
    assert "resolving numpy" in display.snapshot()
    display.status(None)
    assert display.snapshot().strip() == ""


def test_retry_lines_stay_above_the_bars():
    stream = io.StringIO()
    with ProgressDisplay(_console(stream)) as display:
        display.start("a.whl", 10)
        display.retrying("connection reset by the server; again in 2 s")
        display.advance("a.whl", 10)
        display.done("a.whl")
    screen = final_screen(stream.getvalue())
    assert screen[0] == "retrying: connection reset by the server; again in 2 s"
    assert screen[1].startswith("fetched 1 file, 10 B in ")
    assert len(screen) == 2


def test_advance_from_several_threads():
    display = ProgressDisplay(_console(io.StringIO()))
    barrier = threading.Barrier(8)

    def work(k: int) -> None:
        barrier.wait()
        for i in range(25):
            name = f"t{k}-{i}.whl"
            display.start(name, 400)
            for _ in range(100):
                display.advance(name, 4)
            display.done(name)

    with display:
        threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        summary = display.summary()
    assert summary.startswith("fetched 200 files, 80.0 kB in ")


def test_a_restarted_file_is_not_counted_twice():
    display = ProgressDisplay(_console(io.StringIO()))
    display.start("a.whl", 100)
    display.advance("a.whl", 60)
    display.start("a.whl", 100)  # the transfer starts over
    display.advance("a.whl", 100)
    display.done("a.whl")
    assert "100 B" in display.summary()


def test_disabled_on_a_pipe_with_json_or_quiet():
    for options in ({}, {"json_mode": True}, {"quiet": True}):
        notes: list[str] = []
        out = Output(stdout=io.StringIO(), stderr=io.StringIO(), **options)  # type: ignore[arg-type]
        display = ProgressDisplay.for_output(out)
        display._fallback = notes.append
        assert not display.enabled
        with display:
            _run_files(display, 3)
            display.status("resolving")
            display.retrying("again in 1 s")
        assert out.stderr.getvalue() == ""  # type: ignore[attr-defined,union-attr]
        assert notes == ["retrying: again in 1 s"]


DRIVER = textwrap.dedent(
    """
    import sys, time
    from cglib.cli.output import Output
    from cglib.cli.progress import ProgressDisplay

    out = Output()
    with ProgressDisplay.for_output(out) as display:
        display.status("resolving 60 requirements")
        time.sleep(0.7)
        display.expect(60)
        for i in range(60):
            name = f"pkg{i}-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
            display.start(name, 2000)
            display.advance(name, 1000)
            time.sleep(0.01)
            display.advance(name, 1000)
            display.done(name)
    print("RESULT", file=sys.stdout)
    """
)


def test_sixty_files_through_a_pseudo_terminal(isolate):
    code, text = run_in_terminal(
        [sys.executable, "-c", DRIVER], columns=80, env=isolated_env(isolate)
    )
    assert code == 0, text
    screen = final_screen(text.replace("\n", "\r\n"))
    assert screen[-2].startswith("fetched 60 files, 120.0 kB in "), screen
    assert screen[-1] == "RESULT"
    assert len(screen) == 2, screen
    # While it ran, the bars and the spinner were there.
    plain = strip_ansi(text)
    assert "/60 files" in plain
    assert "resolving 60 requirements" in plain


def test_no_display_on_a_pipe(isolate):
    done = subprocess.run(
        [sys.executable, "-c", DRIVER],
        capture_output=True,
        text=True,
        env=isolated_env(isolate),
        timeout=60,
    )
    assert done.returncode == 0
    assert done.stdout == "RESULT\n"
    assert done.stderr == ""


def test_messages_during_the_display_are_printed_above_it() -> None:
    import io

    from cglib.cli.output import Output
    from cglib.cli.progress import ProgressDisplay

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stderr = Terminal()
    out = Output(stdout=io.StringIO(), stderr=stderr)
    writes: list[str] = []
    real_write = stderr.write

    def write(text: str) -> int:
        writes.append(text)
        return real_write(text)

    stderr.write = write  # type: ignore[method-assign]
    with ProgressDisplay.for_output(out) as display:
        assert display.enabled
        display.start("a.whl", 10)
        out.warn("retrying a.whl in 1.0 s (1/3): read timed out")
        # Not written past the display: the display's console prints it, above the bars.
        assert out._above is not None
        display.done("a.whl")
    assert out._above is None
    out.warn("after the display")
    assert "retrying a.whl in 1.0 s (1/3): read timed out" in stderr.getvalue()
    assert stderr.getvalue().count("read timed out") == 1
    assert writes[-1].endswith("after the display\n")


def test_a_slow_step_shows_a_spinner_on_a_terminal_only() -> None:
    import io
    import time

    from cglib.cli.output import Output
    from cglib.cli.progress import spinner

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    slow, quick, piped = Terminal(), Terminal(), io.StringIO()
    with spinner(Output(stdout=io.StringIO(), stderr=slow), "fetching six"):
        time.sleep(1.0)
    with spinner(Output(stdout=io.StringIO(), stderr=quick), "fetching six"):
        pass
    with spinner(Output(stdout=io.StringIO(), stderr=piped), "fetching six"):
        time.sleep(0.7)
    assert "fetching six" in slow.getvalue()
    assert "fetching six" not in quick.getvalue()  # under half a second: nothing
    assert piped.getvalue() == ""
