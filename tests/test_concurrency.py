"""Several cglib processes at once on one directory, or one cache: no corruption."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.hostile import TOKEN, HostileIndex, credentials_env, run_hostile_index, snapshot
from support.servers import cglib_executable

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileIndex]:
    with run_hostile_index(tmp_path_factory.mktemp("hostile")) as index:
        yield index


def _start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [cglib_executable(), *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def _finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert "Traceback" not in err
    assert TOKEN not in out + err
    return process.returncode, out, err


def test_two_downloads_into_one_directory(hostile: HostileIndex, tmp_path: Path) -> None:
    hostile.reset()
    hostile.slow_rate = 8 * 1024 * 1024  # the big file takes most of a second: real overlap
    dest = tmp_path / "dest"
    env = {**os.environ, **credentials_env()}
    reqs = ["many==1.0", "many==1.1", "many==1.2", "slow", "good"]
    argv = [
        "download",
        "--no-deps",
        *reqs,
        "-d",
        str(dest),
        "--json",
        "--index-url",
        hostile.url("json"),
    ]
    processes = [_start(argv, env), _start(argv, env)]
    results = [_finish(p) for p in processes]
    hostile.slow_rate = 0
    expected = {
        d.filename: d.sha256
        for project in ("many", "slow", "good")
        for d in hostile.projects[project]
    }
    for code, out, err in results:
        assert code == 0, err
        files = json.loads(out)["files"]
        assert {f["filename"] for f in files} == set(expected)
        for f in files:
            assert f["sha256"] == expected[f["filename"]]
            assert f["status"] in ("downloaded", "already-present")
    # Every file whole and right, nothing else left behind.
    assert sorted(snapshot(dest)) == sorted(expected)
    for name, sha in expected.items():
        assert hashlib.sha256((dest / name).read_bytes()).hexdigest() == sha
    assert sorted(snapshot(tmp_path)) == sorted(f"dest/{name}" for name in expected)


def test_two_search_refreshes_of_one_cache(hostile: HostileIndex, tmp_path: Path) -> None:
    from cglib.cache import cache_path, load

    hostile.reset()
    cache_dir = tmp_path / "cache"
    env = {**os.environ, **credentials_env(), "CGLIB_CACHE_DIR": str(cache_dir)}
    url = hostile.url("json")
    argv = ["search", "good", "--refresh", "--json", "--index-url", url]
    for _round in range(3):
        results = [_finish(p) for p in [_start(argv, env), _start(argv, env)]]
        for code, out, err in results:
            assert code == 0, err
            names = [r["name"] for r in json.loads(out)["results"]]
            assert names[0] == "good"
    # The cache is whole: it loads, and a search without --refresh is served from it.
    cached = load(cache_path(url, cache_dir / "names"))
    assert cached is not None
    assert "good" in cached.names
    before = len(hostile.seen("index", "/json/simple/"))
    code, out, err = _finish(_start(["search", "evil", "--json", "--index-url", url], env))
    assert code == 0, err
    assert {r["name"] for r in json.loads(out)["results"]} >= {"evil-dotdot", "evil-mixed"}
    # No stray temporary files in the cache directory.
    leftovers = [p for p in snapshot(cache_dir) if not p.startswith("names/")]
    assert leftovers == []
    assert len(snapshot(cache_dir / "names")) == 1
    # The listing the refreshes fetched is fresh: no request at all (this server
    # ignores If-None-Match, so a revalidation would have meant a whole fetch).
    assert len(hostile.seen("index", "/json/simple/")) == before
