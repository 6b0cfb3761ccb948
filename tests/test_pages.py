"""ProjectPages: each project page read once, in the background."""

from __future__ import annotations

import threading

import httpx
import pytest

from cglib.client import IndexClient
from cglib.config import Index, Settings
from cglib.credentials import Credentials
from cglib.errors import AuthError, NoMatchError
from cglib.pages import ProjectPages
from support.fakeindex import FakeIndex


def client_of(index: FakeIndex, **options: object) -> IndexClient:
    return IndexClient(
        Index(index.url),
        settings=Settings(retries=0),
        transport=index.transport(),
        **options,  # type: ignore[arg-type]
    )


def page_requests(index: FakeIndex) -> list[str]:
    return [s.path for s in index.seen if s.path.startswith("/simple/")]


def test_each_page_is_read_once_under_its_normalised_name(fake_index: FakeIndex) -> None:
    fake_index.wheel("zope-interface", "6.0")
    with client_of(fake_index) as client, ProjectPages(client, jobs=4) as pages:
        pages.prefetch_all(["Zope_Interface", "zope.interface"])
        first = pages.page("zope-interface")
        again = pages.page("ZOPE-INTERFACE")
    assert first is again
    assert first is not None
    assert [f.filename for f in first.files] == ["zope_interface-6.0-py3-none-any.whl"]
    assert page_requests(fake_index) == ["/simple/zope-interface/"]


def test_a_missing_project_is_none_and_other_failures_are_raised(
    fake_index: FakeIndex,
) -> None:
    fake_index.user, fake_index.password = "ci-user", "good-token"
    wrong = Credentials("ci-user", "bad-token")
    with client_of(fake_index, credentials=wrong) as client, ProjectPages(client) as pages:
        with pytest.raises(AuthError):
            pages.page("six")
    fake_index.user = None
    with client_of(fake_index) as client, ProjectPages(client) as pages:
        assert pages.page("no-such-project") is None


def test_a_page_without_files_for_a_pin_still_raises(fake_index: FakeIndex) -> None:
    # NoMatchError is a NotFoundError, but not "no such project": it is raised.
    def raise_no_match(request: httpx.Request) -> httpx.Response:
        raise NoMatchError("no version of six matches")

    fake_index.always("/simple/six/", raise_no_match)
    with client_of(fake_index) as client, ProjectPages(client) as pages:
        with pytest.raises(NoMatchError):
            pages.page("six")


def test_then_is_called_with_the_page_and_progress_with_the_name(
    fake_index: FakeIndex,
) -> None:
    fake_index.wheel("six", "1.17.0")
    got: list[str] = []
    names: list[str] = []
    arrived = threading.Event()

    def then(page: object) -> None:
        got.append(getattr(page, "name", "?"))
        arrived.set()

    with client_of(fake_index) as client, ProjectPages(client, progress=names.append) as pages:
        pages.prefetch("Six", then=then)
        assert arrived.wait(10)
    assert got == ["six"]
    assert names == ["six"]


def test_nothing_starts_after_close(fake_index: FakeIndex) -> None:
    fake_index.wheel("six", "1.17.0")
    with client_of(fake_index) as client:
        pages = ProjectPages(client)
        pages.close()
        pages.prefetch("six")
    assert page_requests(fake_index) == []


def test_prepare_makes_the_connection_pool_without_a_request(fake_index: FakeIndex) -> None:
    with client_of(fake_index) as client:
        client.prepare()
        assert fake_index.seen == []
        client.get_project_list()
    assert [s.path for s in fake_index.seen] == ["/simple/"]


def test_after_ctrl_c_a_stalled_read_is_not_waited_for(fake_index: FakeIndex) -> None:
    release = threading.Event()
    started = threading.Event()
    finished = threading.Event()

    def stalled(request: httpx.Request) -> httpx.Response:
        started.set()
        release.wait(5)
        finished.set()
        return httpx.Response(404)

    fake_index.always("/simple/six/", stalled)

    def interrupted_while_reading(client: IndexClient) -> None:
        with ProjectPages(client) as pages:
            pages.prefetch("six")
            assert started.wait(10)
            raise KeyboardInterrupt

    try:
        with client_of(fake_index) as client:
            with pytest.raises(KeyboardInterrupt):
                interrupted_while_reading(client)
            assert not finished.is_set()  # left the block while the read still hangs
    finally:
        release.set()
