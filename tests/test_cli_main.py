"""The entry point (cglib.cli.main): usage errors, with --json as one JSON
document on stderr, without it the usage; shared options are in
test_cli_common.py, completion in test_cli_completion.py, the lazily loaded
commands in test_cli_app.py."""

from __future__ import annotations

import json

import pytest

# -- usage errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["versions", "six", "--bogus", "--json"],
        ["--json", "versions", "six", "--bogus"],
        ["search", "x", "--limit", "0", "--json"],
        ["--json", "search", "x", "--limit", "zero"],
        ["versions", "--json"],
        ["--json", "versions"],
        ["--json", "no-such-command"],
        ["--json"],
        ["--json", "--bogus", "versions", "six"],
    ],
)
def test_usage_errors_with_json_give_the_json_error_document(cli, args):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    document = json.loads(result.stderr)
    assert set(document) == {"error"}
    assert document["error"]["code"] == 2
    assert document["error"]["kind"] == "usage"
    assert document["error"]["message"]


@pytest.mark.parametrize(
    "args", [["versions", "six", "--bogus"], ["search", "x", "--limit", "0"], ["versions"]]
)
def test_usage_errors_without_json_show_the_usage(cli, args):
    result = cli(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Usage: cglib" in result.stderr
    assert "Error:" in result.stderr


def test_json_after_a_double_dash_is_an_argument(cli):
    result = cli("versions", "--", "--json")
    assert result.exit_code == 2
    assert not result.stderr.startswith("{")


def test_the_command_runs_with_the_cyclic_collector_paused(monkeypatch):
    """``main`` (the console script) pauses the cyclic garbage collector for
    the run: what a command allocates mostly lives until it ends, and the
    collector's passes over it would find nothing.  At exit the survivors are
    frozen, so the interpreter's last pass skips them too."""
    import gc

    import cglib.cli.main as entry

    seen: list[bool] = []

    def fake_run(args: list[str]) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(entry, "run", fake_run)
    was_enabled = gc.isenabled()
    try:
        with pytest.raises(SystemExit) as done:
            entry.main(["auth", "status"])
        assert done.value.code == 0
        assert seen == [False]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()
