"""The project names of an index laid out for search (cglib.names): only valid
names kept, normalised, with the listed spelling for display."""

from __future__ import annotations

import pytest

from cglib.names import NameIndex


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
