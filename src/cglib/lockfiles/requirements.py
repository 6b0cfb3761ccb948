"""``requirements.txt`` with ``==`` pins and ``--hash`` options (pip-compile,
``uv pip compile --generate-hashes``), nested ``-r`` files included.

Reading goes through :mod:`cglib.reqfile`.  Writing replaces the ``--hash``
options of a requirement in the file that holds it (an included file too),
in the layout they had: one per continuation line, or on the line itself.
Every other character of the file is kept.
"""

from __future__ import annotations

import re
from pathlib import Path

from cglib.errors import UsageError
from cglib.lockfiles import Change, LockedFile, LockedPackage, LockFile, Updates, replace_text
from cglib.urls import normalize_name

__all__ = ["read", "write"]

_HASH = re.compile(r"[ \t]*--hash[= \t][ \t]*sha256:[0-9a-fA-F]{64}")
_ENDING = re.compile(r"\r?\n\Z|\r\Z")


def read(path: Path, text: str) -> LockFile:
    from packaging.requirements import InvalidRequirement, Requirement

    from cglib.reqfile import read_requirements

    del text  # read_requirements reads the file and the ones it includes
    parsed = read_requirements(path)
    lock = LockFile(path, "requirements", warnings=list(parsed.warnings))
    for line in parsed.requirements:
        try:
            requirement = Requirement(line.text)
        except InvalidRequirement as exc:
            raise UsageError(f"{line.source}: not a requirement: {exc}") from None
        specs = list(requirement.specifier)
        if (
            len(specs) != 1
            or specs[0].operator not in ("==", "===")
            or specs[0].version.endswith(".*")
            or requirement.url
        ):
            lock.warnings.append(
                f"{line.source}: {requirement.name} is not pinned with ==; not checked"
            )
            continue
        lock.packages.append(
            LockedPackage(
                name=normalize_name(requirement.name),
                version=specs[0].version,
                files=(LockedFile(None, None, line.hashes),),
                where=line.source,
                marker=str(requirement.marker) if requirement.marker else None,
            )
        )
    return lock


def write(lock: LockFile, updates: Updates) -> list[Change]:
    by_file: dict[str, list[tuple[int, LockedPackage, list[str]]]] = {}
    for package in lock.packages:
        served = updates.get((package.name, package.version))
        if not served or not package.hashes:
            continue  # a requirement without hashes allows any file: leave it
        new = sorted({u.sha256 for u in served})
        if set(new) == set(package.hashes):
            continue
        file, _, line = package.where.rpartition(":")
        by_file.setdefault(file, []).append((int(line), package, new))
    changes: list[Change] = []
    for file, edits in by_file.items():
        path = Path(file)
        lines = path.read_bytes().decode("utf-8-sig").splitlines(keepends=True)
        bom = path.read_bytes().startswith(b"\xef\xbb\xbf")
        # From the bottom up, so that earlier line numbers stay right.
        for lineno, package, new in sorted(edits, key=lambda e: -e[0]):
            lines = _replace_hashes(lines, lineno - 1, new, package.where)
            changes.append(
                Change(
                    file,
                    package.name,
                    package.version,
                    "hashes",
                    ",".join(sorted(h[:12] for h in package.hashes)),
                    ",".join(h[:12] for h in new),
                )
            )
        replace_text(path, ("\ufeff" if bom else "") + "".join(lines))
    return changes


def _replace_hashes(lines: list[str], start: int, new: list[str], where: str) -> list[str]:
    """``lines`` with the ``--hash`` options of the requirement that starts
    on line ``start`` (0-based) replaced by ``new``."""
    end = start
    while end < len(lines) - 1 and _body(lines[end]).rstrip().endswith("\\"):
        end += 1
    span = lines[start : end + 1]
    newline = _ending(span[0]) or "\n"
    first: tuple[int, str | None] | None = None  # (line in span, indent if own line)
    indent: str | None
    kept: list[str] = []
    for i, line in enumerate(span):
        body, ending = _body(line), _ending(line)
        match = _HASH.search(body)
        if match is None:
            kept.append(line)
            continue
        if first is None:
            before = body[: match.start()]
            own = before.strip() == "" and i > 0
            indent = before + match.group()[: len(match.group()) - len(match.group().lstrip())]
            first = (len(kept), indent if own else None)
            if not own:
                # Inline: the new options go where the first one was.
                inline = "".join(f" --hash=sha256:{h}" for h in new)
                body = body[: match.start()] + inline + _HASH.sub("", body[match.end() :])
                kept.append(body + ending)
                continue
        rest = _HASH.sub("", body)
        if rest.strip() in ("", "\\"):
            continue  # the line held only hashes
        kept.append(rest + ending)
    if first is None:
        raise UsageError(f"{where}: no --hash option found where it was read")
    position, indent = first
    if indent is not None:
        kept[position:position] = [f"{indent}--hash=sha256:{h}{newline}" for h in new]
    # Continuations: every line of the requirement but its last ends with "\".
    out: list[str] = []
    for i, line in enumerate(kept):
        body, ending = _body(line), _ending(line) or (newline if i < len(kept) - 1 else "")
        stripped = body.rstrip()
        if i < len(kept) - 1:
            if not stripped.endswith("\\"):
                body = stripped + " \\"
        elif stripped.endswith("\\"):
            body = stripped[:-1].rstrip()
        out.append(body + ending)
    if not _ending(span[-1]) and out:
        out[-1] = _body(out[-1])
    return lines[:start] + out + lines[end + 1 :]


def _body(line: str) -> str:
    return _ENDING.sub("", line)


def _ending(line: str) -> str:
    match = _ENDING.search(line)
    return match.group() if match else ""
