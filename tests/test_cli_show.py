"""``cglib show``: one version's core metadata without downloading the file."""

from __future__ import annotations

import json

import pytest

from support.metaindex import MetaIndex


@pytest.fixture(params=["json-pep658", "html-range", "json-whole"])
def index(request: pytest.FixtureRequest, httpx_mock) -> MetaIndex:
    form, mode = request.param.split("-")
    index = MetaIndex(form=form, pep658=mode == "pep658", ranges=mode != "whole")
    index.wheel(
        "Flask",
        "3.1.0",
        requires_dist=[
            "Werkzeug>=3.1",
            'importlib-metadata>=3.6; python_version < "3.10"',
            "asgiref>=3.2; extra == 'async'",
        ],
        extras=["async", "dotenv"],
        requires_python=">=3.9",
        summary="A simple framework\tfor building web apps",
        license="BSD-3-Clause",
        project_urls=["Source, https://example.org/flask", "Changes, https://example.org/changes"],
        padding=30_000,
    )
    index.sdist("Flask", "3.1.0")
    index.wheel("Flask", "3.0.0", summary="older")
    index.wheel("Flask", "4.0.0rc1", summary="a pre-release")
    httpx_mock.add_callback(index, is_reusable=True, is_optional=True)
    return index


def test_show_json_has_the_spec_keys(cli, index: MetaIndex) -> None:
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
    if index.pep658:
        assert index.seen("range") == []
        assert index.seen("file") == []
    elif index.ranges:
        assert index.seen("file") == []


def test_show_plain(cli, index: MetaIndex) -> None:
    result = cli("show", "flask", "--index-url", index.url)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Version: 3.1.0" in lines
    assert "Summary: A simple framework for building web apps" in lines  # no tab on screen
    assert "  asgiref>=3.2; extra == 'async'" in lines
    assert "Extras: async, dotenv" in lines
    assert "  Source: https://example.org/flask" in lines
    assert "  Flask-3.1.0.tar.gz" in lines


def test_show_a_pinned_version_and_pre(cli, index: MetaIndex) -> None:
    result = cli("show", "flask==3.0.0", "--json", "--index-url", index.url)
    assert json.loads(result.stdout)["summary"] == "older"
    result = cli("show", "flask", "--pre", "--json", "--index-url", index.url)
    assert json.loads(result.stdout)["version"] == "4.0.0rc1"


def test_show_missing_version_exits_5(cli, index: MetaIndex) -> None:
    result = cli("show", "flask==9", "--index-url", index.url)
    assert result.exit_code == 5
    assert "flask==9" in result.stderr
    assert result.stdout == ""


def test_show_bad_requirement_exits_2(cli) -> None:
    result = cli("show", "flask===", "--index-url", "https://example.org/simple/")
    assert result.exit_code == 2


def test_show_an_sdist_with_dynamic_dependencies_warns(cli, httpx_mock) -> None:
    index = MetaIndex(pep658=False)
    index.sdist("legacy", "1.0", requires_dist=["six"], metadata_version="2.1")
    httpx_mock.add_callback(index, is_reusable=True, is_optional=True)
    result = cli("show", "legacy", "--json", "--index-url", index.url)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["requires_dist"] == ["six"]
    assert "legacy-1.0.tar.gz" in result.stderr
    assert "may be incomplete" in result.stderr
