"""``cglib login --netrc`` / ``cglib logout --netrc``: add, update or remove
the entry of an index host in the netrc file (``$NETRC``, else ``~/.netrc``).

The edit is textual, on the spans :func:`cglib.netrc_source.parse_netrc`
records, so everything else in the file — other entries, comments,
``macdef`` blocks, layout, line endings — stays exactly as it was.  An
existing entry for the host has its ``login`` and ``password`` values
replaced in place; a new one is written as ``machine HOST`` with ``login``
and ``password`` on their own lines, before the ``default`` entry if there is
one, else at the end.  The file is written to a temporary file in the same
directory and renamed over the old one (atomic), with mode 0600; a netrc that
is a symbolic link has its target rewritten, the link kept.

The entry's machine is the bare host name, as curl, pip, uv and cglib's own
lookup match it (netrc has no notion of port: an entry answers for every
index on that host).  An existing non-standard ``host:port`` entry that
matches the index is updated as it is written.  A file that does not parse is
never rewritten.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cglib.config import Index
from cglib.credentials import Credentials
from cglib.errors import ConfigError, LocalFileError, UsageError
from cglib.netrc_source import (
    NetrcEntry,
    NetrcSyntaxError,
    find_entry,
    netrc_path,
    parse_netrc,
    port_of,
)

__all__ = [
    "NetrcChange",
    "check_netrc_value",
    "netrc_machine",
    "read_netrc",
    "remove_entry",
    "remove_from_netrc",
    "set_entry",
    "store_in_netrc",
]

# What a netrc token cannot hold so that every reader (curl, pip, uv) agrees.
_UNSAFE = re.compile(r"[\s\"'\\#]|[^\x21-\x7e]")


@dataclass(frozen=True, slots=True)
class NetrcChange:
    """What :func:`store_in_netrc` / :func:`remove_from_netrc` did."""

    path: Path
    machine: str
    #: ``added``, ``updated``, ``removed`` or ``absent`` (nothing to remove).
    action: str
    #: The user name written, or the one(s) removed.
    usernames: tuple[str, ...] = ()


def netrc_machine(index: Index) -> str:
    """The ``machine`` name for ``index``: its host (IPv6 in brackets)."""
    host = index.host
    return f"[{host}]" if ":" in host else host


def check_netrc_value(value: str, what: str) -> None:
    """Refuse a user name or password that netrc readers would disagree on."""
    if not value or _UNSAFE.search(value):
        raise UsageError(
            f"the {what} holds a space, quote, '#', backslash or non-ASCII character, "
            "which netrc readers disagree on",
            hint="use the keyring (`cglib login` without --netrc) or the environment instead",
        )


def read_netrc(env: Mapping[str, str]) -> tuple[Path, str, bool]:
    """``(path, text, exists)`` of the netrc file, checked to parse.

    Raises :class:`ConfigError` for a file that is not UTF-8 or does not
    parse (it is not touched), :class:`LocalFileError` when it cannot be read.
    """
    path, _named = netrc_path(env)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return path, "", False
    except OSError as exc:
        raise LocalFileError(
            f"cannot read the netrc file {path}: {exc.strerror or type(exc).__name__}",
            path=str(path),
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"netrc file {path} line {line}: not UTF-8 text; it was not changed",
            hint="fix the file, or point NETRC at another one",
        ) from None
    try:
        parse_netrc(text)
    except NetrcSyntaxError as exc:
        raise ConfigError(
            f"netrc file {path} line {exc.line}: {exc.message}; it was not changed",
            hint="fix the file, or point NETRC at another one",
        ) from None
    return path, text, True


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _entry_for(text: str, index: Index) -> NetrcEntry | None:
    machines = [e for e in parse_netrc(text) if e.machine is not None]
    entry, _oddity = find_entry(machines, index.host, port_of(index.url))
    return entry


def set_entry(text: str, index: Index, credentials: Credentials) -> tuple[str, str]:
    """``text`` with the entry of ``index``'s host set to ``credentials``,
    and ``"added"`` or ``"updated"``."""
    check_netrc_value(credentials.username, "user name")
    check_netrc_value(credentials.password, "password")
    entries = parse_netrc(text)
    entry = _entry_for(text, index)
    nl = _newline(text)
    if entry is not None:
        edits: list[tuple[int, int, str]] = []
        spans = entry.value_spans
        if "login" in spans:
            edits.append((*spans["login"], credentials.username))
        if "password" in spans:
            edits.append((*spans["password"], credentials.password))
        missing = "" if "login" in spans else f" login {credentials.username}"
        missing += "" if "password" in spans else f" password {credentials.password}"
        if missing:
            end = entry.span[1]
            edits.append((end, end, missing))
        for start, stop, value in sorted(edits, reverse=True):
            text = text[:start] + value + text[stop:]
        return text, "updated"
    block = (
        f"machine {netrc_machine(index)}{nl}"
        f"  login {credentials.username}{nl}"
        f"  password {credentials.password}{nl}"
    )
    default = next((e for e in entries if e.machine is None), None)
    if default is not None:
        start = default.span[0]
        line_start = text.rfind("\n", 0, start) + 1
        if text[line_start:start].strip():
            return text[:start] + nl + block + text[start:], "added"
        return text[:line_start] + block + nl + text[line_start:], "added"
    if text and not text.endswith("\n"):
        text += nl
    if text.strip() and not text.endswith(nl + nl):
        text += nl  # a blank line: also ends a macdef body before it
    return text + block, "added"


def remove_entry(text: str, index: Index) -> tuple[str, NetrcEntry | None]:
    """``text`` without the entry of ``index``'s host (never ``default``),
    and the entry removed (None: there was none)."""
    entry = _entry_for(text, index)
    if entry is None:
        return text, None
    start, stop = entry.span
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", stop)
    line_end = len(text) if line_end < 0 else line_end + 1
    if text[line_start:start].strip() or text[stop:line_end].strip():
        # It shares a line with something else: take out its words only.
        while stop < len(text) and text[stop] in " \t":
            stop += 1
        return text[:start] + text[stop:], entry
    before, after = text[:line_start], text[line_end:]
    if not before.strip() or before.endswith(("\n\n", "\n\r\n")):
        # A blank line before it: drop one after it (or at the end of the
        # file, the one :func:`set_entry` put before it), so none is doubled.
        for newline in ("\r\n", "\n"):
            if after.startswith(newline):
                after = after[len(newline) :]
                break
            if not after and before.strip() and before.endswith(newline * 2):
                before = before[: -len(newline)]
                break
    return before + after, entry


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically, mode 0600 (a link's target)."""
    target = path.resolve() if path.is_symlink() else path
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise LocalFileError(
            f"cannot write the netrc file {path}: {exc.strerror or type(exc).__name__}",
            path=str(path),
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise LocalFileError(
            f"cannot write the netrc file {path}: {exc.strerror or type(exc).__name__}",
            path=str(path),
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def store_in_netrc(index: Index, credentials: Credentials, env: Mapping[str, str]) -> NetrcChange:
    """Add or update the entry of ``index``'s host in the netrc file."""
    path, text, _exists = read_netrc(env)
    new_text, action = set_entry(text, index, credentials)
    _write(path, new_text)
    return NetrcChange(path, netrc_machine(index), action, (credentials.username,))


def remove_from_netrc(index: Index, env: Mapping[str, str]) -> NetrcChange:
    """Remove the entry of ``index``'s host from the netrc file, if any."""
    path, text, exists = read_netrc(env)
    new_text, entry = remove_entry(text, index) if exists else (text, None)
    if entry is None:
        return NetrcChange(path, netrc_machine(index), "absent")
    _write(path, new_text)
    machine = entry.machine or netrc_machine(index)
    return NetrcChange(path, machine, "removed", (entry.login,) if entry.login else ())
