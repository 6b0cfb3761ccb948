"""The options every command shares (cglib.cli.common): before or after the
command name, merged into one session."""

from __future__ import annotations

import json

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
