"""The origin of a URL (cglib.urls.origin): one place for the default ports."""

from __future__ import annotations

import pytest

from cglib.urls import origin


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://Example.org/simple/", ("https", "example.org", 443)),
        ("HTTPS://example.org:443/x", ("https", "example.org", 443)),
        ("http://example.org/x", ("http", "example.org", 80)),
        ("https://example.org:8443/x", ("https", "example.org", 8443)),
        ("https://user:pw@example.org/x", ("https", "example.org", 443)),
        ("https://[::1]:8080/x", ("https", "::1", 8080)),
        ("https://example.org:99999/x", ("https", "example.org", 443)),  # invalid: the default
        ("ftp://example.org/x", ("ftp", "example.org", None)),
    ],
)
def test_origin(url, expected):
    assert origin(url) == expected


def test_same_host_other_port_is_another_origin():
    assert origin("https://example.org/a") == origin("https://example.org:443/b")
    assert origin("https://example.org/a") != origin("https://example.org:8443/a")
    assert origin("https://example.org/a") != origin("http://example.org/a")
