"""Version and file choice for a target (cglib.selection)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.tags import Tag
from packaging.utils import NormalizedName, parse_wheel_filename
from packaging.version import Version

from cglib.errors import UsageError
from cglib.filenames import wheel_tags
from cglib.models import DistributionFile, ProjectPage, Release
from cglib.selection import (
    Target,
    choose_files,
    choose_version,
    expand_platform,
    is_pinned,
    matching_releases,
)


def dist(
    filename: str,
    *,
    requires_python: str | None = None,
    yanked: bool = False,
    reason: str | None = None,
) -> DistributionFile:
    if filename.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(filename)
        kind = "wheel"
    else:
        stem = filename.removesuffix(".tar.gz").removesuffix(".zip")
        raw_name, _, raw_version = stem.rpartition("-")
        name, version = NormalizedName(raw_name.replace("_", "-")), Version(raw_version)
        kind = "sdist"
    return DistributionFile(
        filename,
        f"https://example.org/files/{filename}",
        str(name),
        version,
        kind,  # type: ignore[arg-type]
        {"sha256": "0" * 64},
        requires_python,
        yanked,
        reason,
    )


def release(*filenames: str) -> Release:
    files = tuple(dist(f) for f in filenames)
    return Release(files[0].version, files)


def page(*files: DistributionFile) -> ProjectPage:
    return ProjectPage("pkg", "https://example.org/simple/pkg/", tuple(files))


# -- PEP 600 expansion -----------------------------------------------------------


def test_manylinux_expands_down_to_glibc_2_5_with_legacy_aliases():
    tags = expand_platform("manylinux_2_39_x86_64")
    assert tags[0] == "manylinux_2_39_x86_64"
    for expected in (
        "manylinux_2_28_x86_64",
        "manylinux_2_17_x86_64",
        "manylinux2014_x86_64",
        "manylinux2010_x86_64",
        "manylinux1_x86_64",
        "manylinux_2_5_x86_64",
    ):
        assert expected in tags
    assert "manylinux_2_40_x86_64" not in tags
    assert tags.index("manylinux_2_28_x86_64") < tags.index("manylinux_2_17_x86_64")
    assert tags.index("manylinux_2_17_x86_64") + 1 == tags.index("manylinux2014_x86_64")
    assert not any("aarch64" in t for t in tags)


def test_manylinux_aarch64_stops_at_2014():
    tags = expand_platform("manylinux_2_28_aarch64")
    assert tags[-2:] == ["manylinux_2_17_aarch64", "manylinux2014_aarch64"]
    assert "manylinux2010_aarch64" not in tags


def test_legacy_tag_expands_like_its_pep600_twin():
    assert expand_platform("manylinux2014_x86_64") == expand_platform("manylinux_2_17_x86_64")


def test_musllinux_and_macos_and_windows():
    assert expand_platform("musllinux_1_2_x86_64") == [
        "musllinux_1_2_x86_64",
        "musllinux_1_1_x86_64",
        "musllinux_1_0_x86_64",
    ]
    mac = expand_platform("macosx_14_0_arm64")
    assert mac[0] == "macosx_14_0_arm64"
    assert "macosx_11_0_arm64" in mac
    assert "macosx_14_0_universal2" in mac
    assert "macosx_15_0_arm64" not in mac
    assert expand_platform("win_amd64") == ["win_amd64"]
    assert expand_platform("Manylinux-2-28-x86-64".replace("-", "_")) == expand_platform(
        "manylinux_2_28_x86_64"
    )


@pytest.mark.parametrize("bad", ["", "linux/x86", "x86 64", "../etc"])
def test_bad_platform_is_a_usage_error(bad):
    with pytest.raises(UsageError):
        expand_platform(bad)


@given(minor=st.integers(min_value=5, max_value=60), arch=st.sampled_from(["x86_64", "i686"]))
def test_manylinux_expansion_is_exactly_the_older_glibcs(minor, arch):
    tags = expand_platform(f"manylinux_2_{minor}_{arch}")
    pep600 = [t for t in tags if t.startswith("manylinux_")]
    assert pep600 == [f"manylinux_2_{m}_{arch}" for m in range(minor, 4, -1)]
    assert len(tags) == len(set(tags))


# -- targets ---------------------------------------------------------------------


def test_target_tags_for_another_machine():
    target = Target.from_options(platforms=["manylinux_2_39_x86_64"], python_version="3.12")
    tags = set(target.tags())
    assert Tag("cp312", "cp312", "manylinux_2_28_x86_64") in tags
    assert Tag("cp312", "abi3", "manylinux2014_x86_64") in tags
    assert Tag("cp39", "abi3", "manylinux_2_17_x86_64") in tags
    assert Tag("py3", "none", "any") in tags
    assert Tag("cp311", "cp311", "manylinux_2_28_x86_64") not in tags
    assert Tag("cp312", "cp312", "win_amd64") not in tags
    assert target.python_full_version() == Version("3.12.0")
    ranks = target.priorities()
    assert (
        ranks[Tag("cp312", "cp312", "manylinux_2_39_x86_64")]
        < ranks[Tag("cp312", "cp312", "manylinux_2_28_x86_64")]
    )


def test_default_target_is_this_interpreter():
    from packaging.tags import sys_tags

    assert Target().tags() == list(dict.fromkeys(sys_tags()))
    assert Target().is_default


@pytest.mark.parametrize("text", ["3.x", "three", "3..1"])
def test_bad_python_version(text):
    with pytest.raises(UsageError):
        Target.from_options(python_version=text)


def test_short_python_version_form():
    assert Target.from_options(python_version="311").python_version == (3, 11)


def test_marker_environment_follows_the_target():
    env = Target.from_options(
        platforms=["win_amd64"], python_version="3.9", implementation="pp"
    ).marker_environment()
    assert env["sys_platform"] == "win32"
    assert env["python_version"] == "3.9"
    assert env["implementation_name"] == "pypy"
    linux = Target.from_options(platforms=["manylinux_2_28_aarch64"]).marker_environment()
    assert linux["sys_platform"] == "linux"
    assert linux["platform_machine"] == "aarch64"


# -- file choice across a zoo of tags ------------------------------------------------

ZOO = (
    "pkg-1.0-cp312-cp312-manylinux_2_28_x86_64.whl",
    "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    "pkg-1.0-cp312-cp312-manylinux_2_39_aarch64.whl",
    "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl",
    "pkg-1.0-cp312-cp312-win_amd64.whl",
    "pkg-1.0-cp312-cp312-macosx_11_0_arm64.whl",
    "pkg-1.0-cp311-cp311-manylinux_2_28_x86_64.whl",
    "pkg-1.0-cp39-abi3-manylinux_2_17_x86_64.whl",
    "pkg-1.0-py3-none-any.whl",
    "pkg-1.0.tar.gz",
)


@pytest.mark.parametrize(
    ("platform", "python", "expected"),
    [
        ("manylinux_2_39_x86_64", "3.12", "pkg-1.0-cp312-cp312-manylinux_2_28_x86_64.whl"),
        (
            "manylinux_2_17_x86_64",
            "3.12",
            "pkg-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        ),
        ("manylinux_2_39_aarch64", "3.12", "pkg-1.0-cp312-cp312-manylinux_2_39_aarch64.whl"),
        ("manylinux_2_28_aarch64", "3.12", "pkg-1.0-py3-none-any.whl"),
        ("musllinux_1_2_x86_64", "3.12", "pkg-1.0-cp312-cp312-musllinux_1_2_x86_64.whl"),
        ("win_amd64", "3.12", "pkg-1.0-cp312-cp312-win_amd64.whl"),
        ("macosx_14_0_arm64", "3.12", "pkg-1.0-cp312-cp312-macosx_11_0_arm64.whl"),
        ("manylinux_2_28_x86_64", "3.11", "pkg-1.0-cp311-cp311-manylinux_2_28_x86_64.whl"),
        ("manylinux_2_28_x86_64", "3.10", "pkg-1.0-cp39-abi3-manylinux_2_17_x86_64.whl"),
        ("manylinux_2_12_x86_64", "3.12", "pkg-1.0-py3-none-any.whl"),
    ],
)
def test_best_wheel_for_target(platform, python, expected):
    target = Target.from_options(platforms=[platform], python_version=python)
    choice = choose_files(release(*ZOO), target)
    assert [f.filename for f in choice.files] == [expected]


def test_sdist_when_no_wheel_fits_and_modes():
    rel = release(*ZOO[:8], "pkg-1.0.zip", "pkg-1.0.tar.gz")
    target = Target.from_options(platforms=["win32"], python_version="3.12")
    assert [f.filename for f in choose_files(rel, target).files] == ["pkg-1.0.tar.gz"]
    only = choose_files(rel, target, only_binary=True)
    assert not only
    reasons = dict((f.filename, why) for f, why in only.rejected)
    assert "do not fit" in reasons["pkg-1.0-cp312-cp312-win_amd64.whl"]
    assert "--only-binary" in reasons["pkg-1.0.tar.gz"]
    assert "pkg-1.0-cp312-cp312-win_amd64.whl" in only.report(limit=20)
    linux = Target.from_options(platforms=["manylinux_2_28_x86_64"], python_version="3.12")
    no_binary = choose_files(rel, linux, no_binary=True)
    assert [f.filename for f in no_binary.files] == ["pkg-1.0.tar.gz"]
    assert len(choose_files(rel, linux, all_files=True).files) == len(rel.files)


def test_requires_python_and_yanked_are_reported():
    files = (
        dist("pkg-1.0-py3-none-any.whl", requires_python=">=3.13"),
        dist("pkg-1.0.tar.gz", yanked=True, reason="broken build"),
    )
    rel = Release(Version("1.0"), files)
    target = Target.from_options(python_version="3.12", platforms=["manylinux_2_28_x86_64"])
    choice = choose_files(rel, target)
    assert not choice
    text = choice.report()
    assert "requires Python >=3.13" in text
    assert "yanked: broken build" in text
    assert choose_files(rel, target, allow_yanked=True).files == (files[1],)


def test_higher_build_number_wins_a_tie():
    rel = release("pkg-1.0-1-py3-none-any.whl", "pkg-1.0-2-py3-none-any.whl")
    assert choose_files(rel, Target()).files[0].filename == "pkg-1.0-2-py3-none-any.whl"


PLATFORMS = [
    "manylinux_2_39_x86_64",
    "manylinux_2_28_x86_64",
    "manylinux_2_17_x86_64",
    "manylinux_2_28_aarch64",
    "musllinux_1_1_x86_64",
    "win_amd64",
    "macosx_12_0_arm64",
]


@settings(max_examples=60, deadline=None)
@given(
    files=st.lists(st.sampled_from(ZOO), min_size=1, unique=True),
    platform=st.sampled_from(PLATFORMS),
    minor=st.integers(min_value=8, max_value=13),
)
def test_chosen_wheel_is_the_best_compatible_one(files, platform, minor):
    target = Target.from_options(platforms=[platform], python_version=f"3.{minor}")
    ranks = target.priorities()
    rel = release(*files)
    choice = choose_files(rel, target)

    def rank(filename: str) -> int | None:
        parsed = wheel_tags(filename)
        if parsed is None:
            return None
        found = [ranks[t] for t in parsed[0] if t in ranks]
        return min(found) if found else None

    compatible = {f: r for f in files if f.endswith(".whl") and (r := rank(f)) is not None}
    if compatible:
        assert len(choice.files) == 1
        chosen = choice.files[0].filename
        assert chosen in compatible
        assert compatible[chosen] == min(compatible.values())
    elif "pkg-1.0.tar.gz" in files:
        assert [f.filename for f in choice.files] == ["pkg-1.0.tar.gz"]
    else:
        assert not choice
        assert len(choice.rejected) == len(files)


# -- version choice ----------------------------------------------------------------


def _versions_page(*specs: tuple[str, bool]) -> ProjectPage:
    files = []
    for version, yanked in specs:
        files.append(dist(f"pkg-{version}-py3-none-any.whl", yanked=yanked))
    return page(*files)


def _chosen(page: ProjectPage, *args: object, **options: object) -> str:
    release = choose_version(page, *args, **options)  # type: ignore[arg-type]
    assert release is not None
    return str(release.version)


def test_newest_final_version_by_default():
    p = _versions_page(("1.0", False), ("2.0rc1", False), ("1.5", False))
    assert _chosen(p) == "1.5"
    assert _chosen(p, pre=True) == "2.0rc1"
    assert _chosen(p, ">=2.0rc1") == "2.0rc1"
    assert choose_version(p, ">1.5") is None


def test_yanked_only_when_pinned():
    p = _versions_page(("1.0", False), ("1.1", True))
    assert _chosen(p) == "1.0"
    assert choose_version(p, ">=1.1") is None
    assert _chosen(p, "==1.1") == "1.1"
    assert is_pinned(__import__("packaging.specifiers").specifiers.SpecifierSet("==1.1"))
    assert not is_pinned(__import__("packaging.specifiers").specifiers.SpecifierSet("==1.*"))


def test_pin_matches_local_builds_newest_first():
    p = _versions_page(("2.0.0", False), ("2.0.0+cgr.1", False), ("2.0.0+cgr.2", False))
    assert _chosen(p, "==2.0.0") == "2.0.0+cgr.2"
    assert [str(r.version) for r in matching_releases(p, "==2.0.0+cgr.1")] == ["2.0.0+cgr.1"]


# -- absurd input stays cheap ------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["3.99999", "3.99999999999999999999", "3.100", "4.0", "1.5", "0", "39999", "3.12.99999", ""],
)
def test_out_of_range_python_version_is_a_usage_error(text):
    with pytest.raises(UsageError, match="not a Python version") as info:
        Target.from_options(python_version=text)
    assert "\n" not in str(info.value)


def test_hand_built_target_with_an_absurd_python_version_is_refused():
    with pytest.raises(UsageError):
        Target(python_version=(3, 10**20))


def test_largest_python_version_and_platform_stay_small():
    import time

    start = time.monotonic()
    target = Target.from_options(
        python_version="3.99",
        platforms=["manylinux_2_99_x86_64", "macosx_99_99_universal2", "musllinux_1_99_x86_64"],
    )
    tags = target.tags()
    assert Tag("cp399", "cp399", "manylinux_2_99_x86_64") in tags
    assert Tag("py30", "none", "any") in tags
    assert len(tags) < 200_000
    assert time.monotonic() - start < 5


@pytest.mark.parametrize(
    "platform",
    [
        "manylinux_2_99999_x86_64",
        "manylinux_2_100_x86_64",
        "manylinux_99999999999999999999_1_x86_64",
        "musllinux_1_99999_x86_64",
        "macosx_99999_0_arm64",
        "macosx_10_99999_x86_64",
    ],
)
def test_platform_version_beyond_the_cap_is_a_usage_error(platform):
    with pytest.raises(UsageError, match="beyond 99") as info:
        Target.from_options(platforms=[platform])
    assert platform in str(info.value)


@pytest.mark.parametrize(
    "platform",
    ["", " ", "manylinux_2_28_x86_64\n", " manylinux_2_28_x86_64", "win\x00amd64", "x86 64"],
)
def test_platform_that_is_not_a_tag_is_a_usage_error(platform):
    with pytest.raises(UsageError, match="not a platform tag") as info:
        Target.from_options(platforms=[platform])
    assert "\n" not in str(info.value)
    assert "\x00" not in str(info.value)


@pytest.mark.parametrize("abi", ["", "cp312 ", "abi3\n", "../x"])
def test_abi_that_is_not_a_tag_is_a_usage_error(abi):
    with pytest.raises(UsageError, match="not an ABI tag"):
        Target.from_options(abis=[abi])
