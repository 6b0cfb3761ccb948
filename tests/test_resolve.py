"""Resolution over a fake index: extras, markers per target, backtracking, conflicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from cglib.config import Settings
from cglib.errors import NoMatchError
from cglib.metadata import MetadataFetcher
from cglib.resolve import ALL, Options, Resolution, resolve
from cglib.selection import Target
from cglib.targets import parse_target
from support.fakeindex import FakeIndex

LINUX = "manylinux_2_28_x86_64@3.12"
LINUX_ARM = "manylinux_2_28_aarch64@3.12"
WINDOWS = "win_amd64@3.12"


def run(
    index: FakeIndex,
    requirements: list[str],
    targets: list[str] = (LINUX,),  # type: ignore[assignment]
    cache_dir: Path | None = None,
    **options: object,
) -> Resolution:
    client = index.client(Settings(retries=0))
    with client, MetadataFetcher(client, cache_dir=cache_dir, cache=cache_dir is not None) as f:
        return resolve(
            client,
            requirements,
            [parse_target(t) for t in targets],
            Options(**options),  # type: ignore[arg-type]
            fetcher=f,
        )


def pins(resolution: Resolution, which: int = 0) -> dict[str, str]:
    return {name: str(p.version) for name, p in resolution.targets[which].pins.items()}


@pytest.fixture
def index(form: str) -> FakeIndex:
    return FakeIndex(form=form)


def test_closure_with_newest_allowed_versions(index: FakeIndex) -> None:
    index.wheel("app", "1.0", requires_dist=["lib>=1,<3", "util"])
    index.wheel("lib", "1.0")
    index.wheel("lib", "2.5", requires_dist=["util>=2"])
    index.wheel("lib", "3.0")  # newer, but excluded: must not be chosen
    index.wheel("util", "1.0")
    index.wheel("util", "2.1")
    result = run(index, ["app"])
    assert pins(result) == {"app": "1.0", "lib": "2.5", "util": "2.1"}
    pin = result.targets[0].pins
    assert pin["lib"].required_by == ("app",)
    assert set(pin["util"].required_by) == {"app", "lib"}
    assert pin["app"].required_by == ()
    assert [f.filename for f in pin["lib"].files] == ["lib-2.5-py3-none-any.whl"]
    assert pin["lib"].metadata_file is not None


def test_extras_bring_their_dependencies(index: FakeIndex) -> None:
    index.wheel(
        "requests",
        "2.32.0",
        requires_dist=["urllib3", "pysocks>=1.5; extra == 'socks'"],
        provides_extra=["socks"],
    )
    index.wheel("urllib3", "2.2.0")
    index.wheel("pysocks", "1.7.1")
    assert pins(run(index, ["requests"])) == {"requests": "2.32.0", "urllib3": "2.2.0"}
    result = run(index, ["requests[socks]"])
    assert pins(result) == {"requests": "2.32.0", "urllib3": "2.2.0", "pysocks": "1.7.1"}
    assert result.targets[0].pins["requests"].extras == ("socks",)
    assert result.targets[0].pins["pysocks"].required_by == ("requests",)


def test_markers_are_evaluated_per_target(index: FakeIndex) -> None:
    index.wheel(
        "click",
        "8.1.7",
        requires_dist=[
            'colorama; platform_system == "Windows"',
            'importlib-metadata; python_version < "3.10"',
        ],
    )
    index.wheel("colorama", "0.4.6")
    index.wheel("importlib-metadata", "8.0.0")
    result = run(index, ["click"], [LINUX, WINDOWS, "win_amd64@3.9"])
    assert pins(result, 0) == {"click": "8.1.7"}
    assert pins(result, 1) == {"click": "8.1.7", "colorama": "0.4.6"}
    assert pins(result, 2) == {
        "click": "8.1.7",
        "colorama": "0.4.6",
        "importlib-metadata": "8.0.0",
    }
    union = sorted(f.filename for _, f in result.files())
    assert union == [
        "click-8.1.7-py3-none-any.whl",
        "colorama-0.4.6-py3-none-any.whl",
        "importlib_metadata-8.0.0-py3-none-any.whl",
    ]


def test_binary_wheels_per_platform(index: FakeIndex) -> None:
    index.wheel("fast", "1.0", "cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64")
    index.wheel("fast", "1.0", "cp312-cp312-manylinux_2_28_aarch64")
    index.wheel("fast", "1.0", "cp312-cp312-win_amd64")
    index.wheel("fast", "1.1", "cp312-cp312-win_amd64")  # newest: Windows only
    result = run(index, ["fast"], [LINUX, LINUX_ARM, WINDOWS])
    assert [pins(result, i)["fast"] for i in range(3)] == ["1.0", "1.0", "1.1"]
    files = sorted(f.filename for _, f in result.files())
    assert files == [
        "fast-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        "fast-1.0-cp312-cp312-manylinux_2_28_aarch64.whl",
        "fast-1.1-cp312-cp312-win_amd64.whl",
    ]


def test_requires_python_of_files_and_metadata(index: FakeIndex) -> None:
    # Files that say so on the page are skipped without reading metadata;
    # metadata that says so is backtracked over.
    index.wheel("lib", "1.0")
    index.wheel("lib", "2.0", requires_python=">=3.13")
    lib = index.wheel("lib", "1.5", requires_python=">=3.13")
    assert lib.metadata is not None
    assert b"Requires-Python: >=3.13" in lib.metadata  # the metadata says so ...
    lib.requires_python = None  # ... but the page does not
    assert pins(run(index, ["lib"], ["manylinux_2_28_x86_64@3.12"])) == {"lib": "1.0"}
    assert pins(run(index, ["lib"], ["manylinux_2_28_x86_64@3.13"])) == {"lib": "2.0"}


def test_backtracking_to_an_older_version(index: FakeIndex) -> None:
    # web 2.0 needs core>=2, but the app pins core<2: web 1.0 it is.
    index.wheel("app", "1.0", requires_dist=["web", "core<2"])
    index.wheel("web", "2.0", requires_dist=["core>=2"])
    index.wheel("web", "1.0", requires_dist=["core>=1"])
    index.wheel("core", "1.5")
    index.wheel("core", "2.0")
    assert pins(run(index, ["app"])) == {"app": "1.0", "web": "1.0", "core": "1.5"}


def test_conflict_names_the_chain(index: FakeIndex) -> None:
    index.wheel("app", "1.0", requires_dist=["lib>=2", "other"])
    index.wheel("other", "3.1", requires_dist=["lib<2"])
    index.wheel("lib", "1.0")
    index.wheel("lib", "2.0")
    with pytest.raises(NoMatchError) as info:
        run(index, ["app"])
    message = info.value.message
    assert info.value.exit_code == 5
    assert "app 1.0 requires lib>=2" in message
    assert "other 3.1 (required by app 1.0) requires lib<2" in message
    assert "\n" not in message
    assert "2.0, 1.0" in (info.value.hint or "")


def test_missing_dependency_is_named(index: FakeIndex) -> None:
    index.wheel("app", "1.0", requires_dist=["ghost>=1"])
    with pytest.raises(NoMatchError, match="no project 'ghost'") as info:
        run(index, ["app"])
    assert "app 1.0 requires ghost>=1" in info.value.message


def test_no_version_for_a_root_requirement(index: FakeIndex) -> None:
    index.wheel("lib", "1.0")
    with pytest.raises(NoMatchError, match=r"you asked for lib>=5"):
        run(index, ["lib>=5"])


def test_prerelease_rule(index: FakeIndex) -> None:
    index.wheel("lib", "1.0")
    index.wheel("lib", "2.0b1")
    index.wheel("only", "1.0rc1")
    assert pins(run(index, ["lib"])) == {"lib": "1.0"}
    assert pins(run(index, ["lib"], pre=True)) == {"lib": "2.0b1"}
    assert pins(run(index, ["lib>=2.0b1"])) == {"lib": "2.0b1"}
    # No final release satisfies: the pre-release is taken.
    assert pins(run(index, ["lib>1.0"])) == {"lib": "2.0b1"}
    assert pins(run(index, ["only"])) == {"only": "1.0rc1"}


def test_yanked_only_when_pinned_with_a_warning(index: FakeIndex) -> None:
    index.wheel("lib", "1.0")
    index.wheel("lib", "1.1", yanked="broken build")
    assert pins(run(index, ["lib"])) == {"lib": "1.0"}
    result = run(index, ["lib==1.1"])
    assert pins(result) == {"lib": "1.1"}
    assert result.targets[0].pins["lib"].yanked
    assert any("lib 1.1 is yanked (broken build)" in w for w in result.warnings)


def test_pin_matches_a_local_version(index: FakeIndex) -> None:
    index.wheel("apiflask", "2.0.0+cgr.1")
    index.wheel("apiflask", "2.3.0")
    assert pins(run(index, ["apiflask==2.0.0"])) == {"apiflask": "2.0.0+cgr.1"}


def test_only_binary_and_no_binary(index: FakeIndex) -> None:
    index.sdist("lib", "2.0", requires_dist=["dep"])
    index.wheel("lib", "1.0")
    index.wheel("dep", "1.0")
    assert pins(run(index, ["lib"])) == {"lib": "2.0", "dep": "1.0"}
    assert pins(run(index, ["lib"], only_binary=frozenset({ALL}))) == {"lib": "1.0"}
    assert pins(run(index, ["lib"], only_binary=frozenset({"LIB"}))) == {"lib": "1.0"}
    assert pins(run(index, ["lib"], prefer_binary=True)) == {"lib": "1.0"}
    assert pins(run(index, ["lib"], no_binary=frozenset({"lib"}))) == {"lib": "2.0", "dep": "1.0"}
    # dep has only a wheel: with --no-binary :all: nothing fits it.
    with pytest.raises(NoMatchError, match="no version of dep"):
        run(index, ["lib"], no_binary=frozenset({ALL}))
    # A name given to --only-binary wins over --no-binary :all:, as in pip.
    assert pins(
        run(index, ["lib"], no_binary=frozenset({ALL}), only_binary=frozenset({"dep"}))
    ) == {"lib": "2.0", "dep": "1.0"}


def test_no_deps_takes_names_only(index: FakeIndex) -> None:
    index.wheel("app", "1.0", requires_dist=["lib"])
    index.wheel("lib", "1.0")
    result = run(index, ["app"], no_deps=True)
    assert pins(result) == {"app": "1.0"}
    assert index.asked("metadata") == []


def test_no_deps_with_no_matching_version_says_what_was_asked(index: FakeIndex) -> None:
    index.wheel("app", "1.0")
    with pytest.raises(NoMatchError) as info:
        run(index, ["app>=2"], no_deps=True)
    assert str(info.value).startswith("no version of app matches for ")
    assert "you asked for app>=2" in str(info.value)
    assert info.value.hint is not None
    assert "1.0" in info.value.hint


def test_warm_cache_makes_no_metadata_request(tmp_path: Path) -> None:
    index = FakeIndex()
    index.wheel("app", "1.0", requires_dist=["lib"], padding=50_000, core_metadata=False)
    index.wheel("lib", "1.0", padding=50_000, core_metadata=False)
    cold = run(index, ["app"], cache_dir=tmp_path)
    asked = len(index.asked("range")) + len(index.asked("file"))
    assert asked >= 2
    warm = run(index, ["app"], cache_dir=tmp_path)
    assert pins(warm) == pins(cold) == {"app": "1.0", "lib": "1.0"}
    assert len(index.asked("range")) + len(index.asked("file")) == asked
    assert index.asked("metadata") == []


def test_each_page_is_fetched_once_over_several_targets(index: FakeIndex) -> None:
    index.wheel("app", "1.0", requires_dist=["lib"])
    index.wheel("lib", "1.0")
    run(index, ["app"], [LINUX, LINUX_ARM, WINDOWS])
    pages = [s.path for s in index.asked("page")]
    assert sorted(pages) == ["/simple/app/", "/simple/lib/"]
    assert len(index.asked("metadata")) == 2


def test_whole_file_is_handed_over(tmp_path: Path) -> None:
    index = FakeIndex(ranges=False)
    dist = index.wheel("app", "1.0", core_metadata=False)
    client = index.client(Settings(retries=0))
    with client, MetadataFetcher(client, cache_dir=tmp_path) as f:
        result = resolve(client, ["app"], [Target()], fetcher=f)
        pin = result.targets[0].pins["app"]
        assert pin.whole_file is not None
        assert pin.whole_file.read_bytes() == dist.content


def test_sdist_with_dynamic_dependencies_is_an_error(index: FakeIndex) -> None:
    index.sdist("old", "1.0", metadata_version="2.1")
    with pytest.raises(NoMatchError, match=r"old-1\.0\.tar\.gz"):
        run(index, ["old"])


def test_the_read_ahead_follows_a_roots_extras(index: FakeIndex) -> None:
    """Before the resolver asks, the pages of what a root's newest candidate
    needs are read, including what its requested extras add."""
    import time

    from packaging.requirements import Requirement

    from cglib.pages import ProjectPages
    from cglib.resolve import _from_requirement, _Provider

    index.wheel(
        "app", "1.0", requires_dist=["plain", "extra-dep; extra == 'x'"], provides_extra=["x"]
    )
    index.wheel("plain", "1.0")
    index.wheel("extra-dep", "1.0")
    wanted = {"/simple/plain/", "/simple/extra-dep/"}
    client = index.client(Settings(retries=0))
    with client, MetadataFetcher(client, cache=False) as fetcher, ProjectPages(client) as pages:
        provider = _Provider(pages, fetcher, parse_target(LINUX), Options(), [])
        provider._prefetch_newest(pages.page("app"), dep=_from_requirement(Requirement("app[x]")))
        deadline = time.monotonic() + 10
        while not wanted <= {s.path for s in index.seen} and time.monotonic() < deadline:
            time.sleep(0.01)
    assert wanted <= {s.path for s in index.seen}
