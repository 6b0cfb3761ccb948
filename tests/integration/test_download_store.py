"""`cglib download` against real servers: a redirecting index whose files live
on a separate store (127.0.0.2) that refuses credentials, and pypiserver."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from cglib.selection import Target
from support.dists import make_sdist, make_wheel, sha256_of
from support.servers import cglib_executable, default_sigint
from support.store import IndexWithStore, run_store

pytestmark = pytest.mark.integration

SIX = "six-1.16.0-py2.py3-none-any.whl"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[IndexWithStore]:
    dists = tmp_path / "dists"
    dists.mkdir()
    with run_store(tmp_path / "store") as server:
        server.add("six", SIX, source=make_wheel(dists, "six", "1.16.0", "py2.py3-none-any"))
        server.add("six", "six-1.16.0.tar.gz", source=make_sdist(dists, "six", "1.16.0"))
        for platform in ("manylinux_2_28_x86_64", "manylinux_2_39_aarch64", "win_amd64"):
            wheel = make_wheel(dists, "native", "2.0", f"cp312-cp312-{platform}")
            server.add("native", wheel.name, source=wheel)
        server.add("big", "big-1.0-py3-none-any.whl", os.urandom(3 << 20))
        yield server


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory of the command; everything it writes must stay in it."""
    directory = tmp_path / "work"
    directory.mkdir()
    monkeypatch.chdir(directory)
    return directory


def written(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def run(cli, store: IndexWithStore, *args: str):  # type: ignore[no-untyped-def]
    return cli("download", "--no-deps", *args, "--index-url", store.index_url_with_credentials)


def assert_one_line_failure(result, code: int, store: IndexWithStore) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    # One error line; retry waits are said before it (as warnings, as pip does).
    lines = result.stderr.strip().splitlines()
    assert [line for line in lines if not line.startswith("warning: retrying ")] == lines[-1:]
    assert lines[-1].startswith("error: "), result.stderr
    assert store.password not in result.stderr


def test_store_fixture_rejects_credentials(store):
    url = store.signed_url(store.by_name(SIX).id)
    assert httpx.get(url).status_code == 200
    assert httpx.get(url, headers={"Authorization": store.auth_header}).status_code == 403
    assert httpx.get(url.replace("signature=", "signature=0")).status_code == 403


def test_download_through_the_redirect(cli, store, work):
    result = run(cli, store, "six==1.16.0", "-d", "wheels")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{Path('wheels') / SIX}\n"
    assert sha256_of(work / "wheels" / SIX) == store.by_name(SIX).sha256
    assert written(work) == [f"wheels/{SIX}"]
    store_hits = store.store_requests()
    assert len(store_hits) == 1
    assert "Authorization" not in store_hits[0].headers
    assert store_hits[0].status == 200
    fronts = [r for r in store.requests if r.server == "front"]
    assert fronts
    assert all(r.headers.get("Authorization") == store.auth_header for r in fronts)
    assert store.password not in result.stdout + result.stderr

    again = run(cli, store, "six==1.16.0", "-d", "wheels", "--json")
    assert again.exit_code == 0, again.stderr
    doc = json.loads(again.stdout)
    assert doc["index"] == store.index_url
    assert doc["files"] == [
        {
            "project": "six",
            "version": "1.16.0",
            "filename": SIX,
            "path": str(Path("wheels") / SIX),
            "sha256": store.by_name(SIX).sha256,
            "size": (work / "wheels" / SIX).stat().st_size,
            "status": "already-present",
            "required_by": [],
        }
    ]
    assert doc["targets"] == [Target().describe()]
    assert len(store.store_requests()) == 1


def test_multi_platform_wheelhouse(cli, store, work):
    for platform in ("manylinux_2_39_x86_64", "manylinux_2_39_aarch64"):
        result = run(
            cli,
            store,
            "native",
            "six",
            "--platform",
            platform,
            "--python-version",
            "3.12",
            "-d",
            "wheelhouse",
        )
        assert result.exit_code == 0, result.stderr
    assert written(work) == [
        "wheelhouse/native-2.0-cp312-cp312-manylinux_2_28_x86_64.whl",
        "wheelhouse/native-2.0-cp312-cp312-manylinux_2_39_aarch64.whl",
        f"wheelhouse/{SIX}",
    ]


def test_all_files_and_no_binary(cli, store, work):
    result = run(cli, store, "six", "--all-files", "-d", "all", "-q")
    assert result.exit_code == 0, result.stderr
    assert sorted(result.stdout.split()) == [f"all/{SIX}", "all/six-1.16.0.tar.gz"]
    sdist = run(cli, store, "six", "--no-binary", ":all:", "-d", "src")
    assert sdist.stdout.strip() == "src/six-1.16.0.tar.gz"


def test_requirements_file_with_hashes_and_index_option(cli, store, work):
    good = store.by_name(SIX).sha256
    (work / "req.txt").write_text(
        f"--index-url https://example.org/simple/\nsix==1.16.0 --hash=sha256:{good}\n"
    )
    result = run(cli, store, "-r", "req.txt", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert "ignoring --index-url" in result.stderr
    (work / "bad.txt").write_text(f"six==1.16.0 --hash=sha256:{'0' * 64}\n")
    bad = run(cli, store, "-r", "bad.txt", "-d", "bad")
    assert_one_line_failure(bad, 7, store)
    assert not (work / "bad" / SIX).exists()
    assert written(work / "bad") == []


def test_truncated_body_exit_7(cli, store, work, monkeypatch):
    monkeypatch.setenv("CGLIB_RETRIES", "1")
    store.behaviour["big-1.0-py3-none-any.whl"] = "truncate"
    result = run(cli, store, "big", "-d", "out")
    assert_one_line_failure(result, 7, store)
    assert "truncated" in result.stderr
    assert written(work) == []


def test_broken_transfer_is_resumed(cli, store, work):
    store.behaviour["big-1.0-py3-none-any.whl"] = "truncate-once"
    result = run(cli, store, "big", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert (
        sha256_of(work / "out" / "big-1.0-py3-none-any.whl")
        == store.by_name("big-1.0-py3-none-any.whl").sha256
    )
    statuses = [r.status for r in store.store_requests()]
    assert statuses == [200, 206]
    assert store.store_requests()[1].headers["Range"].startswith("bytes=")
    assert written(work) == ["out/big-1.0-py3-none-any.whl"]


def test_wrong_body_exit_7(cli, store, work):
    store.behaviour[SIX] = "wrong"
    result = run(cli, store, "six", "--only-binary", ":all:", "-d", "out")
    assert_one_line_failure(result, 7, store)
    assert "sha256 mismatch" in result.stderr
    assert written(work) == []


def test_policy_409_exit_8(cli, store, work):
    store.behaviour[SIX] = "409:MALWARE_DETECTED"
    result = run(cli, store, "six", "--only-binary", ":all:", "-d", "out")
    assert_one_line_failure(result, 8, store)
    assert "MALWARE_DETECTED" in result.stderr
    assert written(work) == []
    doc = run(cli, store, "six", "--only-binary", ":all:", "-d", "out", "--json")
    assert json.loads(doc.stderr)["error"]["reason"] == "MALWARE_DETECTED"


def test_expired_link_exit_4(cli, store, work):
    store.behaviour[SIX] = "expired"
    result = run(cli, store, "six", "--only-binary", ":all:", "-d", "out")
    assert_one_line_failure(result, 4, store)
    assert "file store refused" in result.stderr
    assert written(work) == []


def test_unsafe_file_name_exit_7(cli, store, work):
    # Neither the link text nor the last segment of the URL is a plain name.
    store.add("evil", "evil-1.0\t.tar.gz", b"x")
    result = run(cli, store, "evil", "-d", "out")
    assert_one_line_failure(result, 7, store)
    assert "refusing evil files with unsafe names" in result.stderr
    assert "'evil-1.0\\\\x09.tar.gz'" in result.stderr  # escaped, named with repr
    assert written(work) == []
    assert store.store_requests() == []


def test_unsafe_link_text_with_a_plain_url_name_is_saved_under_the_url_name(cli, store, work):
    store.add("evil", "evil-1.0.tar.gz", b"x", link_text="evil-1.0\t.tar.gz")
    result = run(cli, store, "evil", "-d", "out")
    assert result.exit_code == 0, result.stderr
    assert written(work) == ["out/evil-1.0.tar.gz"]


def test_no_file_for_target_exit_5(cli, store, work):
    result = run(cli, store, "native", "--platform", "musllinux_1_2_x86_64", "-d", "out")
    assert_one_line_failure(result, 5, store)
    assert "native-2.0-cp312-cp312-win_amd64.whl (its tags do not fit the target)" in result.stderr
    assert written(work) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("six", "--only-binary", ":all:", "--no-binary", ":all:"), "only one of"),
        (("six ==",), "malformed requirement"),
        ((), "nothing to download"),
        (("six", "--platform", "linux/x86"), "not a platform tag"),
        (("six", "--platform", ""), "not a platform tag"),
        (("six", "--platform", "manylinux_2_99999_x86_64"), "beyond 99"),
        (("six", "--python-version", "3.99999999999999999999"), "not a Python version"),
        (("six", "--abi", "cp312\n"), "not an ABI tag"),
        (("six", "--jobs", "0"), "--jobs"),
        (("-r", "missing.txt"), "cannot read requirements file"),
    ],
)
def test_usage_errors_exit_2(cli, store, work, args, message):
    result = run(cli, store, *args)
    assert_one_line_failure(result, 2, store)
    assert message in result.stderr
    assert written(work) == []


def test_many_files_at_once(cli, store, work):
    names = [f"pkg{i}" for i in range(20)]
    for name in names:
        store.add(name, f"{name}-1.0-py3-none-any.whl", name.encode() * 50)
    result = run(cli, store, *names, "--jobs", "8", "-d", "many")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [f"many/{n}-1.0-py3-none-any.whl" for n in names]


def test_ctrl_c_keeps_part_and_next_run_resumes(store, work, isolate):
    from conftest import isolated_env

    store.behaviour["big-1.0-py3-none-any.whl"] = "slow"
    env = isolated_env(isolate)
    command = [
        cglib_executable(),
        "download",
        "--no-deps",
        "big",
        "-d",
        "out",
        "--index-url",
        store.index_url_with_credentials,
    ]
    process = subprocess.Popen(
        command,
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    )
    part = work / "out" / "big-1.0-py3-none-any.whl.part"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and (not part.exists() or part.stat().st_size < 300_000):
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert part.stat().st_size > 0
    assert not (work / "out" / "big-1.0-py3-none-any.whl").exists()

    store.behaviour.clear()
    done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    last = store.store_requests()[-1]
    assert last.status == 206
    assert last.headers.get("If-Range")
    final = work / "out" / "big-1.0-py3-none-any.whl"
    assert hashlib.sha256(final.read_bytes()).hexdigest() == store.by_name(final.name).sha256
    assert written(work) == ["out/big-1.0-py3-none-any.whl"]


# -- pypiserver (same-origin links, no redirect) ---------------------------------------


def test_pypiserver_downloads(pypi, run_cglib, tmp_path):
    dest = tmp_path / "dl"
    result = run_cglib(
        "download",
        "--no-deps",
        "six==1.16.0",
        "apiflask==2.0.0",
        "-d",
        str(dest),
        "--index-url",
        pypi.url_with_credentials,
    )
    assert result.exit_code == 0, result.stderr
    assert sorted(Path(line).name for line in result.stdout.splitlines()) == [
        "APIFlask-2.0.0+cgr.1-py3-none-any.whl",
        "six-1.16.0-py2.py3-none-any.whl",
    ]
    assert sha256_of(dest / "six-1.16.0-py2.py3-none-any.whl") == sha256_of(
        pypi.packages / "six-1.16.0-py2.py3-none-any.whl"
    )
    assert pypi.password not in result.stdout + result.stderr


def test_pypiserver_platform_target(pypi, run_cglib, tmp_path):
    result = run_cglib(
        "download",
        "--no-deps",
        "zope.interface",
        "--platform",
        "manylinux_2_39_x86_64",
        "--python-version",
        "3.11",
        "-d",
        str(tmp_path),
        "--json",
        "--index-url",
        pypi.url_with_credentials,
    )
    assert result.exit_code == 0, result.stderr
    files = json.loads(result.stdout)["files"]
    assert [f["filename"] for f in files] == [
        "zope.interface-7.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    ]
    other = run_cglib(
        "download",
        "--no-deps",
        "zope.interface",
        "--platform",
        "win_amd64",
        "--only-binary",
        ":all:",
        "-d",
        str(tmp_path / "none"),
        "--index-url",
        pypi.url_with_credentials,
    )
    assert other.exit_code == 5
    assert "zope.interface-7.2.tar.gz (an sdist, and --only-binary asks for wheels)" in other.stderr
    assert not (tmp_path / "none").exists()
