"""Ranking of search results, and the `cglib search` command."""

from __future__ import annotations

import json
import random
import re

import pytest
from pytest_httpx import HTTPXMock

from cglib.names import NameIndex
from cglib.search import Match, _osa, search

NAMES = [
    "requests",
    "requests-oauthlib",
    "requests_toolbelt",
    "django-requests",
    "Django",
    "django-rest-framework",
    "flask",
    "Flask-SQLAlchemy",
    "six",
    "sixer",
    "Zope.Interface",
    "zope.event",
    "numpy",
    "types-requests",
    "pytest",
    "pytest-mock",
    "py",
]


def ranked(query: str, limit: int = 20) -> list[tuple[str, str]]:
    return [(m.name, m.kind) for m in search(NAMES, query, limit)]


def test_exact_then_prefix_then_substring() -> None:
    assert ranked("requests") == [
        ("requests", "exact"),
        ("requests-oauthlib", "prefix"),
        ("requests_toolbelt", "prefix"),
        ("types-requests", "substring"),
        ("django-requests", "substring"),
    ]


@pytest.mark.parametrize("spelling", ["zope_interface", "Zope.Interface", "ZOPE--interface"])
def test_matching_is_on_normalised_names(spelling: str) -> None:
    assert ranked(spelling)[0] == ("Zope.Interface", "exact")


def test_prefix_and_substring_use_normalised_separators() -> None:
    assert ranked("flask_sql") == [("Flask-SQLAlchemy", "prefix")]
    assert ranked("rest.frame") == [("django-rest-framework", "substring")]


@pytest.mark.parametrize(
    ("typo", "name"),
    [
        ("reqeusts", "requests"),  # swapped neighbours
        ("requets", "requests"),  # a letter missing
        ("requestss", "requests"),  # one too many
        ("numpi", "numpy"),  # replaced
        ("djnago", "Django"),
        ("flask-sqlalchmey", "Flask-SQLAlchemy"),
        ("flaskk-sqlalchemi", "Flask-SQLAlchemy"),  # two edits for long names
        ("flasksqlalchemy", "Flask-SQLAlchemy"),  # missing separator
    ],
)
def test_close_spellings(typo: str, name: str) -> None:
    results = ranked(typo)
    assert (name, "fuzzy") in results


def test_fuzzy_ranks_by_distance() -> None:
    results = search(["abcdefghij", "abcdefghxx", "abcdefgxxx"], "abcdefghix")
    assert [(m.name, m.distance) for m in results] == [
        ("abcdefghij", 1),
        ("abcdefghxx", 1),
        ("abcdefgxxx", 2),
    ]


def test_short_queries_do_not_go_fuzzy() -> None:
    assert ranked("sx") == []
    assert ranked("sxi") == [("six", "fuzzy")]


def test_limit_and_order_within_a_kind() -> None:
    assert ranked("py", limit=3) == [
        ("py", "exact"),
        ("pytest", "prefix"),
        ("pytest-mock", "prefix"),
    ]
    assert search(NAMES, "requests", 0) == []


def test_no_match_and_odd_queries() -> None:
    assert ranked("zzzzzz") == []
    assert ranked("   ") == []
    assert ranked("a\nb") == []
    assert search([], "six") == []


def test_each_name_at_most_once() -> None:
    names = [m.name for m in search([*NAMES, "REQUESTS", "requests"], "requests", 50)]
    assert len(names) == len(set(names))
    assert names[0] == "requests"


def test_match_json_shape() -> None:
    assert Match("Django", "exact", "django").to_json() == {"name": "Django", "match": "exact"}


def test_agrees_with_a_naive_implementation() -> None:
    rng = random.Random(7)
    alphabet = "abc-"
    names = {"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 7))) for _ in range(400)}
    names = {re.sub("-+", "-", n).strip("-") for n in names} - {""}
    index = NameIndex.build(sorted(names))
    for query in ["ab", "abc", "ca-b", "bbbb", "a-c", "cab"]:
        got = search(index, query, 10_000)
        kinds = {m.name: m.kind for m in got}
        for name in names:
            if name == query:
                want = "exact"
            elif name.startswith(query):
                want = "prefix"
            elif query in name:
                want = "substring"
            elif len(query) >= 3 and _osa(query, name, 1) <= 1:
                want = "fuzzy"
            else:
                want = None
            assert kinds.get(name) == want, (query, name)
        order = ["exact", "prefix", "substring", "fuzzy"]
        assert [order.index(m.kind) for m in got] == sorted(order.index(m.kind) for m in got)


# -- the command ------------------------------------------------------------------------------

INDEX = "https://example.org/simple/"


def _root(httpx_mock: HTTPXMock, names: list[str], **headers: str) -> None:
    links = "".join(f'<a href="{n}/">{n}</a><br>\n' for n in names)
    httpx_mock.add_response(
        url=INDEX,
        content=f"<html><body>{links}</body></html>".encode(),
        headers={"Content-Type": "text/html", "ETag": '"abc"', **headers},
        is_reusable=True,
    )


def test_cli_plain_output_is_one_name_per_line(cli, httpx_mock: HTTPXMock) -> None:  # type: ignore[no-untyped-def]
    _root(httpx_mock, NAMES)
    result = cli("search", "requests", "--index-url", INDEX, "--limit", "3")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["requests", "requests-oauthlib", "requests_toolbelt"]
    assert result.stderr == ""


def test_cli_json(cli, httpx_mock: HTTPXMock) -> None:  # type: ignore[no-untyped-def]
    _root(httpx_mock, NAMES)
    result = cli("search", "Zope_Interface", "--index-url", INDEX, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "query": "Zope_Interface",
        "index": INDEX,
        "results": [{"name": "Zope.Interface", "match": "exact"}],
    }


def test_cli_second_run_with_a_fresh_cache_asks_nothing(cli, httpx_mock: HTTPXMock) -> None:  # type: ignore[no-untyped-def]
    _root(httpx_mock, NAMES)
    assert cli("search", "six", "--index-url", INDEX).exit_code == 0
    httpx_mock.reset()
    result = cli("search", "six", "--index-url", INDEX, "-v")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["six", "sixer"]
    assert httpx_mock.get_requests() == []
    assert "(cache, fresh until" in result.stderr


def test_cli_stale_cache_revalidates(  # type: ignore[no-untyped-def]
    cli, httpx_mock: HTTPXMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _root(httpx_mock, NAMES)
    assert cli("search", "six", "--index-url", INDEX).exit_code == 0
    httpx_mock.reset()
    monkeypatch.setenv("CGLIB_CACHE_MAX_AGE", "0")
    httpx_mock.add_response(url=INDEX, status_code=304, match_headers={"If-None-Match": '"abc"'})
    result = cli("search", "six", "--index-url", INDEX, "-v")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == ["six", "sixer"]
    assert "(revalidated" in result.stderr
    assert len(httpx_mock.get_requests()) == 1


def test_cli_refresh_asks_at_once(cli, httpx_mock: HTTPXMock) -> None:  # type: ignore[no-untyped-def]
    _root(httpx_mock, NAMES)
    assert cli("search", "six", "--index-url", INDEX).exit_code == 0
    result = cli("search", "six", "--index-url", INDEX, "--refresh")
    assert result.exit_code == 0, result.stderr
    _first, second = httpx_mock.get_requests()
    assert "if-none-match" not in second.headers


@pytest.mark.parametrize("value", ["ten minutes", "-5"])
def test_cli_bad_cache_max_age_is_a_usage_error(  # type: ignore[no-untyped-def]
    cli, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CGLIB_CACHE_MAX_AGE", value)
    result = cli("search", "six", "--index-url", INDEX)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "CGLIB_CACHE_MAX_AGE" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2
    assert cli("search", "six", "--index-url", INDEX, "--json").exit_code == 2


def test_cli_no_match_is_exit_0_with_info(cli, httpx_mock: HTTPXMock) -> None:  # type: ignore[no-untyped-def]
    _root(httpx_mock, NAMES)
    result = cli("search", "nothing-like-it", "--index-url", INDEX)
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "no project matches 'nothing-like-it'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_no_root_listing_exit_5(cli, httpx_mock: HTTPXMock) -> None:  # type: ignore[no-untyped-def]
    httpx_mock.add_response(url=INDEX, status_code=404)
    result = cli("search", "six", "--index-url", INDEX)
    assert result.exit_code == 5
    assert result.stdout == ""
    assert "cglib versions NAME" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_offline_without_cache_exit_5(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("search", "six", "--index-url", INDEX, "--offline")
    assert result.exit_code == 5
    assert "no cached project list" in result.stderr
    assert "without --offline" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_offline_with_cache_makes_no_request(cli, httpx_mock: HTTPXMock) -> None:  # type: ignore[no-untyped-def]
    _root(httpx_mock, NAMES)
    assert cli("search", "six", "--index-url", INDEX).exit_code == 0
    httpx_mock.reset()
    result = cli("search", "sixx", "--index-url", INDEX, "--offline", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["results"] == [{"name": "six", "match": "fuzzy"}]
    assert httpx_mock.get_requests() == []


def test_cli_corrupt_cache_warns_and_rebuilds(cli, httpx_mock: HTTPXMock) -> None:  # type: ignore[no-untyped-def]
    from cglib.cache import cache_path

    _root(httpx_mock, NAMES)
    assert cli("search", "six", "--index-url", INDEX).exit_code == 0
    path = cache_path(INDEX)
    path.write_bytes(b"garbage")
    result = cli("search", "six", "--index-url", INDEX)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["six", "sixer"]
    assert result.stderr.startswith("warning: the cache file")
    assert "rebuilt" in result.stderr


def test_cli_credentials_never_shown(cli, httpx_mock: HTTPXMock) -> None:  # type: ignore[no-untyped-def]
    _root(httpx_mock, NAMES)
    url = "https://user:sentinel-secret-99@example.org/simple/"
    result = cli("search", "six", "--index-url", url, "--json", "-v")
    assert result.exit_code == 0, result.stderr
    assert "sentinel-secret-99" not in result.stdout + result.stderr
    assert json.loads(result.stdout)["index"] == INDEX
    assert httpx_mock.get_requests()[0].headers["authorization"].startswith("Basic ")


def test_cli_usage_errors(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("search", "six", "--refresh", "--offline", "--index-url", INDEX).exit_code == 2
    assert cli("search", " ", "--index-url", INDEX).exit_code == 2
    assert cli("search", "six", "--limit", "0", "--index-url", INDEX).exit_code == 2


@pytest.mark.integration
def test_installed_cglib_asks_only_when_the_cache_is_stale(run_cglib, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The command as a user runs it, against a real server: what it saw."""
    from support.rootserver import root_server

    env = {"CGLIB_CACHE_DIR": str(tmp_path / "cache")}
    with root_server(["six", "sixer", "requests"]) as server:
        argv = ["search", "six", "--index-url", server.url]
        for _ in range(2):
            result = run_cglib(*argv, env=env)
            assert result.exit_code == 0, result.stderr
            assert result.stdout.splitlines() == ["six", "sixer"]
        assert len(server.requests) == 1  # the second run used the fresh cache
        result = run_cglib(*argv, "-v", env={**env, "CGLIB_CACHE_MAX_AGE": "0"})
        assert result.exit_code == 0, result.stderr
        assert "(revalidated" in result.stderr
        assert len(server.requests) == 2
        assert server.requests[1][1]["If-None-Match"] == '"v1"'
