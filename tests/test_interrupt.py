"""Ctrl-C (or SIGTERM) during a download: exit 130 within a second or two, the
``.part`` is kept, no lock file is left, and the next run resumes it.

A shell runs background jobs with SIGINT ignored, and Python then keeps
ignoring it: each subprocess starts with SIGINT reset to its default, so that
these tests pass however the suite is started."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.hostile import TOKEN, HostileIndex, credentials_env, run_hostile_index, snapshot
from support.servers import cglib_executable, default_sigint

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX-only"),
]

FILENAME = "slow-1.0-py3-none-any.whl"
STALLED = "file_stall-1.0-py3-none-any.whl"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileIndex]:
    with run_hostile_index(tmp_path_factory.mktemp("hostile")) as index:
        yield index


def test_ctrl_c_keeps_the_part_and_the_next_run_resumes(
    hostile: HostileIndex, tmp_path: Path
) -> None:
    dest = tmp_path / "dest"
    part = dest / f"{FILENAME}.part"
    dist = hostile.dist("slow", FILENAME)
    assert dist is not None
    hostile.reset()
    hostile.slow_rate = 2 * 1024 * 1024  # 6 MB at 2 MB/s: three seconds
    env = {**os.environ, **credentials_env()}
    argv = [cglib_executable(), "download", "--no-deps", "slow", "-d", str(dest), "-v"]
    argv += ["--index-url", hostile.url("html")]
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        preexec_fn=default_sigint,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if part.exists() and part.stat().st_size > 64 * 1024:
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.02)
        else:
            pytest.fail("the download never started")
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    out, err = stdout.decode(), stderr.decode()
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert TOKEN not in out + err
    assert not (dest / FILENAME).exists(), "no file under its final name"
    assert part.exists(), "the .part is kept for the next run"
    kept = part.stat().st_size
    assert 0 < kept < len(dist.data)
    assert set(snapshot(tmp_path)) <= {f"dest/{FILENAME}.part", f"dest/{FILENAME}.part.json"}

    # The next run asks only for the rest.
    hostile.reset()
    hostile.slow_rate = 0
    done = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=30)
    assert done.returncode == 0, done.stderr
    assert TOKEN not in done.stdout + done.stderr
    final = dest / FILENAME
    assert hashlib.sha256(final.read_bytes()).hexdigest() == dist.sha256
    assert not part.exists()
    ranges = [r.headers.get("Range") for r in hostile.seen("index", f"/files/slow/{FILENAME}")]
    assert ranges, "the file was not fetched"
    assert ranges[-1] is not None
    assert ranges[-1].startswith("bytes=")
    start = int(ranges[-1][len("bytes=") :].rstrip("-"))
    assert 0 < start <= kept
    assert sorted(snapshot(tmp_path)) == [f"dest/{FILENAME}"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("fmt", ["html", "json"])
def test_a_signal_during_a_stalled_parallel_download_ends_it_at_once(
    hostile: HostileIndex, tmp_path: Path, sig: signal.Signals, fmt: str
) -> None:
    dest = tmp_path / "dest"
    part = dest / f"{STALLED}.part"
    hostile.reset()
    hostile.slow_rate = 0
    # A long read time-out: without the fix the stalled read held Ctrl-C for it.
    env = {**os.environ, **credentials_env(CGLIB_TIMEOUT="30", CGLIB_RETRIES="3")}
    argv = [
        cglib_executable(),
        "download",
        "--no-deps",
        "good",
        "file-stall",
        "-d",
        str(dest),
        "--jobs",
        "2",
    ]
    argv += ["--index-url", hostile.url(fmt)]
    process = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        preexec_fn=default_sigint,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if part.exists() and part.stat().st_size >= 100:
                break
            assert process.poll() is None, process.communicate()
            time.sleep(0.02)
        else:
            pytest.fail("the stalled download never started")
        time.sleep(0.3)  # well into the stall
        sent = time.monotonic()
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    err = stderr.decode()
    assert process.returncode == 130, err
    assert took < 2.0, f"took {took:.1f}s to stop"
    assert "Traceback" not in err
    assert TOKEN not in stdout.decode() + err
    left = snapshot(dest)
    assert f"{STALLED}.part" in left, "the .part is kept for the next run"
    assert STALLED not in left
    assert not [name for name in left if name.endswith(".lock")], left
    # The stalled file's request carried the credentials to the index only.
    assert hostile.seen("index", "/files/file-stall/")
    assert not hostile.seen("other")


def test_parallel_map_gives_threads_a_grace_then_leaves_them(monkeypatch):
    """In-process: a KeyboardInterrupt in the caller sets the stop event and
    comes back within the grace, even while a worker is stuck."""
    import threading

    from cglib.parallel import parallel_map

    stop = threading.Event()
    release = threading.Event()

    def work(i: int) -> int:
        if i == 0:
            release.wait(30)  # a stalled read that ignores the stop event
        else:
            stop.wait(30)
        return i

    def interrupt() -> None:
        time.sleep(0.2)
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(signal, "SIGINT", signal.SIGINT)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        threading.Thread(target=interrupt, daemon=True).start()
        start = time.monotonic()
        with pytest.raises(KeyboardInterrupt):
            parallel_map(2, work, [0, 1], stop, grace=0.3)
        assert time.monotonic() - start < 1.5
        assert stop.is_set()
    finally:
        signal.signal(signal.SIGINT, previous)
        release.set()


def test_client_and_lock_waits_end_when_stopped(tmp_path):
    import threading

    from cglib.client import IndexClient
    from cglib.config import Index
    from cglib.filelock import FileLock, remove_held
    from cglib.parallel import Stopped

    client = IndexClient(Index("https://example.org/simple/"))
    threading.Timer(0.2, client.stop.set).start()
    start = time.monotonic()
    with pytest.raises(Stopped):
        client._sleep(60)
    assert time.monotonic() - start < 1.5

    lock = tmp_path / "x.part.lock"
    with FileLock(lock, timeout=5):
        assert lock.exists()
        assert remove_held() == [lock]
        assert not lock.exists()
    assert remove_held() == []


def test_a_retry_wait_ends_when_the_callers_stop_is_set():
    """A Retry-After of a minute, in a download's worker: the download's stop
    event (set by Ctrl-C or another file's failure) ends it at once."""
    import threading

    import httpx

    from cglib.client import IndexClient
    from cglib.config import Index, Settings
    from cglib.parallel import Stopped

    def busy(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, headers={"Retry-After": "60"})

    settings = Settings(retries=3, max_retry_wait=60)
    stop = threading.Event()
    with IndexClient(
        Index("https://example.org/simple/"), settings=settings, transport=httpx.MockTransport(busy)
    ) as client:
        threading.Timer(0.2, stop.set).start()
        start = time.monotonic()
        with pytest.raises(Stopped), client.stream("https://example.org/f.whl", stop=stop):
            pass
        assert time.monotonic() - start < 1.5


def test_ctrl_c_while_resolving_with_a_stalled_page_exits_at_once(tmp_path: Path) -> None:
    """A dependency's page that never answers, read by a resolver thread:
    Ctrl-C still ends the run within a second or two (exit 130), not after the
    read time-out."""
    import json
    import threading

    from support.dists import make_wheel
    from support.quiet_http import QuietHandler, QuietServer

    wheels = tmp_path / "wheels"
    wheels.mkdir()
    wheel = make_wheel(wheels, "app", "1.0", "py3-none-any", requires_dist=("dep",))
    body = wheel.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    release = threading.Event()

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            if self.path == "/simple/app/":
                page = {
                    "meta": {"api-version": "1.1"},
                    "name": "app",
                    "files": [
                        {
                            "filename": wheel.name,
                            "url": f"/f/{wheel.name}",
                            "hashes": {"sha256": digest},
                        }
                    ],
                }
                self._send(200, json.dumps(page).encode(), "application/vnd.pypi.simple.v1+json")
            elif self.path == f"/f/{wheel.name}":
                self._send(200, body, "application/octet-stream")
            else:  # /simple/dep/: the headers never come
                release.wait(60)

    server = QuietServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/simple/"
        env = {**os.environ, "CGLIB_TIMEOUT": "30"}
        argv = [cglib_executable(), "download", "app", "-d", str(tmp_path / "d"), "-i", url]
        process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            preexec_fn=default_sigint,
        )
        time.sleep(3)  # app's page and metadata are read; dep's page stalls
        assert process.poll() is None
        process.send_signal(signal.SIGINT)
        started = time.monotonic()
        _, err = process.communicate(timeout=30)
        took = time.monotonic() - started
    finally:
        release.set()
        server.shutdown()
        server.server_close()
    assert process.returncode == 130, err
    assert took < 3, f"exit took {took:.1f}s"
    assert b"Traceback" not in err
