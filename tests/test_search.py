"""Ranking of search results (cglib.search); the command is in test_cli_search.py."""

from __future__ import annotations

import random
import re

import pytest

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
