"""Core metadata of one distribution (cglib.coremetadata): a METADATA text
parsed, the dependencies for one environment and set of extras, whether they
may change at build time, and the `cglib show --json` document."""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from cglib.coremetadata import CoreMetadata, ShowResult, parse_core_metadata
from cglib.errors import InvalidPageError
from cglib.models import DistributionFile

METADATA = b"""\
Metadata-Version: 2.4
Name: Demo.Pkg
Version: 2.1.0
Summary: A demonstration package
Home-page: https://home.example.org/
Project-URL: Source, https://example.org/src
License-Expression: MIT
Requires-Python: >=3.9
Requires-Dist: six>=1.16
Requires-Dist: pywin32; sys_platform == "win32"
Requires-Dist: colorama; python_version < "3.10"
Requires-Dist: pytest>=8; extra == "test"
Requires-Dist: sphinx; extra == "docs" and python_version >= "3.11"
Requires-Dist: not a requirement (
Provides-Extra: test
Provides-Extra: docs
Dynamic: license-file

The long description, in the body.
"""

LINUX_312 = {
    "sys_platform": "linux",
    "platform_system": "Linux",
    "os_name": "posix",
    "platform_machine": "x86_64",
    "platform_python_implementation": "CPython",
    "implementation_name": "cpython",
    "python_version": "3.12",
    "python_full_version": "3.12.3",
    "platform_release": "",
    "platform_version": "",
    "implementation_version": "3.12.3",
}


def names(requirements: list[Requirement]) -> list[str]:
    return [r.name for r in requirements]


def test_a_metadata_text_is_parsed() -> None:
    meta = parse_core_metadata(METADATA)
    assert meta.name == "Demo.Pkg"
    assert meta.version == "2.1.0"
    assert meta.metadata_version == "2.4"
    assert meta.summary == "A demonstration package"
    assert meta.requires_python == ">=3.9"
    assert meta.requires_dist[0] == "six>=1.16"
    assert len(meta.requires_dist) == 6
    assert meta.provides_extra == ("test", "docs")
    assert meta.license == "MIT"
    assert meta.dynamic == ("license-file",)
    # The home page comes first, as the index's "Homepage" URL.
    assert list(meta.project_urls.items()) == [
        ("Homepage", "https://home.example.org/"),
        ("Source", "https://example.org/src"),
    ]


def test_an_unreadable_requires_dist_line_is_skipped_as_installers_do() -> None:
    meta = parse_core_metadata(METADATA)
    assert names(meta.requirements()) == ["six", "pywin32", "colorama", "pytest", "sphinx"]


def test_a_project_url_named_homepage_wins_over_home_page() -> None:
    meta = parse_core_metadata(
        b"Metadata-Version: 2.1\nName: a\nVersion: 1\n"
        b"Home-page: https://old.example.org/\n"
        b"Project-URL: Homepage, https://new.example.org/\n"
    )
    assert dict(meta.project_urls) == {"Homepage": "https://new.example.org/"}


def test_only_the_first_line_of_a_license_text_is_kept() -> None:
    meta = parse_core_metadata(
        b"Metadata-Version: 2.1\nName: a\nVersion: 1\n"
        b"License: BSD 3-Clause\n        Copyright (c) someone\n        All rights reserved.\n"
    )
    assert meta.license == "BSD 3-Clause"
    blank = parse_core_metadata(b"Metadata-Version: 2.1\nName: a\nVersion: 1\nLicense:  \n")
    assert blank.license is None


@pytest.mark.parametrize(
    "data",
    [b"Metadata-Version: 2.1\nVersion: 1.0\n", b"Metadata-Version: 2.1\nName: a\n", b""],
)
def test_without_name_or_version_it_is_an_invalid_page_naming_the_file(data: bytes) -> None:
    with pytest.raises(InvalidPageError) as info:
        parse_core_metadata(data, source="a-1.0-py3-none-any.whl")
    assert (
        info.value.message == "the core metadata of a-1.0-py3-none-any.whl has no Name or Version"
    )
    assert info.value.hint is not None


def test_dependencies_follow_the_markers_of_the_environment() -> None:
    meta = parse_core_metadata(METADATA)
    assert names(meta.dependencies(LINUX_312)) == ["six"]
    windows_39 = {**LINUX_312, "sys_platform": "win32", "python_version": "3.9"}
    assert names(meta.dependencies(windows_39)) == ["six", "pywin32", "colorama"]


def test_dependencies_of_an_extra_are_added_only_when_it_is_asked_for() -> None:
    meta = parse_core_metadata(METADATA)
    assert names(meta.dependencies(LINUX_312, ["test"])) == ["six", "pytest"]
    # Extras are compared normalised; an extra's own markers still apply.
    assert names(meta.dependencies(LINUX_312, ["TEST", "Docs"])) == ["six", "pytest", "sphinx"]
    older = {**LINUX_312, "python_version": "3.10"}
    assert names(meta.dependencies(older, ["docs"])) == ["six"]
    assert names(meta.dependencies(LINUX_312, ["nonesuch"])) == ["six"]


@pytest.mark.parametrize(
    ("version", "dynamic", "may_change"),
    [
        ("1.2", (), True),  # before 2.2 there is no Dynamic field: anything may change
        ("2.1", (), True),
        ("", (), True),
        ("2.2", (), False),
        ("2.10", (), False),  # compared as numbers, not as text
        ("2.4", ("license-file",), False),
        ("2.4", ("Requires-Dist",), True),
        ("2.2", (" requires-dist ",), True),
    ],
)
def test_dynamic_requirements(version: str, dynamic: tuple[str, ...], may_change: bool) -> None:
    meta = CoreMetadata(name="a", version="1", metadata_version=version, dynamic=dynamic)
    assert meta.dynamic_requirements() is may_change


def test_the_show_document() -> None:
    meta = parse_core_metadata(METADATA)
    wheel = DistributionFile(
        "demo_pkg-2.1.0-py3-none-any.whl",
        "https://example.org/files/demo_pkg-2.1.0-py3-none-any.whl",
        "demo-pkg",
        Version("2.1.0"),
        "wheel",
        {"sha256": "a" * 64},
    )
    document = ShowResult("demo-pkg", meta, (wheel,), wheel, "pep658").to_json()
    assert document["project"] == "demo-pkg"
    assert document["version"] == "2.1.0"
    assert document["summary"] == "A demonstration package"
    assert document["requires_python"] == ">=3.9"
    assert document["requires_dist"] == list(meta.requires_dist)
    assert document["extras"] == ["test", "docs"]
    assert document["license"] == "MIT"
    assert document["project_urls"] == dict(meta.project_urls)
    assert document["files"] == [wheel.to_json()]
    assert document["metadata_source"] == {
        "filename": "demo_pkg-2.1.0-py3-none-any.whl",
        "via": "pep658",
    }
    unread = ShowResult("demo-pkg", meta, ()).to_json()
    assert unread["metadata_source"] == {"filename": None, "via": ""}
