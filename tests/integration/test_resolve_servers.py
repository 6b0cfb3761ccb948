"""Resolution against real local servers, cross-checked with pip's resolver.

Two servers, started here: pypiserver (no PEP 658: metadata comes from range
requests, or whole files) and the test suite's own index that serves PEP 658
``.metadata`` files (tests/support/fakeindex.py).  Both serve the same small
tree of real wheels that exercises extras, platform and Python-version
markers, binary wheels per platform, an older version that must not be
chosen, a backtracking case and a conflict.  Expectations for this machine
are checked against ``pip install --dry-run --report`` on the same server.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from cglib.auth import Credentials
from cglib.client import IndexClient
from cglib.config import Index, Settings
from cglib.errors import NoMatchError
from cglib.metadata import MetadataFetcher
from cglib.resolve import Resolution, resolve
from cglib.selection import Target
from cglib.targets import parse_target
from support.dists import make_wheel
from support.fakeindex import FakeIndex, File, serve_http
from support.servers import PypiServer, run_pypiserver

pytestmark = pytest.mark.integration

PURE = "py3-none-any"
#: name, version, tag, Requires-Dist, Provides-Extra, Requires-Python
TREE: list[tuple[str, str, str, list[str], list[str], str | None]] = [
    (
        "app",
        "1.0",
        PURE,
        [
            "web>=1",
            "core<2",
            "fmt[color]",
            'winonly; sys_platform == "win32"',
            'linuxonly; sys_platform == "linux"',
            'oldpy; python_version < "3.8"',
        ],
        [],
        None,
    ),
    # web 2.0 needs core>=2, which app forbids: the resolver must go back to 1.0.
    ("web", "2.0", PURE, ["core>=2"], [], None),
    ("web", "1.0", PURE, ["core>=1"], [], None),
    # core 1.5 is the newest allowed; 1.0 is older and must not be chosen.
    ("core", "1.0", PURE, [], [], None),
    ("core", "1.5", PURE, [], [], None),
    ("core", "2.0", PURE, [], [], None),
    ("fmt", "1.0", PURE, ['colorlib>=1; extra == "color"'], ["color"], None),
    ("colorlib", "1.0", PURE, [], [], None),
    ("colorlib", "0.9", PURE, [], [], None),
    ("winonly", "1.0", PURE, [], [], None),
    ("oldpy", "1.0", PURE, [], [], None),
    # Binary wheels per platform; 2.0 needs a Python nobody has.
    ("linuxonly", "1.0", "py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64", [], [], None),
    ("linuxonly", "1.0", "py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64", [], [], None),
    ("linuxonly", "2.0", "py3-none-manylinux_2_17_x86_64", [], [], ">=3.99"),
    # A conflict: clash needs core>=2 and pin-core, which needs core<2.
    ("clash", "1.0", PURE, ["core>=2", "pin-core"], [], None),
    ("pin-core", "1.0", PURE, ["core<2"], [], None),
]
HOST_EXPECTED = {
    "app": "1.0",
    "web": "1.0",
    "core": "1.5",
    "fmt": "1.0",
    "colorlib": "1.0",
    "linuxonly": "1.0",
}


@pytest.fixture(scope="module")
def tree_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("tree")
    for name, version, tag, requires, extras, python in TREE:
        make_wheel(
            directory,
            name,
            version,
            tag,
            requires_dist=requires,
            provides_extra=extras,
            requires_python=python,
            payload=b"#" * 70_000,  # larger than the first range read
        )
    return directory


@pytest.fixture(scope="module")
def pypi_tree(tree_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PypiServer]:
    with run_pypiserver(tree_dir, tmp_path_factory.mktemp("pypi-tree")) as server:
        yield server


@pytest.fixture(scope="module")
def pep658_tree(tree_dir: Path) -> Iterator[tuple[str, FakeIndex]]:
    """The same wheels behind an index that serves ``.metadata`` files."""
    import zipfile

    index = FakeIndex()
    for path in sorted(tree_dir.glob("*.whl")):
        with zipfile.ZipFile(path) as archive:
            member = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
            metadata = archive.read(member)
        name, version = path.name.split("-")[:2]
        python = next((t[5] for t in TREE if t[0] == name and t[1] == version and t[5]), None)
        index.add(
            name, File(path.name, path.read_bytes(), requires_python=python, metadata=metadata)
        )
    with serve_http(index):
        yield index.url, index


def _client(url: str, credentials: Credentials | None = None) -> IndexClient:
    return IndexClient(Index(url), credentials, credentials_source="env", settings=Settings())


def _resolve(
    url: str,
    requirements: list[str],
    targets: list[Target],
    cache_dir: Path,
    credentials: Credentials | None = None,
) -> tuple[Resolution, list[tuple[str, str]]]:
    seen: list[tuple[str, str]] = []
    with (
        _client(url, credentials) as client,
        MetadataFetcher(
            client, cache_dir=cache_dir, on_request=lambda s, f: seen.append((s, f))
        ) as fetcher,
    ):
        result = resolve(client, requirements, targets, fetcher=fetcher)
    return result, seen


def _pins(result: Resolution, which: int = 0) -> dict[str, str]:
    return {n: str(p.version) for n, p in result.targets[which].pins.items()}


def _pip_report(index_url: str, requirement: str, tmp_path: Path, *extra: str) -> dict[str, str]:
    """What pip's own resolver picks, for this interpreter and machine."""
    report = tmp_path / "report.json"
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--dry-run",
        "--ignore-installed",
        "--no-cache-dir",
        "--disable-pip-version-check",
        "--quiet",
        "--report",
        str(report),
        "--index-url",
        index_url,
        *extra,
        requirement,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads(report.read_text())
    return {
        item["metadata"]["name"].lower(): item["metadata"]["version"] for item in data["install"]
    }


def _creds(server: PypiServer) -> Credentials:
    return Credentials(server.username, server.password)


def test_pypiserver_matches_pip_for_this_machine(pypi_tree: PypiServer, tmp_path: Path) -> None:
    expected = _pip_report(pypi_tree.url_with_credentials, "app", tmp_path)
    assert expected == HOST_EXPECTED  # the tree does what it is meant to, by pip's account
    result, seen = _resolve(pypi_tree.url, ["app"], [Target()], tmp_path, _creds(pypi_tree))
    assert _pins(result) == expected
    # No PEP 658 there: every metadata came from range requests, none whole.
    assert {source for source, _ in seen} == {"range"}
    pins = result.targets[0].pins
    assert pins["colorlib"].required_by == ("fmt",)
    assert pins["linuxonly"].files[0].filename.endswith("manylinux2014_x86_64.whl")


def test_pep658_server_matches_pip_and_reads_no_wheel(
    pep658_tree: tuple[str, FakeIndex], tmp_path: Path
) -> None:
    url, index = pep658_tree
    expected = _pip_report(url, "app", tmp_path)
    before = len(index.requests)
    result, seen = _resolve(url, ["app"], [Target()], tmp_path)
    assert _pins(result) == expected == HOST_EXPECTED
    assert {source for source, _ in seen} == {"pep658"}
    asked = index.seen[before:]
    assert asked
    assert not [s for s in asked if s.kind in ("range", "file")]


def test_aarch64_target_matches_pip(pypi_tree: PypiServer, tmp_path: Path) -> None:
    """pip can choose files for another Linux machine (its markers are the
    host's, but this tree's markers only ask about the operating system)."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    expected = _pip_report(
        pypi_tree.url_with_credentials,
        "app",
        tmp_path,
        "--only-binary=:all:",
        "--platform",
        "manylinux_2_28_aarch64",
        # pip does not expand PEP 600 tags to the older glibc ones as cglib
        # does: name the one the wheel has.
        "--platform",
        "manylinux2014_aarch64",
        "--python-version",
        python,
        "--target",
        str(tmp_path / "target"),
    )
    target = parse_target(f"manylinux_2_28_aarch64@{python}")
    result, _ = _resolve(pypi_tree.url, ["app"], [target], tmp_path, _creds(pypi_tree))
    assert _pins(result) == expected
    assert result.targets[0].pins["linuxonly"].files[0].filename.endswith("aarch64.whl")


def test_union_over_targets_with_windows_markers(pypi_tree: PypiServer, tmp_path: Path) -> None:
    targets = [parse_target("manylinux_2_28_x86_64@3.12"), parse_target("win_amd64@3.12")]
    result, _ = _resolve(pypi_tree.url, ["app"], targets, tmp_path, _creds(pypi_tree))
    linux, windows = _pins(result, 0), _pins(result, 1)
    assert linux == HOST_EXPECTED
    assert windows == {
        **{k: v for k, v in HOST_EXPECTED.items() if k != "linuxonly"},
        "winonly": "1.0",
    }
    names = sorted(f.filename for _, f in result.files())
    assert "winonly-1.0-py3-none-any.whl" in names
    assert "linuxonly-1.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl" in names
    assert len(names) == len(set(names)) == 7


def test_conflict_against_pypiserver_names_the_chain(pypi_tree: PypiServer, tmp_path: Path) -> None:
    with pytest.raises(NoMatchError) as info:
        _resolve(pypi_tree.url, ["clash"], [Target()], tmp_path, _creds(pypi_tree))
    assert "clash 1.0 requires core>=2" in info.value.message
    assert "pin-core 1.0 (required by clash 1.0) requires core<2" in info.value.message
    # pip agrees that there is no solution.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--no-cache-dir",
            "--disable-pip-version-check",
            "--index-url",
            pypi_tree.url_with_credentials,
            "clash",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode != 0


def test_warm_cache_asks_no_metadata(pypi_tree: PypiServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _, cold = _resolve(pypi_tree.url, ["app"], [Target()], cache, _creds(pypi_tree))
    assert len(cold) >= len(HOST_EXPECTED)  # and the candidates backtracked over
    result, warm = _resolve(pypi_tree.url, ["app"], [Target()], cache, _creds(pypi_tree))
    assert warm == []
    assert _pins(result) == HOST_EXPECTED


def test_show_against_pypiserver(pypi_tree: PypiServer, run_cglib) -> None:  # type: ignore[no-untyped-def]
    result = run_cglib("show", "fmt", "--json", "--index-url", pypi_tree.url_with_credentials)
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["requires_dist"] == ['colorlib>=1; extra == "color"']
    assert body["extras"] == ["color"]
    assert body["metadata_source"]["via"] == "range"
    assert pypi_tree.password not in result.stdout + result.stderr


# -- `cglib download` (the installed command) against `pip download` ------------------------


def _pip_download(index_url: str, dest: Path, *requirements: str) -> list[str]:
    """The files ``pip download`` saves, for this interpreter and machine."""
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-cache-dir",
        "--disable-pip-version-check",
        "--quiet",
        "--index-url",
        index_url,
        "-d",
        str(dest),
        *requirements,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return sorted(p.name for p in dest.iterdir())


@pytest.mark.parametrize("server", ["pypiserver", "pep658"])
def test_download_saves_what_pip_download_saves(  # type: ignore[no-untyped-def]
    server: str, request: pytest.FixtureRequest, run_cglib, tmp_path: Path
) -> None:
    if server == "pypiserver":
        pypi: PypiServer = request.getfixturevalue("pypi_tree")
        url = pypi.url_with_credentials
    else:
        url, index = request.getfixturevalue("pep658_tree")
    expected = _pip_download(url, tmp_path / "pip", "app")
    assert len(expected) == len(HOST_EXPECTED)  # the closure, by pip's account
    if server == "pep658":
        index.forget()  # pip's requests
    dest = tmp_path / "cglib"
    result = run_cglib("download", "app", "-d", str(dest), "--index-url", url, timeout=120)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in dest.iterdir()) == expected
    assert sorted(Path(line).name for line in result.stdout.splitlines()) == expected
    for name in expected:  # the same bytes as pip's
        assert (dest / name).read_bytes() == (tmp_path / "pip" / name).read_bytes()
    if server == "pep658":
        # The metadata came from .metadata files: each saved wheel was fetched once.
        fetched = [Path(s.path).name for s in index.seen if s.kind in ("file", "range")]
        assert sorted(fetched) == expected


def test_download_union_of_two_linux_targets(
    pypi_tree: PypiServer, run_cglib, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    dest = tmp_path / "wheelhouse"
    result = run_cglib(
        "download",
        "app",
        "-d",
        str(dest),
        "--json",
        "--target",
        "manylinux_2_28_x86_64@3.12",
        "--target",
        "manylinux_2_28_aarch64@3.12",
        "--index-url",
        pypi_tree.url_with_credentials,
        timeout=120,
    )
    assert result.exit_code == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["targets"] == [
        "cp312 on manylinux_2_28_x86_64",
        "cp312 on manylinux_2_28_aarch64",
    ]
    names = sorted(f["filename"] for f in body["files"])
    linux = [n for n in names if n.startswith("linuxonly-")]
    assert linux == [
        "linuxonly-1.0-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.whl",
        "linuxonly-1.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    ]
    assert not any(n.startswith(("winonly-", "oldpy-")) for n in names)
    assert pypi_tree.password not in result.stdout + result.stderr
