"""The packages behind the lock files in ``tests/data/locks/``.

``serve_original`` fills an index with the files the locks were made from
(``tests/data/locks/regenerate.py`` runs the real tools against it);
``serve_migrated`` fills one the way a new index would look to those locks:

========  =======  =====================================================
project   version  on the migrated index
========  =======  =====================================================
alpha     1.0      wheel and sdist rebuilt (other bytes): hash-differs
bravo     2.0      the same wheel: ok
charlie   1.5      the same wheel, from the upstream fallback: upstream
delta     0.3      absent (only 0.4 is there): missing
echo      1.1      no such project: missing
foxtrot   3.0      sdist only, rebuilt: hash-differs
golf      1.0      the same wheel, yanked: yanked
hotel     1.0      Linux-only wheels, rebuilt: hash-differs (no-file for
                   a Windows or macOS target)
========  =======  =====================================================

The ``wheels`` lock set holds only alpha, bravo, charlie and hotel, so that
the real tools can install it (no sdist to build, nothing missing).
"""

from __future__ import annotations

import gzip
import io
import tarfile
import tempfile
from pathlib import Path

from support.dists import make_wheel
from support.fakeindex import FakeIndex

#: Lock sets: the requirements each lock was made from.
FULL = ["alpha==1.0", "bravo==2.0", "charlie==1.5", "delta==0.3", "echo==1.1",
        "foxtrot==3.0", "golf==1.0", "hotel==1.0"]  # fmt: skip
WHEELS = ["alpha==1.0", "bravo==2.0", "charlie==1.5", "hotel==1.0"]

HOTEL_TAGS = ("py3-none-manylinux_2_17_x86_64", "py3-none-manylinux_2_17_aarch64")
REBUILT = b"# rebuilt from source\n"


def _wheel(
    name: str, version: str, tag: str = "py3-none-any", payload: bytes = b""
) -> tuple[str, bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        path = make_wheel(Path(tmp), name, version, tag, payload=payload)
        return path.name, path.read_bytes()


#: A PEP 517 backend inside the sdist, with no requirements of its own, so
#: that the tools can build it (for its metadata) with no build dependency
#: from the index.
_BACKEND = """\
import base64, hashlib, os, zipfile

NAME, VERSION = {name!r}, {version!r}
DIST = NAME.replace("-", "_")
INFO = f"{{DIST}}-{{VERSION}}.dist-info"
METADATA = f"Metadata-Version: 2.1\\nName: {{NAME}}\\nVersion: {{VERSION}}\\n"


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(directory, config_settings=None):
    os.makedirs(os.path.join(directory, INFO), exist_ok=True)
    with open(os.path.join(directory, INFO, "METADATA"), "w") as fh:
        fh.write(METADATA)
    return INFO


def build_wheel(directory, config_settings=None, metadata_directory=None):
    files = {{
        f"{{DIST}}/__init__.py": b"",
        f"{{INFO}}/METADATA": METADATA.encode(),
        f"{{INFO}}/WHEEL": b"Wheel-Version: 1.0\\nGenerator: tiny\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
    }}
    record = ""
    for path, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record += f"{{path}},sha256={{digest}},{{len(data)}}\\n"
    files[f"{{INFO}}/RECORD"] = (record + f"{{INFO}}/RECORD,,\\n").encode()
    name = f"{{DIST}}-{{VERSION}}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(directory, name), "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return name
"""


def _sdist(name: str, version: str, payload: bytes = b"") -> tuple[str, bytes]:
    """A reproducible sdist (fixed times, gzip header included) that builds
    with its own in-tree backend."""
    dist = name.replace("-", "_")
    base = f"{dist}-{version}"
    members = {
        f"{base}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{base}/pyproject.toml": (
            b'[build-system]\nrequires = []\nbuild-backend = "tiny_backend"\nbackend-path = ["."]\n'
        ),
        f"{base}/tiny_backend.py": _BACKEND.format(name=name, version=version).encode() + payload,
    }
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            info.mtime = 1767225600
            archive.addfile(info, io.BytesIO(data))
    return f"{base}.tar.gz", gzip.compress(raw.getvalue(), mtime=0)


def lock_index(form: str = "json") -> FakeIndex:
    """An empty open index that answers the file URLs the locks name
    (``ORIGIN/files/NAME``) itself, as the real tools fetch them; serve it
    with :func:`support.fakeindex.serve_http`."""
    return FakeIndex(form=form, store=None)


def serve_original(index: FakeIndex) -> None:
    """The files as they were when the locks were made."""
    for name, version in [("alpha", "1.0"), ("bravo", "2.0"), ("charlie", "1.5"),
                          ("delta", "0.3"), ("echo", "1.1"), ("golf", "1.0")]:  # fmt: skip
        index.link(name, *_wheel(name, version))
    index.link("alpha", *_sdist("alpha", "1.0"))
    index.link("foxtrot", *_sdist("foxtrot", "3.0"))
    for tag in HOTEL_TAGS:
        index.link("hotel", *_wheel("hotel", "1.0", tag))


def serve_migrated(index: FakeIndex) -> None:
    """The files as the new index serves them (see the table above)."""
    index.link("alpha", *_wheel("alpha", "1.0", payload=REBUILT))
    index.link("alpha", *_sdist("alpha", "1.0", payload=REBUILT))
    index.link("bravo", *_wheel("bravo", "2.0"))
    index.link("charlie", *_wheel("charlie", "1.5"), upstream=True)
    index.link("delta", *_wheel("delta", "0.4"))
    index.link("foxtrot", *_sdist("foxtrot", "3.0", payload=REBUILT))
    index.link("golf", *_wheel("golf", "1.0"), yanked="broken build")
    for tag in HOTEL_TAGS:
        index.link("hotel", *_wheel("hotel", "1.0", tag, payload=REBUILT))
