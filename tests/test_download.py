"""cglib.download: planning, fetching several files at once, locks, local errors.

With the in-memory index of tests/support/fakeindex.py: no sockets.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cglib.client import IndexClient
from cglib.config import Settings
from cglib.download import PlannedFile, check_jobs, download, download_file
from cglib.errors import CglibError, NetworkError, UnsafeFilenameError, UsageError
from support.fakeindex import FORMS, FakeIndex, broken_after
from support.files import files_under

TOKEN = "sentinel-token-1234"


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> FakeIndex:
    """An index behind credentials whose links do not name the files (HTML
    pages, or each form with ``indirect`` parametrisation)."""
    form = getattr(request, "param", "html")
    return FakeIndex(form=form, user="user", password=TOKEN, opaque_links=True)


@pytest.fixture
def client(fake: FakeIndex) -> Iterator[IndexClient]:
    with fake.client() as c:
        yield c


def test_public_names_stay_importable_from_download():
    import cglib.download as module
    from cglib import filenames, planning, transfer

    assert module.check_filename is filenames.check_filename
    assert module.plan is planning.plan
    assert module.DownloadRequest is planning.DownloadRequest
    assert module.ProgressCallback is transfer.ProgressCallback
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_jobs_must_be_at_least_one(client, fake, tmp_path):
    assert check_jobs(1) == 1
    with pytest.raises(UsageError, match="--jobs must be at least 1, not 0") as info:
        download(client, ["six"], tmp_path, jobs=0, no_deps=True)
    assert info.value.exit_code == 2
    assert fake.requests == []


def test_unsafe_distribution_file_is_refused_before_any_request(fake, client, tmp_path):
    from packaging.version import Version

    from cglib.models import DistributionFile

    evil = DistributionFile(
        "../evil-1.0.tar.gz", f"{fake.url}../x", "evil", Version("1.0"), "sdist"
    )
    with pytest.raises(UnsafeFilenameError):
        download_file(client, evil, tmp_path)
    assert fake.requests == []
    assert files_under(tmp_path.parent / tmp_path.name) == []


@pytest.mark.parametrize("fake", FORMS, indirect=True)
def test_present_file_with_right_hash_is_skipped(fake, client, tmp_path):
    data = b"x" * 100
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", data)
    (tmp_path / "six-1.16.0-py2.py3-none-any.whl").write_bytes(data)
    results = download(client, ["six"], tmp_path, no_deps=True)
    assert results[0].status == "already-present"
    assert fake.store_requests() == []


def test_present_file_with_wrong_hash_is_replaced(fake, client, tmp_path):
    data = b"x" * 100
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", data)
    (tmp_path / "six-1.16.0-py2.py3-none-any.whl").write_bytes(b"old")
    results = download(client, ["six"], tmp_path, no_deps=True)
    assert results[0].status == "downloaded"
    assert (tmp_path / "six-1.16.0-py2.py3-none-any.whl").read_bytes() == data


@pytest.mark.parametrize("fake", FORMS, indirect=True)
def test_no_index_hash_downloads_with_a_warning(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"x", sha256=None)
    warnings: list[str] = []
    results = download(client, ["six"], tmp_path, warn=warnings.append, no_deps=True)
    assert results[0].unverified
    assert "no sha256" in warnings[0]


def test_many_files_concurrently_in_order(fake, client, tmp_path):
    names = [f"p{i}" for i in range(12)]
    for name in names:
        fake.link(name, f"{name}-1.0-py3-none-any.whl", name.encode() * 100)
    results = download(client, names, tmp_path, jobs=4, no_deps=True)
    assert [r.project for r in results] == names
    assert len(files_under(tmp_path)) == 12


def test_one_failure_stops_the_others_and_is_raised(fake, client, tmp_path):
    for name in ("p0", "p1", "p2"):
        fake.link(name, f"{name}-1.0-py3-none-any.whl", name.encode() * 100)
    fake.file("p1-1.0-py3-none-any.whl").sha256 = "f" * 64
    with pytest.raises(CglibError, match="sha256 mismatch for p1"):
        download(client, ["p0", "p1", "p2"], tmp_path, jobs=3, no_deps=True)
    assert "p1-1.0-py3-none-any.whl" not in files_under(tmp_path)


def test_planned_file_accepts_hash_set(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"x")
    page = client.get_project("six")
    planned = PlannedFile(page.files[0], frozenset({hashlib.sha256(b"x").hexdigest()}))
    assert download_file(client, planned, tmp_path).status == "downloaded"


# -- two processes, one directory: a lock per file ----------------------------------------


def _hold_lock(path: Path) -> int:
    import fcntl
    import os

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_waits_for_another_download_of_the_same_file(fake, tmp_path):
    import os
    import threading

    name = "six-1.16.0-py2.py3-none-any.whl"
    data = b"wheel" * 100
    fake.link("six", name, data)
    lock = tmp_path / f"{name}.part.lock"
    fd = _hold_lock(lock)
    notes: list[str] = []
    timers: list[threading.Timer] = []

    def other_process_finishes() -> None:
        (tmp_path / name).write_bytes(data)
        lock.unlink()
        os.close(fd)  # releases the lock, as a process that exits does

    def log(message: str) -> None:
        notes.append(message)
        if "another cglib process" in message:  # we wait: let the other one finish
            timers.append(threading.Timer(0.3, other_process_finishes))
            timers[-1].start()

    try:
        with fake.client(Settings(retries=1, total_timeout=30)) as client:
            results = download(client, ["six"], tmp_path, log=log, no_deps=True)
    finally:
        for timer in timers:
            timer.join()
        if not timers:
            os.close(fd)
    assert [r.status for r in results] == ["already-present"]
    assert any("another cglib process" in note for note in notes)
    assert fake.store_requests() == []
    assert files_under(tmp_path) == [name]


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_waiting_for_a_lock_is_bounded(fake, tmp_path):
    import os

    name = "six-1.16.0-py2.py3-none-any.whl"
    fake.link("six", name, b"wheel")
    fd = _hold_lock(tmp_path / f"{name}.part.lock")
    try:
        with fake.client(Settings(retries=0, total_timeout=0.3)) as short:
            with pytest.raises(NetworkError, match="another cglib process") as info:
                download(short, ["six"], tmp_path, no_deps=True)
    finally:
        os.close(fd)
    assert "\n" not in str(info.value)
    assert not (tmp_path / name).exists()


def test_lock_file_is_removed_after_a_download(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"wheel")
    fake.link("six", "six-1.16.0.tar.gz", b"sdist")
    download(client, ["six"], tmp_path, all_files=True, no_deps=True)
    assert files_under(tmp_path) == ["six-1.16.0-py2.py3-none-any.whl", "six-1.16.0.tar.gz"]


# -- local write errors ----------------------------------------------------------------


def test_failing_rename_is_a_one_line_error(fake, client, tmp_path, monkeypatch):
    import os

    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"wheel")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(CglibError, match=r"cannot write .*permission denied") as info:
        download(client, ["six"], tmp_path, no_deps=True)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 9  # local file system


def test_a_destination_that_is_a_file_is_refused(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"wheel")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CglibError, match="cannot create the destination") as info:
        download(client, ["six"], blocker / "sub", no_deps=True)
    assert info.value.exit_code == 9  # local file system
    assert "\n" not in str(info.value)
    assert fake.store_requests() == []


def test_a_full_disk_is_a_one_line_error(fake, client, tmp_path, monkeypatch):
    import os

    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"wheel")
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        if len(data) == 5:  # the body, not the .part.json
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(CglibError, match=r"cannot write '.*\.part': no space left") as info:
        download(client, ["six"], tmp_path, no_deps=True)
    assert info.value.exit_code == 9  # local file system
    assert not (tmp_path / "six-1.16.0-py2.py3-none-any.whl").exists()
    assert not (tmp_path / "six-1.16.0-py2.py3-none-any.whl.part").exists()


def test_a_failure_cuts_short_the_retry_wait_of_the_other_files(fake, tmp_path):
    import time

    fake.link("p0", "p0-1.0-py3-none-any.whl", b"a" * 5000)
    fake.link("p1", "p1-1.0-py3-none-any.whl", b"b" * 100, sha256="f" * 64)
    fake.file("p0-1.0-py3-none-any.whl").serve = broken_after(
        b"a" * 100, httpx.ReadTimeout("timed out")
    )
    slow = Settings(retries=3, backoff=30, max_retry_wait=30)
    started = time.monotonic()
    with fake.client(slow) as client:
        with pytest.raises(CglibError, match="sha256 mismatch for p1"):
            download(client, ["p0", "p1"], tmp_path, jobs=2, no_deps=True)
    assert time.monotonic() - started < 10  # not the 30 s back-off of p0
    assert (tmp_path / "p0-1.0-py3-none-any.whl.part").exists()  # kept for the next run


def test_a_file_kept_from_its_metadata_read_is_not_read_again(tmp_path, monkeypatch):
    """A wheel fetched whole to read its metadata had its sha256 checked as
    it arrived: it is moved into place without being read a second time."""
    import cglib.download
    from cglib.transfer import hash_file

    index = FakeIndex(ranges=False)
    app = index.wheel("app", "1.0", requires_dist=["lib"], padding=20_000, core_metadata=False)
    lib = index.wheel("lib", "1.0", padding=20_000, core_metadata=False)
    hashed: list[str] = []

    def spy(path: Path) -> tuple[str, int]:
        hashed.append(path.name)
        return hash_file(path)

    monkeypatch.setattr(cglib.download, "hash_file", spy)
    with index.client() as c:
        results = download(c, ["app"], tmp_path / "out")
    assert [(r.filename, r.sha256, r.size) for r in results] == [
        (app.filename, app.digest, app.size),
        (lib.filename, lib.digest, lib.size),
    ]
    assert (tmp_path / "out" / lib.filename).read_bytes() == lib.content
    assert hashed == []


def test_a_file_kept_from_its_metadata_read_still_meets_the_hash_options(tmp_path):
    """Hash mode: the digest of a kept file is held to the ``--hash`` options
    like any download (here none matches: the file is refused, exit 7)."""
    from cglib.download import DownloadRequest
    from cglib.errors import IntegrityError

    index = FakeIndex(ranges=False)
    index.wheel("app", "1.0", padding=20_000, core_metadata=False)
    with index.client() as c, pytest.raises(IntegrityError) as info:
        download(c, [DownloadRequest("app", frozenset({"0" * 64}))], tmp_path / "out")
    assert info.value.exit_code == 7
    assert not (tmp_path / "out" / "app-1.0-py3-none-any.whl").exists()
