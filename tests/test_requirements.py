"""Project names and PEP 508 requirements (cglib.requirements): what is
refused, and the one-line usage error that says why."""

from __future__ import annotations

import pytest

from cglib.errors import UsageError


def test_parse_requirement_message_is_one_line_without_caret():
    from cglib.requirements import parse_requirement

    with pytest.raises(UsageError) as info:
        parse_requirement("six>=1,,<2")
    message = info.value.message
    assert "\n" not in str(info.value)
    assert "^" not in message
    assert message.startswith("malformed requirement 'six>=1,,<2': ")
