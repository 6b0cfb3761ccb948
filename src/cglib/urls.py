"""Small, pure helpers for URLs and project names."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = ["host_of", "normalize_name", "redact", "split_credentials"]

_NORMALIZE = re.compile(r"[-_.]+")
# Anchored on the literal "://" (found by a fast substring search), then one
# scan of the user-info up to the first "/", "@" or space: linear in the text.
# (Matching the scheme first tried a match at every letter of the text, and a
# long run of letters made that quadratic.)
_USERINFO_IN_TEXT = re.compile(r"://[^/@\s]*@")


def normalize_name(name: str) -> str:
    """PEP 503 normalisation: ``Zope_Interface`` -> ``zope-interface``."""
    return _NORMALIZE.sub("-", name).lower()


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """Take ``user:password@`` out of ``url``.

    Returns the URL without credentials and the percent-decoded user name and
    password (``None`` where absent).
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    return clean, unquote(user) or None, unquote(password) if sep else None


def redact(text: str) -> str:
    """Replace the credentials of every URL in ``text`` by ``***``.

    Linear in ``len(text)``; text without ``://`` is returned as it is.
    """
    if "://" not in text:
        return text
    return _USERINFO_IN_TEXT.sub("://***@", text)


def host_of(url: str) -> str:
    """The lower-cased host name of ``url`` (no port, no credentials)."""
    return (urlsplit(url).hostname or "").lower()
