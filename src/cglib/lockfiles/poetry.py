"""``poetry.lock``: every package with ``files = [{file, hash}]``.

Poetry looks the files up on the index by name and checks each against the
hash the lock pins, so the hashes are rewritten (the lock records no URLs
for index packages, nor sizes).  Packages from git, paths or URLs are not
checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cglib.lockfiles import Change, LockedFile, LockedPackage, LockFile, Updates
from cglib.lockfiles.toml import as_str, load, sha256_of, write_packages
from cglib.urls import normalize_name

__all__ = ["read", "write"]

_NOT_INDEX = ("git", "directory", "file", "url")


def _from_index(package: Any, path: Path, lock: LockFile | None) -> bool:
    source = package.get("source") or {}
    kind = source.get("type")
    if kind in _NOT_INDEX:
        if lock is not None:
            lock.warnings.append(
                f"{path}: {package.get('name')} comes from {kind}, not an index; not checked"
            )
        return False
    return True


def read(path: Path, text: str) -> LockFile:
    doc = load(path, text)
    lock = LockFile(path, "poetry")
    for package in doc.get("package", []):
        name, version = as_str(package.get("name")), as_str(package.get("version"))
        if not name or not version or not _from_index(package, path, lock):
            continue
        files = []
        for entry in package.get("files", []):
            filename = as_str(entry.get("file"))
            digest = sha256_of(entry.get("hash"))
            if filename:
                files.append(LockedFile(filename, None, frozenset([digest] if digest else [])))
        markers = package.get("markers")
        lock.packages.append(
            LockedPackage(
                normalize_name(name),
                version,
                tuple(files),
                str(path),
                marker=markers if isinstance(markers, str) and markers else None,
            )
        )
    return lock


def write(lock: LockFile, updates: Updates) -> list[Change]:
    return write_packages(
        lock,
        updates,
        packages_key="package",
        from_index=lambda package, path: _from_index(package, path, None),
        files=lambda package: package.get("files", []),
        filename=lambda entry: as_str(entry.get("file")) or "",
        hash_style="hash",
        time_as_datetime=False,
        url_key=None,
    )
