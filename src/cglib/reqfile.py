"""Read pip-style requirements files (``-r FILE``): pure, no network.

Understood: comments (``#`` at the start of a line or after white space),
``\\`` line continuations, nested ``-r`` / ``--requirement`` (relative to
the including file, cycles refused), ``--hash=sha256:…`` options after a
requirement (several allowed: the file must match one of them), and
``--pre``.  Options that would change where files come from (``-i``,
``--index-url``, ``--extra-index-url``, ``--no-index``, ``-f``,
``--find-links``, ``--trusted-host``) are *not* obeyed: cglib downloads from
the index given on its command line, and says so in a warning.  Constraints
files (``-c``) and other pip options are reported and ignored too.
``${NAME}`` environment references are expanded as pip does.  Each file is
read once per run (a file included twice contributes once), only regular
files are read (never a FIFO, a device or a directory), and at most
:data:`MAX_FILE_BYTES` of each.  Each requirement is parsed here, so any
error is a :class:`~cglib.errors.UsageError` naming ``file:line``.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cglib.errors import UsageError
from cglib.urls import redact_url

__all__ = ["RequirementLine", "RequirementsFile", "read_requirements"]

_COMMENT = re.compile(r"(^|\s+)#.*$")
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")
#: ``${NAME}`` references pip expands (upper case, digits, ``_``).
_ENV_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")
#: The largest requirements file read (a longer one is refused, not truncated).
MAX_FILE_BYTES = 10 * 1024 * 1024

#: Options that pick where packages come from: reported, never obeyed.
_INDEX_OPTIONS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "--no-index",
        "-f",
        "--find-links",
        "--trusted-host",
    }
)
#: Options that take a value (the next word when not written as ``--opt=value``).
_VALUE_OPTIONS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "-f",
        "--find-links",
        "--trusted-host",
        "-c",
        "--constraint",
        "-r",
        "--requirement",
        "--only-binary",
        "--no-binary",
        "--use-feature",
        "--config-settings",
        "--global-option",
        "--hash",
        "-e",
        "--editable",
    }
)
_IGNORED_OPTIONS = frozenset(
    {
        "--only-binary",
        "--no-binary",
        "--prefer-binary",
        "--require-hashes",
        "--use-feature",
        "--config-settings",
        "--global-option",
    }
)


@dataclass(frozen=True, slots=True)
class RequirementLine:
    """One requirement of a file: its PEP 508 text, the sha256 digests its
    ``--hash`` options allow (empty: any), and where it was written."""

    text: str
    hashes: frozenset[str] = frozenset()
    source: str = ""


@dataclass(slots=True)
class RequirementsFile:
    """Everything read from one requirements file and the files it includes."""

    requirements: list[RequirementLine] = field(default_factory=list)
    #: One line each: options that were not obeyed, and why.
    warnings: list[str] = field(default_factory=list)
    #: ``--pre`` appeared in a file.
    pre: bool = False


def read_requirements(path: str | Path, env: Mapping[str, str] | None = None) -> RequirementsFile:
    """Read ``path`` (and the files it includes with ``-r``).

    ``${NAME}`` references (upper-case letters, digits and ``_``, as pip
    allows) are replaced by the value of that variable in ``env`` (default:
    the process environment); an unset or empty one is left as written.
    Messages quote the text as written, never a variable's value.
    """
    reader = _Reader(os.environ if env is None else env)
    reader.read(Path(path), str(path), stack=(), where=None)
    return reader.result


class _Reader:
    """One run of :func:`read_requirements`: each file is read once."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ
        self.result = RequirementsFile()
        self.seen: set[tuple[int, int]] = set()

    def expand(self, text: str) -> str:
        if "${" not in text:
            return text
        return _ENV_VAR.sub(lambda m: self.environ.get(m[1]) or m[0], text)

    def read(
        self, path: Path, shown: str, stack: tuple[tuple[int, int], ...], where: str | None
    ) -> None:
        """Read ``path`` (called ``shown`` in messages), included at ``where``."""
        prefix = f"{where}: " if where else ""
        key, raw = _read_regular_file(path, shown, prefix)
        if key in stack:
            raise UsageError(
                f"{where}: requirements file {shown!r} includes itself (a -r cycle)",
                hint="remove one of the -r lines",
            )
        if key in self.seen:
            return  # already read: its requirements are in already
        self.seen.add(key)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise UsageError(
                f"{shown}: not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8"
            ) from None
        for lineno, line in _logical_lines(text):
            self.handle(line, f"{shown}:{lineno}", path, shown, (*stack, key))

    def handle(
        self,
        line: str,
        where: str,
        path: Path,
        shown: str,
        stack: tuple[tuple[int, int], ...],
    ) -> None:
        result = self.result
        requirement, options = _split_options(line, where)
        hashes: set[str] = set()
        for name, value in options:
            if name in ("-r", "--requirement"):
                if requirement:
                    raise UsageError(f"{where}: -r cannot follow a requirement on the same line")
                if not value:
                    raise UsageError(f"{where}: option {name} needs a file name")
                target = path.parent / self.expand(value)
                shown_target = (
                    value if Path(value).is_absolute() else str(Path(shown).parent / value)
                )
                self.read(target, shown_target, stack, where)
            elif name == "--hash":
                if not requirement:
                    raise UsageError(f"{where}: --hash must follow a requirement on the same line")
                hashes.add(_hash_value(self.expand(value or ""), value or "", where))
            elif name in _INDEX_OPTIONS:
                shown_value = redact_url(value) if value else ""
                if "@" in shown_value and "***@" not in shown_value:
                    shown_value = ""  # credentials in a form redact_url does not know
                text = f"{name} {shown_value}" if shown_value else name
                result.warnings.append(
                    f"{where}: ignoring {text}: cglib downloads only from the index on its "
                    "command line (--index-url / --index)"
                )
            elif name in ("-c", "--constraint"):
                result.warnings.append(
                    f"{where}: ignoring constraints file {value}: cglib downloads what the "
                    "requirements name, without resolving dependencies"
                )
            elif name == "--pre":
                result.pre = True
            elif name in ("-e", "--editable"):
                raise UsageError(
                    f"{where}: editable requirements cannot be downloaded",
                    hint="name the project and version instead",
                )
            elif name in _IGNORED_OPTIONS:
                result.warnings.append(f"{where}: ignoring {name}; pass download options to cglib")
            else:
                raise UsageError(
                    f"{where}: unknown option {name}", hint="see `cglib download --help`"
                )
        if requirement:
            text = self.expand(requirement)
            _check_requirement(text, requirement, where)
            result.requirements.append(RequirementLine(text, frozenset(hashes), where))


def _check_requirement(text: str, written: str, where: str) -> None:
    """Refuse paths, URLs and malformed PEP 508 text, quoting it as ``written``."""
    from cglib.requirements import parse_requirement

    quoted = written if len(written) <= 80 else written[:80] + "…"
    if text.startswith((".", "/")) or "://" in text.split("@")[0]:
        raise UsageError(
            f"{where}: {quoted!r} is a path or URL, not a requirement",
            hint="cglib downloads NAME or NAME==VERSION from the index",
        )
    try:
        parsed = parse_requirement(text, shown=None if text == written else written)
    except UsageError as exc:
        raise UsageError(f"{where}: {exc.message}", hint=exc.hint) from None
    if parsed.url:
        raise UsageError(
            f"{where}: {quoted!r} names a URL; cglib downloads from the index only",
            hint="write NAME or NAME==VERSION",
        )


def _read_regular_file(path: Path, shown: str, prefix: str) -> tuple[tuple[int, int], bytes]:
    """The identity (device, inode) and the bytes of the regular file ``path``.

    Anything else (a FIFO, a device, a directory, a socket, a symlink loop)
    is refused by looking at it first, so a FIFO is never opened for
    reading; a file larger than :data:`MAX_FILE_BYTES` is refused too.
    """

    def refuse(what: str, hint: str = "check the path given to -r") -> UsageError:
        return UsageError(f"{prefix}requirements file {shown!r} {what}", hint=hint)

    try:
        info = os.stat(path)
    except OSError as exc:
        raise UsageError(
            f"{prefix}cannot read requirements file {shown!r}: {exc.strerror or exc}",
            hint="check the path given to -r",
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise refuse(f"is not a regular file: it is {_kind(info.st_mode)}")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise UsageError(
            f"{prefix}cannot read requirements file {shown!r}: {exc.strerror or exc}",
            hint="check the path given to -r",
        ) from None
    with os.fdopen(fd, "rb") as fh:
        opened = os.fstat(fh.fileno())
        if not stat.S_ISREG(opened.st_mode):  # replaced between the two looks
            raise refuse(f"is not a regular file: it is {_kind(opened.st_mode)}")
        try:
            raw = fh.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise UsageError(
                f"{prefix}cannot read requirements file {shown!r}: {exc.strerror or exc}"
            ) from None
    if len(raw) > MAX_FILE_BYTES:
        raise refuse(
            f"is larger than {MAX_FILE_BYTES} bytes",
            hint="a requirements file is a short list; split it or check the path",
        )
    return (opened.st_dev, opened.st_ino), raw


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a file"


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with comments removed and ``\\`` continuations joined, each with
    the number of the line it starts on."""
    out: list[tuple[int, str]] = []
    pending: list[str] = []
    start = 0
    for number, physical in enumerate(text.splitlines(), start=1):
        if not pending:
            start = number
        line = _COMMENT.sub("", physical)
        if line.endswith("\\") and not physical.lstrip().startswith("#"):
            pending.append(line[:-1])
            continue
        pending.append(line)
        joined = "".join(pending).strip()
        pending = []
        if joined:
            out.append((start, joined))
    if pending:
        joined = "".join(pending).strip()
        if joined:
            out.append((start, joined))
    return out


def _split_options(line: str, where: str) -> tuple[str, list[tuple[str, str | None]]]:
    """Split a line into the requirement text before its first `` -``/``--``
    option, and the options as (name, value) pairs."""
    requirement = line
    rest = ""
    if not line.startswith("-"):
        match = re.search(r"\s-{1,2}[A-Za-z]", line)
        if match:
            requirement, rest = line[: match.start()].strip(), line[match.start() :]
    else:
        requirement, rest = "", line
    try:
        words = shlex.split(rest, comments=False, posix=True)
    except ValueError as exc:
        raise UsageError(f"{where}: cannot split the options: {exc}") from None
    options: list[tuple[str, str | None]] = []
    i = 0
    while i < len(words):
        word = words[i]
        if not word.startswith("-"):
            raise UsageError(
                f"{where}: unexpected {word!r} after the options",
                hint="write one requirement per line",
            )
        name, eq, value = word.partition("=")
        if not eq and name.startswith("-") and not name.startswith("--") and len(name) > 2:
            name, value, eq = name[:2], name[2:], "="  # -rfile.txt
        if eq:
            options.append((name, value))
        elif name in _VALUE_OPTIONS:
            if i + 1 >= len(words):
                raise UsageError(f"{where}: option {name} needs a value")
            options.append((name, words[i + 1]))
            i += 1
        else:
            options.append((name, None))
        i += 1
    return requirement, options


def _hash_value(value: str, written: str, where: str) -> str:
    algorithm, sep, digest = value.partition(":")
    if not sep or not digest:
        raise UsageError(f"{where}: --hash needs ALGORITHM:DIGEST, not {written!r}")
    algorithm = algorithm.lower()
    digest = digest.lower()
    if algorithm != "sha256":
        raise UsageError(
            f"{where}: --hash {algorithm} is not supported; only sha256 is",
            hint="regenerate the hashes with sha256 (pip hash -a sha256, pip-compile)",
        )
    if not _SHA256.match(digest):
        raise UsageError(f"{where}: --hash sha256 digest is not 64 hex digits")
    return digest
