"""``cglib cache dir`` and ``cglib cache clear``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cglib import cache

URL = "https://example.org/simple/"


@pytest.fixture(params=["at-functions", "paths"], autouse=True)
def clearing_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Clear through open directories (POSIX) and by path (the fallback elsewhere)."""
    from cglib.cli import cache as command

    if request.param == "paths":
        monkeypatch.setattr(command, "_AT_FUNCTIONS", False)
    elif not command._AT_FUNCTIONS:
        pytest.skip("this platform has no *at() functions")
    return str(request.param)


def _fill(directory: Path) -> list[Path]:
    """What cglib itself leaves in a cache: two listings and a stray temp file."""
    first = cache.store(cache.cache_path(URL, directory / "names"), url=URL, names=["six", "a"])
    other = "https://example.org/other/simple/"
    second = cache.store(cache.cache_path(other, directory / "names"), url=other, names=["b"])
    temp = directory / "names" / f".{first.path.name}.abc.tmp"
    temp.write_bytes(b"partial")
    return [first.path, second.path, temp]


def test_cache_dir_is_the_platform_cache_dir(cli, isolate: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("cache", "dir")
    assert result.exit_code == 0, result.stderr
    # the isolated XDG_CACHE_HOME is HOME/.cache (tests/support/isolation.py)
    assert result.stdout == f"{isolate / '.cache' / 'cglib'}\n"
    assert result.stdout.strip() == str(cache.default_cache_dir())


def test_cache_dir_follows_cglib_cache_dir(cli, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CGLIB_CACHE_DIR", str(tmp_path / "c"))
    result = cli("cache", "dir", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"path": str(tmp_path / "c"), "exists": False}


def test_cache_clear_removes_cglib_files_and_says_how_much(cli, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    directory = tmp_path / "c"
    monkeypatch.setenv("CGLIB_CACHE_DIR", str(directory))
    files = _fill(directory)
    foreign = directory / "not-cglibs.txt"
    foreign.write_text("keep me")
    result = cli("cache", "clear")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert f"removed 3 files from {directory}, freed" in result.stderr
    assert not any(f.exists() for f in files)
    assert not (directory / "names").exists()
    assert foreign.read_text() == "keep me"  # only what cglib writes is removed
    assert directory.is_dir()
    # a search after it starts from an empty cache: nothing is loaded
    assert cache.load(cache.cache_path(URL)) is None
    # and again: nothing to clear, still success
    again = cli("cache", "clear", "--json")
    assert again.exit_code == 0
    assert json.loads(again.stdout) == {
        "path": str(directory),
        "removed_files": 0,
        "freed_bytes": 0,
    }


def test_cache_clear_json_counts_bytes(cli, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    directory = tmp_path / "c"
    monkeypatch.setenv("CGLIB_CACHE_DIR", str(directory))
    files = _fill(directory)
    size = sum(f.stat().st_size for f in files)
    result = cli("cache", "clear", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "path": str(directory),
        "removed_files": 3,
        "freed_bytes": size,
    }


def test_cache_clear_without_a_cache_dir(cli, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CGLIB_CACHE_DIR", str(tmp_path / "never-made"))
    result = cli("cache", "clear")
    assert result.exit_code == 0
    assert "nothing to clear" in result.stderr
    assert not (tmp_path / "never-made").exists()


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="POSIX symlinks")
def test_cache_clear_never_follows_links_out(cli, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "outside"
    (outside / "tree").mkdir(parents=True)
    precious = outside / "precious.txt"
    precious.write_text("mine")
    (outside / "tree" / "deep.txt").write_text("also mine")
    directory = tmp_path / "c"
    (directory / "names").mkdir(parents=True)
    (directory / "names" / "file-link").symlink_to(precious)
    (directory / "names" / "dir-link").symlink_to(outside / "tree", target_is_directory=True)
    monkeypatch.setenv("CGLIB_CACHE_DIR", str(directory))
    result = cli("cache", "clear", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["removed_files"] == 2  # the two links
    assert document["freed_bytes"] == 0
    assert precious.read_text() == "mine"
    assert (outside / "tree" / "deep.txt").read_text() == "also mine"
    assert not (directory / "names").exists()

    # names/ itself a link to a folder elsewhere: the link goes, the folder stays
    (directory / "names").symlink_to(outside / "tree", target_is_directory=True)
    result = cli("cache", "clear")
    assert result.exit_code == 0
    assert (outside / "tree" / "deep.txt").read_text() == "also mine"
    assert not (directory / "names").exists()


def _refuse_to_remove(monkeypatch: pytest.MonkeyPatch, victim: Path) -> None:
    """``os.unlink`` of ``victim`` fails with "Permission denied"; others work."""
    real_unlink = os.unlink

    def unlink(path: str, *, dir_fd: int | None = None) -> None:
        if os.path.basename(path) == victim.name:
            raise PermissionError(13, "Permission denied")
        real_unlink(path, dir_fd=dir_fd)

    monkeypatch.setattr(os, "unlink", unlink)


def test_cache_clear_reports_what_it_could_not_remove(cli, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    directory = tmp_path / "c"
    monkeypatch.setenv("CGLIB_CACHE_DIR", str(directory))
    files = _fill(directory)
    _refuse_to_remove(monkeypatch, files[0])
    result = cli("cache", "clear")
    assert result.exit_code == 9  # the local file system, not the configuration
    assert f"warning: could not remove {files[0]}: Permission denied" in result.stderr
    assert f"could not remove 1 cache entry in {directory} (first: {files[0]})" in result.stderr
    assert "Traceback" not in result.stderr
    assert files[0].exists()
    assert not files[1].exists()  # the rest is still removed
    assert (directory / "names").is_dir()  # it still holds the file


def test_cache_clear_failure_json_names_the_path(cli, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    directory = tmp_path / "c"
    monkeypatch.setenv("CGLIB_CACHE_DIR", str(directory))
    files = _fill(directory)
    _refuse_to_remove(monkeypatch, files[0])
    result = cli("cache", "clear", "--json")
    assert result.exit_code == 9
    assert result.stdout == ""
    error = json.loads(result.stderr.strip().splitlines()[-1])["error"]
    assert error["code"] == 9
    assert error["kind"] == "local-file"
    assert error["path"] == str(files[0])
