"""``pylock.toml`` (PEP 751): ``[[packages]]`` with ``wheels`` and an
``sdist``, each with ``url``, ``hashes``, and optionally ``size`` and
``upload-time``.

Installers check the hashes and take the file from its URL, so both are
rewritten; ``size`` and ``upload-time``, where present, are set to the
index's values or removed.  Packages from VCS, directories or archives are
not checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cglib.lockfiles import Change, LockedFile, LockedPackage, LockFile, Updates
from cglib.lockfiles.toml import (
    as_str,
    filename_of,
    load,
    write_packages,
)
from cglib.urls import normalize_name

__all__ = ["read", "write"]

_NOT_INDEX = ("vcs", "directory", "archive")


def _files(package: Any) -> list[Any]:
    out = []
    sdist = package.get("sdist")
    if sdist is not None and "url" in sdist:
        out.append(sdist)
    out.extend(w for w in package.get("wheels", []) if "url" in w)
    return out


def _filename(entry: Any) -> str:
    return as_str(entry.get("name")) or filename_of(str(entry["url"]))


def _from_index(package: Any, path: Path, lock: LockFile | None) -> bool:
    kind = next((k for k in _NOT_INDEX if k in package), None)
    if kind is not None or not as_str(package.get("version")):
        if lock is not None:
            origin = kind or "no index version"
            lock.warnings.append(f"{path}: {package.get('name')} comes from {origin}; not checked")
        return False
    return True


def read(path: Path, text: str) -> LockFile:
    doc = load(path, text)
    lock = LockFile(path, "pylock")
    for package in doc.get("packages", []):
        name, version = as_str(package.get("name")), as_str(package.get("version"))
        if not name or not _from_index(package, path, lock):
            continue
        assert version is not None
        files = []
        for entry in _files(package):
            hashes = entry.get("hashes") or {}
            digest = as_str(hashes.get("sha256"))
            files.append(
                LockedFile(
                    _filename(entry),
                    str(entry["url"]),
                    frozenset([digest.lower()] if digest else []),
                )
            )
        marker = as_str(package.get("marker"))
        lock.packages.append(
            LockedPackage(normalize_name(name), version, tuple(files), str(path), marker)
        )
    return lock


def write(lock: LockFile, updates: Updates) -> list[Change]:
    return write_packages(
        lock,
        updates,
        packages_key="packages",
        from_index=lambda package, path: _from_index(package, path, None),
        files=_files,
        filename=_filename,
        hash_style="hashes",
        time_as_datetime=True,
    )
