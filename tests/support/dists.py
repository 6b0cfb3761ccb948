"""Build tiny but real wheels and sdists for the test servers."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import zipfile
from collections.abc import Sequence
from pathlib import Path


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def make_wheel(
    directory: Path,
    name: str,
    version: str,
    tag: str = "py3-none-any",
    *,
    requires_python: str | None = None,
    payload: bytes = b"",
    requires_dist: Sequence[str] = (),
    provides_extra: Sequence[str] = (),
) -> Path:
    """Write ``{name}-{version}-{tag}.whl`` into ``directory``; return its path.

    ``requires_dist`` / ``provides_extra`` become ``Requires-Dist`` /
    ``Provides-Extra`` lines of its METADATA."""
    dist = name.replace("-", "_")
    dist_info = f"{dist}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    if requires_python:
        metadata += f"Requires-Python: {requires_python}\n"
    metadata += "".join(f"Provides-Extra: {extra}\n" for extra in provides_extra)
    metadata += "".join(f"Requires-Dist: {req}\n" for req in requires_dist)
    files = {
        f"{dist}/__init__.py": b"# test package\n" + payload,
        f"{dist_info}/METADATA": metadata.encode(),
        f"{dist_info}/WHEEL": (
            f"Wheel-Version: 1.0\nGenerator: cglib-tests\nRoot-Is-Purelib: true\nTag: {tag}\n"
        ).encode(),
    }
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items())
    record += f"{dist_info}/RECORD,,\n"
    files[f"{dist_info}/RECORD"] = record.encode()
    path = directory / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in files.items():
            info = zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0))
            archive.writestr(info, data)
    return path


def make_sdist(directory: Path, name: str, version: str, *, payload: bytes = b"") -> Path:
    """Write ``{name}-{version}.tar.gz`` into ``directory``; return its path."""
    dist = name.replace("-", "_")
    base = f"{dist}-{version}"
    pkg_info = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode()
    path = directory / f"{base}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for member, data in {
            f"{base}/PKG-INFO": pkg_info,
            f"{base}/setup.py": b"from setuptools import setup\nsetup()\n" + payload,
        }.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            info.mtime = 1767225600
            archive.addfile(info, io.BytesIO(data))
    return path


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
