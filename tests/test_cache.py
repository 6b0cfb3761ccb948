"""The on-disk cache of the root listing, and search_index() over it (against
the fake index's root, in both forms where the form matters)."""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from pathlib import Path

import httpx
import pytest

from cglib import cache
from cglib.client import IndexClient
from cglib.config import Index, resolve_index
from cglib.errors import NotFoundError, UsageError
from cglib.search import search_index
from support.fakeindex import FakeIndex

INDEX = "https://example.org/simple/"
NAMES = ["six", "Zope.Interface", "requests", "requests-oauthlib", "Django", "django-requests"]


class RootIndex(FakeIndex):
    """The fake index listing ``names`` (no files), with a fixed ETag, a
    Last-Modified and, when set, Cache-Control and Age (on 200 and 304 alike)."""

    def __init__(self, names: list[str], form: str = "html", etag: str = '"v1"') -> None:
        super().__init__(form=form, etag=etag, last_modified="Tue, 24 Nov 2026 08:58:29 GMT")
        self.names = names

    @property
    def names(self) -> list[str]:
        return list(self.display.values())

    @names.setter
    def names(self, names: list[str]) -> None:
        self.projects.clear()
        self.display.clear()
        for name in names:
            self.project(name)

    @property
    def cache_control(self) -> str | None:
        return self.page_headers.get("Cache-Control")

    @cache_control.setter
    def cache_control(self, value: str | None) -> None:
        self._set("Cache-Control", value)

    @property
    def age(self) -> str | None:
        return self.page_headers.get("Age")

    @age.setter
    def age(self, value: str | None) -> None:
        self._set("Age", value)

    def _set(self, header: str, value: str | None) -> None:
        if value is None:
            self.page_headers.pop(header, None)
        else:
            self.page_headers[header] = value


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


# -- the file ------------------------------------------------------------------------------


def test_store_and_load_round_trip(cache_dir: Path) -> None:
    path = cache.cache_path(INDEX, cache_dir)
    cache.store(path, url=INDEX, names=NAMES, etag='"x"', last_modified="then")
    loaded = cache.load(path)
    assert loaded is not None
    assert loaded.url == INDEX
    assert loaded.etag == '"x"'
    assert loaded.last_modified == "then"
    assert len(loaded.names) == len(NAMES)
    assert sorted(loaded.names) == sorted(
        ["six", "zope-interface", "requests", "requests-oauthlib", "django", "django-requests"]
    )
    assert loaded.names.display_name("zope-interface") == "Zope.Interface"
    assert loaded.names.display_name("six") == "six"


def test_body_is_memory_mapped_and_searchable(cache_dir: Path) -> None:
    import mmap

    path = cache.cache_path(INDEX, cache_dir)
    cache.store(path, url=INDEX, names=NAMES)
    loaded = cache.load(path)
    assert loaded is not None
    assert isinstance(loaded.names.data, mmap.mmap)
    assert "zope_interface" in loaded.names
    everything = sorted(loaded.names)
    loaded.names.close()
    assert len(loaded.names) == 0
    # A header not padded to this system's granularity (a file from another
    # system): the body is read instead of mapped.
    blob = path.read_bytes()
    header = json.loads(blob[: blob.index(b"\n")])
    body = blob[header["offset"] :]
    header["offset"] = len(json.dumps(header)) + 8
    path.write_bytes(json.dumps(header).encode().ljust(header["offset"] - 1) + b"\n" + body)
    reread = cache.load(path)
    assert reread is not None
    assert isinstance(reread.names.data, bytes)
    assert sorted(reread.names) == everything


def test_empty_listing_round_trip(cache_dir: Path) -> None:
    path = cache.cache_path(INDEX, cache_dir)
    cache.store(path, url=INDEX, names=[])
    loaded = cache.load(path)
    assert loaded is not None
    assert len(loaded.names) == 0


def test_file_name_is_readable_and_unique(cache_dir: Path) -> None:
    path = cache.cache_path("https://libraries.cgr.dev/python/simple/", cache_dir)
    assert path.name.startswith("libraries.cgr.dev-python-simple-")
    assert path.suffix == ".names"
    other = cache.cache_path("https://libraries.cgr.dev/python_simple/", cache_dir)
    assert other != path


def test_key_ignores_credentials(cache_dir: Path) -> None:
    with_creds = "https://user:s3cret-token@example.org/simple/"
    assert cache.cache_path(with_creds, cache_dir) == cache.cache_path(INDEX, cache_dir)
    assert "s3cret" not in str(cache.cache_path(with_creds, cache_dir))
    assert cache.cache_path("https://example.org/other/", cache_dir) != cache.cache_path(
        INDEX, cache_dir
    )


def test_default_dir_honours_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CGLIB_CACHE_DIR", str(tmp_path / "here"))
    assert cache.cache_path(INDEX).parent == tmp_path / "here" / "names"
    monkeypatch.delenv("CGLIB_CACHE_DIR")
    assert str(cache.cache_path(INDEX)).startswith(os.environ["XDG_CACHE_HOME"])


def test_missing_file_is_none(cache_dir: Path) -> None:
    assert cache.load(cache.cache_path(INDEX, cache_dir)) is None


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) - 7], id="truncated"),
        pytest.param(lambda b: b[:-3] + b"zzz", id="flipped-bytes"),
        pytest.param(lambda b: b"{not json\n" + b, id="bad-header"),
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b.replace(b'"count"', b'"cuont"', 1), id="missing-field"),
        pytest.param(lambda b: b + b"\n", id="padded"),
        pytest.param(lambda b: b.replace(b"six\n", b"six!", 1), id="record-end-damaged"),
        pytest.param(lambda b: b.replace(b"\nsix\n", b"\nsixx\n", 1), id="shifted"),
        pytest.param(lambda b: b.replace(b'"count":6', b'"count":7', 1), id="wrong-count"),
        pytest.param(lambda b: b.replace(b'"size":', b'"size":1', 1), id="wrong-size"),
    ],
)
def test_damaged_file_is_detected(cache_dir: Path, damage) -> None:
    path = cache.cache_path(INDEX, cache_dir)
    cache.store(path, url=INDEX, names=NAMES)
    path.write_bytes(damage(path.read_bytes()))
    with pytest.raises(cache.CorruptCacheError, match="cache file"):
        cache.load(path)


@pytest.mark.parametrize("old", ["cglib-names/0", "cglib-names/1", "cglib-names/2"])
def test_other_format_is_ignored(cache_dir: Path, old: str) -> None:
    path = cache.cache_path(INDEX, cache_dir)
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"format": "%s"}\nwhatever' % old.encode())
    assert cache.load(path) is None


def _writer(path: str, rounds: int, which: int) -> None:
    names = [f"w{which}-name-{i}" for i in range(2000 + which * 500)]
    for _ in range(rounds):
        cache.store(Path(path), url=INDEX, names=names, etag=f'"{which}"')


def test_concurrent_writers_never_corrupt(cache_dir: Path) -> None:
    path = cache.cache_path(INDEX, cache_dir)
    cache.store(path, url=INDEX, names=["seed"])
    context = multiprocessing.get_context("spawn")
    writers = [context.Process(target=_writer, args=(str(path), 40, i)) for i in (1, 2)]
    for w in writers:
        w.start()
    reads = 0
    while any(w.is_alive() for w in writers) or reads < 20:
        loaded = cache.load(path)  # never raises CorruptCacheError
        assert loaded is not None
        # Names and validators always belong together.
        expected = {'"1"': 2500, '"2"': 3000, None: 1}[loaded.etag]
        assert len(loaded.names) == expected
        reads += 1
    for w in writers:
        w.join()
        assert w.exitcode == 0
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


# -- search_index ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["html", "json"])
def test_first_search_fetches_and_caches(cache_dir: Path, form: str) -> None:
    fake = RootIndex(NAMES, form)
    with fake.client() as client:
        result = search_index(client, "zope_interface", cache_dir=cache_dir)
    assert result.source == "fetched"
    assert [(m.name, m.kind) for m in result.matches] == [("Zope.Interface", "exact")]
    assert result.total == len(NAMES)
    assert "if-none-match" not in fake.requests[0].headers
    assert "application/vnd.pypi.simple.v1+json" in fake.requests[0].headers["accept"]
    assert cache.load(cache.cache_path(INDEX, cache_dir)) is not None


def _listing(cache_dir: Path) -> cache.CachedListing:
    loaded = cache.load(cache.cache_path(INDEX, cache_dir))
    assert loaded is not None
    return loaded


@pytest.mark.parametrize("form", ["html", "json"])
def test_fresh_cache_makes_no_request(cache_dir: Path, form: str) -> None:
    fake = RootIndex(NAMES, form)
    with fake.client() as client:
        search_index(client, "six", cache_dir=cache_dir)
        result = search_index(client, "requests", cache_dir=cache_dir)
    assert len(fake.requests) == 1
    assert result.source == "cache"
    assert [m.name for m in result.matches] == ["requests", "requests-oauthlib", "django-requests"]
    assert [m.kind for m in result.matches] == ["exact", "prefix", "substring"]


def test_default_freshness_is_ten_minutes(cache_dir: Path) -> None:
    fake = RootIndex(NAMES)
    with fake.client() as client:
        before = time.time()
        result = search_index(client, "six", cache_dir=cache_dir)
    listing = _listing(cache_dir)
    assert before <= listing.fetched_at <= time.time()
    assert cache.DEFAULT_MAX_AGE == 600
    assert listing.fresh_until - listing.fetched_at == pytest.approx(600, abs=1e-3)
    assert result.fresh_until == listing.fresh_until


@pytest.mark.parametrize(
    ("cache_control", "age", "lifetime"),
    [
        ("max-age=60", None, 60),
        ("public, max-age=3600", None, 3600),
        ('private, MAX-AGE="120"', None, 120),
        ("max-age=60", "15", 45),
        ("max-age=60", "600", 0),
        ("no-cache", None, 0),
        ("max-age=600, no-cache", None, 0),
        ("max-age=soon", None, 0),
        ("max-age=99999999999999999999999", None, 2**31),
        ("must-revalidate", None, 600),
        ("s-maxage=5", None, 600),
    ],
)
def test_freshness_from_cache_control(
    cache_dir: Path, cache_control: str, age: str | None, lifetime: int
) -> None:
    fake = RootIndex(NAMES)
    fake.cache_control, fake.age = cache_control, age
    with fake.client() as client:
        search_index(client, "six", cache_dir=cache_dir)
    listing = _listing(cache_dir)
    assert listing.fresh_until - listing.fetched_at == pytest.approx(lifetime, abs=1e-3)


@pytest.mark.parametrize("form", ["html", "json"])
def test_stale_cache_asks_once_and_a_304_renews_it(cache_dir: Path, form: str) -> None:
    fake = RootIndex(NAMES, form)
    fake.cache_control = "max-age=0"
    with fake.client() as client:
        search_index(client, "six", cache_dir=cache_dir)
        first = _listing(cache_dir)
        fake.cache_control = "max-age=300"
        result = search_index(client, "requests", cache_dir=cache_dir)
        assert len(fake.requests) == 2
        assert result.source == "revalidated"
        assert fake.requests[1].headers["if-none-match"] == '"v1"'
        assert fake.requests[1].headers["if-modified-since"] == fake.last_modified
        assert [m.name for m in result.matches][:2] == ["requests", "requests-oauthlib"]
        renewed = _listing(cache_dir)
        assert renewed.fetched_at >= first.fetched_at
        assert renewed.fresh_until - renewed.fetched_at == pytest.approx(300, abs=1e-3)
        assert renewed.etag == '"v1"'
        assert sorted(renewed.names) == sorted(first.names)
        # Fresh again: no request at all.
        result = search_index(client, "zope", cache_dir=cache_dir)
    assert len(fake.requests) == 2
    assert result.source == "cache"
    assert [m.name for m in result.matches] == ["Zope.Interface"]


def test_listing_older_than_its_freshness_is_revalidated(cache_dir: Path) -> None:
    path = cache.cache_path(INDEX, cache_dir)
    now = time.time()
    cache.store(
        path, url=INDEX, names=NAMES, etag='"v1"', fetched_at=now - 700, fresh_until=now - 100
    )
    fake = RootIndex(NAMES)
    with fake.client() as client:
        result = search_index(client, "six", cache_dir=cache_dir)
    assert [r.headers.get("if-none-match") for r in fake.requests] == ['"v1"']
    assert result.source == "revalidated"
    assert _listing(cache_dir).fresh_until >= now + 600


def test_listing_from_the_future_is_not_fresh(cache_dir: Path) -> None:
    # The clock went back: the stored times say nothing trustworthy.
    path = cache.cache_path(INDEX, cache_dir)
    now = time.time()
    cache.store(
        path, url=INDEX, names=NAMES, etag='"v1"', fetched_at=now + 3600, fresh_until=now + 4200
    )
    fake = RootIndex(NAMES)
    with fake.client() as client:
        assert search_index(client, "six", cache_dir=cache_dir).source == "revalidated"
    assert len(fake.requests) == 1


def test_changed_etag_replaces_the_cache(cache_dir: Path) -> None:
    fake = RootIndex(NAMES)
    fake.cache_control = "no-cache"
    with fake.client() as client:
        search_index(client, "six", cache_dir=cache_dir)
        fake.names = [*NAMES, "brand-new-project"]
        fake.etag = '"v2"'
        result = search_index(client, "brand-new", cache_dir=cache_dir)
    assert result.source == "fetched"
    assert [m.name for m in result.matches] == ["brand-new-project"]
    assert _listing(cache_dir).etag == '"v2"'


@pytest.mark.parametrize("cache_control", ["no-store", "private, no-store, max-age=600"])
def test_no_store_is_honoured(cache_dir: Path, cache_control: str) -> None:
    path = cache.cache_path(INDEX, cache_dir)
    fake = RootIndex(NAMES)
    with fake.client() as client:
        search_index(client, "six", cache_dir=cache_dir, refresh=True)
        assert path.exists()
        fake.cache_control = cache_control
        # Even a listing cached before is dropped once the index says no-store.
        result = search_index(client, "six", cache_dir=cache_dir, refresh=True)
        assert [m.name for m in result.matches] == ["six"]
        assert not path.exists()
        assert not list(path.parent.iterdir())
        result = search_index(client, "requests", cache_dir=cache_dir)
    assert result.source == "fetched"
    assert len(fake.requests) == 3
    assert "if-none-match" not in fake.requests[2].headers
    assert not path.exists()


def test_no_store_on_a_304_drops_the_cached_file(cache_dir: Path) -> None:
    path = cache.cache_path(INDEX, cache_dir)
    fake = RootIndex(NAMES)
    fake.cache_control = "max-age=0"
    with fake.client() as client:
        search_index(client, "six", cache_dir=cache_dir)
        fake.cache_control = "no-store"
        result = search_index(client, "six", cache_dir=cache_dir)
    assert result.source == "revalidated"
    assert [m.name for m in result.matches] == ["six"]
    assert not path.exists()


def test_env_max_age_zero_always_asks(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = RootIndex(NAMES)
    fake.cache_control = "max-age=3600"
    with fake.client() as client:
        search_index(client, "six", cache_dir=cache_dir)
        monkeypatch.setenv("CGLIB_CACHE_MAX_AGE", "0")
        assert search_index(client, "six", cache_dir=cache_dir).source == "revalidated"
        assert search_index(client, "six", cache_dir=cache_dir).source == "revalidated"
    assert len(fake.requests) == 3
    assert all(r.headers["if-none-match"] == '"v1"' for r in fake.requests[1:])


def test_env_max_age_overrides_the_index(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = RootIndex(NAMES)
    fake.cache_control = "no-cache"
    monkeypatch.setenv("CGLIB_CACHE_MAX_AGE", " 120 ")
    with fake.client() as client:
        search_index(client, "six", cache_dir=cache_dir)
        assert search_index(client, "six", cache_dir=cache_dir).source == "cache"
    assert len(fake.requests) == 1
    # The argument wins over the environment.
    with fake.client() as client:
        assert search_index(client, "six", cache_dir=cache_dir, max_age=0).source == "revalidated"
    assert len(fake.requests) == 2


@pytest.mark.parametrize("value", ["soon", "-1", "1e999", "nan", "", " "])
def test_env_max_age_must_be_seconds(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CGLIB_CACHE_MAX_AGE", value)
    fake = RootIndex(NAMES)
    if not value.strip():  # unset in effect: the default applies
        with fake.client() as client:
            search_index(client, "six", cache_dir=cache_dir)
        return
    with fake.client() as client, pytest.raises(UsageError, match="CGLIB_CACHE_MAX_AGE") as info:
        search_index(client, "six", cache_dir=cache_dir)
    assert info.value.exit_code == 2
    assert fake.requests == []


def test_refresh_fetches_unconditionally(cache_dir: Path) -> None:
    fake = RootIndex(NAMES)
    with fake.client() as client:
        search_index(client, "six", cache_dir=cache_dir)
        result = search_index(client, "six", cache_dir=cache_dir, refresh=True)
    assert result.source == "fetched"
    assert len(fake.requests) == 2
    assert "if-none-match" not in fake.requests[1].headers
    assert "if-modified-since" not in fake.requests[1].headers


def test_client_is_made_only_when_a_request_is_needed(cache_dir: Path) -> None:
    fake = RootIndex(NAMES)
    made: list[TrackedClient] = []

    def connect() -> IndexClient:
        made.append(TrackedClient(resolve_index(INDEX), transport=fake.transport()))
        return made[-1]

    first = search_index(Index(INDEX), "six", cache_dir=cache_dir, connect=connect)
    assert first.source == "fetched"
    assert len(made) == 1
    assert made[0].closed  # search_index closes the client it made
    second = search_index(Index(INDEX), "six", cache_dir=cache_dir, connect=connect)
    assert second.source == "cache"
    assert [m.name for m in second.matches] == ["six"]
    assert len(made) == 1
    assert len(fake.requests) == 1


class TrackedClient(IndexClient):
    closed = False

    def close(self) -> None:
        self.closed = True
        super().close()


def test_empty_listing_is_never_taken_as_fresh(cache_dir: Path) -> None:
    fake = RootIndex([])
    with fake.client() as client:
        search_index(client, "six", cache_dir=cache_dir)
        search_index(client, "six", cache_dir=cache_dir)
    assert len(fake.requests) == 2
    assert fake.requests[1].headers["if-none-match"] == '"v1"'


def test_corrupt_cache_is_rebuilt_with_a_warning(cache_dir: Path) -> None:
    fake = RootIndex(NAMES)
    path = cache.cache_path(INDEX, cache_dir)
    with fake.client() as client:
        search_index(client, "six", cache_dir=cache_dir)
        path.write_bytes(path.read_bytes()[:-5])
        result = search_index(client, "six", cache_dir=cache_dir)
    assert result.source == "fetched"
    assert "if-none-match" not in fake.requests[1].headers
    assert len(result.warnings) == 1
    assert "truncated" in result.warnings[0]
    assert "rebuilt" in result.warnings[0]
    assert cache.load(path) is not None


def test_offline_uses_only_the_cache(cache_dir: Path) -> None:
    fake = RootIndex(NAMES)
    with fake.client() as client:
        search_index(client, "six", cache_dir=cache_dir)
        result = search_index(client, "djnago", cache_dir=cache_dir, offline=True)
    assert len(fake.requests) == 1
    assert result.source == "cache"
    assert [(m.name, m.kind) for m in result.matches] == [("Django", "fuzzy")]
    # An Index instead of a client: offline, no credentials needed.
    result = search_index(Index(INDEX), "six", cache_dir=cache_dir)
    assert [m.name for m in result.matches] == ["six"]


def test_offline_without_cache_is_not_found(cache_dir: Path) -> None:
    with pytest.raises(NotFoundError, match="no cached project list") as info:
        search_index(Index(INDEX), "six", cache_dir=cache_dir)
    assert info.value.exit_code == 5
    assert "without --offline" in str(info.value)


def test_no_root_listing_is_not_found_with_hint(cache_dir: Path) -> None:
    fake = RootIndex(NAMES)
    fake.status = 404
    with fake.client() as client, pytest.raises(NotFoundError) as info:
        search_index(client, "six", cache_dir=cache_dir)
    assert info.value.exit_code == 5
    assert "cglib versions NAME" in str(info.value)


def test_server_failure_falls_back_to_the_cache(cache_dir: Path) -> None:
    from cglib.config import Settings

    fake = RootIndex(NAMES)
    fake.cache_control = "max-age=0"
    settings = Settings(retries=0)
    with fake.client(settings=settings, sleep=lambda _s: None) as client:
        search_index(client, "six", cache_dir=cache_dir)
        fake.status = 503
        result = search_index(client, "six", cache_dir=cache_dir)
    assert result.source == "cache"
    assert [m.name for m in result.matches] == ["six"]
    assert "using the cached project list" in result.warnings[0]


def test_empty_anonymous_listing_hints_at_credentials(cache_dir: Path) -> None:
    # pypicloud answers an anonymous root with 200 and no links.
    sample = (
        Path(__file__).parent / "data" / "pages" / "pypicloud" / "anon-root-200-empty-body.html"
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=sample.read_bytes(), headers={"Content-Type": "text/html"}
        )

    client = IndexClient(resolve_index(INDEX), transport=httpx.MockTransport(handler))
    with client:
        result = search_index(client, "six", cache_dir=cache_dir)
    assert result.matches == ()
    assert result.total == 0
    assert any("may need credentials" in w for w in result.warnings)


def test_unwritable_cache_still_answers(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    fake = RootIndex(NAMES)
    with fake.client() as client:
        result = search_index(client, "six", cache_dir=blocker / "sub")
    assert [m.name for m in result.matches] == ["six"]
    assert any("cannot write the cache file" in w for w in result.warnings)


@pytest.mark.parametrize("form", ["html", "json"])
def test_names_with_newlines_are_not_split_in_the_cache(cache_dir: Path, form: str) -> None:
    listed = ["six", "evil\nrequests", "ok", "bad name", "-dash", "é-pkg"]
    fake = RootIndex(listed, form)
    with fake.client() as client:
        result = search_index(client, "requests", cache_dir=cache_dir)
    assert result.matches == ()
    assert sorted(_listing(cache_dir).names) == ["ok", "six"]
    bad = len(listed) - 2
    assert result.warnings == (
        f"left out {bad} invalid project names from the project list of {INDEX}",
    )
    assert result.total == 2
