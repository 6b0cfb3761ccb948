"""``cglib show``: one version's core metadata without downloading the file."""

from __future__ import annotations

import json

import pytest

from support.fakeindex import FakeIndex


@pytest.fixture(params=["json-pep658", "html-range", "json-whole"])
def index(request: pytest.FixtureRequest, httpx_mock) -> FakeIndex:
    form, mode = request.param.split("-")
    index = FakeIndex(form=form, ranges=mode != "whole")
    pep658 = mode == "pep658"
    index.wheel(
        "Flask",
        "3.1.0",
        requires_dist=[
            "Werkzeug>=3.1",
            'importlib-metadata>=3.6; python_version < "3.10"',
            "asgiref>=3.2; extra == 'async'",
        ],
        provides_extra=["async", "dotenv"],
        requires_python=">=3.9",
        summary="A simple framework\tfor building web apps",
        license="BSD-3-Clause",
        project_urls=["Source, https://example.org/flask", "Changes, https://example.org/changes"],
        padding=30_000,
        core_metadata=pep658,
    )
    index.sdist("Flask", "3.1.0")
    index.wheel("Flask", "3.0.0", summary="older", core_metadata=pep658)
    index.wheel("Flask", "4.0.0rc1", summary="a pre-release", core_metadata=pep658)
    return index.mount(httpx_mock)


def test_show_json_has_the_spec_keys(cli, index: FakeIndex) -> None:
    result = cli("show", "flask", "--json", "--index-url", index.url)
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["project"] == "flask"
    assert body["version"] == "3.1.0"
    assert body["summary"] == "A simple framework\tfor building web apps"
    assert body["requires_python"] == ">=3.9"
    assert body["requires_dist"] == [
        "Werkzeug>=3.1",
        'importlib-metadata>=3.6; python_version < "3.10"',
        "asgiref>=3.2; extra == 'async'",
    ]
    assert body["extras"] == ["async", "dotenv"]
    assert body["license"] == "BSD-3-Clause"
    assert body["project_urls"] == {
        "Source": "https://example.org/flask",
        "Changes": "https://example.org/changes",
    }
    assert sorted(f["filename"] for f in body["files"]) == [
        "Flask-3.1.0-py3-none-any.whl",
        "Flask-3.1.0.tar.gz",
    ]
    # The wheel's metadata was read, never the sdist, and never a whole file
    # unless the server ignores ranges.
    assert body["metadata_source"]["filename"] == "Flask-3.1.0-py3-none-any.whl"
    if index.file("Flask-3.1.0-py3-none-any.whl").metadata is not None:
        assert len(index.asked("metadata")) == 1
        assert index.asked("range") == []
        assert index.asked("file") == []
    elif index.ranges:
        assert index.asked("range")
        assert index.asked("file") == []
    else:
        assert len(index.asked("file")) == 1


def test_show_plain(cli, index: FakeIndex) -> None:
    result = cli("show", "flask", "--index-url", index.url)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Version: 3.1.0" in lines
    assert "Summary: A simple framework for building web apps" in lines  # no tab on screen
    assert "  asgiref>=3.2; extra == 'async'" in lines
    assert "Extras: async, dotenv" in lines
    assert "  Source: https://example.org/flask" in lines
    assert "  Flask-3.1.0.tar.gz" in lines


def test_show_a_pinned_version_and_pre(cli, index: FakeIndex) -> None:
    result = cli("show", "flask==3.0.0", "--json", "--index-url", index.url)
    assert json.loads(result.stdout)["summary"] == "older"
    result = cli("show", "flask", "--pre", "--json", "--index-url", index.url)
    assert json.loads(result.stdout)["version"] == "4.0.0rc1"


def test_show_missing_version_exits_5(cli, index: FakeIndex) -> None:
    result = cli("show", "flask==9", "--index-url", index.url)
    assert result.exit_code == 5
    assert "flask==9" in result.stderr
    assert result.stdout == ""


def test_show_bad_requirement_exits_2(cli) -> None:
    result = cli("show", "flask===", "--index-url", "https://example.org/simple/")
    assert result.exit_code == 2


def test_show_an_sdist_with_dynamic_dependencies_warns(cli, httpx_mock) -> None:
    index = FakeIndex()
    index.sdist("legacy", "1.0", requires_dist=["six"], metadata_version="2.1")
    index.mount(httpx_mock)
    result = cli("show", "legacy", "--json", "--index-url", index.url)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["requires_dist"] == ["six"]
    assert "legacy-1.0.tar.gz" in result.stderr
    assert "may be incomplete" in result.stderr
