"""The error tree and its exit codes (SPEC.md, "Exit codes")."""

from __future__ import annotations

import cglib
from cglib.errors import CglibError, ExitCode, LocalFileError


def test_local_file_system_failures_are_exit_9() -> None:
    assert int(ExitCode.LOCAL_FILE) == 9
    error = LocalFileError(
        "no space left on device writing 'dl/x-1.0.tar.gz.part'",
        path="dl/x-1.0.tar.gz.part",
        hint="free some space, or pass -d DIR on another disk",
    )
    assert isinstance(error, CglibError)
    assert error.exit_code == ExitCode.LOCAL_FILE
    assert error.path == "dl/x-1.0.tar.gz.part"
    assert str(error) == (
        "no space left on device writing 'dl/x-1.0.tar.gz.part' "
        "(free some space, or pass -d DIR on another disk)"
    )
    body = error.to_json()["error"]
    assert body == {
        "code": 9,
        "kind": "local-file",
        "message": "no space left on device writing 'dl/x-1.0.tar.gz.part'",
        "hint": "free some space, or pass -d DIR on another disk",
        "path": "dl/x-1.0.tar.gz.part",
    }


def test_local_file_error_is_public() -> None:
    assert cglib.LocalFileError is LocalFileError
    assert "LocalFileError" in cglib.__all__


def test_exit_codes_are_never_renumbered() -> None:
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0,
        "INTERNAL": 1,
        "USAGE": 2,
        "CONFIG": 3,
        "AUTH": 4,
        "NOT_FOUND": 5,
        "NETWORK": 6,
        "INTEGRITY": 7,
        "POLICY": 8,
        "LOCAL_FILE": 9,
        "INTERRUPTED": 130,
    }


def test_root_help_lists_every_exit_code(run_cglib) -> None:  # type: ignore[no-untyped-def]
    result = run_cglib("--help", env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for code in ExitCode:
        if code is not ExitCode.INTERNAL:
            assert f"{int(code)} " in text.split("Exit codes:", 1)[1], code
    assert "9 local file" in text
