"""`--target TAG@X.Y`: one whole target environment."""

from __future__ import annotations

import pytest

from cglib.errors import UsageError
from cglib.targets import parse_target


def test_parse_target():
    target = parse_target("manylinux_2_28_x86_64@3.12")
    assert target.platforms == ("manylinux_2_28_x86_64",)
    assert target.python_version == (3, 12)
    assert target.implementation == "cp"
    assert target.describe() == "cp312 on manylinux_2_28_x86_64"
    assert target.marker_environment()["sys_platform"] == "linux"


@pytest.mark.parametrize(
    "spec", ["manylinux_2_28_x86_64", "@3.12", "win_amd64@3", "win_amd64@three", "a b@3.12", ""]
)
def test_malformed_target_is_usage_error(spec):
    with pytest.raises(UsageError) as info:
        parse_target(spec)
    assert "TAG@" in (info.value.hint or "").replace("PLATFORM_TAG@", "TAG@")


def test_bad_platform_in_target():
    with pytest.raises(UsageError):
        parse_target("manylinux_2_99999_x86_64@3.12")
