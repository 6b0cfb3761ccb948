"""The table layout of the plain output on a terminal (cglib.cli.tables): the
columns that fit, short wheel tags; `cglib versions` on real terminals of
several widths is in test_cli_versions.py."""

from __future__ import annotations

import pytest

from cglib.cli.tables import Column, fit, short_tags


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
