"""``uv.lock``: every registry package with its sdist and wheels, each with
``url``, ``hash``, ``size`` and ``upload-time``.

uv checks the hash of what it downloads, and takes the file from the URL the
lock records, so both are rewritten; ``size`` and ``upload-time`` are set to
the index's values (or removed when the index gives none).  Packages from
anywhere but an index (the project itself, git, paths, URLs) are not checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cglib.lockfiles import Change, LockedFile, LockedPackage, LockFile, Updates
from cglib.lockfiles.toml import (
    as_str,
    filename_of,
    load,
    sha256_of,
    write_packages,
)
from cglib.urls import normalize_name

__all__ = ["read", "write"]

_LOCAL_SOURCES = ("editable", "virtual")


def _files(package: Any) -> list[Any]:
    out = []
    sdist = package.get("sdist")
    if sdist is not None and "url" in sdist:
        out.append(sdist)
    out.extend(w for w in package.get("wheels", []) if "url" in w)
    return out


def _registry(package: Any, path: Path, lock: LockFile | None) -> bool:
    source = package.get("source") or {}
    if "registry" in source:
        return True
    if lock is not None and not any(k in source for k in _LOCAL_SOURCES):
        kind = next(iter(source), "unknown")
        lock.warnings.append(
            f"{path}: {package.get('name')} comes from {kind}, not an index; not checked"
        )
    return False


def read(path: Path, text: str) -> LockFile:
    doc = load(path, text)
    lock = LockFile(path, "uv")
    for package in doc.get("package", []):
        name, version = as_str(package.get("name")), as_str(package.get("version"))
        if not name or not version or not _registry(package, path, lock):
            continue
        files = []
        for entry in _files(package):
            url = str(entry["url"])
            digest = sha256_of(entry.get("hash"))
            files.append(LockedFile(filename_of(url), url, frozenset([digest] if digest else [])))
        lock.packages.append(LockedPackage(normalize_name(name), version, tuple(files), str(path)))
    return lock


def write(lock: LockFile, updates: Updates) -> list[Change]:
    return write_packages(
        lock,
        updates,
        packages_key="package",
        from_index=lambda package, path: _registry(package, path, None),
        files=_files,
        filename=lambda entry: filename_of(str(entry["url"])),
        hash_style="hash",
        time_as_datetime=False,
    )
