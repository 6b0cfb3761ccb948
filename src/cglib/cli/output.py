"""The only writer: results to stdout, everything else to stderr.

Results are plain lines when stdout is not a terminal (for scripts), a rich
table on a terminal, one JSON document with ``--json``.  Colour only on a
terminal and never with ``NO_COLOR``.  Every message passes through
:func:`cglib.urls.redact` on its way out.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from cglib.errors import CglibError
from cglib.urls import redact

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Output"]


class Output:
    """Where a command's words go.  One per command run."""

    def __init__(
        self,
        *,
        json_mode: bool = False,
        verbose: int = 0,
        quiet: bool = False,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self.json_mode = json_mode
        self.verbose = verbose
        self.quiet = quiet
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr
        self._secrets: list[str] = []
        self._console: Console | None = None
        self._err_console: Console | None = None

    # -- secrets -----------------------------------------------------------------

    def add_secret(self, secret: str | None) -> None:
        """Never write ``secret`` anywhere: it is masked in every message."""
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets.append(secret)

    def clean(self, text: str) -> str:
        """Mask secrets and credentials in URLs, and neutralise control
        characters a hostile index could put in names (terminal escapes)."""
        text = redact(text)
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return _CONTROL.sub(_escape_control, text)

    # -- terminals -----------------------------------------------------------------

    @property
    def stdout_is_tty(self) -> bool:
        return _isatty(self.stdout)

    @property
    def stderr_is_tty(self) -> bool:
        return _isatty(self.stderr)

    @property
    def color(self) -> bool:
        return "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"

    def console(self) -> Console:
        """A rich console on stdout (only for terminal output)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(
                file=self.stdout, no_color=not self.color, highlight=False, soft_wrap=False
            )
        return self._console

    def err_console(self) -> Console:
        """A rich console on stderr (progress displays)."""
        if self._err_console is None:
            from rich.console import Console

            self._err_console = Console(
                file=self.stderr,
                no_color=not self.color,
                highlight=False,
                force_terminal=None,
            )
        return self._err_console

    # -- results (stdout) ------------------------------------------------------------

    def line(self, text: str = "") -> None:
        """One plain result line on stdout."""
        self.stdout.write(self.clean(text) + "\n")

    def lines(self, texts: Sequence[str]) -> None:
        self.stdout.write("".join(self.clean(t) + "\n" for t in texts))

    def json(self, document: Any) -> None:
        """The one JSON document of a ``--json`` run, on stdout."""
        self.stdout.write(self.clean(json.dumps(document, indent=2, ensure_ascii=False)) + "\n")

    def table(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        title: str = "",
        *,
        no_wrap: Sequence[str] = (),
    ) -> None:
        """A table on a terminal; tab-separated lines otherwise.

        On a terminal, columns that are empty in every row are left out and
        the ``no_wrap`` columns (e.g. file names) are never folded.
        """
        if not self.stdout_is_tty:
            self.lines(["\t".join(row) for row in rows])
            return
        from rich.table import Table

        keep = [i for i in range(len(columns)) if any(row[i] for row in rows)] or [0]
        console = self.console()
        if title:
            console.print(self.clean(title), style="bold", markup=False)
        table = Table(box=None, pad_edge=False)
        for i in keep:
            table.add_column(columns[i], no_wrap=columns[i] in no_wrap, overflow="fold")
        for row in rows:
            table.add_row(*(self.clean(row[i]) for i in keep))
        console.print(table)

    # -- messages (stderr) -------------------------------------------------------------

    def _err(self, prefix: str, message: str, style: str) -> None:
        text = self.clean(message)
        if self.color and self.stderr_is_tty:
            self.stderr.write(f"\x1b[{style}m{prefix}\x1b[0m{text}\n")
        else:
            self.stderr.write(f"{prefix}{text}\n")
        self.stderr.flush()

    def info(self, message: str) -> None:
        """A status message (not a result); silenced by ``-q``."""
        if not self.quiet:
            self._err("", message, "0")

    def note(self, message: str) -> None:
        """A ``-v`` detail."""
        if self.verbose:
            self._err("cglib: ", message, "2")

    def warn(self, message: str) -> None:
        self._err("warning: ", message, "33")

    def error(self, error: CglibError) -> None:
        """Report a failure: one line (plus its hint), or JSON with ``--json``."""
        if self.json_mode:
            self.stderr.write(self.clean(json.dumps(error.to_json(), ensure_ascii=False)) + "\n")
            return
        self._err("error: ", _one_line(str(error)), "31")


# C0 and C1 control characters but tab and newline, which the layout uses.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escape_control(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
