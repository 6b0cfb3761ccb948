"""Credentials from a netrc file (``$NETRC``, else ``~/.netrc``).

A small parser of our own rather than :mod:`netrc` from the standard library,
which raises on a file it dislikes (a bad token, loose permissions) and so
tempts callers into skipping the file silently.  Here every problem becomes a
one-line warning naming the file (and the line where there is one):

- a file that does not parse is **not used at all** (a half-read file could
  send the wrong credentials), and the warning says where parsing stopped;
- a file readable by group or others is **still used**, with a warning and
  the ``chmod`` that fixes it;
- ``$NETRC`` naming a file that does not exist is a warning; a missing
  ``~/.netrc`` is only a ``-v`` note.

Host matching follows curl and pip: the index host name, case-insensitively,
against ``machine`` entries; the first matching entry wins (as in curl); with
no match the ``default`` entry, if any, answers.  Entries written in a
non-standard way, as a URL (``machine https://host/...``) or with a port
(``machine host:8443``), are matched too, after the plain ones, with a warning
because curl and pip would not match them.  Messages never carry a login's
password or any word of the file other than machine names.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from cglib.config import Index
from cglib.credentials import Credentials, Lookup
from cglib.urls import origin

__all__ = [
    "NetrcEntry",
    "NetrcSource",
    "NetrcSyntaxError",
    "find_entry",
    "netrc_path",
    "parse_netrc",
    "port_of",
]

_KEYWORDS = frozenset({"machine", "default", "login", "password", "account", "macdef"})


class NetrcSyntaxError(ValueError):
    """A netrc file that does not parse; ``line`` is 1-based."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"line {line}: {message}")
        self.message = message
        self.line = line


@dataclass(frozen=True, slots=True)
class NetrcEntry:
    """One ``machine`` (or the ``default``) entry of a netrc file."""

    machine: str | None  # None for ``default``
    line: int
    login: str | None = None
    password: str | None = field(default=None, repr=False)
    account: str | None = field(default=None, repr=False)
    #: Where the entry is in the text: from its ``machine``/``default``
    #: keyword to the end of its last value (character offsets).
    span: tuple[int, int] = field(default=(0, 0), repr=False, compare=False)
    #: Where each value (``machine``, ``login``, ``password``, ``account``)
    #: is in the text, quotes included: what :mod:`cglib.netrc_edit` rewrites.
    value_spans: Mapping[str, tuple[int, int]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __repr__(self) -> str:
        shown = "***" if self.password is not None else None
        return (
            f"NetrcEntry(machine={self.machine!r}, line={self.line}, "
            f"login={self.login!r}, password={shown!r})"
        )


class _Lexer:
    """Words of a netrc file, one at a time, with their line numbers."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.starts: list[int] = []  # offset of each line in the text
        offset = 0
        for raw in text.splitlines(keepends=True):
            self.starts.append(offset)
            offset += len(raw)
        self.row = 0  # index into lines
        self.col = 0
        #: Offsets of the last word :meth:`next` returned (quotes included).
        self.span = (0, 0)

    @property
    def lineno(self) -> int:
        return self.row + 1

    def skip_line(self) -> None:
        self.row += 1
        self.col = 0

    def skip_macro(self) -> None:
        """Skip a ``macdef`` body: the following lines up to the first empty one."""
        self.skip_line()
        while self.row < len(self.lines) and self.lines[self.row].strip():
            self.row += 1
        self.col = 0

    def next(self) -> tuple[str, int, bool] | None:
        """``(word, line, quoted)``, or None at the end of the file."""
        while self.row < len(self.lines):
            raw = self.lines[self.row]
            n = len(raw)
            i = self.col
            while i < n and raw[i].isspace():
                i += 1
            if i >= n:
                self.skip_line()
                continue
            line = self.lineno
            begin = self.starts[self.row] + i
            if raw[i] == '"':
                i += 1
                chars: list[str] = []
                while i < n and raw[i] != '"':
                    if raw[i] == "\\" and i + 1 < n:
                        i += 1
                    chars.append(raw[i])
                    i += 1
                if i >= n:
                    raise NetrcSyntaxError("a quoted word is not closed on its line", line)
                self.col = i + 1
                self.span = (begin, self.starts[self.row] + self.col)
                return "".join(chars), line, True
            start = i
            while i < n and not raw[i].isspace():
                i += 1
            self.col = i
            self.span = (begin, self.starts[self.row] + i)
            return raw[start:i], line, False
        return None


def parse_netrc(text: str) -> list[NetrcEntry]:
    """Parse netrc ``text`` into its entries, in file order.

    Raises :class:`NetrcSyntaxError` (with the line) on anything it does not
    understand; the message never repeats the offending word, which could be
    part of a password.
    """
    entries: list[NetrcEntry] = []
    current: dict[str, str] | None = None
    machine: str | None = None
    entry_line = 0
    start = end = 0
    spans: dict[str, tuple[int, int]] = {}
    lexer = _Lexer(text)

    def finish() -> None:
        if current is not None:
            entries.append(
                NetrcEntry(
                    machine=machine,
                    line=entry_line,
                    login=current.get("login"),
                    password=current.get("password"),
                    account=current.get("account"),
                    span=(start, end),
                    value_spans=dict(spans),
                )
            )

    def value_after(keyword: str, line: int) -> str:
        nonlocal end
        found = lexer.next()
        if found is None:
            raise NetrcSyntaxError(f"'{keyword}' has no value", line)
        if keyword != "macdef":  # a macro is not part of the entry before it
            spans[keyword] = lexer.span
            end = lexer.span[1]
        return found[0]

    while (found := lexer.next()) is not None:
        token, line, quoted = found
        if not quoted and token.startswith("#"):
            lexer.skip_line()  # a comment: the rest of the line
            continue
        word = "" if quoted else token.lower()
        if word not in _KEYWORDS:
            where = "at the start of the file" if current is None else "inside an entry"
            raise NetrcSyntaxError(
                f"unexpected word {where} (expected machine, default, login, password, "
                "account or macdef; a password with spaces must be in double quotes)",
                line,
            )
        if word == "machine":
            finish()
            spans.clear()
            start = lexer.span[0]
            current, machine, entry_line = {}, value_after("machine", line), line
        elif word == "default":
            finish()
            spans.clear()
            start, end = lexer.span
            current, machine, entry_line = {}, None, line
        elif word == "macdef":
            value_after("macdef", line)
            lexer.skip_macro()
        else:
            if current is None:
                raise NetrcSyntaxError(f"'{word}' before any 'machine' or 'default'", line)
            current[word] = value_after(word, line)
    finish()
    return entries


def netrc_path(env: Mapping[str, str]) -> tuple[Path, bool]:
    """The netrc file to read and whether the user named it (``$NETRC``)."""
    named = env.get("NETRC")
    if named:
        return Path(os.path.expanduser(named)), True
    home_dir = env.get("HOME") or env.get("USERPROFILE")
    home = Path(home_dir) if home_dir else Path.home()
    path = home / ".netrc"
    if not path.exists() and os.name == "nt" and (home / "_netrc").exists():
        path = home / "_netrc"  # pragma: no cover - Windows only
    return path, False


def port_of(url: str) -> int | None:
    """The port of ``url``, the scheme's default when not written."""
    return origin(url)[2]


def _split_machine(machine: str) -> tuple[str, int | None, str | None]:
    """``(host, port, oddity)`` of a machine name; ``oddity`` names a
    non-standard spelling ("a URL", "a port") or is None."""
    if "://" in machine:
        _, host, port = origin(machine)
        return host, port, "a URL"
    host, sep, port_text = machine.rpartition(":")
    if sep and host and port_text.isdigit() and "]" not in port_text:
        return host.strip("[]").lower(), int(port_text), "a port"
    return machine.strip("[]").lower(), None, None


def find_entry(
    entries: list[NetrcEntry], host: str, port: int | None
) -> tuple[NetrcEntry | None, str | None]:
    """The entry for ``host`` (and ``port``): plain name, then non-standard
    spellings, then ``default``.  Returns the entry and, for a non-standard
    match, what is odd about it."""
    host = host.lower()
    odd_match: tuple[NetrcEntry, str] | None = None
    default: NetrcEntry | None = None
    for entry in entries:
        if entry.machine is None:
            default = default or entry
            continue
        name, entry_port, oddity = _split_machine(entry.machine)
        if name != host:
            continue
        if oddity is None:
            return entry, None
        if (entry_port is None or port is None or entry_port == port) and odd_match is None:
            odd_match = (entry, oddity)
    if odd_match is not None:
        return odd_match
    return default, None


@dataclass(frozen=True, slots=True)
class NetrcSource:
    """The netrc file (``$NETRC``, else ``~/.netrc``) as a credential source.

    Its lookup never raises: every problem with the file is a warning naming
    it (see the module doc), and what it looked at is a note.
    """

    name: ClassVar[str] = "netrc"

    def lookup(self, index: Index, env: Mapping[str, str]) -> Lookup:
        warnings: list[str] = []
        notes: list[str] = []
        found = _lookup(index, env, warnings, notes)
        return Lookup(found, tuple(warnings), tuple(notes))


def _lookup(
    index: Index, env: Mapping[str, str], warnings: list[str], notes: list[str]
) -> Credentials | None:
    """Credentials for ``index`` from the netrc file; the lists are the
    source's own, filled as it goes."""
    path, named = netrc_path(env)
    shown = str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if named:
            warnings.append(f"NETRC names {shown}, which does not exist; no netrc used")
        else:
            notes.append(f"netrc: no {shown}")
        return None
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        warnings.append(f"cannot read netrc file {shown}: {reason}; it is not used")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        warnings.append(f"netrc file {shown} line {line}: not UTF-8 text; the file is not used")
        return None
    _check_permissions(path, warnings)
    try:
        entries = parse_netrc(text)
    except NetrcSyntaxError as exc:
        warnings.append(f"netrc file {shown} line {exc.line}: {exc.message}; the file is not used")
        return None
    host = index.host
    entry, oddity = find_entry(entries, host, port_of(index.url))
    if entry is None:
        notes.append(f"netrc: {shown} has no entry for {host}")
        return None
    what = f"machine {host}" if entry.machine is not None else "default"
    if oddity is not None:
        warnings.append(
            f"netrc file {shown} line {entry.line}: machine for {host} is written with "
            f"{oddity}; netrc wants a bare host name (curl and pip would not match it), "
            "cglib uses it anyway"
        )
    if entry.password is None:
        notes.append(f"netrc: {shown} line {entry.line} ({what}) has no password; not used")
        return None
    notes.append(f"netrc: using {shown} line {entry.line} ({what})")
    return Credentials(entry.login or "", entry.password)


def _check_permissions(path: Path, warnings: list[str]) -> None:
    if os.name != "posix":  # pragma: no cover - POSIX modes only
        return
    try:
        mode = path.stat().st_mode
    except OSError:  # pragma: no cover - raced with deletion
        return
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        warnings.append(
            f"netrc file {path} is readable by other users (mode {stat.S_IMODE(mode):04o}); "
            f"run: chmod 600 {path}"
        )
