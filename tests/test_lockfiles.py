"""Reading lock files made by the real tools, and writing new hashes back
without losing anything else (golden files: tests/data/locks/)."""

from __future__ import annotations

import os
import re
import stat

import pytest

from cglib.errors import UsageError
from cglib.lockfiles import FileUpdate, read_lock, write_updates
from support.fakeindex import serve_http
from support.lockdata import FORMATS, LOCKS, copy_set
from support.lockset import FULL, lock_index, serve_migrated

NAMES = [r.split("==")[0] for r in FULL]


@pytest.mark.parametrize("name", FORMATS)
def test_read_each_format(name):
    lock = read_lock(LOCKS / "full" / name)
    assert lock.format == {"requirements.txt": "requirements", "pylock.toml": "pylock",
                           "uv.lock": "uv", "poetry.lock": "poetry"}[name]  # fmt: skip
    assert [p.name for p in lock.packages] == NAMES
    assert {p.name: p.version for p in lock.packages}["foxtrot"] == "3.0"
    assert all(p.hashes for p in lock.packages)


def test_formats_agree_on_hashes():
    """The tools pin the same bytes: each file's hash in uv.lock is among
    the requirement's hashes (uv pip compile lists every file)."""
    req = {p.name: p.hashes for p in read_lock(LOCKS / "full" / "requirements.txt").packages}
    for name in ("uv.lock", "poetry.lock", "pylock.toml"):
        for package in read_lock(LOCKS / "full" / name).packages:
            assert package.hashes <= req[package.name], (name, package.name)
    uv = {p.name: p for p in read_lock(LOCKS / "full" / "uv.lock").packages}
    assert uv["alpha"].filenames == {"alpha-1.0.tar.gz", "alpha-1.0-py3-none-any.whl"}


@pytest.mark.parametrize(
    ("source", "fmt"), [("uv.lock", "uv"), ("poetry.lock", "poetry"), ("pylock.toml", "pylock")]
)
def test_detected_by_content(tmp_path, source, fmt):
    renamed = tmp_path / "locked-deps"
    renamed.write_text((LOCKS / "full" / source).read_text())
    assert read_lock(renamed).format == fmt


def test_unreadable_format_names_the_file(tmp_path):
    odd = tmp_path / "odd.toml"
    odd.write_text('[[package]]\nname = "x"\n[tool]\nx = 1\n')
    with pytest.raises(UsageError, match=r"odd\.toml"):
        read_lock(odd)
    binary = tmp_path / "blob.lock"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(UsageError, match=r"blob\.lock"):
        read_lock(binary)
    broken = tmp_path / "uv.lock"
    broken.write_text("version = 1\n[[package]\n")
    with pytest.raises(UsageError, match=r"uv\.lock"):
        read_lock(broken)


def test_requirements_nested_markers_and_unpinned(tmp_path):
    h1, h2 = "1" * 64, "2" * 64
    (tmp_path / "base.txt").write_text(f"six==1.16.0 --hash=sha256:{h1}  # inline\n")
    (tmp_path / "requirements.txt").write_text(
        "-r base.txt\n"
        f"colorama==0.4.6 ; sys_platform == 'win32' \\\n    --hash=sha256:{h2}\n"
        "requests>=2\n"
    )
    lock = read_lock(tmp_path / "requirements.txt")
    by_name = {p.name: p for p in lock.packages}
    assert set(by_name) == {"six", "colorama"}
    assert by_name["six"].where.startswith(str(tmp_path / "base.txt"))
    assert by_name["colorama"].marker == 'sys_platform == "win32"'
    assert any("requests is not pinned" in w for w in lock.warnings)
    new = "a" * 64
    changes = write_updates(lock, {("six", "1.16.0"): [FileUpdate("six.whl", "u", new)],
                                   ("colorama", "0.4.6"): [FileUpdate("c.whl", "u", new),
                                                           FileUpdate("c.tgz", "u", "b" * 64)]})  # fmt: skip
    assert len(changes) == 2
    assert (tmp_path / "base.txt").read_text() == f"six==1.16.0 --hash=sha256:{new}  # inline\n"
    assert (tmp_path / "requirements.txt").read_text() == (
        "-r base.txt\n"
        "colorama==0.4.6 ; sys_platform == 'win32' \\\n"
        f"    --hash=sha256:{new} \\\n    --hash=sha256:{'b' * 64}\n"
        "requests>=2\n"
    )
    again = read_lock(tmp_path / "requirements.txt")
    assert {p.name: p.hashes for p in again.packages}["colorama"] == {new, "b" * 64}


_VOLATILE = [
    re.compile(r"[0-9a-f]{64}"),
    re.compile(r"http://127\.0\.0\.1:\d+/[^\"\s]*"),
    re.compile(r"size = \d+"),
]


def _normalised(text: str) -> list[str]:
    lines = text.splitlines()
    out = []
    for line in lines:
        for pattern in _VOLATILE:
            line = pattern.sub("X", line)
        out.append(line)
    return out


@pytest.mark.parametrize("name", FORMATS)
def test_update_keeps_everything_else(tmp_path, name):
    """Golden: after --update the file differs from the tool's only in
    hashes, URLs and sizes; every other line (comments, order, layout, keys
    cglib does not read) is as the tool wrote it."""
    with serve_http(lock_index()) as index:
        serve_migrated(index)
        work = copy_set("full", tmp_path / "locks", index.base)
        path = work / name
        os.chmod(path, 0o640)
        before = path.read_text()
        from cglib.check import check_locks, update_locks
        from cglib.client import IndexClient
        from cglib.config import resolve_index

        lock = read_lock(path)
        with IndexClient(resolve_index(index.url, None)) as client:
            report = check_locks(client, [lock])
        changes = update_locks([lock], report)
    after = path.read_text()
    assert changes
    assert after != before
    assert _normalised(after) == _normalised(before)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in work.iterdir()) == sorted(
        p.name for p in (LOCKS / "full").iterdir()
    )
    changed = {c.project for c in changes}
    assert {"alpha", "foxtrot", "hotel"} <= changed
    assert not changed & {"delta", "echo", "bravo"}
    updated = {p.name: p for p in read_lock(path).packages}
    served = {f.filename: f.digest for f in index.files}
    for filename in updated["alpha"].filenames or {"alpha-1.0-py3-none-any.whl"}:
        assert served[filename] in updated["alpha"].hashes
