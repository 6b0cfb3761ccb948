"""Local file-system failures are exit 9, with the path and what to do (issue 14)."""

from __future__ import annotations

import errno
import os

import pytest

from cglib.errors import ExitCode, LocalFileError
from cglib.lockfiles import replace_text
from cglib.transfer import local_error, write_error


@pytest.mark.parametrize(
    ("code", "says"),
    [
        (errno.ENOSPC, "no space left"),
        (errno.EFBIG, "no space left"),
        (errno.EACCES, "permission denied"),
        (errno.EPERM, "permission denied"),
        (errno.EROFS, "read-only file system"),
        (errno.ENOTDIR, "not a directory"),
        (errno.ELOOP, "a symbolic link loop"),
    ],
)
def test_each_local_failure_names_the_path_and_what_to_do(code, says):
    error = local_error(OSError(code, os.strerror(code)), "write", "dest/x.whl.part")
    assert error.exit_code == ExitCode.LOCAL_FILE
    assert error.message == f"cannot write 'dest/x.whl.part': {says}"
    assert error.path == "dest/x.whl.part"
    assert error.hint
    assert error.to_json()["error"]["path"] == "dest/x.whl.part"  # type: ignore[index]


def test_write_error_is_a_local_file_error():
    error = write_error(OSError(errno.EACCES, "Permission denied"), "create the destination 'd'")
    assert isinstance(error, LocalFileError)
    assert error.message == "cannot create the destination 'd': permission denied"
    with pytest.raises(ValueError):
        write_error(ValueError("not ours"))


def test_check_update_write_failure_is_exit_9_and_leaves_the_file(tmp_path, monkeypatch):
    lock = tmp_path / "requirements.txt"
    lock.write_text("six==1.0\n")

    def refuse(src: object, dst: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(LocalFileError) as info:
        replace_text(lock, "six==2.0\n")
    assert info.value.exit_code == ExitCode.LOCAL_FILE
    assert str(lock) in info.value.message
    assert lock.read_text() == "six==1.0\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["requirements.txt"]
