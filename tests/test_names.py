"""The project names of an index laid out for search (cglib.names): only valid
names kept, normalised, with the listed spelling for display."""

from __future__ import annotations

import pytest

from cglib.names import NameIndex, normalize_query


def test_name_index_survives_odd_names() -> None:
    index = NameIndex.build([" six ", "bad name", "tab\tname", "", "ok_name", "OK.Name", "é-pkg"])
    assert sorted(index) == sorted(["six", "ok-name"])
    assert index.display_name("ok-name") == "ok_name"
    assert "OK-NAME" in index
    assert index.rejected == 4


@pytest.mark.parametrize(
    "bad",
    ["evil\nname", "evil\r\nname", "-dash", "dot.", "a..b\nc", "é-pkg", "a b", "x\x00y", "\n"],
)
def test_a_name_that_is_not_a_project_name_is_left_out(bad: str) -> None:
    index = NameIndex.build(["six", bad, "requests"])
    assert sorted(index) == ["requests", "six"]
    assert index.rejected == 1
    assert NameIndex.build(["six", "requests"]).rejected == 0


@pytest.mark.parametrize(
    ("query", "normal"),
    [
        ("Six", "six"),
        ("  Zope.Interface\t", "zope-interface"),
        ("a__b-.-c", "a-b-c"),
        ("Django_", "django-"),  # kept: names that start so
    ],
)
def test_normalize_query_is_pep_503_without_surrounding_space(query: str, normal: str) -> None:
    assert normalize_query(query) == normal


def test_two_spellings_of_a_name_are_one_name_shown_as_first_listed() -> None:
    index = NameIndex.build(["Six", "six", "Zope.Interface", "zope-interface", "a", "requests"])
    assert len(index) == 4
    assert list(index) == ["a", "six", "requests", "zope-interface"]  # shortest first
    assert index.display_name("six") == "Six"
    assert index.display_name("zope-interface") == "Zope.Interface"
    assert index.display_name("requests") == "requests"
    assert index.display_name("not-listed") == "not-listed"
    assert repr(index) == "NameIndex(4 names)"


def test_membership_is_by_normalised_name() -> None:
    index = NameIndex.build(["Zope.Interface", "six"])
    assert "zope_interface" in index
    assert "ZOPE-INTERFACE" in index
    assert "zope" not in index
    assert "sixx" not in index
    assert 6 not in index


def test_records_of_one_length_are_sorted_and_searchable() -> None:
    index = NameIndex.build(["rich", "six", "attrs", "idna", "pip", "httpx"])
    assert index.records(9) is None
    three = index.records(3)
    assert three is not None
    assert [three[i] for i in range(len(three))] == [b"pip", b"six"]
    assert three.find(b"six") == 1
    assert three.find(b"abc") == -1
    assert three.name(0) == "pip"
    four = index.records(4)
    assert four is not None
    assert [four[i] for i in range(len(four))] == [b"idna", b"rich"]
    assert four.prefix_range(b"ri") == (1, 2)
    assert four.prefix_range(b"x") == (2, 2)


def test_in_memory_keeps_every_name_and_spelling_and_close_empties() -> None:
    index = NameIndex.build(["Six", "requests"])
    copy = index.in_memory()
    index.close()
    assert len(index) == 0
    assert list(index) == []
    assert sorted(copy) == ["requests", "six"]
    assert copy.display_name("six") == "Six"


def test_an_empty_listing_is_an_empty_index() -> None:
    index = NameIndex.build([])
    assert len(index) == 0
    assert list(index) == []
    assert "six" not in index
    assert index.rejected == 0


def test_records_are_a_sequence_that_ends() -> None:
    index = NameIndex.build(["six", "abc", "zzz", "requests"])
    three = index.records(3)
    assert three is not None
    assert list(three) == [b"abc", b"six", b"zzz"]  # iteration stops at the end
    assert three[-1] == b"zzz"
    assert three[-3] == b"abc"
    for outside in (3, -4):
        with pytest.raises(IndexError):
            three[outside]
    assert b"six" in three
    assert b"sex" not in three
