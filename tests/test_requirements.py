"""Project names and PEP 508 requirements (cglib.requirements): what is
refused, and the one-line usage error that says why."""

from __future__ import annotations

import pytest

from cglib.errors import UsageError
from cglib.requirements import check_project_name, parse_requirement


def test_parse_requirement_message_is_one_line_without_caret():
    with pytest.raises(UsageError) as info:
        parse_requirement("six>=1,,<2")
    message = info.value.message
    assert "\n" not in str(info.value)
    assert "^" not in message
    assert message.startswith("malformed requirement 'six>=1,,<2': ")


@pytest.mark.parametrize("name", ["six", "a", "zope.interface", "typing_extensions", "Py-3"])
def test_a_valid_project_name_is_returned_as_given(name: str) -> None:
    assert check_project_name(name) == name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("-six", "-six"),
        ("six-", "six-"),
        ("a b", "a b"),
        ("é", "é"),
        ("\u212aelvin", "\u212aelvin"),  # the Kelvin sign folds to "k" when case is ignored
        ("", ""),
        ("six\n", "'six\\n'"),  # not printable: quoted
        ("x" * 100 + "!", repr("x" * 100)),  # long: quoted and cut
    ],
)
def test_an_invalid_project_name_is_a_usage_error(name: str, shown: str) -> None:
    with pytest.raises(UsageError) as info:
        check_project_name(name)
    assert info.value.exit_code == 2
    assert info.value.message == f"not a valid project name: {shown}"
    assert info.value.hint is not None
    assert "zope.interface" in info.value.hint


def test_a_requirement_is_parsed_with_its_specifier_extras_and_marker() -> None:
    requirement = parse_requirement('Six[Extra] >=1.16,<2 ; python_version >= "3.8"')
    assert requirement.name == "Six"
    assert requirement.extras == {"Extra"}
    assert str(requirement.specifier) == "<2,>=1.16"
    assert requirement.marker is not None
    assert requirement.marker.evaluate({"python_version": "3.12"})
    assert not requirement.marker.evaluate({"python_version": "3.7"})


@pytest.mark.parametrize(
    ("text", "expected", "column"),
    [
        ("six ==", "Expected semicolon (after name with no version specifier) or end", 5),
        ("", "Expected package name at the start of dependency specifier", 1),
        ("six; python_version >", "Expected a marker variable or quoted string", 22),
    ],
)
def test_a_malformed_requirement_says_what_was_expected_and_where(
    text: str, expected: str, column: int
) -> None:
    with pytest.raises(UsageError) as info:
        parse_requirement(text)
    assert info.value.exit_code == 2
    assert info.value.message == (
        f"malformed requirement {text!r}: {expected} (at character {column})"
    )
    assert info.value.hint == "write NAME, NAME==1.2 or NAME>=1,<2"


def test_the_shown_text_is_quoted_instead_and_without_a_position() -> None:
    """The line as written (before ${VAR} expansion): its characters are not
    the parsed text's, so no position is given."""
    with pytest.raises(UsageError) as info:
        parse_requirement("six>=1,,<2", shown="${PKG}>=1,,<2")
    message = info.value.message
    assert message.startswith("malformed requirement '${PKG}>=1,,<2': Expected comma")
    assert "six" not in message
    assert "at character" not in message


def test_a_long_malformed_requirement_is_cut_in_the_message() -> None:
    text = "x" * 300 + " =="
    with pytest.raises(UsageError) as info:
        parse_requirement(text)
    message = info.value.message
    assert f"malformed requirement '{'x' * 200}…': " in message
    assert "x" * 201 not in message
