"""Property tests: on any input, the parsers and the requirement, version and
tag handling either succeed or raise a :class:`~cglib.errors.CglibError`
subclass, never another exception (which the CLI would report as a bug)."""

from __future__ import annotations

import json
import string
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cglib.errors import CglibError
from cglib.models import DistributionFile, ProjectPage
from cglib.requirements import check_project_name, parse_requirement
from cglib.simple import parse_filename, parse_project_list, parse_project_page

CONTENT_TYPES = [
    "text/html",
    "text/html; charset=utf-8",
    "text/html; charset=latin-1",
    "text/html; charset=nonsense",
    "application/vnd.pypi.simple.v1+html",
    "application/vnd.pypi.simple.v1+json",
    "application/vnd.pypi.simple.v2+json",
    "application/json",
    "text/plain",
    "",
]
URLS = [
    "https://example.org/simple/pkg/",
    "https://user:secret-token@example.org/simple/pkg/",
    "http://127.0.0.1:8080/simple/",
]

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- page bodies -------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
file_keys = st.sampled_from(
    [
        "filename",
        "url",
        "hashes",
        "yanked",
        "requires-python",
        "core-metadata",
        "dist-info-metadata",
        "size",
        "upload-time",
    ]
)
filenames = st.one_of(
    st.text(max_size=40),
    st.builds(
        "{}-{}-{}-{}-{}.whl".format,
        st.sampled_from(["pkg", "Pkg_x", "", "-", "pkg.name"]),
        st.sampled_from(["1.0", "1..0", "v2", "1.0+local", "", "١٫٠"]),
        st.sampled_from(["py3", "cp311", ""]),
        st.sampled_from(["none", "abi3", ""]),
        st.text(max_size=12),
    ),
    st.builds("pkg-{}.tar.gz".format, st.text(max_size=12)),
)
file_entries = st.dictionaries(file_keys, json_values, max_size=9) | st.fixed_dictionaries(
    {"filename": filenames, "url": st.text(max_size=40)},
    optional={
        "hashes": st.dictionaries(st.text(max_size=8), json_values, max_size=2),
        "yanked": json_values,
        "requires-python": json_values,
        "core-metadata": json_values,
        "size": json_values,
        "upload-time": json_values,
    },
)
json_pages = st.fixed_dictionaries(
    {},
    optional={
        "meta": st.dictionaries(st.sampled_from(["api-version", "x"]), json_values, max_size=2)
        | st.just({"api-version": "1.1"})
        | json_values,
        "name": json_values,
        "files": st.lists(file_entries, max_size=5) | json_values,
        "versions": st.lists(json_values, max_size=3) | json_values,
        "projects": st.lists(
            st.dictionaries(st.just("name"), json_values) | json_values, max_size=5
        )
        | json_values,
    },
)

html_text = st.text(alphabet=string.printable + "<>\"'=&#;/\x00é", max_size=60)
anchor = st.builds(
    '<a href="{}" data-yanked="{}" data-requires-python="{}" data-core-metadata="{}">{}</a>'.format,
    html_text,
    html_text,
    html_text,
    html_text,
    filenames | html_text,
)
html_pages = st.lists(
    anchor
    | html_text
    | st.builds('<base href="{}">'.format, html_text)
    | st.builds('<meta name="pypi:repository-version" content="{}">'.format, html_text),
    max_size=8,
).map("".join)


def _parse_page(body: bytes, content_type: str, url: str, project: str | None) -> None:
    try:
        page = parse_project_page(body, content_type, url, project=project)
    except CglibError:
        return
    assert isinstance(page, ProjectPage)
    for f in page.files:
        assert isinstance(f, DistributionFile)
        assert "/" not in f.filename
        assert "\\" not in f.filename
        json.dumps(f.to_json())  # the CLI can always print what was parsed
    json.dumps(page.to_json(pre=True))


def _parse_list(body: bytes, content_type: str, url: str) -> None:
    try:
        listing = parse_project_list(body, content_type, url)
    except CglibError:
        return
    assert all(isinstance(name, str) for name in listing.names)


@SETTINGS
@given(
    st.binary(max_size=2000),
    st.sampled_from(CONTENT_TYPES),
    st.sampled_from(URLS),
    st.sampled_from([None, "pkg", "Zope.Interface"]),
)
@example(b"\xef\xbb\xbf{}", "application/json", URLS[0], None)
@example(b"[" * 100_000, "application/json", URLS[0], None)
@example(b"<a href='x'>" * 1000, "text/html", URLS[0], "pkg")
def test_project_page_on_arbitrary_bytes(
    body: bytes, content_type: str, url: str, project: str | None
) -> None:
    _parse_page(body, content_type, url, project)


@SETTINGS
@given(st.binary(max_size=2000), st.sampled_from(CONTENT_TYPES), st.sampled_from(URLS))
@example(b"[" * 100_000, "application/vnd.pypi.simple.v1+json", URLS[2])
def test_project_list_on_arbitrary_bytes(body: bytes, content_type: str, url: str) -> None:
    _parse_list(body, content_type, url)


@SETTINGS
@given(json_pages, st.sampled_from(URLS), st.sampled_from([None, "pkg"]))
def test_project_page_on_arbitrary_json(
    data: dict[str, Any], url: str, project: str | None
) -> None:
    body = json.dumps(data).encode()
    _parse_page(body, "application/vnd.pypi.simple.v1+json", url, project)
    _parse_list(body, "application/vnd.pypi.simple.v1+json", url)


@SETTINGS
@given(html_pages, st.sampled_from(URLS), st.sampled_from([None, "pkg"]))
def test_project_page_on_arbitrary_html(text: str, url: str, project: str | None) -> None:
    body = text.encode("utf-8", "surrogatepass")
    _parse_page(body, "text/html; charset=utf-8", url, project)
    _parse_list(body, "text/html", url)


@SETTINGS
@given(filenames | st.text(max_size=60), st.sampled_from([None, "pkg", "Pkg_x"]))
def test_parse_filename_never_raises(filename: str, project: str | None) -> None:
    parsed = parse_filename(filename, project)
    if parsed is not None:
        assert "/" not in filename
        assert "\\" not in filename


# -- requirements and names -----------------------------------------------------------

requirement_text = st.one_of(
    st.text(max_size=60),
    st.builds(
        "{}{}{}".format,
        st.sampled_from(["pkg", "Zope.Interface", "a", "-x", "", "pkg[extra]"]),
        st.sampled_from(["", "==", ">=", "~=", "===", "!=", "<", "@ "]),
        st.text(alphabet=string.printable, max_size=20),
    ),
)


@SETTINGS
@given(requirement_text)
@example("pkg==1.0; python_version > '3.8' and")
@example("pkg @ file:///etc/passwd")
def test_parse_requirement_raises_only_usage_errors(text: str) -> None:
    try:
        requirement = parse_requirement(text)
    except CglibError as error:
        message = error.message
    else:
        assert requirement.name
        return
    assert "\n" not in message


@SETTINGS
@given(st.text(max_size=80))
@example("../../etc")
@example("a\x00b")
def test_check_project_name_raises_only_usage_errors(text: str) -> None:
    try:
        assert check_project_name(text) == text
    except CglibError as error:
        message = error.message
    else:
        assert "/" not in text
        assert "\\" not in text
        assert text.isprintable()
        return
    assert "\n" not in message


# -- versions and tags (cglib.selection) -------------------------------------------------

versions_text = st.one_of(
    st.sampled_from(["1.0", "2.0rc1", "1.0.post1", "1!2.0", "2.0.0+cgr.1", "0.0.0.dev0"]),
    st.from_regex(r"\A[0-9]{1,3}(\.[0-9]{1,3}){0,3}(rc[0-9]|\.dev[0-9]|\+[a-z0-9]{1,6})?\Z"),
)
specifiers = st.one_of(
    st.text(max_size=30),
    st.builds(
        "{}{}".format,
        st.sampled_from(["", "==", ">=", "<", "~=", "!=", "===", ">"]),
        versions_text | st.text(max_size=8) | st.just("1.*"),
    ),
)


@st.composite
def pages(draw: st.DrawFn) -> ProjectPage:
    from packaging.version import Version

    files = []
    for version in draw(st.lists(versions_text, max_size=6)):
        tag = draw(
            st.sampled_from(
                [
                    "py3-none-any",
                    "cp311-cp311-manylinux_2_28_x86_64",
                    "cp312-abi3-macosx_14_0_arm64",
                    "py2-none-any",
                    "cp39-cp39-win_amd64",
                ]
            )
        )
        sdist = draw(st.booleans())
        name = f"pkg-{version}.tar.gz" if sdist else f"pkg-{version}-{tag}.whl"
        files.append(
            DistributionFile(
                name,
                f"https://example.org/files/{name}",
                "pkg",
                Version(version),
                "sdist" if sdist else "wheel",
                requires_python=draw(
                    st.none() | st.sampled_from([">=3.8", "<3", ">=3.99", "junk"])
                ),
                yanked=draw(st.booleans()),
            )
        )
    return ProjectPage(name="pkg", url="https://example.org/simple/pkg/", files=tuple(files))


@SETTINGS
@given(
    pages(),
    specifiers,
    st.booleans(),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, "3.11", "3", "3.12.1", "2.7", "311"]),
    st.lists(
        st.sampled_from(
            ["manylinux_2_28_x86_64", "macosx_14_0_arm64", "win_amd64", "musllinux_1_2_aarch64"]
        ),
        max_size=2,
    ),
)
def test_version_and_file_choice_raise_only_cglib_errors(
    page: ProjectPage,
    specifier: str,
    pre: bool,
    only_binary: bool,
    all_files: bool,
    python_version: str | None,
    platforms: list[str],
) -> None:
    from cglib import selection

    try:
        target = selection.Target.from_options(platforms=platforms, python_version=python_version)
        releases = selection.matching_releases(page, specifier, pre=pre)
        for release in releases:
            choice = selection.choose_files(
                release, target, only_binary=only_binary, all_files=all_files
            )
            assert all(f in release.files for f in choice.files)
            choice.report()
    except CglibError:
        return
    versions = [r.version for r in releases]
    assert versions == sorted(versions, reverse=True)


@SETTINGS
@given(
    st.text(max_size=40)
    | st.from_regex(r"\A(manylinux|musllinux|macosx)_[0-9]{1,3}_[0-9]{1,3}_[a-z0-9_]{1,8}\Z")
)
@example("manylinux_2_999_x86_64")
@example("macosx_99_0_arm64")
def test_platform_tags_raise_only_cglib_errors(tag: str) -> None:
    from cglib import selection

    try:
        expanded = selection.expand_platform(tag)
        target = selection.Target.from_options(platforms=[tag])
        target.tags()
    except CglibError:
        return
    assert expanded


@SETTINGS
@given(st.text(max_size=6))
@example("3.999")
@example("0")
@example("3.x")
def test_python_versions_raise_only_cglib_errors(text: str) -> None:
    from cglib import selection

    try:
        selection.Target.from_options(python_version=text).tags()
    except CglibError:
        return


@SETTINGS
@given(filenames | st.text(max_size=60))
def test_wheel_tags_never_raise(filename: str) -> None:
    from cglib import selection

    selection.wheel_tags(filename)


@pytest.mark.parametrize("text", ["six\n", "0\n"])
def test_check_project_name_refuses_a_trailing_newline(text: str) -> None:
    with pytest.raises(CglibError):
        check_project_name(text)


@SETTINGS
@given(html_pages)
@example("<a href='>'>x</a><A\thref=\"y\">z")
def test_root_pages_find_the_anchors_project_pages_find(text: str) -> None:
    """The root page's text-only anchor pattern finds exactly the anchors
    (and texts) of the project page's pattern."""
    from cglib.simple import _ANCHOR, _ANCHOR_TEXT

    assert _ANCHOR_TEXT.findall(text) == [anchor_text for _, anchor_text in _ANCHOR.findall(text)]
