"""Entry point of the ``cglib`` command, and the one place that turns
exceptions into messages and exit codes (SPEC.md, "Exit codes")."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from cglib.__about__ import __version__

__all__ = ["main", "run"]


def main(argv: Sequence[str] | None = None) -> None:
    """Run cglib and exit with the documented code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):
        # Fast path: no typer, no rich, nothing else to import.
        sys.stdout.write(f"cglib {__version__}\n")
        sys.exit(0)
    _pause_collector()
    restore = _handle_sigterm()
    try:
        code = run(args)
    finally:
        restore()
    if code == 130:
        _exit_now(code)
    _skip_final_collection()
    sys.exit(code)


def _pause_collector() -> None:
    """Run the command without the cyclic garbage collector.  What a command
    allocates (modules, classes, pages, the resolver's state) mostly lives
    until it ends, so the collector's passes find next to nothing, yet they
    cost 5-8 % of the CPU time of a resolution (measured: 76 young and 7
    middle-aged collections, 25-45 ms).  Reference counting still frees
    every object that is not part of a cycle at once; the few cycles a run
    leaves (about 60 objects per downloaded file) go with the process."""
    import gc

    gc.disable()


def _skip_final_collection() -> None:
    """The process ends now, and everything still alive lives until then:
    the collector's passes over it at shutdown find nothing, yet take about
    100 ms once the HTTP stack and the resolver are loaded.  Freezing the
    objects there are spares them; memory goes back to the system anyway."""
    import gc

    gc.freeze()


def _exit_now(code: int) -> None:
    """End the process at once after Ctrl-C: the run has reported it, kept
    its ``.part`` files and removed its lock files, and a worker thread still
    blocked in a stalled read must not hold the exit up until its time-out
    (the interpreter would wait for it)."""
    import contextlib
    import os

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _handle_sigterm() -> Callable[[], None]:
    """Handle SIGTERM like Ctrl-C (a ``KeyboardInterrupt`` in the main
    thread: exit 130, ``.part`` files kept, lock files removed); return what
    puts the previous handler back."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except (ValueError, OSError):  # not the main thread, or no SIGTERM here
        return lambda: None

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def run(args: list[str]) -> int:
    """Run the command line ``args``; return the exit code.

    typer parses (not in standalone mode: its usage errors come back here, to
    be reported as text or, with ``--json`` anywhere on the line, as SPEC.md's
    JSON error document); everything cglib raises is reported here too.
    """
    import typer

    from cglib.cli.session import forget_outputs
    from cglib.errors import CglibError, ExitCode

    try:
        from cglib.cli.app import build_app

        code = build_app().main(args=args, prog_name="cglib", standalone_mode=False)
        if code == ExitCode.INTERRUPTED:  # typer turns a KeyboardInterrupt into Exit(130)
            return _interrupted(newline=False)
        return code if isinstance(code, int) else 0
    except SystemExit as done:
        return _exit_status(done.code)
    except CglibError as error:
        _report(error)
        return int(error.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        # Ctrl-C or SIGTERM, or Ctrl-D at a prompt (typer turns EOF into Abort).
        return _interrupted()
    except BrokenPipeError:
        # The reader went away (`cglib versions x | head -1`): not our failure.
        _silence_stdout()
        return 0
    except Exception as exc:
        if _is_click_error(exc):
            return _report_usage(exc, args)
        return _report_bug(exc)
    finally:
        forget_outputs()


def _interrupted(*, newline: bool = True) -> int:
    """Ctrl-C or SIGTERM: remove the lock files of any thread left behind in
    a stalled read (the ``.part`` files stay, for the next run); exit 130."""
    from cglib.errors import ExitCode
    from cglib.filelock import remove_held

    remove_held()
    sys.stderr.write("\ninterrupted\n" if newline else "interrupted\n")
    return int(ExitCode.INTERRUPTED)


def _click_error(name: str) -> type:
    """typer's (vendored) click ``ClickException`` or ``UsageError``, found
    through its public ``BadParameter`` rather than a private module."""
    import typer

    return next(c for c in typer.BadParameter.__mro__ if c.__name__ == name)


def _is_click_error(exc: Exception) -> bool:
    return isinstance(exc, _click_error("ClickException"))


def _json_requested(args: list[str]) -> bool:
    """``--json`` anywhere among the options (before a ``--``)."""
    return "--json" in (args[: args.index("--")] if "--" in args else args)


def _report_usage(exc: Exception, args: list[str]) -> int:
    """A parser error (unknown option, bad value, missing argument): click's
    usage text, or with ``--json`` SPEC.md's JSON error document; exit 2."""
    from cglib.errors import CglibError, UsageError

    code = int(getattr(exc, "exit_code", 2))
    if not _json_requested(args):
        exc.show()  # type: ignore[attr-defined]
        return code
    message = exc.format_message()  # type: ignore[attr-defined]
    if isinstance(exc, _click_error("UsageError")):
        _report(UsageError(message), json_mode=True)
    else:
        _report(CglibError(message), json_mode=True)
    return code


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def _report(error: Exception, *, json_mode: bool = False) -> None:
    from cglib.cli.output import Output
    from cglib.cli.session import current_output
    from cglib.errors import CglibError

    output = current_output() or Output()
    output.json_mode = output.json_mode or json_mode
    assert isinstance(error, CglibError)
    output.error(error)


def _report_bug(bug: Exception) -> int:
    import os
    import traceback

    from cglib.cli.output import Output
    from cglib.cli.session import current_output
    from cglib.errors import CglibError, ExitCode

    output = current_output() or Output()
    if os.environ.get("CGLIB_DEBUG"):
        output.stderr.write(output.clean("".join(traceback.format_exception(bug))))
    error = CglibError(
        f"internal error: {type(bug).__name__}: {_first_line(str(bug))}",
        hint="this is a bug in cglib; please report it with the command you ran "
        "(set CGLIB_DEBUG=1 for a traceback)",
    )
    output.error(error)
    return int(ExitCode.INTERNAL)


def _first_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[0][:200] if lines else ""


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
