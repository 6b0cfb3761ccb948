"""Deprecated: use :mod:`support.fakeindex`.  Kept only until tests/test_login.py
and tests/test_cli_main.py import :class:`support.fakeindex.FakeIndex` themselves."""

from __future__ import annotations

from typing import Any

from support.fakeindex import FakeIndex as _FakeIndex

INDEX = "https://example.org/simple/"


class FakeIndex(_FakeIndex):
    """The old defaults: project ``six`` behind ``ci-user``/``good-token``
    (everyone with ``open``); ``root_status`` lets the root fail."""

    def __init__(
        self,
        user: str = "ci-user",
        password: str = "good-token",
        open: bool = False,
        reject_status: int = 401,
        root_status: int = 200,
        **options: Any,
    ) -> None:
        super().__init__(
            user=None if open else user,
            password=password,
            reject_status=reject_status,
            **options,
        )
        self.wheel("six", "1.17.0", "py2.py3-none-any")
        if root_status != 200:
            self.always("/simple/", root_status)

    def serve(self, httpx_mock: Any) -> FakeIndex:
        self.mount(httpx_mock)
        return self
