"""Core metadata without downloading: PEP 658, range reads, whole file, cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from cglib.client import IndexClient
from cglib.config import Settings
from cglib.errors import IntegrityError
from cglib.metadata import MetadataFetcher, SdistMetadataError, metadata_url
from support.fakeindex import FakeIndex


def make_client(index: FakeIndex) -> IndexClient:
    return index.client(Settings(retries=0))


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def fetch_one(index: FakeIndex, cache_dir: Path, project: str, version: str):  # type: ignore[no-untyped-def]
    with make_client(index) as client, MetadataFetcher(client, cache_dir=cache_dir) as fetcher:
        page = client.get_project(project)
        file = next(f for f in page.files if str(f.version) == version)
        result = fetcher.get(file)
        whole = result.whole_file.read_bytes() if result.whole_file else None
        return result, whole


def test_pep658_metadata_is_used_and_verified(form: str, cache_dir: Path) -> None:
    index = FakeIndex(form=form)
    index.wheel(
        "app", "1.0", requires_dist=["lib>=2", "socks; extra == 'proxy'"], provides_extra=["proxy"]
    )
    result, _ = fetch_one(index, cache_dir, "app", "1.0")
    assert result.source == "pep658"
    assert result.metadata.requires_dist == ("lib>=2", "socks; extra == 'proxy'")
    assert result.metadata.provides_extra == ("proxy",)
    assert len(index.asked("metadata")) == 1
    assert index.asked("range") == []
    assert index.asked("file") == []


def test_pep658_hash_mismatch_is_an_integrity_error(cache_dir: Path) -> None:
    index = FakeIndex()
    index.wheel("app", "1.0", metadata_sha256="0" * 64)
    with pytest.raises(IntegrityError, match=r"metadata of app-1\.0-py3-none-any\.whl"):
        fetch_one(index, cache_dir, "app", "1.0")


def test_range_requests_read_only_the_tail_and_the_member(form: str, cache_dir: Path) -> None:
    index = FakeIndex(form=form)
    dist = index.wheel("big", "2.0", requires_dist=["lib<3"], padding=400_000, core_metadata=False)
    result, whole = fetch_one(index, cache_dir, "big", "2.0")
    assert result.source == "range"
    assert whole is None
    assert result.metadata.requires_dist == ("lib<3",)
    ranges = [s.request.headers["range"] for s in index.asked("range")]
    assert ranges[0] == "bytes=-65536"
    assert 1 <= len(ranges) <= 3
    assert index.asked("file") == []
    # Far less than the whole wheel was asked for.
    asked = 0
    for header in ranges:
        first, _, last = header.removeprefix("bytes=").partition("-")
        asked += int(last) if not first else int(last) - int(first) + 1
    assert asked < len(dist.content) / 4


def test_server_ignoring_range_gives_the_whole_file_which_is_kept(cache_dir: Path) -> None:
    index = FakeIndex(ranges=False)
    dist = index.wheel("app", "1.0", requires_dist=["lib"], core_metadata=False)
    result, whole = fetch_one(index, cache_dir, "app", "1.0")
    assert result.source == "whole"
    assert whole == dist.content
    assert result.whole_sha256 == dist.digest
    assert result.metadata.requires_dist == ("lib",)
    assert index.asked("range") == []
    assert len(index.asked("file")) == 1  # one request: the 200 answer to the range request


@pytest.mark.parametrize("status", [416, 501])
def test_server_refusing_range_falls_back_to_the_whole_file(status: int, cache_dir: Path) -> None:
    index = FakeIndex(range_status=status)
    dist = index.wheel("app", "1.0", requires_dist=["lib"], core_metadata=False)
    result, whole = fetch_one(index, cache_dir, "app", "1.0")
    assert result.source == "whole"
    assert whole == dist.content
    assert [s.status for s in index.asked("range")] == [status]
    assert len(index.asked("file")) == 1


def test_whole_file_kept_is_removed_on_close(cache_dir: Path) -> None:
    index = FakeIndex(ranges=False)
    index.wheel("app", "1.0", core_metadata=False)
    with make_client(index) as client:
        fetcher = MetadataFetcher(client, cache_dir=cache_dir)
        file = client.get_project("app").files[0]
        kept = fetcher.get(file).whole_file
        assert kept is not None
        assert kept.exists()
        fetcher.close()
        assert not kept.exists()


def test_the_spool_holds_each_whole_file_once_and_nothing_else(cache_dir: Path) -> None:
    """Each file fetched whole is one file in the spool, named after it."""
    index = FakeIndex(ranges=False)
    index.wheel("app", "1.0", core_metadata=False)
    index.wheel("lib", "1.0", core_metadata=False)
    with make_client(index) as client, MetadataFetcher(client, cache_dir=cache_dir) as fetcher:
        kept = [fetcher.get(client.get_project(n).files[0]).whole_file for n in ("app", "lib")]
        assert all(path is not None for path in kept)
        spool = {p.parent for p in kept if p is not None}
        assert len(spool) == 1
        names = sorted(p.name for p in spool.pop().iterdir())
    assert sorted(name.split("-", 2)[2] for name in names) == [
        "app-1.0-py3-none-any.whl",
        "lib-1.0-py3-none-any.whl",
    ]


def test_a_file_name_as_long_as_file_systems_allow_can_be_fetched_whole(
    cache_dir: Path,
) -> None:
    name = "a" * 234  # the wheel's name is 255 characters long
    index = FakeIndex(ranges=False)
    dist = index.wheel(name, "1.0", core_metadata=False)
    assert len(dist.filename) == 255
    result, whole = fetch_one(index, cache_dir, name, "1.0")
    assert whole == dist.content
    assert result.whole_file is not None
    assert result.whole_file.name.endswith("-1.0-py3-none-any.whl")


def test_second_fetch_uses_the_disk_cache(cache_dir: Path) -> None:
    index = FakeIndex()
    app = index.wheel("app", "1.0", requires_dist=["lib"], core_metadata=False)
    fetch_one(index, cache_dir, "app", "1.0")
    before = len(index.asked("range"))
    assert before >= 1
    result, _ = fetch_one(index, cache_dir, "app", "1.0")
    assert result.source == "cache"
    assert len(index.asked("range")) == before
    assert index.asked("metadata") == []
    cached = list(cache_dir.rglob("*.metadata"))
    assert [p.name for p in cached] == [f"{app.digest}.metadata"]


def test_sdist_with_static_metadata_is_read(cache_dir: Path) -> None:
    index = FakeIndex()
    dist = index.sdist("src", "1.0", requires_dist=["lib>=1"], metadata_version="2.2")
    result, whole = fetch_one(index, cache_dir, "src", "1.0")
    assert result.source == "whole"
    assert whole == dist.content
    assert result.metadata.requires_dist == ("lib>=1",)


@pytest.mark.parametrize(("metadata_version", "dynamic"), [("2.1", []), ("2.2", ["Requires-Dist"])])
def test_sdist_with_dynamic_dependencies_is_refused_by_name(
    metadata_version: str, dynamic: list[str], cache_dir: Path
) -> None:
    index = FakeIndex()
    index.sdist("src", "1.0", metadata_version=metadata_version, dynamic=dynamic)
    with pytest.raises(SdistMetadataError, match=r"src-1\.0\.tar\.gz") as info:
        fetch_one(index, cache_dir, "src", "1.0")
    assert info.value.exit_code == 5
    assert "never runs a build" in (info.value.hint or "")


def test_whole_file_with_wrong_hash_is_refused(cache_dir: Path) -> None:
    index = FakeIndex(ranges=False)
    dist = index.wheel("app", "1.0", core_metadata=False)
    good = dist.content
    with make_client(index) as client, MetadataFetcher(client, cache_dir=cache_dir) as fetcher:
        file = client.get_project("app").files[0]
        dist.content = good[:-8] + b"tampered"  # as long as the page says
        with pytest.raises(IntegrityError, match="sha256 mismatch"):
            fetcher.get(file)


def test_parallel_prefetch_fetches_each_file_once(cache_dir: Path) -> None:
    index = FakeIndex()
    for i in range(12):
        index.wheel(f"p{i}", "1.0")
    with make_client(index) as client, MetadataFetcher(client, cache_dir=cache_dir, jobs=4) as f:
        files = [client.get_project(f"p{i}").files[0] for i in range(12)]
        f.prefetch(files)
        f.prefetch(files)
        names = [f.get(x).metadata.name for x in files]
    assert names == [f"p{i}" for i in range(12)]
    assert len(index.asked("metadata")) == 12


def test_metadata_url_keeps_a_query_string() -> None:
    assert metadata_url("https://example.org/f/a-1-py3-none-any.whl") == (
        "https://example.org/f/a-1-py3-none-any.whl.metadata"
    )
    assert (
        metadata_url("https://example.org/f/a.whl?sig=1")
        == "https://example.org/f/a.whl.metadata?sig=1"
    )


def test_range_reads_follow_redirects_without_sending_credentials(cache_dir: Path) -> None:
    """File URLs answer 302 to a store on another host: the range requests
    follow it, and the store never sees the Authorization header."""
    index = FakeIndex(user="user", password="secret-token-123")
    index.wheel("app", "1.0", requires_dist=["lib"], padding=100_000, core_metadata=False)
    with index.client(Settings(retries=0)) as client:
        with MetadataFetcher(client, cache_dir=cache_dir) as fetcher:
            result = fetcher.get(client.get_project("app").files[0])
    assert result.source == "range"
    store = index.store_requests()
    assert store
    assert all("authorization" not in r.headers for r in store)
    assert all("range" in r.headers for r in store)
    assert all(s.status == 302 for s in index.on("example.org") if "range" in s.request.headers)
