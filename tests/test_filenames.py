"""Wheel and sdist file names: parsing, tags, safety (cglib.filenames)."""

from __future__ import annotations

import pytest
from packaging.utils import parse_wheel_filename
from packaging.version import Version

from cglib import filenames, simple
from cglib.errors import UnsafeFilenameError
from cglib.filenames import (
    FilenameParser,
    check_filename,
    is_safe,
    split_filename,
    split_wheel_tags,
    wheel_tags,
)

# -- parsing -----------------------------------------------------------------------


def test_split_gives_every_part_of_a_wheel():
    parsed = split_filename(
        "Foo_Bar-1.0-12b-cp312-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
    )
    assert parsed is not None
    assert (parsed.project, parsed.version, parsed.kind) == ("foo-bar", Version("1.0"), "wheel")
    assert parsed.wheel is not None
    assert parsed.wheel.build == "12b"
    assert parsed.wheel.build_number == 12
    assert parsed.wheel.python == "cp312"
    assert parsed.wheel.abi == "abi3"
    assert parsed.wheel.platform == "manylinux_2_17_x86_64.manylinux2014_x86_64"


def test_split_of_an_sdist_has_no_tags():
    parsed = split_filename("foo-bar-1.0-2.tar.gz", "foo-bar")
    assert parsed is not None
    assert (parsed.project, str(parsed.version), parsed.kind, parsed.wheel) == (
        "foo-bar",
        "1.0.post2",
        "sdist",
        None,
    )


def test_split_and_parse_agree_and_refuse_alike():
    for name in ["six-1.0-py3-none-any.whl", "six-1.0.tar.gz", "six-1.0-x-py3-none-any.whl", "x"]:
        parsed, split = simple.parse_filename(name), split_filename(name)
        assert (parsed is None) == (split is None)
        if split is not None:
            assert tuple(split[:3]) == parsed


def test_versions_are_parsed_once_per_distinct_string(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def counting(raw: str) -> Version:
        calls.append(raw)
        return Version(raw)

    monkeypatch.setattr(filenames, "Version", counting)
    html = "".join(
        f'<a href="demo-1.0-cp3{n}-cp3{n}-any.whl">demo-1.0-cp3{n}-cp3{n}-any.whl</a>'
        for n in range(8, 14)
    )
    page = simple.parse_project_page(
        html.encode(), "text/html", "https://example.org/simple/demo/", "demo"
    )
    assert len(page.files) == 6
    assert calls == ["1.0"]


def test_a_parser_remembers_the_tags_of_a_page():
    parser = FilenameParser("demo")
    first = parser.split("demo-1.0-py3-none-any.whl")
    second = parser.split("demo-2.0-py3-none-any.whl")
    assert first is not None
    assert second is not None
    assert first.wheel is second.wheel  # one object per distinct tag string


# -- tags --------------------------------------------------------------------------

WHEELS = [
    "six-1.16.0-py2.py3-none-any.whl",
    "pkg-1.0-1-py3-none-any.whl",
    "pkg-1.0-7abc-cp312-cp312-win_amd64.whl",
    "zope.interface-7.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "torch-2.5.1+cu124-cp312-cp312-linux_x86_64.whl",
    "numpy-2.0-cp39.cp310-abi3-macosx_11_0_arm64.macosx_11_0_x86_64.whl",
]


@pytest.mark.parametrize("filename", WHEELS)
def test_wheel_tags_match_packaging(filename):
    _, _, build, tags = parse_wheel_filename(filename)
    assert wheel_tags(filename) == (tags, build[0] if build else -1)


def test_wheel_tags_are_memoised_and_reject_junk():
    assert wheel_tags("pkg-1.0-py3-none-any.whl") is wheel_tags("pkg-1.0-py3-none-any.whl")
    assert wheel_tags("not-a-wheel.whl") is None
    assert wheel_tags("pkg-1.0.tar.gz") is None
    assert wheel_tags("pkg-1.0-x-py3-none-any.whl") is None  # a build tag starts with a digit


def test_split_wheel_tags_for_display():
    tags = split_wheel_tags("pkg-1.0-cp312-cp312-manylinux_2_28_x86_64.whl")
    assert tags is not None
    assert (tags.python, tags.platform, tags.build) == ("cp312", "manylinux_2_28_x86_64", "")
    assert split_wheel_tags("pkg-1.0.tar.gz") is None
    assert split_wheel_tags("pkg-1.0-any.whl") is None


# -- safety ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "six-1.16.0-py2.py3-none-any.whl",
        "zope.interface-7.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "apiflask-2.0.0+cgr.1-py3-none-any.whl",
        "pkg-1.0-1-py3-none-any.whl",
        "zope_interface-7.2.tar.gz",
        "six-1.16.0.zip",
    ],
)
def test_safe_names_pass(name):
    assert check_filename(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "../six-1.16.0.tar.gz",
        "six-1.16.0/../../x.tar.gz",
        "..\\six-1.16.0.tar.gz",
        ".six-1.16.0.tar.gz",
        "six-1.16.0\x00.tar.gz",
        "six-1.16.0\t.tar.gz",
        "six-1.16.0\n.tar.gz",
        "six-1.16.0-py3-none-a:b.whl",
        "six-1.16.0-py3-none-any.exe",
        "C:six-1.16.0.tar.gz",
        "six-1..0.tar.gz",
        "",
        "s" * 300 + "-1.0.tar.gz",
    ],
)
def test_unsafe_names_are_refused(name):
    with pytest.raises(UnsafeFilenameError) as info:
        check_filename(name)
    assert "\n" not in str(info.value)
    assert info.value.exit_code == 7


def test_wheel_of_another_project_is_refused():
    with pytest.raises(UnsafeFilenameError):
        check_filename("evil-1.0-py3-none-any.whl", "six")


def test_a_file_of_the_project_is_safe_in_any_spelling():
    assert is_safe("Zope_Interface-7.2-py3-none-any.whl", "zope.interface")
    assert is_safe("foo-bar-1.0-post1.tar.gz", "Foo_Bar")  # the project says where the name ends
    assert not is_safe("evil-1.0.tar.gz", "six")
