"""`cglib versions` against a real pypiserver, run as a subprocess."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration


def test_versions_with_env_credentials(pypi, run_cglib):
    env = {"CGLIB_USERNAME": pypi.username, "CGLIB_PASSWORD": pypi.password}
    result = run_cglib("versions", "six", "--index-url", pypi.url, env=env)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[0].split("\t")[0] == "1.17.0"
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["1.17.0", "1.16.0"]
    assert pypi.password not in result.stdout + result.stderr


def test_versions_json_with_url_credentials(pypi, run_cglib):
    result = run_cglib(
        "versions", "SIX", "--pre", "--json", "--index-url", pypi.url_with_credentials
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["project"] == "six"
    assert doc["index"] == pypi.url
    assert [v["version"] for v in doc["versions"]] == ["2.0.0rc1", "1.17.0", "1.16.0"]
    assert pypi.password not in result.stdout + result.stderr


@pytest.mark.parametrize("spelling", ["zope_interface", "Zope.Interface", "zope-interface"])
def test_versions_normalises_names(pypi, run_cglib, spelling):
    result = run_cglib("versions", spelling, "--index-url", pypi.url_with_credentials)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split("\t")[0] == "7.2"


def test_local_versions_are_ordered(pypi, run_cglib):
    result = run_cglib("versions", "apiflask", "--index-url", pypi.url_with_credentials)
    assert result.exit_code == 0, result.stderr
    assert [line.split("\t")[0] for line in result.stdout.splitlines()] == ["2.3.0", "2.0.0+cgr.1"]


def test_missing_credentials_exit_3(pypi, run_cglib):
    result = run_cglib("versions", "six", "--index-url", pypi.url)
    assert result.exit_code == 3
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_wrong_credentials_exit_4(pypi, run_cglib):
    env = {"CGLIB_USERNAME": pypi.username, "CGLIB_PASSWORD": "wrong-sentinel-token"}
    result = run_cglib("versions", "six", "--index-url", pypi.url, "-v", env=env)
    assert result.exit_code == 4
    assert "wrong-sentinel-token" not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_project_exit_5(pypi, run_cglib):
    result = run_cglib("versions", "no-such-project", "--index-url", pypi.url_with_credentials)
    assert result.exit_code == 5
    assert "no-such-project" in result.stderr
    assert pypi.password not in result.stderr


def test_unknown_project_json_error(pypi, run_cglib):
    result = run_cglib(
        "versions", "no-such-project", "--json", "--index-url", pypi.url_with_credentials
    )
    assert result.exit_code == 5
    error = json.loads(result.stderr)["error"]
    assert error["code"] == 5
    assert pypi.password not in result.stderr
