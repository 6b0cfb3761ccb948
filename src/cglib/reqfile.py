"""Read pip-style requirements files (``-r FILE``): pure, no network.

Understood: comments (``#`` at the start of a line or after white space),
``\\`` line continuations, nested ``-r`` / ``--requirement`` (relative to
the including file, cycles refused), ``--hash=sha256:…`` options after a
requirement (several allowed: the file must match one of them), and
``--pre``.  Options that would change where files come from (``-i``,
``--index-url``, ``--extra-index-url``, ``--no-index``, ``-f``,
``--find-links``, ``--trusted-host``) are *not* obeyed: cglib downloads from
the index given on its command line, and says so in a warning.  Constraints
files (``-c``) and other pip options are reported and ignored too.  Any
error is a :class:`~cglib.errors.UsageError` naming ``file:line``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from cglib.errors import UsageError

__all__ = ["RequirementLine", "RequirementsFile", "read_requirements"]

_COMMENT = re.compile(r"(^|\s+)#.*$")
_SHA256 = re.compile(r"[0-9a-f]{64}\Z")

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


def read_requirements(path: str | Path) -> RequirementsFile:
    """Read ``path`` (and the files it includes with ``-r``)."""
    result = RequirementsFile()
    _read(Path(path), result, stack=(), where=None)
    return result


def _read(path: Path, result: RequirementsFile, stack: tuple[Path, ...], where: str | None) -> None:
    try:
        key = path.resolve()
    except OSError:
        key = path.absolute()
    if key in stack:
        raise UsageError(
            f"{where}: requirements file {str(path)!r} includes itself (a -r cycle)",
            hint="remove one of the -r lines",
        )
    try:
        raw = path.read_bytes()
    except OSError as exc:
        prefix = f"{where}: " if where else ""
        raise UsageError(
            f"{prefix}cannot read requirements file {str(path)!r}: {exc.strerror or exc}",
            hint="check the path given to -r",
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{path}: not UTF-8 text (byte {exc.start})", hint="save the file as UTF-8"
        ) from None
    for lineno, line in _logical_lines(text):
        _handle(line, f"{path}:{lineno}", path, result, (*stack, key))


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


def _handle(
    line: str, where: str, path: Path, result: RequirementsFile, stack: tuple[Path, ...]
) -> None:
    requirement, options = _split_options(line, where)
    hashes: set[str] = set()
    for name, value in options:
        if name in ("-r", "--requirement"):
            if requirement:
                raise UsageError(f"{where}: -r cannot follow a requirement on the same line")
            if not value:
                raise UsageError(f"{where}: option {name} needs a file name")
            _read(path.parent / value, result, stack, where)
        elif name == "--hash":
            if not requirement:
                raise UsageError(f"{where}: --hash must follow a requirement on the same line")
            hashes.add(_hash_value(value or "", where))
        elif name in _INDEX_OPTIONS:
            shown = f"{name} {value}" if value else name
            if "@" in shown:
                shown = name  # the value may carry credentials
            result.warnings.append(
                f"{where}: ignoring {shown}: cglib downloads only from the index on its "
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
            raise UsageError(f"{where}: unknown option {name}", hint="see `cglib download --help`")
    if requirement:
        if requirement.startswith((".", "/")) or "://" in requirement.split("@")[0]:
            raise UsageError(
                f"{where}: {requirement[:80]!r} is a path or URL, not a requirement",
                hint="cglib downloads NAME or NAME==VERSION from the index",
            )
        result.requirements.append(RequirementLine(requirement, frozenset(hashes), where))


def _hash_value(value: str, where: str) -> str:
    algorithm, sep, digest = value.partition(":")
    if not sep or not digest:
        raise UsageError(f"{where}: --hash needs ALGORITHM:DIGEST, not {value!r}")
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
