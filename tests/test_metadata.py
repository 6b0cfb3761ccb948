"""Core metadata without downloading: PEP 658, range reads, whole file, cache."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from cglib.client import IndexClient
from cglib.config import Index, Settings
from cglib.errors import IntegrityError
from cglib.metadata import MetadataFetcher, SdistMetadataError, metadata_url
from support.metaindex import MetaIndex


def make_client(index: MetaIndex) -> IndexClient:
    return IndexClient(
        Index(index.url),
        settings=Settings(retries=0),
        transport=httpx.MockTransport(index),
        sleep=lambda _: None,
    )


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def fetch_one(index: MetaIndex, cache_dir: Path, project: str, version: str):  # type: ignore[no-untyped-def]
    with make_client(index) as client, MetadataFetcher(client, cache_dir=cache_dir) as fetcher:
        page = client.get_project(project)
        file = next(f for f in page.files if str(f.version) == version)
        result = fetcher.get(file)
        whole = result.whole_file.read_bytes() if result.whole_file else None
        return result, whole


@pytest.mark.parametrize("form", ["json", "html"])
def test_pep658_metadata_is_used_and_verified(form: str, cache_dir: Path) -> None:
    index = MetaIndex(form=form)
    index.wheel("app", "1.0", requires_dist=["lib>=2", "socks; extra == 'proxy'"], extras=["proxy"])
    result, _ = fetch_one(index, cache_dir, "app", "1.0")
    assert result.source == "pep658"
    assert result.metadata.requires_dist == ("lib>=2", "socks; extra == 'proxy'")
    assert result.metadata.provides_extra == ("proxy",)
    assert len(index.seen("metadata")) == 1
    assert index.seen("range") == []
    assert index.seen("file") == []


def test_pep658_hash_mismatch_is_an_integrity_error(cache_dir: Path) -> None:
    index = MetaIndex(wrong_metadata_hash=True)
    index.wheel("app", "1.0")
    with pytest.raises(IntegrityError, match=r"metadata of app-1\.0-py3-none-any\.whl"):
        fetch_one(index, cache_dir, "app", "1.0")


@pytest.mark.parametrize("form", ["json", "html"])
def test_range_requests_read_only_the_tail_and_the_member(form: str, cache_dir: Path) -> None:
    index = MetaIndex(pep658=False, form=form)
    dist = index.wheel("big", "2.0", requires_dist=["lib<3"], padding=400_000)
    result, whole = fetch_one(index, cache_dir, "big", "2.0")
    assert result.source == "range"
    assert whole is None
    assert result.metadata.requires_dist == ("lib<3",)
    ranges = index.seen("range")
    assert ranges[0][2] == "bytes=-65536"
    assert 1 <= len(ranges) <= 3
    assert index.seen("file") == []
    # Far less than the whole wheel was asked for.
    asked = 0
    for _, _, header in ranges:
        assert header is not None
        first, _, last = header.removeprefix("bytes=").partition("-")
        asked += int(last) if not first else int(last) - int(first) + 1
    assert asked < len(dist.content) / 4


def test_server_ignoring_range_gives_the_whole_file_which_is_kept(cache_dir: Path) -> None:
    index = MetaIndex(pep658=False, ranges=False)
    dist = index.wheel("app", "1.0", requires_dist=["lib"])
    result, whole = fetch_one(index, cache_dir, "app", "1.0")
    assert result.source == "whole"
    assert whole == dist.content
    assert result.whole_sha256 == dist.sha256
    assert result.metadata.requires_dist == ("lib",)
    assert len(index.seen("file")) == 1  # one request: the 200 answer to the range request


@pytest.mark.parametrize("status", [416, 501])
def test_server_refusing_range_falls_back_to_the_whole_file(status: int, cache_dir: Path) -> None:
    index = MetaIndex(pep658=False, range_status=status)
    dist = index.wheel("app", "1.0", requires_dist=["lib"])
    result, whole = fetch_one(index, cache_dir, "app", "1.0")
    assert result.source == "whole"
    assert whole == dist.content
    assert len(index.seen("range")) == 1
    assert len(index.seen("file")) == 1


def test_whole_file_kept_is_removed_on_close(cache_dir: Path) -> None:
    index = MetaIndex(pep658=False, ranges=False)
    index.wheel("app", "1.0")
    with make_client(index) as client:
        fetcher = MetadataFetcher(client, cache_dir=cache_dir)
        file = client.get_project("app").files[0]
        kept = fetcher.get(file).whole_file
        assert kept is not None
        assert kept.exists()
        fetcher.close()
        assert not kept.exists()


def test_second_fetch_uses_the_disk_cache(cache_dir: Path) -> None:
    index = MetaIndex(pep658=False)
    index.wheel("app", "1.0", requires_dist=["lib"])
    fetch_one(index, cache_dir, "app", "1.0")
    before = len(index.seen("range"))
    assert before >= 1
    result, _ = fetch_one(index, cache_dir, "app", "1.0")
    assert result.source == "cache"
    assert len(index.seen("range")) == before
    assert index.seen("metadata") == []
    cached = list(cache_dir.rglob("*.metadata"))
    assert [p.name for p in cached] == [f"{index.dists[0].sha256}.metadata"]


def test_sdist_with_static_metadata_is_read(cache_dir: Path) -> None:
    index = MetaIndex(pep658=False)
    dist = index.sdist("src", "1.0", requires_dist=["lib>=1"], metadata_version="2.2")
    result, whole = fetch_one(index, cache_dir, "src", "1.0")
    assert result.source == "whole"
    assert whole == dist.content
    assert result.metadata.requires_dist == ("lib>=1",)


@pytest.mark.parametrize(("metadata_version", "dynamic"), [("2.1", []), ("2.2", ["Requires-Dist"])])
def test_sdist_with_dynamic_dependencies_is_refused_by_name(
    metadata_version: str, dynamic: list[str], cache_dir: Path
) -> None:
    index = MetaIndex(pep658=False)
    index.sdist("src", "1.0", metadata_version=metadata_version, dynamic=dynamic)
    with pytest.raises(SdistMetadataError, match=r"src-1\.0\.tar\.gz") as info:
        fetch_one(index, cache_dir, "src", "1.0")
    assert info.value.exit_code == 5
    assert "never runs a build" in (info.value.hint or "")


def test_whole_file_with_wrong_hash_is_refused(cache_dir: Path) -> None:
    index = MetaIndex(pep658=False, ranges=False)
    dist = index.wheel("app", "1.0")
    good = dist.content
    with make_client(index) as client, MetadataFetcher(client, cache_dir=cache_dir) as fetcher:
        file = client.get_project("app").files[0]
        dist.content = good + b"tampered"
        with pytest.raises(IntegrityError, match="sha256 mismatch"):
            fetcher.get(file)


def test_parallel_prefetch_fetches_each_file_once(cache_dir: Path) -> None:
    index = MetaIndex()
    for i in range(12):
        index.wheel(f"p{i}", "1.0")
    with make_client(index) as client, MetadataFetcher(client, cache_dir=cache_dir, jobs=4) as f:
        files = [client.get_project(f"p{i}").files[0] for i in range(12)]
        f.prefetch(files)
        f.prefetch(files)
        names = [f.get(x).metadata.name for x in files]
    assert names == [f"p{i}" for i in range(12)]
    assert len(index.seen("metadata")) == 12


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
    from cglib.auth import Credentials

    index = MetaIndex(pep658=False)
    index.wheel("app", "1.0", requires_dist=["lib"], padding=100_000)
    store_headers: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "store.example.net":
            store_headers.append(dict(request.headers))
            status, headers, body = index.answer(
                request.url.path, {k.lower(): v for k, v in request.headers.items()}
            )
            return httpx.Response(status, headers=headers, content=body)
        if request.url.path.startswith("/files/"):
            return httpx.Response(
                302, headers={"location": f"https://store.example.net{request.url.path}?sig=x"}
            )
        return index(request)  # type: ignore[no-any-return]

    client = IndexClient(
        Index(index.url),
        Credentials("user", "secret-token-123"),
        credentials_source="env",
        settings=Settings(retries=0),
        transport=httpx.MockTransport(handler),
    )
    with client, MetadataFetcher(client, cache_dir=cache_dir) as fetcher:
        result = fetcher.get(client.get_project("app").files[0])
    assert result.source == "range"
    assert store_headers
    assert all("authorization" not in h for h in store_headers)
    assert all("range" in h for h in store_headers)
