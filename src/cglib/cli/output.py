"""The only writer: results to stdout, everything else to stderr.

Results are plain lines when stdout is not a terminal (for scripts), a rich
table on a terminal, one JSON document with ``--json``.  Colour only on a
terminal and never with ``NO_COLOR``.

Safety is applied to *values*, never to encoded text:

- JSON is produced by the JSON encoder alone (it escapes control characters);
  secrets are masked by walking the document, and only when a cheap scan of
  the encoded text says one could be in it.
- In plain output each value (a cell, a field, a line) is made safe before it
  is joined with tabs and newlines: control characters (tab and newline
  included) are escaped, on a terminal also bidi overrides and zero-width
  characters, and a value longer than :data:`MAX_VALUE` is cut with an
  ellipsis.
- Messages on stderr are one line each, treated the same way.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any, TextIO

from cglib.errors import CglibError
from cglib.urls import redact

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["MAX_MESSAGE", "MAX_VALUE", "Output", "safe_value"]

#: Longest value shown on a plain or terminal line (never applied to JSON).
MAX_VALUE = 500
#: Longest message shown on stderr.
MAX_MESSAGE = 2000

# C0 and C1 control characters and DEL (tab and newline included: a value
# never splits a line or a field).
_CONTROLS = "\x00-\x1f\x7f-\x9f"
# Characters that reorder or hide text on a terminal: bidi embeddings,
# overrides and isolates, zero-width spaces and joiners, marks, BOM.
_INVISIBLE = "\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff"
_UNSAFE = re.compile(f"[{_CONTROLS}]")
_UNSAFE_ON_TTY = re.compile(f"[{_CONTROLS}{_INVISIBLE}]")
# A scan of encoded JSON for what could be a URL with credentials in a value.
_USERINFO = re.compile(r"://[^/@\s]*@")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
#: ANSI codes of the styles that ``Output.print_lines`` knows.
_STYLES = {"bold": "1", "dim": "2", "red": "31"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    return _NAMED.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def safe_value(text: str, *, tty: bool = False, limit: int | None = MAX_VALUE) -> str:
    """``text`` made safe for one field of one line: control characters
    escaped (``\\n``, ``\\t``, ``\\x1b``), on a terminal also invisible and
    bidi characters (``\\u202e``), and cut to ``limit`` characters with ``…``."""
    text = (_UNSAFE_ON_TTY if tty else _UNSAFE).sub(_escape, text)
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


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
        #: While a live display holds stderr, messages go through it (above it).
        self._above: Callable[[str], None] | None = None

    # -- secrets -----------------------------------------------------------------

    def add_secret(self, secret: str | None) -> None:
        """Never write ``secret`` anywhere: it is masked in every message."""
        if secret and len(secret) >= 4 and secret not in self._secrets:
            self._secrets.append(secret)

    def mask(self, text: str) -> str:
        """``text`` with known secrets and URL credentials replaced by ``***``
        (no escaping: see :func:`safe_value`)."""
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, "***")
        return redact(text)

    def clean(self, text: str, *, tty: bool = False) -> str:
        """A message made safe: secrets masked, control characters escaped
        (newlines kept, for a traceback), cut to :data:`MAX_MESSAGE` per line."""
        return "\n".join(
            safe_value(self.mask(line), tty=tty, limit=MAX_MESSAGE) for line in text.split("\n")
        )

    def _needs_care(self, cells: Iterable[str], *, tty: bool) -> bool:
        """Whether any of ``cells`` must be masked, escaped or cut (one fast
        pass over their concatenation; a false alarm only costs time)."""
        flat = "".join(cells)
        if (_UNSAFE_ON_TTY if tty else _UNSAFE).search(flat) or _USERINFO.search(flat):
            return True
        return any(secret in flat for secret in self._secrets)

    def _safe_cells(self, rows: Sequence[Sequence[str]], *, tty: bool) -> list[list[str]]:
        """Every cell masked, escaped and capped, unless none needs it."""
        if not rows:
            return []
        longest = max((len(cell) for row in rows for cell in row), default=0)
        if longest <= MAX_VALUE and not self._needs_care(chain.from_iterable(rows), tty=tty):
            return [list(row) for row in rows]
        return [[safe_value(self.mask(cell), tty=tty) for cell in row] for row in rows]

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
        """One plain result line on stdout (``text`` is one value: a newline
        in it is escaped, not written)."""
        self.rows([[text]])

    def lines(self, texts: Sequence[str]) -> None:
        """Result lines on stdout, one value each."""
        self.rows([[text] for text in texts])

    def rows(self, rows: Sequence[Sequence[str]]) -> None:
        """Tab-separated result lines on stdout; each cell made safe on its own
        (trailing empty cells left out)."""
        safe = self._safe_cells(rows, tty=self.stdout_is_tty)
        self.stdout.write("".join("\t".join(row).rstrip("\t") + "\n" for row in safe))

    def json(self, document: Any) -> None:
        """The one JSON document of a ``--json`` run, on stdout: indented on
        a terminal, compact otherwise."""
        self.stdout.write(self.encode(document, pretty=self.stdout_is_tty) + "\n")

    def json_from(self, to_json: Callable[[], Any], to_json_text: Callable[[], str]) -> None:
        """Like ``json(to_json())``, for a large document that also has a faster
        compact encoding: piped, ``to_json_text()`` (the same document,
        compact, ``ensure_ascii=False``) is written as it is unless a secret
        or a URL with user info could be in it."""
        if not self.stdout_is_tty:
            text = to_json_text()
            if not self._may_hold_secret(text, _compact):
                self.stdout.write(text + "\n")
                return
        self.json(to_json())

    def _may_hold_secret(self, text: str, dump: Callable[[Any], str]) -> bool:
        """Whether JSON ``text`` (encoded by ``dump``) could hold a secret or a
        URL with credentials in a value.  The encoding of a string contains
        the encoding of each part of it, so a secret whose encoding is not in
        the text is in no value; a false alarm only costs a walk."""
        return bool(_USERINFO.search(text)) or any(dump(s)[1:-1] in text for s in self._secrets)

    def encode(self, document: Any, *, pretty: bool = False) -> str:
        """``document`` as JSON, secrets masked by value.

        Compact and UTF-8 for scripts; indented and ASCII (every non-ASCII
        character as ``\\uXXXX``, so no invisible or bidi character reaches
        the terminal) when ``pretty``.  Control characters are escaped by the
        encoder.
        """
        dump = _pretty if pretty else _compact
        text = dump(document)
        if self._may_hold_secret(text, dump):
            text = dump(self._masked(document))
        return text

    def _masked(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.mask(value)
        if isinstance(value, dict):
            return {key: self._masked(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [self._masked(item) for item in value]
        return value

    def table(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[str]],
        title: str = "",
        *,
        no_wrap: Sequence[str] = (),
        drop: Sequence[str] = (),
        cut: Sequence[str] = (),
    ) -> None:
        """A table on a terminal; tab-separated lines otherwise.

        On a terminal it fits the width without breaking a word (see
        :mod:`cglib.cli.tables`): columns empty in every row are left out;
        the ``no_wrap`` columns (names, versions) stay whole on one line, the
        ``cut`` ones are one line cut with ``…`` to fit, the others wrap at
        spaces; when they do not fit, the ``drop`` columns are
        left out, first named first; when even the rest does not fit, each row
        is one line: its first cell, then the cells that still fit.
        """
        if not self.stdout_is_tty:
            self.rows(rows)
            return
        from cglib.cli.tables import Column, fit, flat, join, lay_out

        safe = self.safe_rows(rows)
        specs = [
            Column(
                name,
                wrap=name not in no_wrap and name not in cut,
                cut=name in cut,
                drop=drop.index(name) + 1 if name in drop else 0,
            )
            for name in columns
        ]
        if title:
            self.title(title)
        plan = fit(specs, safe, self.width)
        if plan is None:
            self._row_lines(safe)
            return
        header = join([specs[i].header for i, _ in plan], flat(plan))
        body = lay_out(specs, safe, plan)
        self.print_lines([[(header, "bold")], *([(line, "")] for line in body)])

    def _row_lines(self, rows: Sequence[Sequence[str]]) -> None:
        """Each row on one line: its first cell whole, then the cells that fit."""
        from cglib.cli.tables import GAP, cells

        lines = []
        for row in rows:
            line = row[0]
            for cell in row[1:]:
                if cell and cells(line) + GAP + cells(cell) <= self.width:
                    line += " " * GAP + cell
            lines.append([(line, "")])
        self.print_lines(lines)

    def title(self, text: str) -> None:
        """A title line over terminal output: bold, wrapped at spaces, a word
        wider than the terminal cut with ``…``."""
        from rich.text import Text

        shown = Text(safe_value(self.mask(text), tty=True), style="bold")
        self.console().print(shown, overflow="ellipsis")

    @property
    def width(self) -> int:
        """The width of the terminal on stdout, in cells."""
        return self.console().width

    def safe_rows(self, rows: Sequence[Sequence[str]]) -> list[list[str]]:
        """Rows of values made safe for the terminal (masked, escaped, capped)."""
        return self._safe_cells(rows, tty=True)

    def print_lines(self, lines: Sequence[Sequence[tuple[str, str]]]) -> None:
        """Lines already laid out for the terminal, each a sequence of
        ``(text, style)`` parts with safe text (style: ``""``, ``"bold"``,
        ``"dim"``, ``"red"``): written as they are, never wrapped or cut (a
        line wider than the terminal overflows).  Written directly, in one go:
        a listing of 100,000 lines costs no more than its text."""
        codes = _STYLES if self.color else {}
        out = []
        for parts in lines:
            for text, style in parts:
                code = codes.get(style)
                out.append(f"\x1b[{code}m{text}\x1b[0m" if code and text else text)
            out.append("\n")
        self.stdout.write("".join(out))
        self.stdout.flush()

    # -- messages (stderr) -------------------------------------------------------------

    def divert(self, above: Callable[[str], None] | None) -> None:
        """Send each message line to ``above`` (a live progress display that
        prints it above itself) instead of writing it to stderr; ``None``
        writes to stderr again."""
        self._above = above

    def _err(self, prefix: str, message: str, style: str) -> None:
        tty = self.stderr_is_tty
        text = safe_value(self.mask(message), tty=tty, limit=MAX_MESSAGE)
        coloured = self.color and tty
        line = f"\x1b[{style}m{prefix}\x1b[0m{text}" if coloured else f"{prefix}{text}"
        above = self._above
        if above is not None:
            above(line)
            return
        self.stderr.write(line + "\n")
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
        """A warning; silenced by ``-q`` (only results and errors)."""
        if not self.quiet:
            self._err("warning: ", message, "33")

    def error(self, error: CglibError) -> None:
        """Report a failure: one line (plus its hint), or JSON with ``--json``."""
        if self.json_mode:
            self.stderr.write(self.encode(error.to_json()) + "\n")
            self.stderr.flush()
            return
        self._err("error: ", _one_line(str(error)), "31")


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=True)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
