"""Which file of which version to download (cglib.planning).

``choose`` is driven with pages built in memory; ``plan`` and the download
through the in-memory index of tests/support/fakeindex.py.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterator

import pytest
from packaging.requirements import Requirement

from cglib.client import IndexClient
from cglib.config import Index
from cglib.download import DownloadRequest, download
from cglib.errors import IntegrityError, NoMatchError, UnsafeFilenameError, UsageError
from cglib.planning import FileOptions, choose, plan
from cglib.selection import Target
from cglib.simple import parse_project_page
from support.fakeindex import FORMS, FakeIndex
from support.files import files_under

INDEX = "https://example.org/simple/"
TOKEN = "sentinel-token-1234"
LINUX = Target.from_options(platforms=["manylinux_2_28_x86_64"], python_version="3.12")


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> FakeIndex:
    """An index behind credentials whose links do not name the files (HTML
    pages, or each form with ``indirect`` parametrisation)."""
    form = getattr(request, "param", "html")
    return FakeIndex(form=form, user="user", password=TOKEN, opaque_links=True)


@pytest.fixture
def client(fake: FakeIndex) -> Iterator[IndexClient]:
    with fake.client() as c:
        yield c


def page_of(*names: str, yanked: tuple[str, ...] = ()):
    links = "".join(
        f'<a href="/f/{name}#sha256={"0" * 64}"{" data-yanked" if name in yanked else ""}>'
        f"{name}</a>"
        for name in names
    )
    return parse_project_page(links.encode(), "text/html", f"{INDEX}six/", "six")


# -- choose: one requirement, one page, no I/O ------------------------------------------


def test_choose_takes_the_best_file_of_the_newest_version():
    page = page_of(
        "six-1.16.0-py2.py3-none-any.whl",
        "six-1.17.0-cp312-cp312-manylinux_2_17_x86_64.whl",
        "six-1.17.0.tar.gz",
    )
    chosen = choose(page, Requirement("six"), LINUX, index=Index(INDEX))
    assert [f.filename for f in chosen] == ["six-1.17.0-cp312-cp312-manylinux_2_17_x86_64.whl"]
    sources = choose(
        page, Requirement("six"), LINUX, FileOptions(no_binary=True), index=Index(INDEX)
    )
    assert [f.filename for f in sources] == ["six-1.17.0.tar.gz"]


def test_choose_falls_back_to_an_older_version_with_a_note():
    page = page_of("six-1.16.0-py2.py3-none-any.whl", "six-1.17.0-cp312-cp312-win_amd64.whl")
    notes: list[str] = []
    chosen = choose(page, Requirement("six"), LINUX, index=Index(INDEX), log=notes.append)
    assert [f.filename for f in chosen] == ["six-1.16.0-py2.py3-none-any.whl"]
    assert notes == ["six 1.17.0 has no file for the target; taking 1.16.0"]


def test_choose_takes_a_pinned_yanked_file_with_a_note():
    page = page_of("six-1.16.0-py2.py3-none-any.whl", yanked=("six-1.16.0-py2.py3-none-any.whl",))
    with pytest.raises(NoMatchError):
        choose(page, Requirement("six"), LINUX, index=Index(INDEX))
    notes: list[str] = []
    chosen = choose(page, Requirement("six==1.16.0"), LINUX, index=Index(INDEX), log=notes.append)
    assert len(chosen) == 1
    assert "is yanked" in notes[0]


def test_only_one_of_the_file_options():
    with pytest.raises(UsageError, match="only one of") as info:
        FileOptions(only_binary=True, all_files=True)
    assert info.value.exit_code == 2


# -- plan: many requirements ------------------------------------------------------------


@pytest.mark.parametrize("fake", FORMS, indirect=True)
def test_plan_merges_the_hashes_of_two_requirements(fake, client):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"x")
    good = hashlib.sha256(b"x").hexdigest()
    planned = plan(
        client,
        [
            DownloadRequest("six", frozenset({good, "a" * 64}), "a.txt:1"),
            DownloadRequest("six==1.16.0", frozenset({good}), "b.txt:1"),
        ],
        LINUX,
    )
    assert len(planned) == 1
    assert planned[0].hashes == frozenset({good})
    with pytest.raises(IntegrityError, match="no digest in common"):
        plan(
            client,
            [
                DownloadRequest("six", frozenset({"a" * 64}), "a.txt:1"),
                DownloadRequest("six", frozenset({"b" * 64}), "b.txt:1"),
            ],
            LINUX,
        )


def test_plan_refuses_a_url_requirement(client):
    with pytest.raises(UsageError, match="names a URL"):
        plan(
            client, [DownloadRequest("six @ https://example.org/six.whl", source="r.txt:3")], LINUX
        )


def test_plan_checks_the_file_options_first(client, fake):
    with pytest.raises(UsageError, match="only one of"):
        plan(client, ["six"], LINUX, only_binary=True, no_binary=True)
    assert fake.requests == []


# -- through download ---------------------------------------------------------------------


def test_marker_false_for_target_is_skipped(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"x")
    target = Target.from_options(platforms=["win_amd64"])
    notes: list[str] = []
    assert (
        download(
            client,
            ["six; sys_platform == 'linux'"],
            tmp_path,
            target,
            log=notes.append,
            no_deps=True,
        )
        == []
    )
    assert "marker is false" in notes[0]


@pytest.mark.parametrize("fake", FORMS, indirect=True)
def test_no_file_for_target_lists_files_and_reasons(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-cp312-cp312-win_amd64.whl", b"x")
    fake.link("six", "six-1.16.0.tar.gz", b"y")
    target = Target.from_options(platforms=["manylinux_2_28_x86_64"], python_version="3.12")
    with pytest.raises(NoMatchError) as info:
        download(client, ["six"], tmp_path, target, only_binary=True, no_deps=True)
    text = str(info.value)
    assert "six-1.16.0-cp312-cp312-win_amd64.whl (its tags do not fit the target)" in text
    assert "six-1.16.0.tar.gz (an sdist, and --only-binary asks for wheels)" in text
    assert "\n" not in text
    assert info.value.exit_code == 5


def test_chainguard_hint_off_linux(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "platform", "darwin")
    wheel = "six-1.16.0-cp312-cp312-manylinux_2_28_s390x.whl"
    chainguard = FakeIndex(base="https://libraries.cgr.dev/python", user="u", password=TOKEN)
    chainguard.link("six", wheel, b"wheel")
    with chainguard.client() as c:
        with pytest.raises(NoMatchError) as info:
            download(c, ["six"], tmp_path, no_deps=True)
    assert "--platform manylinux_2_28_x86_64" in (info.value.hint or "")
    assert wheel in info.value.message
    assert files_under(tmp_path) == []


def test_no_matching_version(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"x")
    fake.link("six", "six-2.0.0rc1-py2.py3-none-any.whl", b"x")
    with pytest.raises(NoMatchError, match=r"no final version of six matches >1.16.*2\.0\.0rc1"):
        download(client, ["six>1.16"], tmp_path, no_deps=True)
    with pytest.raises(NoMatchError) as info:
        download(client, ["six>1.16"], tmp_path, no_deps=True)
    assert "--pre" in (info.value.hint or "")
    assert download(client, ["six>1.16"], tmp_path, pre=True, no_deps=True)[0].version == "2.0.0rc1"


# -- unsafe link names of the requested project -----------------------------------------


@pytest.mark.parametrize("fake", FORMS, indirect=True)
def test_unsafe_link_text_writes_nothing(fake, client, tmp_path):
    fake.link("six", "six-1.16.0.tar.gz", b"sdist", text="six-1.16.0\t.tar.gz")
    dest = tmp_path / "dest"
    with pytest.raises(UnsafeFilenameError):
        download(client, ["six"], dest, no_deps=True)
    assert not dest.exists()
    assert fake.store_requests() == []


@pytest.mark.parametrize("fake", FORMS, indirect=True)
def test_only_unsafe_links_are_refused_by_name(fake, client, tmp_path):
    fake.link("six", "six-1.16.0.tar.gz", b"sdist", text="../six-1.16.0.tar.gz")
    dest = tmp_path / "dest"
    with pytest.raises(UnsafeFilenameError) as info:
        download(client, ["six"], dest, no_deps=True)
    assert info.value.exit_code == 7
    assert "'../six-1.16.0.tar.gz'" in info.value.message
    assert "\n" not in str(info.value)
    assert not dest.exists()
    assert fake.store_requests() == []


@pytest.mark.parametrize("fake", FORMS, indirect=True)
def test_unsafe_link_beside_a_safe_file_is_passed_over_with_a_warning(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"wheel")
    fake.link(
        "six", "six-1.16.0-py3-none-any.whl", b"evil", text="six-1.16.0-py3-none-any.whl\x1b[2J"
    )
    warnings: list[str] = []
    results = download(client, ["six"], tmp_path, warn=warnings.append, no_deps=True)
    assert [r.filename for r in results] == ["six-1.16.0-py2.py3-none-any.whl"]
    assert len(warnings) == 1
    assert "unsafe" in warnings[0]
    assert "\\\\x1b" in warnings[0]  # escaped, never a raw control character
    assert "\x1b" not in warnings[0]
    assert files_under(tmp_path) == ["six-1.16.0-py2.py3-none-any.whl"]


@pytest.mark.parametrize("fake", FORMS, indirect=True)
def test_all_files_refuses_an_unsafe_link(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"wheel")
    fake.link("six", "six-1.16.0.tar.gz", b"sdist", text="/var/six-1.16.0.tar.gz")
    with pytest.raises(UnsafeFilenameError, match=r"/var/six-1\.16\.0\.tar\.gz"):
        download(client, ["six"], tmp_path, all_files=True, no_deps=True)
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("fake", FORMS, indirect=True)
def test_unsafe_links_of_other_versions_or_projects_are_ignored(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"wheel")
    fake.link("six", "six-0.9.tar.gz", b"old", text="../six-0.9.tar.gz")
    fake.link("six", "six_other-1.0.tar.gz", b"other", text="../six_other-1.0.tar.gz")
    fake.link("six", "six-junk.exe", b"exe", text="six-junk.exe")
    warnings: list[str] = []
    results = download(
        client, ["six>=1"], tmp_path, warn=warnings.append, all_files=True, no_deps=True
    )
    assert [r.filename for r in results] == ["six-1.16.0-py2.py3-none-any.whl"]
    assert warnings == []
