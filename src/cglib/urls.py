"""Small, pure helpers for URLs and project names."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit, urlunsplit

__all__ = [
    "DEFAULT_PORTS",
    "PROJECT_NAME",
    "host_of",
    "normalize_name",
    "origin",
    "redact",
    "redact_url",
    "split_credentials",
]

#: The port of a scheme when a URL names none.
DEFAULT_PORTS = {"http": 80, "https": 443}

#: A valid project name (PEP 508): ASCII letters and digits, with ``.``,
#: ``_`` and ``-`` inside.  Use ``PROJECT_NAME.fullmatch(text)``.
PROJECT_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")
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


def redact_url(url: str) -> str:
    """``url`` fit to show: its user name and password replaced by ``***`` and
    the value of every query parameter too (``?token=***``), keys kept.

    For one URL given by the user (e.g. an ignored ``--extra-index-url``),
    where :func:`redact` handles URLs inside free text.
    """
    base, hash_sign, fragment = url.partition("#")
    base, question, query = base.partition("?")
    scheme, sep, rest = base.partition("://")
    if sep:
        authority, slash, path = rest.partition("/")
        if "@" in authority:
            authority = "***@" + authority.rpartition("@")[2]
        base = f"{scheme}{sep}{authority}{slash}{path}"
    if question:
        pairs = []
        for pair in query.split("&"):
            key, eq, value = pair.partition("=")
            pairs.append(f"{key}={'***' if value else ''}" if eq else key)
        base += "?" + "&".join(pairs)
    return base + hash_sign + fragment


def host_of(url: str) -> str:
    """The lower-cased host name of ``url`` (no port, no credentials)."""
    return (urlsplit(url).hostname or "").lower()


def origin(url: str) -> tuple[str, str, int | None]:
    """The origin of ``url``: lower-cased scheme and host, and the port, the
    scheme's default when the URL names none or an invalid one (``None`` for
    a scheme without a default).  ``https://Example.org/a`` and
    ``https://example.org:443/b`` have one origin; ``:8443`` is another."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None:
        port = DEFAULT_PORTS.get(scheme)
    return scheme, (parts.hostname or "").lower(), port
