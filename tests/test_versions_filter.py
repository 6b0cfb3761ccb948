"""`cglib versions NAME [SPECIFIER] [--limit N]` and the `latest` key of its JSON."""

from __future__ import annotations

import json

import pytest

from support.fakeindex import FakeIndex

INDEX = "https://example.org/simple/"
SIX = ["1.9.0", "1.10.0", "1.16.0", "1.17.0", "2.0.0rc1", "2.0.0"]


@pytest.fixture
def serve(httpx_mock, fake_index: FakeIndex):
    """Serve a project's versions (one wheel each) from the fake index, in each page form."""
    fake_index.mount(httpx_mock)

    def add(name, versions, yanked=()):
        for v in versions:
            fake_index.link(
                name,
                f"{name}-{v}-py3-none-any.whl",
                b"wheel",
                yanked="broken" if v in yanked else False,
            )

    return add


def _versions(result):
    assert result.exit_code == 0, result.stderr
    return [line.split("\t")[0] for line in result.stdout.splitlines()]


def test_specifier_filters(cli, serve):
    serve("six", SIX)
    assert _versions(cli("versions", "six", ">=1.10,<2", "-i", INDEX)) == [
        "1.17.0",
        "1.16.0",
        "1.10.0",
    ]


def test_specifier_with_pre(cli, serve):
    serve("six", SIX)
    assert _versions(cli("versions", "six", ">=1.17", "--pre", "-i", INDEX)) == [
        "2.0.0",
        "2.0.0rc1",
        "1.17.0",
    ]
    # A specifier that names a pre-release admits pre-releases (PEP 440).
    assert _versions(cli("versions", "six", "==2.0.0rc1", "-i", INDEX)) == ["2.0.0rc1"]


def test_limit_keeps_the_newest(cli, serve):
    serve("six", SIX)
    assert _versions(cli("versions", "six", "--limit", "2", "-i", INDEX)) == ["2.0.0", "1.17.0"]
    assert _versions(cli("versions", "six", "<1.17", "-n", "1", "-i", INDEX)) == ["1.16.0"]


@pytest.mark.parametrize("bad", ["0", "-1"])
def test_limit_must_be_positive(cli, serve, bad):
    result = cli("versions", "six", "--limit", bad, "-i", INDEX)
    assert result.exit_code == 2
    assert "--limit" in result.stderr


@pytest.mark.parametrize("bad", ["1.10", ">=1.x", "~=1", ">>2"])
def test_bad_specifier_is_a_usage_error(cli, bad):
    result = cli("versions", "six", bad, "-i", INDEX)
    assert result.exit_code == 2
    assert "not a PEP 440 version specifier" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_specifier_with_json(cli):
    result = cli("versions", "six", "1.10", "--json", "-i", INDEX)
    assert result.exit_code == 2
    error = json.loads(result.stderr)["error"]
    assert error["code"] == 2
    assert "'==1.10'" in error["message"] or "==1.10" in json.dumps(error)


def test_latest_in_json(cli, serve):
    serve("six", SIX, yanked={"1.17.0"})
    doc = json.loads(cli("versions", "six", "--json", "-i", INDEX).stdout)
    assert doc["latest"] == "2.0.0"
    doc = json.loads(cli("versions", "six", "<2", "--json", "-i", INDEX).stdout)
    # 1.17.0 is yanked: listed, but not the latest.
    assert doc["versions"][0]["version"] == "1.17.0"
    assert doc["latest"] == "1.16.0"
    # --limit cuts the list, not the answer.
    doc = json.loads(cli("versions", "six", "<2", "--limit", "1", "--json", "-i", INDEX).stdout)
    assert [v["version"] for v in doc["versions"]] == ["1.17.0"]
    assert doc["latest"] == "1.16.0"


def test_latest_is_final_unless_pre(cli, serve):
    serve("six", SIX)
    doc = json.loads(cli("versions", "six", "!=2.0.0", "--json", "-i", INDEX).stdout)
    assert doc["latest"] == "1.17.0"
    doc = json.loads(cli("versions", "six", "!=2.0.0", "--pre", "--json", "-i", INDEX).stdout)
    assert doc["latest"] == "2.0.0rc1"
    doc = json.loads(cli("versions", "six", "==2.0.0rc1", "--json", "-i", INDEX).stdout)
    assert doc["latest"] is None


def test_no_match(cli, serve):
    serve("six", SIX)
    result = cli("versions", "six", ">=99", "-i", INDEX)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no version of six matches >=99 (newest: 2.0.0)" in result.stderr
    doc = json.loads(cli("versions", "six", ">=99", "--json", "-i", INDEX).stdout)
    assert doc["versions"] == []
    assert doc["latest"] is None


def test_only_yanked(cli, serve):
    serve("onlyyanked", ["1.0.0", "1.1.0"], yanked={"1.0.0", "1.1.0"})
    result = cli("versions", "onlyyanked", "-i", INDEX)
    assert _versions(result) == ["1.1.0", "1.0.0"]
    assert "every version of onlyyanked is yanked" in result.stderr
    assert "==" in result.stderr
    assert "no final version" not in result.stderr
    doc = json.loads(cli("versions", "onlyyanked", "--json", "-i", INDEX).stdout)
    assert doc["latest"] is None


def test_quiet_silences_the_yanked_note(cli, serve):
    serve("onlyyanked", ["1.0.0"], yanked={"1.0.0"})
    result = cli("versions", "onlyyanked", "-q", "-i", INDEX)
    assert _versions(result) == ["1.0.0"]
    assert result.stderr == ""
