"""cglib.download with an in-memory index (httpx.MockTransport): no sockets."""

from __future__ import annotations

import hashlib
import html
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from cglib.auth import Credentials
from cglib.client import IndexClient
from cglib.config import Index, Settings
from cglib.download import (
    DownloadRequest,
    PlannedFile,
    check_filename,
    download,
    download_file,
)
from cglib.errors import (
    CglibError,
    IntegrityError,
    NetworkError,
    NoMatchError,
    PolicyError,
    UnsafeFilenameError,
)
from cglib.selection import Target

INDEX = "https://index.example.org/simple/"
STORE = "https://store.example.net"
TOKEN = "sentinel-token-1234"


class FakeIndex:
    """Pages on index.example.org; file links 302 to store.example.net."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.page_names: dict[str, str] = {}  # filename -> link text
        self.hashes: dict[str, str | None] = {}
        self.requests: list[httpx.Request] = []
        self.store_handler: Callable[[httpx.Request, bytes], httpx.Response] | None = None
        self.front_status: dict[str, httpx.Response] = {}

    def add(
        self, filename: str, data: bytes, *, text: str | None = None, digest: str | None = ""
    ) -> None:
        self.files[filename] = data
        self.page_names[filename] = text if text is not None else filename
        self.hashes[filename] = hashlib.sha256(data).hexdigest() if digest == "" else digest

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = request.url
        if url.host == "index.example.org":
            if request.headers.get("authorization") is None:
                return httpx.Response(401)
            parts = [p for p in url.path.split("/") if p]
            if parts[:1] == ["simple"] and len(parts) == 2:
                links = []
                for name, text in self.page_names.items():
                    if not name.lower().startswith(parts[1].replace("-", "_")):
                        continue
                    digest = self.hashes[name]
                    frag = f"#sha256={digest}" if digest else ""
                    links.append(
                        f'<a href="/f/{hashlib.sha256(name.encode()).hexdigest()[:16]}/x{frag}">'
                        f"{html.escape(text)}</a>"
                    )
                if not links:
                    return httpx.Response(404)
                return httpx.Response(200, html="".join(links))
            if parts[:1] == ["f"]:
                for name in self.files:
                    if hashlib.sha256(name.encode()).hexdigest()[:16] == parts[1]:
                        if name in self.front_status:
                            return self.front_status[name]
                        return httpx.Response(
                            302, headers={"Location": f"{STORE}/o/{parts[1]}?sig=s"}
                        )
            return httpx.Response(404)
        if request.headers.get("authorization") is not None:
            return httpx.Response(403, text="store saw credentials")
        for name, data in self.files.items():
            if hashlib.sha256(name.encode()).hexdigest()[:16] == url.path.split("/")[-1]:
                if self.store_handler is not None:
                    return self.store_handler(request, data)
                return httpx.Response(200, content=data, headers={"ETag": '"v1"'})
        return httpx.Response(404)

    def store_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.host == "store.example.net"]


@pytest.fixture
def fake() -> FakeIndex:
    return FakeIndex()


@pytest.fixture
def client(fake: FakeIndex) -> Iterator[IndexClient]:
    settings = Settings(retries=1, backoff=0.001)
    with IndexClient(
        Index(INDEX),
        Credentials("user", TOKEN),
        credentials_source="env",
        settings=settings,
        transport=httpx.MockTransport(fake),
        sleep=lambda _: None,
    ) as c:
        yield c


def files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())


# -- file names ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "six-1.16.0-py2.py3-none-any.whl",
        "zope.interface-7.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "apiflask-2.0.0+cgr.1-py3-none-any.whl",
        "pkg-1.0-1-py3-none-any.whl",
        "zope_interface-7.2.tar.gz",
        "six-1.16.0.zip",
    ],
)
def test_safe_names_pass(name):
    assert check_filename(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "../six-1.16.0.tar.gz",
        "six-1.16.0/../../x.tar.gz",
        "..\\six-1.16.0.tar.gz",
        ".six-1.16.0.tar.gz",
        "six-1.16.0\x00.tar.gz",
        "six-1.16.0\t.tar.gz",
        "six-1.16.0\n.tar.gz",
        "six-1.16.0-py3-none-a:b.whl",
        "six-1.16.0-py3-none-any.exe",
        "C:six-1.16.0.tar.gz",
        "six-1..0.tar.gz",
        "",
        "s" * 300 + "-1.0.tar.gz",
    ],
)
def test_unsafe_names_are_refused(name):
    with pytest.raises(UnsafeFilenameError) as info:
        check_filename(name)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 7


def test_wheel_of_another_project_is_refused():
    with pytest.raises(UnsafeFilenameError):
        check_filename("evil-1.0-py3-none-any.whl", "six")


def test_unsafe_link_text_writes_nothing(fake, client, tmp_path):
    fake.add("six-1.16.0.tar.gz", b"sdist", text="six-1.16.0\t.tar.gz")
    dest = tmp_path / "dest"
    with pytest.raises(UnsafeFilenameError):
        download(client, ["six"], dest)
    assert not dest.exists()
    assert fake.store_requests() == []


def test_unsafe_distribution_file_is_refused_before_any_request(fake, client, tmp_path):
    from packaging.version import Version

    from cglib.models import DistributionFile

    evil = DistributionFile("../evil-1.0.tar.gz", f"{INDEX}../x", "evil", Version("1.0"), "sdist")
    with pytest.raises(UnsafeFilenameError):
        download_file(client, evil, tmp_path)
    assert fake.requests == []
    assert files_under(tmp_path.parent / tmp_path.name) == []


# -- the transfer ----------------------------------------------------------------------


def test_redirect_download_keeps_credentials_off_the_store(fake, client, tmp_path):
    data = b"wheel bytes" * 1000
    fake.add("six-1.16.0-py2.py3-none-any.whl", data)
    results = download(client, ["six==1.16.0"], tmp_path)
    assert [r.status for r in results] == ["downloaded"]
    saved = tmp_path / "six-1.16.0-py2.py3-none-any.whl"
    assert saved.read_bytes() == data
    assert results[0].sha256 == hashlib.sha256(data).hexdigest()
    assert results[0].to_json()["path"] == str(saved)
    assert files_under(tmp_path) == [saved.name]
    store = fake.store_requests()
    assert len(store) == 1
    assert "authorization" not in store[0].headers
    assert store[0].headers["accept-encoding"] == "identity"
    front = [r for r in fake.requests if r.url.host == "index.example.org"]
    assert all("authorization" in r.headers for r in front)


def test_present_file_with_right_hash_is_skipped(fake, client, tmp_path):
    data = b"x" * 100
    fake.add("six-1.16.0-py2.py3-none-any.whl", data)
    (tmp_path / "six-1.16.0-py2.py3-none-any.whl").write_bytes(data)
    results = download(client, ["six"], tmp_path)
    assert results[0].status == "already-present"
    assert fake.store_requests() == []


def test_present_file_with_wrong_hash_is_replaced(fake, client, tmp_path):
    data = b"x" * 100
    fake.add("six-1.16.0-py2.py3-none-any.whl", data)
    (tmp_path / "six-1.16.0-py2.py3-none-any.whl").write_bytes(b"old")
    results = download(client, ["six"], tmp_path)
    assert results[0].status == "downloaded"
    assert (tmp_path / "six-1.16.0-py2.py3-none-any.whl").read_bytes() == data


def test_hash_mismatch_leaves_nothing(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"good", digest="f" * 64)
    with pytest.raises(IntegrityError, match="sha256 mismatch") as info:
        download(client, ["six"], tmp_path)
    assert info.value.exit_code == 7
    assert files_under(tmp_path) == []


def test_requirements_file_hash_is_checked_too(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"good")
    wanted = DownloadRequest("six", frozenset({"e" * 64}), "r.txt:1")
    with pytest.raises(IntegrityError, match="--hash"):
        download(client, [wanted], tmp_path)
    assert files_under(tmp_path) == []
    ok = DownloadRequest("six", frozenset({hashlib.sha256(b"good").hexdigest()}), "r.txt:1")
    assert download(client, [ok], tmp_path)[0].status == "downloaded"


def test_short_body_is_an_integrity_error(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"a" * 100)
    fake.store_handler = lambda request, data: httpx.Response(
        200, content=data[:50], headers={"Content-Length": "100"}
    )
    with pytest.raises(IntegrityError, match="truncated transfer") as info:
        download(client, ["six"], tmp_path)
    assert "\n" not in str(info.value)
    assert files_under(tmp_path) == []


def test_policy_answer_shows_the_reason(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"x")
    fake.front_status["six-1.16.0-py2.py3-none-any.whl"] = httpx.Response(
        409, json={"error": "blocked", "reason": "POLICY_COOLDOWN", "message": "wait"}
    )
    with pytest.raises(PolicyError, match="cool-down") as info:
        download(client, ["six"], tmp_path)
    assert info.value.reason == "POLICY_COOLDOWN"
    assert files_under(tmp_path) == []


def test_no_index_hash_downloads_with_a_warning(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"x", digest=None)
    warnings: list[str] = []
    results = download(client, ["six"], tmp_path, warn=warnings.append)
    assert results[0].unverified
    assert "no sha256" in warnings[0]


def _ranged(
    data: bytes, seen: list[dict[str, str]]
) -> Callable[[httpx.Request, bytes], httpx.Response]:
    def handler(request: httpx.Request, _: bytes) -> httpx.Response:
        seen.append(dict(request.headers))
        header = request.headers.get("range")
        if header and request.headers.get("if-range") == '"v1"':
            start = int(header.removeprefix("bytes=").rstrip("-"))
            return httpx.Response(
                206,
                content=data[start:],
                headers={
                    "Content-Range": f"bytes {start}-{len(data) - 1}/{len(data)}",
                    "ETag": '"v1"',
                },
            )
        return httpx.Response(200, content=data, headers={"ETag": '"v1"'})

    return handler


def test_interrupted_download_keeps_part_and_resumes(fake, client, tmp_path):
    data = bytes(range(256)) * 4096  # 1 MiB
    name = "six-1.16.0-py2.py3-none-any.whl"
    fake.add(name, data)
    seen: list[dict[str, str]] = []
    fake.store_handler = lambda request, _: httpx.Response(
        200,
        content=iter([data[:300_000], data[300_000:]]),
        headers={"ETag": '"v1"', "Content-Length": str(len(data))},
    )

    class Interrupt:
        def start(self, file: str, total: int | None) -> None:
            pass

        def advance(self, file: str, n: int) -> None:
            raise KeyboardInterrupt

        def done(self, file: str) -> None:
            pass

    with pytest.raises(KeyboardInterrupt):
        download(client, ["six"], tmp_path, progress=Interrupt())
    part = tmp_path / f"{name}.part"
    assert part.read_bytes() == data[:300_000]
    assert not (tmp_path / name).exists()

    fake.store_handler = _ranged(data, seen)
    results = download(client, ["six"], tmp_path)
    assert results[0].status == "downloaded"
    assert (tmp_path / name).read_bytes() == data
    assert seen[-1]["range"] == "bytes=300000-"
    assert seen[-1]["if-range"] == '"v1"'
    assert files_under(tmp_path) == [name]


def test_resume_answered_with_200_starts_over(fake, client, tmp_path):
    data = b"0123456789" * 1000
    name = "six-1.16.0-py2.py3-none-any.whl"
    fake.add(name, data)
    (tmp_path / f"{name}.part").write_bytes(b"garbage!")
    (tmp_path / f"{name}.part.json").write_text(
        json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "validator": '"old"'})
    )
    seen: list[dict[str, str]] = []
    fake.store_handler = _ranged(data, seen)
    download(client, ["six"], tmp_path)
    assert seen[0]["range"] == "bytes=8-"
    assert (tmp_path / name).read_bytes() == data
    assert files_under(tmp_path) == [name]


def test_bad_resumed_prefix_is_caught_by_the_hash(fake, client, tmp_path):
    data = b"0123456789" * 1000
    name = "six-1.16.0-py2.py3-none-any.whl"
    fake.add(name, data)
    (tmp_path / f"{name}.part").write_bytes(b"garbage!")
    (tmp_path / f"{name}.part.json").write_text(
        json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "validator": '"v1"'})
    )
    seen: list[dict[str, str]] = []
    fake.store_handler = _ranged(data, seen)
    download(client, ["six"], tmp_path)
    assert [s.get("range") for s in seen] == ["bytes=8-", None]
    assert (tmp_path / name).read_bytes() == data


def test_part_symlink_is_not_followed(fake, client, tmp_path):
    data = b"payload"
    name = "six-1.16.0-py2.py3-none-any.whl"
    fake.add(name, data)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / f"{name}.part").symlink_to(outside)
    download(client, ["six"], dest)
    assert outside.read_text() == "keep me"
    assert (dest / name).read_bytes() == data
    assert not (dest / name).is_symlink()


# -- choosing ----------------------------------------------------------------------


def test_many_files_concurrently_in_order(fake, client, tmp_path):
    names = [f"p{i}" for i in range(12)]
    for name in names:
        fake.add(f"{name}-1.0-py3-none-any.whl", name.encode() * 100)
    results = download(client, names, tmp_path, jobs=4)
    assert [r.project for r in results] == names
    assert len(files_under(tmp_path)) == 12


def test_marker_false_for_target_is_skipped(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"x")
    target = Target.from_options(platforms=["win_amd64"])
    notes: list[str] = []
    assert (
        download(client, ["six; sys_platform == 'linux'"], tmp_path, target, log=notes.append) == []
    )
    assert "marker is false" in notes[0]


def test_no_file_for_target_lists_files_and_reasons(fake, client, tmp_path):
    fake.add("six-1.16.0-cp312-cp312-win_amd64.whl", b"x")
    fake.add("six-1.16.0.tar.gz", b"y")
    target = Target.from_options(platforms=["manylinux_2_28_x86_64"], python_version="3.12")
    with pytest.raises(NoMatchError) as info:
        download(client, ["six"], tmp_path, target, only_binary=True)
    text = str(info.value)
    assert "six-1.16.0-cp312-cp312-win_amd64.whl (its tags do not fit the target)" in text
    assert "six-1.16.0.tar.gz (an sdist, and --only-binary asks for wheels)" in text
    assert "\n" not in text
    assert info.value.exit_code == 5


def test_chainguard_hint_off_linux(monkeypatch, tmp_path):
    import cglib.download as module

    monkeypatch.setattr(module.sys, "platform", "darwin")
    wheel = "six-1.16.0-cp312-cp312-manylinux_2_28_s390x.whl"
    page = f'<a href="/f/1#sha256={"0" * 64}">{wheel}</a>'
    transport = httpx.MockTransport(lambda request: httpx.Response(200, html=page))
    index = Index("https://libraries.cgr.dev/python/simple/")
    with IndexClient(index, Credentials("u", TOKEN), transport=transport) as c:
        with pytest.raises(NoMatchError) as info:
            download(c, ["six"], tmp_path)
    assert "--platform manylinux_2_28_x86_64" in (info.value.hint or "")
    assert wheel in info.value.message
    assert files_under(tmp_path) == []


def test_no_matching_version(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"x")
    fake.add("six-2.0.0rc1-py2.py3-none-any.whl", b"x")
    with pytest.raises(NoMatchError, match=r"no final version of six matches >1.16.*2\.0\.0rc1"):
        download(client, ["six>1.16"], tmp_path)
    with pytest.raises(NoMatchError) as info:
        download(client, ["six>1.16"], tmp_path)
    assert "--pre" in (info.value.hint or "")
    assert download(client, ["six>1.16"], tmp_path, pre=True)[0].version == "2.0.0rc1"


def test_planned_file_accepts_hash_set(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"x")
    page = client.get_project("six")
    planned = PlannedFile(page.files[0], frozenset({hashlib.sha256(b"x").hexdigest()}))
    assert download_file(client, planned, tmp_path).status == "downloaded"


# -- broken transfers: time-outs are network errors, short bodies integrity errors -------


def _broken_after(
    data: bytes, error: Exception
) -> Callable[[httpx.Request, bytes], httpx.Response]:
    """A store answer whose body gives ``data`` and then fails with ``error``."""

    class Body(httpx.SyncByteStream):
        def __iter__(self) -> Iterator[bytes]:
            yield data
            raise error

    def handler(request: httpx.Request, full: bytes) -> httpx.Response:
        return httpx.Response(
            200,
            stream=Body(),
            headers={"Content-Length": str(len(full)), "ETag": '"v1"'},
        )

    return handler


def test_stalled_body_is_a_network_error_and_keeps_the_part(fake, client, tmp_path):
    name = "six-1.16.0-py2.py3-none-any.whl"
    data = bytes(range(256)) * 64
    fake.add(name, data)
    fake.store_handler = _broken_after(data[:1000], httpx.ReadTimeout("timed out"))
    with pytest.raises(NetworkError, match="timed out") as info:
        download(client, ["six"], tmp_path)
    error = info.value
    assert not isinstance(error, IntegrityError)
    assert error.exit_code == 6
    assert "\n" not in str(error)
    assert name in error.message
    assert "store.example.net" in (error.url or "")
    assert "resume" in (error.hint or "")
    assert len(fake.store_requests()) == 2  # tried again once (retries=1), from where it stopped
    assert fake.store_requests()[1].headers["range"] == "bytes=1000-"
    assert (tmp_path / f"{name}.part").read_bytes() == data[:1000]
    assert not (tmp_path / name).exists()
    # The next run goes on from the .part.
    seen: list[dict[str, str]] = []
    fake.store_handler = _ranged(data, seen)
    assert download(client, ["six"], tmp_path)[0].status == "downloaded"
    assert seen[-1]["range"] == "bytes=1000-"
    assert files_under(tmp_path) == [name]


def test_connection_reset_mid_body_is_a_network_error(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"x" * 5000)
    fake.store_handler = _broken_after(b"x" * 100, httpx.ReadError("connection reset by peer"))
    with pytest.raises(NetworkError) as info:
        download(client, ["six"], tmp_path)
    assert info.value.exit_code == 6
    assert not (tmp_path / "six-1.16.0-py2.py3-none-any.whl").exists()


def test_body_closed_before_its_length_is_a_truncated_transfer(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"x" * 5000)
    fake.store_handler = _broken_after(
        b"x" * 100, httpx.RemoteProtocolError("peer closed connection without sending complete")
    )
    with pytest.raises(IntegrityError, match="truncated transfer") as info:
        download(client, ["six"], tmp_path)
    assert info.value.exit_code == 7
    assert "got 100 of 5000 bytes" in info.value.message
    assert files_under(tmp_path) == []  # no .part is kept after an integrity failure


# -- unsafe link names of the requested project -----------------------------------------


def test_only_unsafe_links_are_refused_by_name(fake, client, tmp_path):
    fake.add("six-1.16.0.tar.gz", b"sdist", text="../six-1.16.0.tar.gz")
    dest = tmp_path / "dest"
    with pytest.raises(UnsafeFilenameError) as info:
        download(client, ["six"], dest)
    assert info.value.exit_code == 7
    assert "'../six-1.16.0.tar.gz'" in info.value.message
    assert "\n" not in str(info.value)
    assert not dest.exists()
    assert fake.store_requests() == []


def test_unsafe_link_beside_a_safe_file_is_passed_over_with_a_warning(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"wheel")
    fake.add("six-1.16.0-py3-none-any.whl", b"evil", text="six-1.16.0-py3-none-any.whl\x1b[2J")
    warnings: list[str] = []
    results = download(client, ["six"], tmp_path, warn=warnings.append)
    assert [r.filename for r in results] == ["six-1.16.0-py2.py3-none-any.whl"]
    assert len(warnings) == 1
    assert "unsafe" in warnings[0]
    assert "\\\\x1b" in warnings[0]  # escaped, never a raw control character
    assert "\x1b" not in warnings[0]
    assert files_under(tmp_path) == ["six-1.16.0-py2.py3-none-any.whl"]


def test_all_files_refuses_an_unsafe_link(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"wheel")
    fake.add("six-1.16.0.tar.gz", b"sdist", text="/var/six-1.16.0.tar.gz")
    with pytest.raises(UnsafeFilenameError, match=r"/var/six-1\.16\.0\.tar\.gz"):
        download(client, ["six"], tmp_path, all_files=True)
    assert files_under(tmp_path) == []


def test_unsafe_links_of_other_versions_or_projects_are_ignored(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"wheel")
    fake.add("six-0.9.tar.gz", b"old", text="../six-0.9.tar.gz")
    fake.add("six_other-1.0.tar.gz", b"other", text="../six_other-1.0.tar.gz")
    fake.add("six-junk.exe", b"exe", text="six-junk.exe")
    warnings: list[str] = []
    results = download(client, ["six>=1"], tmp_path, warn=warnings.append, all_files=True)
    assert [r.filename for r in results] == ["six-1.16.0-py2.py3-none-any.whl"]
    assert warnings == []


# -- two processes, one directory: a lock per file ----------------------------------------


def _hold_lock(path: Path) -> int:
    import fcntl
    import os

    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_waits_for_another_download_of_the_same_file(fake, client, tmp_path):
    import os
    import threading

    name = "six-1.16.0-py2.py3-none-any.whl"
    data = b"wheel" * 100
    fake.add(name, data)
    lock = tmp_path / f"{name}.part.lock"
    fd = _hold_lock(lock)
    notes: list[str] = []

    def other_process_finishes() -> None:
        (tmp_path / name).write_bytes(data)
        lock.unlink()
        os.close(fd)  # releases the lock, as a process that exits does

    timer = threading.Timer(0.3, other_process_finishes)
    timer.start()
    try:
        results = download(client, ["six"], tmp_path, log=notes.append)
    finally:
        timer.join()
    assert [r.status for r in results] == ["already-present"]
    assert any("another cglib process" in note for note in notes)
    assert fake.store_requests() == []
    assert files_under(tmp_path) == [name]


@pytest.mark.skipif(sys.platform == "win32", reason="flock is POSIX")
def test_waiting_for_a_lock_is_bounded(fake, tmp_path):
    import os

    name = "six-1.16.0-py2.py3-none-any.whl"
    fake.add(name, b"wheel")
    fd = _hold_lock(tmp_path / f"{name}.part.lock")
    try:
        with IndexClient(
            Index(INDEX),
            Credentials("user", TOKEN),
            credentials_source="env",
            settings=Settings(retries=0, total_timeout=0.3),
            transport=httpx.MockTransport(fake),
        ) as short:
            with pytest.raises(NetworkError, match="another cglib process") as info:
                download(short, ["six"], tmp_path)
    finally:
        os.close(fd)
    assert "\n" not in str(info.value)
    assert not (tmp_path / name).exists()


def test_lock_file_is_removed_after_a_download(fake, client, tmp_path):
    fake.add("six-1.16.0-py2.py3-none-any.whl", b"wheel")
    fake.add("six-1.16.0.tar.gz", b"sdist")
    download(client, ["six"], tmp_path, all_files=True)
    assert files_under(tmp_path) == ["six-1.16.0-py2.py3-none-any.whl", "six-1.16.0.tar.gz"]


def test_failing_rename_is_a_one_line_error(fake, client, tmp_path, monkeypatch):
    import os

    fake.add("six-1.16.0-py2.py3-none-any.whl", b"wheel")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(CglibError, match=r"cannot write .*Permission denied") as info:
        download(client, ["six"], tmp_path)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 2
