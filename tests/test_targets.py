"""Targets: ``TAG@X.Y``, platform tag checks with suggestions, marker environments."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import Marker

from cglib.errors import UsageError
from cglib.selection import Target
from cglib.targets import (
    LINUX_ARCHES,
    check_platform_tag,
    marker_environment,
    parse_target,
)


def test_parse_target_is_cpython_on_that_platform() -> None:
    target = parse_target("manylinux_2_28_aarch64@3.12")
    assert target == Target.from_options(
        platforms=["manylinux_2_28_aarch64"], python_version="3.12", implementation="cp"
    )
    assert target.describe() == "cp312 on manylinux_2_28_aarch64"


@pytest.mark.parametrize(
    "spec", ["manylinux_2_28_x86_64", "@3.12", "manylinux_2_28_x86_64@", "x@y@"]
)
def test_parse_target_refuses_malformed(spec: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_target(spec)
    assert info.value.exit_code == 2


def test_parse_target_refuses_a_bad_python() -> None:
    with pytest.raises(UsageError, match="not a Python version"):
        parse_target("win_amd64@3.x")


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("manylinux_2_28_amd64", "manylinux_2_28_x86_64"),
        ("manylinux_2_28_arm64", "manylinux_2_28_aarch64"),
        ("manylinux2_28_x86_64", "manylinux_2_28_x86_64"),
        ("musllinux_1_2_amd64", "musllinux_1_2_x86_64"),
        ("manylinux2014_arm64", "manylinux2014_aarch64"),
        ("linux_amd64", "linux_x86_64"),
        ("macosx_14_arm64", "macosx_14_0_arm64"),
        ("macosx_14_0_aarch64", "macosx_14_0_arm64"),
        ("macosx_11_0_amd64", "macosx_11_0_x86_64"),
        ("win64", "win_amd64"),
        ("win_x86_64", "win_amd64"),
        ("x86_64", "manylinux_2_28_x86_64"),
        ("manylinux_2_28_x86_46", "manylinux_2_28_x86_64"),
        ("manylinux_2_28", "manylinux_2_28_x86_64"),
    ],
)
def test_typos_are_usage_errors_with_the_right_spelling(typo: str, suggestion: str) -> None:
    with pytest.raises(UsageError) as info:
        check_platform_tag(typo)
    assert info.value.exit_code == 2
    assert suggestion in (info.value.hint or "")
    with pytest.raises(UsageError) as again:
        parse_target(f"{typo}@3.12")
    assert suggestion in (again.value.hint or "")


@pytest.mark.parametrize(
    "tag",
    [
        "manylinux_2_28_x86_64",
        "manylinux_2_39_aarch64",
        "manylinux2014_x86_64",
        "manylinux1_i686",
        "musllinux_1_2_aarch64",
        "linux_x86_64",
        "macosx_14_0_arm64",
        "macosx_10_9_universal2",
        "win_amd64",
        "win32",
        "win_arm64",
        "any",
    ],
)
def test_real_tags_pass(tag: str) -> None:
    assert check_platform_tag(tag) == tag


def test_unknown_family_is_refused_with_examples() -> None:
    with pytest.raises(UsageError) as info:
        check_platform_tag("freebsd_13_x86_64")
    assert "manylinux_2_28_x86_64" in (info.value.hint or "")


@given(
    family=st.sampled_from(["manylinux_2_28", "manylinux_2_17", "musllinux_1_2"]),
    arch=st.sampled_from(sorted(LINUX_ARCHES)),
)
def test_every_linux_arch_passes(family: str, arch: str) -> None:
    assert check_platform_tag(f"{family}_{arch}") == f"{family}_{arch}"


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-.@ ", max_size=40))
def test_check_platform_tag_accepts_or_raises_usage_error(text: str) -> None:
    error: UsageError | None = None
    try:
        result = check_platform_tag(text)
    except UsageError as exc:
        error = exc
    if error is not None:
        assert error.exit_code == 2
        assert "\n" not in error.message
        return
    # Whatever passes, the selection code can expand without complaint.
    Target.from_options(platforms=[result])


EXPECTED = {
    "manylinux_2_28_x86_64@3.12": {
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": "x86_64",
        "python_version": "3.12",
        "python_full_version": "3.12.0",
        "implementation_name": "cpython",
        "implementation_version": "3.12.0",
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_version": "",
    },
    "manylinux_2_28_aarch64@3.11": {
        "sys_platform": "linux",
        "platform_machine": "aarch64",
        "python_version": "3.11",
    },
    "win_amd64@3.9": {
        "sys_platform": "win32",
        "platform_system": "Windows",
        "os_name": "nt",
        "platform_machine": "AMD64",
        "python_version": "3.9",
        "python_full_version": "3.9.0",
    },
    "win32@3.10": {"platform_machine": "x86", "sys_platform": "win32"},
    "macosx_14_0_arm64@3.13": {
        "sys_platform": "darwin",
        "platform_system": "Darwin",
        "os_name": "posix",
        "platform_machine": "arm64",
        "python_version": "3.13",
    },
    "macosx_11_0_x86_64@3.10.4": {
        "platform_machine": "x86_64",
        "python_full_version": "3.10.4",
        "python_version": "3.10",
    },
    "musllinux_1_2_armv7l@3.12": {"sys_platform": "linux", "platform_machine": "armv7l"},
}


@pytest.mark.parametrize("spec", sorted(EXPECTED))
def test_marker_environment_is_the_targets_own(spec: str) -> None:
    env = marker_environment(parse_target(spec))
    for key, value in EXPECTED[spec].items():
        assert env[key] == value, key
    # Every PEP 508 variable is there, so any marker can be evaluated.
    for key in (
        "os_name",
        "sys_platform",
        "platform_machine",
        "platform_python_implementation",
        "platform_release",
        "platform_system",
        "platform_version",
        "python_version",
        "python_full_version",
        "implementation_name",
        "implementation_version",
    ):
        assert key in env


def test_windows_target_gets_colorama_on_any_host() -> None:
    marker = Marker('platform_system == "Windows"')
    assert marker.evaluate(marker_environment(parse_target("win_amd64@3.12")))
    assert not marker.evaluate(marker_environment(parse_target("manylinux_2_28_x86_64@3.12")))
    old = Marker('python_version < "3.11"')
    assert old.evaluate(marker_environment(parse_target("win_amd64@3.10")))
    assert not old.evaluate(marker_environment(parse_target("win_amd64@3.12")))


def test_default_target_is_this_interpreter() -> None:
    from packaging.markers import default_environment

    assert marker_environment(Target()) == default_environment()


def test_python_only_target_keeps_this_platform() -> None:
    from packaging.markers import default_environment

    env = marker_environment(Target.from_options(python_version="3.9"))
    host = default_environment()
    assert env["python_version"] == "3.9"
    assert env["sys_platform"] == host["sys_platform"]
    assert env["platform_release"] == host["platform_release"]
