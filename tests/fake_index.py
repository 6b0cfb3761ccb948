"""A tiny index served through pytest-httpx that checks Basic credentials."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import httpx

INDEX = "https://example.org/simple/"

PROJECT = {
    "meta": {"api-version": "1.1"},
    "name": "six",
    "files": [
        {
            "filename": "six-1.17.0-py2.py3-none-any.whl",
            "url": "../../files/six-1.17.0-py2.py3-none-any.whl",
            "hashes": {"sha256": "c" * 64},
        }
    ],
    "versions": ["1.17.0"],
}
ROOT = {"meta": {"api-version": "1.1"}, "projects": [{"name": "six"}]}
JSON_TYPE = "application/vnd.pypi.simple.v1+json"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@dataclass
class FakeIndex:
    """Accepts ``user``/``password`` (or everyone with ``open``); answers
    ``reject_status`` otherwise; ``root_status`` lets the root be a 404."""

    user: str = "ci-user"
    password: str = "good-token"
    open: bool = False
    reject_status: int = 401
    root_status: int = 200
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.open and request.headers.get("authorization") != basic(
            self.user, self.password
        ):
            return httpx.Response(self.reject_status, text="Unauthorized")
        path = request.url.path
        if path == "/simple/":
            if self.root_status != 200:
                return httpx.Response(self.root_status, text="no listing")
            return httpx.Response(200, json=ROOT, headers={"Content-Type": JSON_TYPE})
        if path == "/simple/six/":
            return httpx.Response(200, json=PROJECT, headers={"Content-Type": JSON_TYPE})
        return httpx.Response(404, text="not found")

    def serve(self, httpx_mock) -> FakeIndex:  # type: ignore[no-untyped-def]
        httpx_mock.add_callback(self, is_reusable=True, is_optional=True)
        return self
