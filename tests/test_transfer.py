"""The transfer of one file (cglib.transfer).

The state machine (``decide``) is driven directly, without a network; a
``Transfer`` with a fake sleep; and the streaming through ``download`` with the
in-memory index of tests/support/fakeindex.py.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cglib.client import IndexClient
from cglib.config import Index, Settings
from cglib.download import DownloadRequest, download
from cglib.errors import IntegrityError, NetworkError, PolicyError
from cglib.transfer import Attempt, Rules, State, Transfer, body_start, decide
from support.fakeindex import FORMS, FakeIndex, broken_after
from support.files import files_under

NAME = "six-1.16.0-py2.py3-none-any.whl"
DIGEST = hashlib.sha256(b"data").hexdigest()
TOKEN = "sentinel-token-1234"
RULES = Rules(NAME, "https://files.example.net/o/1", DIGEST, retries=2, backoff=0.5, max_wait=0.8)


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


# -- the state machine: pure ---------------------------------------------------------


def broke(**fields: object) -> NetworkError:
    return NetworkError("timed out", **fields)  # type: ignore[arg-type]


def test_a_complete_verified_body_is_done():
    step = decide(Attempt(started=True, received=4, length=4, digest=DIGEST), State(), RULES)
    assert (step.action, step.digest, step.size, step.discard) == ("done", DIGEST, 4, False)


def test_a_broken_body_is_resumed_with_growing_waits_then_given_up():
    broken = Attempt(offset=10, started=True, received=5, length=100, error=broke(retryable=True))
    first = decide(broken, State(), RULES)
    assert (first.action, first.wait, first.state.retries) == ("resume", 0.5, 1)
    assert first.note == f"retrying {NAME} in 0.5 s (1/2): timed out"
    assert not first.discard
    second = decide(broken, first.state, RULES)
    assert (second.action, second.wait, second.state.retries) == ("resume", 0.8, 2)  # capped
    last = decide(broken, second.state, RULES)
    assert last.action == "give-up"
    assert not last.discard  # the .part is kept for the next run
    assert isinstance(last.error, NetworkError)
    assert not isinstance(last.error, IntegrityError)
    assert "(got 15 bytes)" in last.error.message
    assert "resume" in (last.error.hint or "")


def test_a_stall_without_progress_gives_up_after_two_time_outs():
    rules = replace(RULES, retries=5)
    stalled = Attempt(started=True, received=0, length=100, error=broke(retryable=True))
    first = decide(stalled, State(), rules)
    assert first.action == "resume"
    second = decide(stalled, first.state, rules)
    assert second.action == "give-up"
    assert not second.discard
    assert "resume" in (second.error.hint or "")  # type: ignore[union-attr]


def test_a_stall_after_progress_is_retried_and_progress_resets_the_count():
    rules = replace(RULES, retries=5)
    state = State()
    for got in (10, 20, 30):  # each attempt gets further: all retried
        attempt = Attempt(started=True, received=got, length=100, error=broke(retryable=True))
        step = decide(attempt, state, rules)
        assert step.action == "resume", got
        state = step.state
    # No further than 30: one more try, then give up.
    attempt = Attempt(offset=30, asked=30, started=True, received=0, error=broke(retryable=True))
    assert decide(attempt, state, rules).action == "resume"
    state = decide(attempt, state, rules).state
    assert decide(attempt, state, rules).action == "give-up"


def test_a_206_to_a_request_without_range_is_taken_when_it_covers_the_file():
    assert body_start(206, 0, "bytes 0-99/100") == 0
    assert body_start(206, 0, "bytes 0-99/*") is None
    assert body_start(206, 0, "bytes 1-99/100") is None
    assert body_start(206, 0, "bytes 0-49/100") is None
    assert body_start(206, 0, None) is None
    assert body_start(206, 10, "bytes 10-99/100") == 10


def test_a_body_closed_before_its_length_is_truncated_and_discarded():
    attempt = Attempt(started=True, received=100, length=5000, error=broke(closed_early=True))
    step = decide(attempt, State(retries=2), RULES)
    assert (step.action, step.discard) == ("give-up", True)
    assert isinstance(step.error, IntegrityError)
    assert "got 100 of 5000 bytes" in step.error.message


def test_a_failure_before_the_body_is_raised_as_it_is():
    error = broke(status=503, retryable=True)
    step = decide(Attempt(error=error), State(), RULES)
    assert (step.action, step.discard) == ("give-up", False)
    assert step.error is error


def test_ranges_the_server_will_not_serve_start_over():
    refused = decide(Attempt(asked=10, error=broke(status=416)), State(), RULES)
    assert (refused.action, refused.discard) == ("restart", True)
    ignored = decide(Attempt(asked=10, wrong_range=True), State(), RULES)
    assert (ignored.action, ignored.discard) == ("restart", True)
    unasked = decide(Attempt(asked=0, wrong_range=True), State(), RULES)
    assert unasked.action == "give-up"
    assert isinstance(unasked.error, NetworkError)


def test_a_resumed_file_with_a_bad_hash_starts_over_once():
    bad = Attempt(offset=8, started=True, received=4, digest="0" * 64)
    first = decide(bad, State(), RULES)
    assert (first.action, first.discard, first.state.restarted) == ("restart", True, True)
    assert "does not match its hash; starting over" in (first.note or "")
    again = decide(bad, first.state, RULES)
    assert (again.action, again.discard) == ("give-up", True)
    assert isinstance(again.error, IntegrityError)
    assert "sha256 mismatch" in again.error.message
    whole = decide(Attempt(started=True, received=4, digest="0" * 64), State(), RULES)
    assert whole.action == "give-up"  # nothing resumed: nothing to start over


def test_a_length_or_requirements_hash_mismatch_gives_up():
    short = decide(Attempt(started=True, received=3, length=4, digest=DIGEST), State(), RULES)
    assert (short.action, short.discard) == ("give-up", True)
    assert "truncated transfer" in str(short.error)
    rules = Rules(NAME, "u", None, allowed=frozenset({"e" * 64}))
    other = decide(Attempt(started=True, received=4, digest=DIGEST), State(), rules)
    assert (other.action, other.discard) == ("give-up", True)
    assert "--hash" in str(other.error)


def test_body_start():
    assert body_start(200, 0, None) == 0
    assert body_start(200, 10, None) == 0  # the whole file again
    assert body_start(206, 10, "bytes 10-99/100") == 10
    assert body_start(206, 10, "bytes 0-99/100") is None
    assert body_start(206, 10, "bytes 10-99/*") == 10
    assert body_start(206, 0, "bytes 0-99/100") == 0  # the whole file, unasked
    assert body_start(206, 10, "junk") is None


outcomes = st.builds(
    Attempt,
    offset=st.integers(0, 3),
    started=st.booleans(),
    received=st.integers(0, 3),
    length=st.none() | st.integers(0, 6),
    digest=st.sampled_from([None, DIGEST, "0" * 64]),
    wrong_range=st.booleans(),
    error=st.none()
    | st.builds(
        NetworkError,
        st.just("broken"),
        status=st.sampled_from([None, 416, 503]),
        retryable=st.booleans(),
        closed_early=st.booleans(),
    ),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(outcomes, min_size=1, max_size=40), st.integers(0, 5))
def test_every_transfer_ends(attempts, resumable):
    """Whatever the server does, a transfer ends within a bounded number of
    attempts: each resume uses up a retry, and a restart asks for the whole file."""
    rules = Rules(NAME, "u", DIGEST, retries=3)
    state = State()
    asked = resumable
    for count, attempt in enumerate(attempts, start=1):
        step = decide(replace(attempt, asked=asked), state, rules)
        assert step.state.retries <= rules.retries
        if step.action in ("done", "give-up"):
            assert (step.error is None) == (step.action == "done")
            return
        assert count <= 2 * (rules.retries + 2)
        asked = 0 if step.action == "restart" else resumable
        state = step.state


# -- a Transfer with a fake sleep ------------------------------------------------------


def test_transfer_resumes_with_backoff_and_keeps_the_part(fake, tmp_path):
    data = bytes(range(256)) * 64
    fake.link("six", NAME, data)
    sent = iter(range(1000, len(data), 1000))

    def stalls(request: httpx.Request, full: bytes) -> httpx.Response:
        start = int(request.headers.get("range", "bytes=0-")[6:-1])
        end = next(sent)

        class Body(httpx.SyncByteStream):
            def __iter__(self) -> Iterator[bytes]:
                yield full[start:end]
                raise httpx.ReadTimeout("timed out")

        status = 206 if start else 200
        headers = {"Content-Length": str(len(full) - start), "ETag": '"v1"'}
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(full) - 1}/{len(full)}"
        return httpx.Response(status, stream=Body(), headers=headers)

    fake.file(NAME).serve = stalls
    waits: list[float] = []
    notes: list[str] = []
    warnings: list[str] = []
    settings = Settings(retries=3, backoff=0.5, max_retry_wait=1.5)
    with fake.client(settings) as short:
        f = short.get_project("six").files[0]
        transfer = Transfer(
            short,
            f,
            tmp_path / NAME,
            expected=f.sha256,
            log=notes.append,
            warn=warnings.append,
            sleep=waits.append,
        )
        with pytest.raises(NetworkError, match="timed out") as info:
            transfer.run()
    assert waits == [0.5, 1.0, 1.5]  # no real time passed
    assert [r.headers.get("range") for r in fake.store_requests()] == [
        None,
        "bytes=1000-",
        "bytes=2000-",
        "bytes=3000-",
    ]
    assert "got 4000 bytes" in info.value.message
    assert (tmp_path / f"{NAME}.part").read_bytes() == data[:4000]
    # Each wait is said without -v (a warning), with why, as pip does.
    assert [w.split(":")[0] for w in warnings] == [
        f"retrying {NAME} in 0.5 s (1/3)",
        f"retrying {NAME} in 1.0 s (2/3)",
        f"retrying {NAME} in 1.5 s (3/3)",
    ]
    assert all("timed out" in w for w in warnings)


def test_transfer_saves_a_verified_file(fake, client, tmp_path):
    fake.link("six", NAME, b"data")
    f = client.get_project("six").files[0]
    assert Transfer(client, f, tmp_path / NAME, expected=f.sha256).run() == (DIGEST, 4)
    assert files_under(tmp_path) == [NAME]


# -- streaming through download ------------------------------------------------------------


@pytest.mark.parametrize("fake", FORMS, indirect=True)
def test_redirect_download_keeps_credentials_off_the_store(fake, client, tmp_path):
    data = b"wheel bytes" * 1000
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", data)
    results = download(client, ["six==1.16.0"], tmp_path, no_deps=True)
    assert [r.status for r in results] == ["downloaded"]
    saved = tmp_path / "six-1.16.0-py2.py3-none-any.whl"
    assert saved.read_bytes() == data
    assert results[0].sha256 == hashlib.sha256(data).hexdigest()
    assert results[0].to_json()["path"] == str(saved)
    assert files_under(tmp_path) == [saved.name]
    store = fake.store_requests()
    assert len(store) == 1
    assert "authorization" not in store[0].headers
    assert store[0].headers["accept-encoding"] == "identity"
    front = [r for r in fake.requests if r.url.host == "example.org"]
    assert len(front) == 2  # the page and the link
    assert all("authorization" in r.headers for r in front)


@pytest.mark.parametrize("fake", FORMS, indirect=True)
def test_hash_mismatch_leaves_nothing(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"good", sha256="f" * 64)
    with pytest.raises(IntegrityError, match="sha256 mismatch") as info:
        download(client, ["six"], tmp_path, no_deps=True)
    assert info.value.exit_code == 7
    assert files_under(tmp_path) == []


def test_requirements_file_hash_is_checked_too(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"good")
    wanted = DownloadRequest("six", frozenset({"e" * 64}), "r.txt:1")
    with pytest.raises(IntegrityError, match="--hash"):
        download(client, [wanted], tmp_path, no_deps=True)
    assert files_under(tmp_path) == []
    ok = DownloadRequest("six", frozenset({hashlib.sha256(b"good").hexdigest()}), "r.txt:1")
    assert download(client, [ok], tmp_path, no_deps=True)[0].status == "downloaded"


def test_short_body_is_an_integrity_error(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"a" * 100)
    fake.file("six-1.16.0-py2.py3-none-any.whl").serve = lambda request, data: httpx.Response(
        200, content=data[:50], headers={"Content-Length": "100"}
    )
    with pytest.raises(IntegrityError, match="truncated transfer") as info:
        download(client, ["six"], tmp_path, no_deps=True)
    assert "\n" not in str(info.value)
    assert files_under(tmp_path) == []


def test_policy_answer_shows_the_reason(fake, client, tmp_path):
    fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"x")
    fake.always(
        fake.file("six-1.16.0-py2.py3-none-any.whl").path,
        httpx.Response(
            409, json={"error": "blocked", "reason": "POLICY_COOLDOWN", "message": "wait"}
        ),
    )
    with pytest.raises(PolicyError, match="cool-down") as info:
        download(client, ["six"], tmp_path, no_deps=True)
    assert info.value.reason == "POLICY_COOLDOWN"
    assert files_under(tmp_path) == []


def test_interrupted_download_keeps_part_and_resumes(fake, client, tmp_path):
    data = bytes(range(256)) * 4096  # 1 MiB
    name = "six-1.16.0-py2.py3-none-any.whl"
    wheel = fake.link("six", name, data)
    wheel.serve = lambda request, _: httpx.Response(
        200,
        content=iter([data[:300_000], data[300_000:]]),
        headers={"ETag": '"v1"', "Content-Length": str(len(data))},
    )

    class Interrupt:
        def start(self, file: str, total: int | None) -> None:
            pass

        def advance(self, file: str, n: int) -> None:
            raise KeyboardInterrupt

        def done(self, file: str) -> None:
            pass

    with pytest.raises(KeyboardInterrupt):
        download(client, ["six"], tmp_path, progress=Interrupt(), no_deps=True)
    part = tmp_path / f"{name}.part"
    assert part.read_bytes() == data[:300_000]
    assert not (tmp_path / name).exists()

    wheel.serve = None  # the usual answer: ranged, with If-Range
    results = download(client, ["six"], tmp_path, no_deps=True)
    assert results[0].status == "downloaded"
    assert (tmp_path / name).read_bytes() == data
    last = fake.store_requests()[-1]
    assert last.headers["range"] == "bytes=300000-"
    assert last.headers["if-range"] == '"v1"'
    assert files_under(tmp_path) == [name]


def test_resume_answered_with_200_starts_over(fake, client, tmp_path):
    data = b"0123456789" * 1000
    name = "six-1.16.0-py2.py3-none-any.whl"
    fake.link("six", name, data)
    (tmp_path / f"{name}.part").write_bytes(b"garbage!")
    (tmp_path / f"{name}.part.json").write_text(
        json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "validator": '"old"'})
    )
    download(client, ["six"], tmp_path, no_deps=True)
    asked = fake.store_requests()
    assert asked[0].headers["range"] == "bytes=8-"
    assert len(asked) == 1  # answered with the whole file (200): no second request
    assert (tmp_path / name).read_bytes() == data
    assert files_under(tmp_path) == [name]


def test_bad_resumed_prefix_is_caught_by_the_hash(fake, client, tmp_path):
    data = b"0123456789" * 1000
    name = "six-1.16.0-py2.py3-none-any.whl"
    fake.link("six", name, data)
    (tmp_path / f"{name}.part").write_bytes(b"garbage!")
    (tmp_path / f"{name}.part.json").write_text(
        json.dumps({"sha256": hashlib.sha256(data).hexdigest(), "validator": '"v1"'})
    )
    download(client, ["six"], tmp_path, no_deps=True)
    assert [r.headers.get("range") for r in fake.store_requests()] == ["bytes=8-", None]
    assert (tmp_path / name).read_bytes() == data


def test_part_symlink_is_not_followed(fake, client, tmp_path):
    data = b"payload"
    name = "six-1.16.0-py2.py3-none-any.whl"
    fake.link("six", name, data)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me")
    dest = tmp_path / "dest"
    dest.mkdir()
    (dest / f"{name}.part").symlink_to(outside)
    download(client, ["six"], dest, no_deps=True)
    assert outside.read_text() == "keep me"
    assert (dest / name).read_bytes() == data
    assert not (dest / name).is_symlink()


# -- broken transfers: time-outs are network errors, short bodies integrity errors -------


def test_stalled_body_is_a_network_error_and_keeps_the_part(fake, client, tmp_path):
    name = "six-1.16.0-py2.py3-none-any.whl"
    data = bytes(range(256)) * 64
    wheel = fake.link("six", name, data)
    wheel.serve = broken_after(data[:1000], httpx.ReadTimeout("timed out"))
    with pytest.raises(NetworkError, match="timed out") as info:
        download(client, ["six"], tmp_path, no_deps=True)
    error = info.value
    assert not isinstance(error, IntegrityError)
    assert error.exit_code == 6
    assert "\n" not in str(error)
    assert name in error.message
    assert "files.example.net" in (error.url or "")
    assert "resume" in (error.hint or "")
    assert len(fake.store_requests()) == 2  # tried again once (retries=1), from where it stopped
    assert fake.store_requests()[1].headers["range"] == "bytes=1000-"
    assert (tmp_path / f"{name}.part").read_bytes() == data[:1000]
    assert not (tmp_path / name).exists()
    # The next run goes on from the .part.
    wheel.serve = None
    assert download(client, ["six"], tmp_path, no_deps=True)[0].status == "downloaded"
    assert fake.store_requests()[-1].headers["range"] == "bytes=1000-"
    assert fake.store_requests()[-1].headers["if-range"] == '"v1"'
    assert files_under(tmp_path) == [name]


def test_connection_reset_mid_body_is_a_network_error(fake, client, tmp_path):
    wheel = fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"x" * 5000)
    wheel.serve = broken_after(b"x" * 100, httpx.ReadError("connection reset by peer"))
    with pytest.raises(NetworkError) as info:
        download(client, ["six"], tmp_path, no_deps=True)
    assert info.value.exit_code == 6
    assert not (tmp_path / "six-1.16.0-py2.py3-none-any.whl").exists()


def test_body_closed_before_its_length_is_a_truncated_transfer(fake, client, tmp_path):
    wheel = fake.link("six", "six-1.16.0-py2.py3-none-any.whl", b"x" * 5000)
    wheel.serve = broken_after(
        b"x" * 100, httpx.RemoteProtocolError("peer closed connection without sending complete")
    )
    with pytest.raises(IntegrityError, match="truncated transfer") as info:
        download(client, ["six"], tmp_path, no_deps=True)
    assert info.value.exit_code == 7
    assert "got 100 of 5000 bytes" in info.value.message
    assert files_under(tmp_path) == []  # no .part is kept after an integrity failure


# -- the local file system (exit 9) ----------------------------------------------------


@pytest.mark.parametrize("size", [4096, 5 << 20], ids=["simple", "pipelined"])
def test_disk_full_is_a_local_error_and_removes_the_part(fake, client, tmp_path, monkeypatch, size):
    import errno
    import os

    from cglib.errors import ExitCode, LocalFileError

    data = bytes(range(256)) * (size // 256)
    fake.link("six", NAME, data)
    f = client.get_project("six").files[0]
    written = [0]
    real_write = os.write

    def write(fd: int, chunk) -> int:  # type: ignore[no-untyped-def]
        if written[0] + len(chunk) > 1024:
            raise OSError(errno.ENOSPC, "No space left on device")
        written[0] += len(chunk)
        return real_write(fd, chunk)

    def writev(fd: int, buffers) -> int:  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "writev", writev)
    with pytest.raises(LocalFileError) as info:
        Transfer(client, f, tmp_path / NAME, expected=f.sha256).run()
    error = info.value
    assert error.exit_code == ExitCode.LOCAL_FILE
    assert "no space left" in error.message
    assert error.path == str(tmp_path / f"{NAME}.part")
    assert "removed" in (error.hint or "")
    monkeypatch.setattr(os, "write", real_write)
    assert files_under(tmp_path) == [], "no .part keeps the disk full"


def test_an_unwritable_destination_is_a_local_error(fake, client, tmp_path, monkeypatch):
    import errno
    import os

    from cglib.errors import LocalFileError

    fake.link("six", NAME, b"data")
    f = client.get_project("six").files[0]
    real_open = os.open

    def refuse(path, flags, *args):  # type: ignore[no-untyped-def]
        if str(path).endswith(".part"):
            raise OSError(errno.EROFS, "Read-only file system")
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(LocalFileError, match="read-only file system") as info:
        Transfer(client, f, tmp_path / NAME, expected=f.sha256).run()
    assert info.value.path == str(tmp_path / f"{NAME}.part")


def test_a_non_ascii_etag_is_stored_and_sent_back_byte_for_byte(fake, client, tmp_path):
    data = bytes(range(256)) * 16
    fake.link("six", NAME, data)
    f = client.get_project("six").files[0]
    part = tmp_path / f"{NAME}.part"
    meta = tmp_path / f"{NAME}.part.json"
    etag = '"caf\xe9-\xff"'  # obs-text, as latin-1
    part.write_bytes(data[:1000])
    meta.write_text(json.dumps({"sha256": f.sha256, "validator": etag}))
    seen: list[bytes | None] = []

    def store(request: httpx.Request, _data: bytes) -> httpx.Response:
        seen.append(dict(request.headers.raw).get(b"If-Range"))
        start = int(request.headers["range"][6:-1]) if "range" in request.headers else 0
        headers = [(b"Content-Length", str(len(data) - start).encode()), (b"ETag", b'"v\xe9"')]
        if start:
            headers.append(
                (b"Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}".encode())
            )
        return httpx.Response(206 if start else 200, headers=headers, content=data[start:])

    fake.file(NAME).serve = store
    assert Transfer(client, f, tmp_path / NAME, expected=f.sha256).run()[1] == len(data)
    assert seen == [etag.encode("latin-1")]


@pytest.mark.parametrize(
    "meta_text",
    ['{"sha256": null, "validator": "\\u20ac"}', "{not json", '["a list"]', '{"validator": 5}'],
)
def test_a_part_json_that_cannot_be_used_is_discarded_with_a_note(
    fake, client, tmp_path, meta_text
):
    data = b"0123456789" * 100
    fake.link("six", NAME, data)
    f = client.get_project("six").files[0]
    (tmp_path / f"{NAME}.part").write_bytes(data[:10])
    (tmp_path / f"{NAME}.part.json").write_text(meta_text.replace("null", f'"{f.sha256}"'))
    notes: list[str] = []
    _, size = Transfer(client, f, tmp_path / NAME, expected=f.sha256, log=notes.append).run()
    assert size == len(data)
    assert files_under(tmp_path) == [NAME]
    assert any(".part.json" in note for note in notes), notes


def test_a_body_longer_than_the_index_announced_is_cut_off(tmp_path):
    """A chunked body (no Content-Length) past the size the index gave stops
    being read at once and fails: nothing saved, no .part left."""
    from packaging.version import Version

    from cglib.download import download_file
    from cglib.errors import IntegrityError
    from cglib.models import DistributionFile

    sent: list[int] = []

    def endless():  # type: ignore[no-untyped-def]
        for _ in range(1000):
            sent.append(1)
            yield b"x" * 1000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless())

    name = "big-1.0-py3-none-any.whl"
    file = DistributionFile(
        filename=name,
        url=f"https://example.org/files/{name}",
        project="big",
        version=Version("1.0"),
        kind="wheel",
        hashes={"sha256": "0" * 64},
        size=5000,
    )
    client = IndexClient(
        Index("https://example.org/simple/"), transport=httpx.MockTransport(handler)
    )
    with client, pytest.raises(IntegrityError, match="longer than the 5000 bytes"):
        download_file(client, file, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    assert len(sent) < 20  # stopped soon after the announced size
