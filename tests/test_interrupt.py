"""Ctrl-C during a download: exit 130, the ``.part`` is kept, the next run resumes it."""

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
from support.servers import cglib_executable

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX-only"),
]

FILENAME = "slow-1.0-py3-none-any.whl"


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
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=env
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
