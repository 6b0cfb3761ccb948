"""The table layout of the plain output on a terminal (cglib.cli.tables): the
columns that fit, short wheel tags; `cglib versions` on real terminals of
several widths is in test_cli_versions.py."""

from __future__ import annotations

import pytest

from cglib.cli.tables import Column, cells, cut, fit, lay_out, short_tags


@pytest.mark.parametrize(
    ("tags", "short"),
    [
        (("cp312", "cp312", "manylinux_2_28_x86_64"), "cp312 manylinux_2_28 x86_64"),
        (("py3", "none", "any"), "py3 any"),
        (("py2.py3", "none", "any"), "py2.py3 any"),
        (
            ("cp38", "cp38", "manylinux_2_17_x86_64.manylinux2014_x86_64"),
            "cp38 manylinux_2_17 x86_64",
        ),
        (("cp38", "abi3", "win_amd64"), "cp38 abi3 win amd64"),
        (("cp313", "cp313t", "macosx_11_0_arm64"), "cp313t macosx_11_0 arm64"),
        (("cp311", "cp311", "manylinux2014_x86_64"), "cp311 manylinux2014 x86_64"),
        (("cp311", "cp311", "win32"), "cp311 win32"),
    ],
)
def test_short_tags(tags, short):
    assert short_tags(*tags) == short


def test_fit_drops_in_order_and_never_below_a_word():
    columns = [Column("Name"), Column("Note", wrap=True), Column("A", drop=2), Column("B", drop=1)]
    rows = [["alpha", "some words here", "aaaaaaaaaa", "bbbbbbbbbb"]]
    assert fit(columns, rows, 200) == [(0, 5), (1, 15), (2, 10), (3, 10)]
    # B goes first, then A; the note shrinks to its longest word, never less.
    assert fit(columns, rows, 5 + 2 + 15 + 2 + 10) == [(0, 5), (1, 15), (2, 10)]
    assert fit(columns, rows, 5 + 2 + 10) == [(0, 5), (1, 10)]
    assert fit(columns, rows, 5 + 2 + 5) == [(0, 5), (1, 5)]
    assert fit(columns, rows, 5 + 2 + 4) is None


@pytest.mark.parametrize(
    ("text", "width"), [("six", 3), ("", 0), ("日本", 4), ("e\u0301", 1), ("ok日", 4)]
)
def test_cells_is_the_width_on_a_terminal(text: str, width: int) -> None:
    assert cells(text) == width


@pytest.mark.parametrize(
    ("text", "width", "shown"),
    [
        ("abcdef", 4, "abc…"),
        ("abc", 3, "abc"),
        ("abc", 10, "abc"),
        ("日本語", 4, "日…"),  # a wide character that would overflow is left out
        ("日本語", 5, "日本…"),
        ("abc", 0, ""),
    ],
)
def test_cut_fits_the_width_with_an_ellipsis(text: str, width: int, shown: str) -> None:
    assert cut(text, width) == shown
    assert cells(cut(text, width)) <= width


def test_lay_out_wraps_free_text_cuts_cut_columns_and_pads_the_rest() -> None:
    columns = [Column("Name"), Column("Note", wrap=True), Column("Url", cut=True)]
    rows = [["six", "some words here", "https://example.org/long/path"], ["a", "b", "c"]]
    assert lay_out(columns, rows, [(0, 3), (1, 10), (2, 12)]) == [
        "six  some words  https://exa…",
        "     here",  # the wrapped note's second line; no trailing spaces
        "a    b           c",
    ]
    # A plan without a column leaves it out.
    assert lay_out(columns, rows, [(0, 3), (2, 12)]) == ["six  https://exa…", "a    c"]
