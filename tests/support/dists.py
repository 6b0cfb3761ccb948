"""Build tiny but real wheels and sdists for the test servers, and name many wheels."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def metadata_text(
    name: str,
    version: str,
    *,
    metadata_version: str = "2.1",
    summary: str | None = None,
    license: str | None = None,
    project_urls: Sequence[str] = (),
    requires_python: str | None = None,
    dynamic: Sequence[str] = (),
    provides_extra: Sequence[str] = (),
    requires_dist: Sequence[str] = (),
) -> str:
    """A ``METADATA`` / ``PKG-INFO`` file with these fields."""
    lines = [f"Metadata-Version: {metadata_version}", f"Name: {name}", f"Version: {version}"]
    if summary:
        lines.append(f"Summary: {summary}")
    if license:
        lines.append(f"License: {license}")
    lines += [f"Project-URL: {url}" for url in project_urls]
    if requires_python:
        lines.append(f"Requires-Python: {requires_python}")
    lines += [f"Dynamic: {field}" for field in dynamic]
    lines += [f"Provides-Extra: {extra}" for extra in provides_extra]
    lines += [f"Requires-Dist: {req}" for req in requires_dist]
    return "\n".join(lines) + "\n"


def make_wheel(
    directory: Path,
    name: str,
    version: str,
    tag: str = "py3-none-any",
    *,
    payload: bytes = b"",
    padding: int = 0,
    **metadata: Any,
) -> Path:
    """Write ``{name}-{version}-{tag}.whl`` into ``directory``; return its path.

    ``metadata`` are the fields of its METADATA (:func:`metadata_text`);
    ``padding`` bytes of incompressible data make it large (for range reads)."""
    dist = name.replace("-", "_")
    dist_info = f"{dist}-{version}.dist-info"
    files = {f"{dist}/__init__.py": b"# test package\n" + payload}
    if padding:
        files[f"{dist}/blob.bin"] = hashlib.shake_256(name.encode()).digest(padding)
    files[f"{dist_info}/METADATA"] = metadata_text(name, version, **metadata).encode()
    files[f"{dist_info}/WHEEL"] = (
        f"Wheel-Version: 1.0\nGenerator: cglib-tests\nRoot-Is-Purelib: true\nTag: {tag}\n"
    ).encode()
    record = "".join(f"{path},{_record_hash(data)},{len(data)}\n" for path, data in files.items())
    record += f"{dist_info}/RECORD,,\n"
    files[f"{dist_info}/RECORD"] = record.encode()
    path = directory / f"{dist}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in files.items():
            info = zipfile.ZipInfo(member, date_time=(2026, 1, 1, 0, 0, 0))
            archive.writestr(info, data)
    return path


def make_sdist(
    directory: Path, name: str, version: str, *, payload: bytes = b"", **metadata: Any
) -> Path:
    """Write ``{name}-{version}.tar.gz`` into ``directory``; return its path.

    ``metadata`` are the fields of its PKG-INFO (:func:`metadata_text`)."""
    dist = name.replace("-", "_")
    base = f"{dist}-{version}"
    pkg_info = metadata_text(name, version, **metadata).encode()
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


#: Python tags of the wheel zoo, oldest first.
ZOO_PYTHONS = ("cp38", "cp39", "cp310", "cp311", "cp312", "cp313")
#: Platforms of the wheel zoo: long manylinux names, musllinux, macOS, Windows.
ZOO_PLATFORMS = (
    "manylinux_2_17_x86_64.manylinux2014_x86_64",
    "manylinux_2_17_aarch64.manylinux2014_aarch64",
    "musllinux_1_2_x86_64",
    "macosx_10_9_x86_64",
    "macosx_11_0_arm64",
    "win_amd64",
    "win32",
)


def wheel_zoo(name: str = "wheelzoo", version: str = "1.0.0") -> list[str]:
    """One version with a wheel for each Python and platform above (42), and an sdist."""
    names = [
        f"{name}-{version}-{py}-{py}-{platform}.whl"
        for py in ZOO_PYTHONS
        for platform in ZOO_PLATFORMS
    ]
    return [*names, f"{name}-{version}.tar.gz"]
