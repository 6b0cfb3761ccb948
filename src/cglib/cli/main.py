"""Entry point of the ``cglib`` command, and the one place that turns
exceptions into messages and exit codes (SPEC.md, "Exit codes")."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from cglib.__about__ import __version__

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Run cglib and exit with the documented code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):
        # Fast path: no typer, no rich, nothing else to import.
        sys.stdout.write(f"cglib {__version__}\n")
        sys.exit(0)
    sys.exit(run(args))


def run(args: list[str]) -> int:
    """Run the command line ``args``; return the exit code.

    typer (in standalone mode) reports usage errors itself, with exit 2, and
    turns Ctrl-C into exit 130; everything cglib raises is reported here.
    """
    from cglib.errors import CglibError, ExitCode

    try:
        from cglib.cli.app import build_app

        build_app().main(args=args, prog_name="cglib", standalone_mode=True)
    except SystemExit as done:
        return _exit_status(done.code)
    except CglibError as error:
        _report(error)
        return int(error.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted\n")
        return int(ExitCode.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (`cglib versions x | head -1`): not our failure.
        _silence_stdout()
        return 0
    except Exception as bug:
        return _report_bug(bug)
    return 0


def _exit_status(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(f"{code}\n")
    return 1


def _report(error: Exception) -> None:
    from cglib.cli.output import Output
    from cglib.cli.session import current_output
    from cglib.errors import CglibError

    output = current_output() or Output()
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
