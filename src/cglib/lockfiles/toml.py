"""The TOML side of the lock formats: tomlkit, which keeps a file's comments,
order and formatting when values in it change (poetry uses it for the same
job), and helpers shared by the TOML formats."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from cglib.errors import UsageError
from cglib.lockfiles import Change, LockFile, Updates, replace_text
from cglib.urls import normalize_name

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

_SHA256 = re.compile(r"[0-9a-f]{64}\Z")


def parse(path: Path, text: str) -> TOMLDocument:
    """Parse ``text``; a syntax error is a usage error naming ``path``."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.parse(text)
    except TOMLKitError as exc:
        raise UsageError(
            f"{path}: not valid TOML ({exc})",
            hint="cglib check reads requirements.txt, pylock.toml, uv.lock and poetry.lock",
        ) from None


def load(path: Path, text: str) -> Any:
    """Parse ``text`` for reading only: the standard library's ``tomllib``
    where there is one (several times faster than tomlkit on a big lock),
    else tomlkit.  Plain dicts and lists either way."""
    if sys.version_info < (3, 11):
        return parse(path, text).unwrap()
    import importlib

    tomllib: Any = importlib.import_module("tomllib")  # 3.11+; typed for 3.10 too
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(
            f"{path}: not valid TOML ({exc})",
            hint="cglib check reads requirements.txt, pylock.toml, uv.lock and poetry.lock",
        ) from None


def dumps(doc: TOMLDocument) -> str:
    import tomlkit

    return tomlkit.dumps(doc)


def filename_of(url: str) -> str:
    """The file name at the end of a file URL."""
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


def sha256_of(value: Any) -> str | None:
    """The digest of a ``sha256:HEX`` string, ``None`` for anything else."""
    if not isinstance(value, str):
        return None
    algorithm, _, digest = value.partition(":")
    digest = digest.lower()
    if algorithm.lower() == "sha256" and _SHA256.match(digest):
        return digest
    return None


def as_str(value: Any) -> str | None:
    return str(value) if isinstance(value, str) else None


def parse_time(value: str | None) -> datetime | None:
    """An index's upload time (ISO 8601, ``Z`` allowed) as an aware datetime."""
    if not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    match = re.fullmatch(r"(.*T\d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d:\d\d)?", text)
    if not match:
        return None
    fraction = (match[2] or "")[:7].ljust(7, "0") if match[2] else ""
    try:
        parsed = datetime.fromisoformat(match[1] + fraction + (match[3] or ""))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


#: How a format writes a file's hash and upload time.
HashStyle = str  # "hash" (uv, poetry: "sha256:HEX") or "hashes" (pylock: {sha256 = HEX})


def update_entry(
    entry: Any,
    served: Any,
    *,
    hash_style: HashStyle,
    time_as_datetime: bool,
    url_key: str | None = "url",
) -> list[tuple[str, str, str]]:
    """Make the file ``entry`` (a tomlkit table or inline table) say what the
    index serves (``served``, a :class:`~cglib.lockfiles.FileUpdate`); return
    ``(what, old, new)`` for each change.  ``size`` and ``upload-time`` are
    only touched when present, and when the hash changed: set to the index's
    value, or removed when the index does not give one (a stale value would
    no longer be true)."""
    changes: list[tuple[str, str, str]] = []
    hash_changed = False
    if hash_style == "hash":
        old = entry.get("hash")
        new = f"sha256:{served.sha256}"
        if sha256_of(old) != served.sha256:
            entry["hash"] = new
            changes.append(("hash", _short_hash(old), _short_hash(new)))
            hash_changed = True
    else:
        hashes = entry.get("hashes")
        old_digest = hashes.get("sha256") if hashes is not None else None
        if hashes is None or old_digest != served.sha256 or len(hashes) != 1:
            if hashes is None:
                import tomlkit

                hashes = tomlkit.inline_table()
                entry["hashes"] = hashes
            for algorithm in [k for k in hashes if k != "sha256"]:
                del hashes[algorithm]  # another algorithm's digest of the old bytes
            hashes["sha256"] = served.sha256
            changes.append(("hash", _short_hash(old_digest), _short_hash(served.sha256)))
            hash_changed = True
    if url_key and url_key in entry and entry[url_key] != served.url:
        changes.append(("url", str(entry[url_key]), served.url))
        entry[url_key] = served.url
    if hash_changed and "size" in entry:
        if served.size is None:
            changes.append(("size", str(entry["size"]), "(removed)"))
            del entry["size"]
        elif entry["size"] != served.size:
            changes.append(("size", str(entry["size"]), str(served.size)))
            entry["size"] = served.size
    if hash_changed and "upload-time" in entry:
        when = parse_time(served.upload_time)
        old_time = str(entry["upload-time"])
        if when is None:
            changes.append(("upload-time", old_time, "(removed)"))
            del entry["upload-time"]
        else:
            value: Any = when if time_as_datetime else format_time(when)
            if str(value) != old_time:
                entry["upload-time"] = value
                changes.append(("upload-time", old_time, str(value)))
    return changes


def write_packages(
    lock: LockFile,
    updates: Updates,
    *,
    packages_key: str,
    from_index: Callable[[Any, Path], bool],
    files: Callable[[Any], Iterable[Any]],
    filename: Callable[[Any], str],
    hash_style: HashStyle,
    time_as_datetime: bool,
    url_key: str | None = "url",
) -> list[Change]:
    """Write ``updates`` into the TOML lock ``lock``, keeping the rest of it:
    each package of ``doc[packages_key]`` that ``from_index`` accepts has the
    ``files`` entries whose ``filename`` the index serves updated with
    :func:`update_entry`; the file is rewritten (atomically) only when
    something changed."""
    doc = parse(lock.path, lock.path.read_bytes().decode("utf-8-sig"))
    changes: list[Change] = []
    for package in doc.get(packages_key, []):
        name, version = as_str(package.get("name")), as_str(package.get("version"))
        if not name or not version or not from_index(package, lock.path):
            continue
        project = normalize_name(name)
        served = {u.filename: u for u in updates.get((project, version), ())}
        for entry in files(package):
            update = served.get(filename(entry))
            if update is None:
                continue
            found = update_entry(
                entry,
                update,
                hash_style=hash_style,
                time_as_datetime=time_as_datetime,
                url_key=url_key,
            )
            changes += [
                Change(str(lock.path), project, version, what, old, new) for what, old, new in found
            ]
    if changes:
        replace_text(lock.path, dumps(doc))
    return changes


def format_time(when: datetime) -> str:
    """``2026-01-02T03:04:05Z`` (with a fraction when there is one), as uv
    writes upload times."""
    text = when.strftime("%Y-%m-%dT%H:%M:%S")
    if when.microsecond:
        text += f".{when.microsecond:06d}".rstrip("0")
    return text + "Z"


def _short_hash(value: Any) -> str:
    digest = sha256_of(value) if isinstance(value, str) and ":" in value else value
    if not isinstance(digest, str) or not digest:
        return "(none)"
    return digest[:12]
