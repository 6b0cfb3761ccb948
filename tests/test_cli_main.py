"""The command line as a whole (cglib.cli.main, cglib.cli.app): shared options
before or after the command, usage errors with --json, -q, shell completion,
lazily loaded command modules."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cglib.cli.common import merge_shared
from support.fakeindex import FakeIndex, six_index

INDEX = "https://example.org/simple/"
OTHER = "https://other.example.org/simple/"


@pytest.fixture
def index(httpx_mock) -> FakeIndex:  # type: ignore[no-untyped-def]
    return six_index(open=True).mount(httpx_mock)


@pytest.mark.parametrize(
    "args",
    [
        ["versions", "six", "--index-url", INDEX],
        ["--index-url", INDEX, "versions", "six"],
        ["-i", INDEX, "versions", "six"],
        ["versions", "six", "-i", INDEX],
        ["--json", "-i", INDEX, "versions", "six"],
        ["-i", INDEX, "versions", "--json", "six"],
        ["--no-input", "-q", "versions", "six", "-i", INDEX],
    ],
)
def test_shared_options_before_or_after_the_command(cli, index, args):
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    if "--json" in args:
        assert json.loads(result.stdout)["versions"][0]["version"] == "1.17.0"
    else:
        assert result.stdout.startswith("1.17.0\t")
    assert [str(r.url) for r in index.requests] == [f"{INDEX}six/"]


def test_the_index_nearest_the_command_wins(cli, index):
    # OTHER is never asked: httpx_mock would fail on a request to it.
    for args in (
        ["--index-url", OTHER, "versions", "six", "--index-url", INDEX],
        ["--index", "python", "versions", "six", "-i", INDEX],
    ):
        result = cli(*args)
        assert result.exit_code == 0, result.stderr
    assert {r.url.host for r in index.requests} == {"example.org"}


def test_both_index_options_on_one_side_are_still_refused(cli):
    result = cli("--index", "python", "--index-url", INDEX, "versions", "six")
    assert result.exit_code == 2
    assert "not both" in result.stderr


def test_verbose_before_the_command(cli, index):
    result = cli("-v", "versions", "six", "-i", INDEX)
    assert result.exit_code == 0
    assert f"index: {INDEX}" in result.stderr


def test_merge_shared() -> None:
    before = {"index_url": OTHER, "index": None, "json": True, "verbose": 1, "quiet": False}
    after = {"index_url": None, "index": "python", "json": False, "verbose": 2, "quiet": True}
    assert merge_shared(before, after) == {
        "index_url": None,
        "index_name": "python",
        "json_mode": True,
        "verbose": 3,
        "quiet": True,
        "no_input": False,
        "allow_insecure_http": False,
    }
    assert merge_shared(before, {})["index_url"] == OTHER
    assert merge_shared({}, {}) == {
        "index_url": None,
        "index_name": None,
        "json_mode": False,
        "verbose": 0,
        "quiet": False,
        "no_input": False,
        "allow_insecure_http": False,
    }


def test_quiet_silences_warnings(cli, httpx_mock, isolate):
    six_index(user="u", password="secret-pw").mount(httpx_mock)
    netrc = isolate / ".netrc"
    netrc.write_text("machine example.org login u password secret-pw\n")
    netrc.chmod(0o644)  # readable by others: a warning
    loud = cli("versions", "six", "-i", INDEX)
    assert loud.exit_code == 0, loud.stderr
    assert "warning:" in loud.stderr
    for args in (["-q", "versions", "six", "-i", INDEX], ["versions", "six", "-q", "-i", INDEX]):
        quiet = cli(*args)
        assert quiet.exit_code == 0
        assert quiet.stdout == loud.stdout
        assert quiet.stderr == ""


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


def test_a_misspelt_command_is_suggested(cli):
    result = cli("verions", "six")
    assert result.exit_code == 2
    assert "Did you mean 'versions'?" in result.stderr


def test_json_after_a_double_dash_is_an_argument(cli):
    result = cli("versions", "--", "--json")
    assert result.exit_code == 2
    assert not result.stderr.startswith("{")


# -- completion ----------------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_script(cli, shell):
    result = cli("completion", shell)
    assert result.exit_code == 0, result.stderr
    assert "cglib" in result.stdout
    assert "_CGLIB_COMPLETE" in result.stdout


def test_completion_rejects_an_unknown_shell(cli):
    result = cli("completion", "tcsh")
    assert result.exit_code == 2


@pytest.mark.parametrize(
    ("words", "expected"),
    [("cglib ver", "versions"), ("cglib versions --fi", "--files"), ("cglib auth st", "status")],
)
def test_completion_answers(cli, monkeypatch, words, expected):
    """What the bash script asks: `_CGLIB_COMPLETE=complete_bash COMP_WORDS=...`."""
    monkeypatch.setenv("_CGLIB_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", words)
    monkeypatch.setenv("COMP_CWORD", str(len(words.split()) - 1))
    result = cli()
    assert result.exit_code == 0
    assert expected in result.stdout.split()


# -- what each command line imports ---------------------------------------------------------

_IMPORTS = """
import runpy, sys

INDEX = "https://example.org/simple/"
sys.argv = ["cglib", *sys.argv[1:]]
try:
    runpy.run_module("cglib", run_name="__main__")
except SystemExit:
    pass
names = ("httpx", "keyring", "rich", "packaging", "cglib.cli.search",
         "cglib.cli.versions", "cglib.cli.download", "cglib.cli.login", "cglib.cli.completion")
print(",".join(n for n in names if n in sys.modules), file=sys.stderr)
"""


def imported(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS, *args], capture_output=True, text=True, timeout=60
    )
    last = done.stderr.strip().splitlines()[-1]
    return set(last.split(",")) - {""}


def test_a_command_help_imports_only_that_command() -> None:
    assert imported("versions", "--help") == {"cglib.cli.versions"}
    assert imported("search", "-h") == {"cglib.cli.search"}
    assert imported("auth", "status", "--help") == {"cglib.cli.login"}
