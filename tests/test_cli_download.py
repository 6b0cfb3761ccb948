"""``cglib download`` (cglib.cli.download): the closure it resolves, targets, pip's
binary and hash options, the options checked before any file is read, the
progress display on terminals only.

Through the command line, against the fake index of real wheels in
tests/support/fakeindex.py (in memory, through pytest-httpx).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from support.fakeindex import FakeIndex, serve_http

LINUX = "manylinux_2_28_x86_64@3.12"
WINDOWS = "win_amd64@3.12"


def saved(dest: Path) -> list[str]:
    return sorted(p.name for p in dest.iterdir()) if dest.exists() else []


@pytest.fixture
def index(httpx_mock) -> FakeIndex:  # type: ignore[no-untyped-def]
    index = FakeIndex()
    index.wheel(
        "web",
        "2.0",
        requires_dist=[
            "core>=1",
            'colorama; platform_system == "Windows"',
            'oldcompat; python_version < "3.10"',
            "socksy>=1; extra == 'socks'",
        ],
        provides_extra=["socks"],
    )
    index.wheel("web", "1.0")  # older: must not be chosen
    index.wheel("core", "1.0")
    index.wheel("core", "1.5", requires_dist=["tiny"])
    index.wheel("tiny", "0.1")
    index.wheel("colorama", "0.4.6")
    index.wheel("oldcompat", "1.0")
    index.wheel("socksy", "1.7")
    index.mount(httpx_mock)
    return index


def download(cli, index: FakeIndex, dest: Path, *args: str):  # type: ignore[no-untyped-def]
    return cli("download", *args, "-d", str(dest), "--index-url", index.url)


def test_the_closure_is_saved_with_extras(cli, index: FakeIndex, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "out"
    result = download(cli, index, dest, "web[socks]", "--target", LINUX)
    assert result.exit_code == 0, result.stderr
    expected = [
        "core-1.5-py3-none-any.whl",
        "socksy-1.7-py3-none-any.whl",
        "tiny-0.1-py3-none-any.whl",
        "web-2.0-py3-none-any.whl",
    ]
    assert saved(dest) == expected
    lines = result.stdout.splitlines()
    assert sorted(Path(line).name for line in lines) == expected
    assert Path(lines[0]).name == "web-2.0-py3-none-any.whl"  # what was asked for first


def test_no_deps_saves_only_what_was_named(cli, index: FakeIndex, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "out"
    result = download(cli, index, dest, "web", "--no-deps", "--target", LINUX)
    assert result.exit_code == 0, result.stderr
    assert saved(dest) == ["web-2.0-py3-none-any.whl"]
    assert index.asked("metadata") == []


def test_markers_per_target_and_the_union(cli, index: FakeIndex, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    linux = tmp_path / "linux"
    assert download(cli, index, linux, "web", "--target", LINUX).exit_code == 0
    assert "colorama-0.4.6-py3-none-any.whl" not in saved(linux)
    both = tmp_path / "both"
    result = download(
        cli, index, both, "web", "--target", LINUX, "--target", WINDOWS, "--target", "win32@3.9"
    )
    assert result.exit_code == 0, result.stderr
    assert saved(both) == [
        "colorama-0.4.6-py3-none-any.whl",
        "core-1.5-py3-none-any.whl",
        "oldcompat-1.0-py3-none-any.whl",
        "tiny-0.1-py3-none-any.whl",
        "web-2.0-py3-none-any.whl",
    ]


def test_platform_describes_a_whole_environment(cli, index: FakeIndex, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "out"
    args = ("web", "--platform", "win_amd64", "--python-version", "3.12")
    result = download(cli, index, dest, *args)
    assert result.exit_code == 0, result.stderr
    assert "colorama-0.4.6-py3-none-any.whl" in saved(dest)  # pip would drop it on Linux


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (("--platform", "manylinux_2_28_amd64"), "manylinux_2_28_x86_64"),
        (("--platform", "win64"), "win_amd64"),
        (("--target", "manylinux_2_28_arm64@3.12"), "manylinux_2_28_aarch64"),
    ],
)
def test_a_platform_typo_is_a_usage_error_with_the_spelling(  # type: ignore[no-untyped-def]
    cli, index: FakeIndex, tmp_path: Path, args: tuple[str, ...], suggestion: str
) -> None:
    result = download(cli, index, tmp_path / "out", "web", *args)
    assert result.exit_code == 2
    assert f"did you mean {suggestion}?" in result.stderr
    assert index.requests == []


def test_target_with_platform_is_a_usage_error(cli, index: FakeIndex, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ("web", "--target", LINUX, "--python-version", "3.11")
    result = download(cli, index, tmp_path / "out", *args)
    assert result.exit_code == 2
    assert "--target names whole environments" in result.stderr


def test_json_has_targets_and_required_by(cli, index: FakeIndex, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "out"
    result = download(cli, index, dest, "web", "--json", "--target", LINUX, "--target", WINDOWS)
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["index"] == index.url
    assert body["targets"] == ["cp312 on manylinux_2_28_x86_64", "cp312 on win_amd64"]
    by_project = {f["project"]: f for f in body["files"]}
    assert by_project["web"]["required_by"] == []
    assert by_project["core"]["required_by"] == ["web"]
    assert by_project["tiny"]["required_by"] == ["core"]
    assert by_project["colorama"]["required_by"] == ["web"]
    for f in body["files"]:
        assert set(f) >= {"project", "version", "filename", "path", "sha256", "size", "status"}
        assert f["status"] == "downloaded"


def test_only_binary_and_no_binary(cli, httpx_mock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    index = FakeIndex()
    index.wheel("lib", "1.0", requires_dist=["dep"])
    index.sdist("lib", "2.0", requires_dist=["dep"])
    index.wheel("dep", "1.0")
    index.sdist("dep", "1.0")
    index.mount(httpx_mock)

    def names(*args: str) -> list[str]:
        dest = tmp_path / "-".join(args).replace(":", "")
        result = download(cli, index, dest, "lib", "--target", LINUX, *args)
        assert result.exit_code == 0, result.stderr
        return saved(dest)

    assert names() == ["dep-1.0-py3-none-any.whl", "lib-2.0.tar.gz"]
    assert names("--only-binary", ":all:") == [
        "dep-1.0-py3-none-any.whl",
        "lib-1.0-py3-none-any.whl",
    ]
    assert names("--only-binary", "LIB") == ["dep-1.0-py3-none-any.whl", "lib-1.0-py3-none-any.whl"]
    assert names("--only-binary", "lib", "--only-binary", ":none:") == [
        "dep-1.0-py3-none-any.whl",
        "lib-2.0.tar.gz",
    ]
    assert names("--no-binary", ":all:") == ["dep-1.0.tar.gz", "lib-2.0.tar.gz"]
    assert names("--no-binary", "dep") == ["dep-1.0.tar.gz", "lib-2.0.tar.gz"]
    assert names("--no-binary", ":all:", "--only-binary", "dep") == [
        "dep-1.0-py3-none-any.whl",
        "lib-2.0.tar.gz",
    ]
    assert names("--prefer-binary") == ["dep-1.0-py3-none-any.whl", "lib-1.0-py3-none-any.whl"]
    assert names("--prefer-binary", "--no-deps") == ["lib-1.0-py3-none-any.whl"]


def _hash_file(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n")
    return path


def test_hash_mode_needs_a_hash_for_every_file(cli, index: FakeIndex, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    web = index.file("web-2.0-py3-none-any.whl")
    reqs = _hash_file(tmp_path / "req.txt", [f"web==2.0 --hash=sha256:{web.digest}"])
    dest = tmp_path / "out"
    result = download(cli, index, dest, "-r", str(reqs), "--target", LINUX)
    assert result.exit_code == 7
    assert "hashes are required" in result.stderr
    assert "core-1.5-py3-none-any.whl (required by web)" in result.stderr
    assert saved(dest) == []  # nothing is fetched

    covered = [f"web==2.0 --hash=sha256:{web.digest}"]
    for project, version in (("core", "1.5"), ("tiny", "0.1")):
        dist = index.file(f"{project}-{version}-py3-none-any.whl")
        covered.append(f"{project}=={version} --hash=sha256:{dist.digest}")
    reqs = _hash_file(tmp_path / "all.txt", covered)
    result = download(cli, index, dest, "-r", str(reqs), "--target", LINUX)
    assert result.exit_code == 0, result.stderr
    assert len(saved(dest)) == 3


def test_a_wrong_hash_for_a_dependency_fails(cli, index: FakeIndex, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    web = index.file("web-2.0-py3-none-any.whl")
    lines = [f"web==2.0 --hash=sha256:{web.digest}", "core --hash=sha256:" + "0" * 64]
    lines.append("tiny --hash=sha256:" + "1" * 64)
    result = download(cli, index, tmp_path / "o", "-r", str(_hash_file(tmp_path / "r", lines)))
    assert result.exit_code == 7


def test_require_hashes_without_any_hash(cli, index: FakeIndex, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "out"
    result = download(cli, index, dest, "tiny", "--require-hashes", "--target", LINUX)
    assert result.exit_code == 7
    assert "tiny-0.1-py3-none-any.whl" in result.stderr
    assert saved(dest) == []
    assert download(cli, index, dest, "tiny", "--target", LINUX).exit_code == 0


def test_a_pinned_yanked_version_is_taken_with_a_warning(cli, httpx_mock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    index = FakeIndex()
    index.wheel("gone", "1.0", yanked="broken build")
    index.wheel("gone", "0.9")
    index.mount(httpx_mock)
    dest = tmp_path / "out"
    result = download(cli, index, dest, "gone==1.0", "--target", LINUX)
    assert result.exit_code == 0, result.stderr
    assert saved(dest) == ["gone-1.0-py3-none-any.whl"]
    assert "gone 1.0 is yanked (broken build)" in result.stderr
    result = download(cli, index, tmp_path / "o2", "gone", "--target", LINUX)
    assert saved(tmp_path / "o2") == ["gone-0.9-py3-none-any.whl"]


def test_a_conflict_exits_5_with_the_chain(cli, httpx_mock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    index = FakeIndex()
    index.wheel("app", "1.0", requires_dist=["lib<2", "other"])
    index.wheel("other", "1.0", requires_dist=["lib>=2"])
    index.wheel("lib", "1.0")
    index.wheel("lib", "2.0")
    index.mount(httpx_mock)
    result = download(cli, index, tmp_path / "out", "app", "--target", LINUX)
    assert result.exit_code == 5
    assert "conflicting requirements on lib" in result.stderr
    assert "other 1.0" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_whole_file_read_for_its_metadata_is_not_fetched_twice(  # type: ignore[no-untyped-def]
    cli, httpx_mock, tmp_path: Path
) -> None:
    index = FakeIndex(ranges=False)
    app = index.wheel("app", "1.0", requires_dist=["lib"], padding=20_000, core_metadata=False)
    index.wheel("lib", "1.0", padding=20_000, core_metadata=False)
    index.mount(httpx_mock)
    dest = tmp_path / "out"
    result = download(cli, index, dest, "app", "--target", LINUX)
    assert result.exit_code == 0, result.stderr
    assert saved(dest) == ["app-1.0-py3-none-any.whl", "lib-1.0-py3-none-any.whl"]
    assert (dest / app.filename).read_bytes() == app.content
    fetched = [Path(s.path).name for s in index.seen if s.kind in ("file", "range")]
    assert sorted(fetched) == ["app-1.0-py3-none-any.whl", "lib-1.0-py3-none-any.whl"]
    assert not list(dest.glob(".*"))  # no temporary left behind


def test_a_small_wheel_read_whole_by_its_range_read_is_not_fetched_twice(  # type: ignore[no-untyped-def]
    cli, httpx_mock, tmp_path: Path
) -> None:
    """No PEP 658, and the server honours Range: the read of a wheel's last
    64 KiB brings all of a smaller wheel, which is then saved as it is; a
    bigger one is read by ranges and fetched once more, whole."""
    index = FakeIndex()
    small = index.wheel("app", "1.0", requires_dist=["big"], core_metadata=False)
    big = index.wheel("big", "1.0", padding=200_000, core_metadata=False)
    assert small.size < 64 * 1024 < big.size
    index.mount(httpx_mock)
    dest = tmp_path / "out"
    result = download(cli, index, dest, "app", "--target", LINUX)
    assert result.exit_code == 0, result.stderr
    assert (dest / small.filename).read_bytes() == small.content
    assert (dest / big.filename).read_bytes() == big.content
    asked = [(s.kind, Path(s.path).name) for s in index.seen if s.kind in ("file", "range")]
    assert [kind for kind, name in asked if name == small.filename] == ["range"]
    assert [kind for kind, name in asked if name == big.filename][-1] == "file"
    assert not list(dest.glob(".*"))


def test_requirement_markers_apply_per_target(cli, index: FakeIndex, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "out"
    req = "colorama; sys_platform == 'win32'"
    result = download(cli, index, dest, "tiny", req, "--target", LINUX, "--target", WINDOWS)
    assert result.exit_code == 0, result.stderr
    assert saved(dest) == ["colorama-0.4.6-py3-none-any.whl", "tiny-0.1-py3-none-any.whl"]
    only_linux = tmp_path / "linux"
    result = download(cli, index, only_linux, "tiny", req, "--target", LINUX)
    assert saved(only_linux) == ["tiny-0.1-py3-none-any.whl"]


def test_all_files_takes_every_file_of_each_chosen_version(cli, httpx_mock, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    index = FakeIndex()
    index.wheel("fast", "1.0", "cp312-cp312-manylinux_2_28_x86_64", requires_dist=["tiny"])
    index.wheel("fast", "1.0", "cp312-cp312-win_amd64", requires_dist=["tiny"])
    index.sdist("fast", "1.0", requires_dist=["tiny"])
    index.wheel("tiny", "0.1")
    index.mount(httpx_mock)
    dest = tmp_path / "out"
    result = download(cli, index, dest, "fast", "--all-files", "--target", LINUX)
    assert result.exit_code == 0, result.stderr
    assert saved(dest) == [
        "fast-1.0-cp312-cp312-manylinux_2_28_x86_64.whl",
        "fast-1.0-cp312-cp312-win_amd64.whl",
        "fast-1.0.tar.gz",
        "tiny-0.1-py3-none-any.whl",
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX")
def test_the_progress_display_is_for_terminals_only(tmp_path: Path) -> None:
    """On a terminal the display ends with one summary line (the spinner for a
    resolution over half a second is tested in test_cli_progress.py); piped,
    stderr carries only the plain summary."""
    import os
    import pty
    import subprocess

    from support.servers import cglib_executable

    index = FakeIndex()
    index.wheel("web", "1.0", requires_dist=["core"])
    index.wheel("core", "1.0")
    with serve_http(index):
        url = index.url
        argv = [cglib_executable(), "download", "web", "--index-url", url, "--target", LINUX]
        primary, secondary = pty.openpty()
        env = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
        process = subprocess.Popen(
            [*argv, "-d", str(tmp_path / "tty")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=secondary,
            env=env,
        )
        os.close(secondary)
        shown = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
        stdout, _ = process.communicate(timeout=60)
        os.close(primary)
        assert process.returncode == 0, shown
        assert b"\x1b[" in shown  # the display drew on the terminal
        assert shown.rstrip().splitlines()[-1].endswith(b")")
        assert b"saved 2 files (" in shown  # its summary, with bytes and time
        assert len(stdout.splitlines()) == 2  # the paths only, on stdout
        plain = subprocess.run(
            [*argv, "-d", str(tmp_path / "pipe")], capture_output=True, env=env, timeout=60
        )
        assert plain.returncode == 0, plain.stderr
        assert b"\x1b[" not in plain.stderr
        assert plain.stderr.decode().splitlines() == ["saved 2 files"]


@pytest.mark.parametrize("deps", [True, False], ids=["resolved", "no-deps"])
def test_a_project_whose_only_versions_are_yanked_says_so(cli, httpx_mock, tmp_path, deps):
    index = FakeIndex(user=None)
    index.wheel("onlyyanked", "1.0", yanked="broken build")
    index.wheel("onlyyanked", "1.1", yanked=True)
    index.mount(httpx_mock)
    args = ["download", "onlyyanked", "-d", str(tmp_path), "-i", index.url]
    result = cli(*args, *([] if deps else ["--no-deps"]))
    assert result.exit_code == 5, result.stderr
    assert "every version of onlyyanked is yanked" in result.stderr
    assert "onlyyanked==1.1" in result.stderr  # how to take one anyway
    assert "final version" not in result.stderr
    pinned = cli(*args[:1], "onlyyanked==1.0", *args[2:], *([] if deps else ["--no-deps"]))
    assert pinned.exit_code == 0, pinned.stderr


def test_the_command_line_checks_its_options_before_reading_any_file(cli, tmp_path):
    missing = str(tmp_path / "missing.txt")
    both = cli("download", "--only-binary", ":all:", "--all-files", "-r", missing)
    assert both.exit_code == 2
    assert "use only one of --only-binary, --no-binary and --all-files" in both.stderr
    every = cli("download", "--only-binary", ":all:", "--no-binary", ":all:", "-r", missing)
    assert every.exit_code == 2
    assert "use only one of --only-binary :all: and --no-binary :all:" in every.stderr
    bare = cli("download", "--only-binary", "--no-binary", "x", "-r", missing)
    assert bare.exit_code == 2
    assert "--only-binary needs a value" in bare.stderr
    none = cli("download", "--jobs", "0", "-r", missing)
    assert none.exit_code == 2
    assert "--jobs must be at least 1, not 0" in none.stderr
