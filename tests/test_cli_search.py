"""`cglib search` in-process, over the fake index's root in both forms; and the
installed command against the same index on a real socket."""

from __future__ import annotations

import json

import pytest
from pytest_httpx import HTTPXMock

from support.fakeindex import FakeIndex, basic
from test_search import NAMES

INDEX = "https://example.org/simple/"


@pytest.fixture
def root(fake_index: FakeIndex, httpx_mock: HTTPXMock) -> FakeIndex:
    """The fake index listing NAMES (no files), in each page form."""
    for name in NAMES:
        fake_index.project(name)
    return fake_index.mount(httpx_mock)


def test_cli_plain_output_is_one_name_per_line(cli, root: FakeIndex) -> None:
    result = cli("search", "requests", "--index-url", INDEX, "--limit", "3")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["requests", "requests-oauthlib", "requests_toolbelt"]
    assert result.stderr == ""


def test_cli_json(cli, root: FakeIndex) -> None:
    result = cli("search", "Zope_Interface", "--index-url", INDEX, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "query": "Zope_Interface",
        "index": INDEX,
        "results": [{"name": "Zope.Interface", "match": "exact"}],
    }


def test_cli_second_run_with_a_fresh_cache_asks_nothing(cli, root: FakeIndex) -> None:
    assert cli("search", "six", "--index-url", INDEX).exit_code == 0
    root.forget()
    result = cli("search", "six", "--index-url", INDEX, "-v")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["six", "sixer"]
    assert root.seen == []
    assert "(cache, fresh until" in result.stderr


def test_cli_stale_cache_revalidates(cli, root: FakeIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("search", "six", "--index-url", INDEX).exit_code == 0
    (first,) = root.seen
    assert first.response is not None
    etag = first.response.headers["ETag"]
    root.forget()
    monkeypatch.setenv("CGLIB_CACHE_MAX_AGE", "0")
    result = cli("search", "six", "--index-url", INDEX, "-v")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["six", "sixer"]
    assert "(revalidated" in result.stderr
    (again,) = root.seen
    assert again.request.headers["If-None-Match"] == etag
    assert again.status == 304


def test_cli_refresh_asks_at_once(cli, root: FakeIndex) -> None:
    assert cli("search", "six", "--index-url", INDEX).exit_code == 0
    result = cli("search", "six", "--index-url", INDEX, "--refresh")
    assert result.exit_code == 0, result.stderr
    _first, second = root.requests
    assert "if-none-match" not in second.headers


@pytest.mark.parametrize("value", ["ten minutes", "-5"])
def test_cli_bad_cache_max_age_is_a_usage_error(
    cli, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CGLIB_CACHE_MAX_AGE", value)
    result = cli("search", "six", "--index-url", INDEX)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "CGLIB_CACHE_MAX_AGE" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
    assert cli("search", "six", "--index-url", INDEX, "--json").exit_code == 2


def test_cli_no_match_is_exit_0_with_info(cli, root: FakeIndex) -> None:
    result = cli("search", "nothing-like-it", "--index-url", INDEX)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no project matches 'nothing-like-it'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_no_root_listing_exit_5(cli, root: FakeIndex) -> None:
    root.always("/simple/", 404)
    result = cli("search", "six", "--index-url", INDEX)
    assert result.exit_code == 5
    assert result.stdout == ""
    assert "cglib versions NAME" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_offline_without_cache_exit_5(cli) -> None:
    result = cli("search", "six", "--index-url", INDEX, "--offline")
    assert result.exit_code == 5
    assert "no cached project list" in result.stderr
    assert "without --offline" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_offline_with_cache_makes_no_request(cli, root: FakeIndex) -> None:
    assert cli("search", "six", "--index-url", INDEX).exit_code == 0
    root.forget()
    result = cli("search", "sixx", "--index-url", INDEX, "--offline", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"] == [{"name": "six", "match": "fuzzy"}]
    assert root.seen == []


def test_cli_corrupt_cache_warns_and_rebuilds(cli, root: FakeIndex) -> None:
    from cglib.cache import cache_path

    assert cli("search", "six", "--index-url", INDEX).exit_code == 0
    path = cache_path(INDEX)
    path.write_bytes(b"garbage")
    result = cli("search", "six", "--index-url", INDEX)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["six", "sixer"]
    assert result.stderr.startswith("warning: the cache file")
    assert "rebuilt" in result.stderr


def test_cli_credentials_never_shown(cli, root: FakeIndex) -> None:
    root.user, root.password = "user", "sentinel-secret-99"
    url = "https://user:sentinel-secret-99@example.org/simple/"
    result = cli("search", "six", "--index-url", url, "--json", "-v")
    assert result.exit_code == 0, result.stderr
    assert "sentinel-secret-99" not in result.stdout + result.stderr
    assert json.loads(result.stdout)["index"] == INDEX
    assert root.requests[0].headers["authorization"] == basic("user", "sentinel-secret-99")


def test_cli_usage_errors(cli) -> None:
    assert cli("search", "six", "--refresh", "--offline", "--index-url", INDEX).exit_code == 2
    assert cli("search", " ", "--index-url", INDEX).exit_code == 2
    assert cli("search", "six", "--limit", "0", "--index-url", INDEX).exit_code == 2


@pytest.mark.integration
def test_installed_cglib_asks_only_when_the_cache_is_stale(run_cglib, tmp_path, form) -> None:
    """The command as a user runs it, against a real socket: what it saw."""
    from support.fakeindex import serve_http

    env = {"CGLIB_CACHE_DIR": str(tmp_path / "cache")}
    index = FakeIndex(form=form)
    for name in ("six", "sixer", "requests"):
        index.project(name)
    with serve_http(index):
        argv = ["search", "six", "--index-url", index.url]
        for _ in range(2):
            result = run_cglib(*argv, env=env)
            assert result.exit_code == 0, result.stderr
            assert result.stdout.splitlines() == ["six", "sixer"]
        assert len(index.seen) == 1  # the second run used the fresh cache
        first = index.seen[0].response
        assert first is not None
        result = run_cglib(*argv, "-v", env={**env, "CGLIB_CACHE_MAX_AGE": "0"})
        assert result.exit_code == 0, result.stderr
        assert "(revalidated" in result.stderr
        assert len(index.seen) == 2
        assert index.requests[1].headers["If-None-Match"] == first.headers["ETag"]
        assert index.seen[1].status == 304
