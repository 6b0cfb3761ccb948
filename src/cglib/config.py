"""Settings resolved once: flag > environment > default.

Nothing here reads the environment at import time; call :func:`resolve_index`
or :meth:`Settings.from_env` when a command runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from cglib.errors import UsageError
from cglib.urls import redact, split_credentials

__all__ = [
    "DEFAULT_INDEX_URL",
    "INDEX_NAMES",
    "Index",
    "Settings",
    "resolve_index",
]

DEFAULT_INDEX_URL = "https://libraries.cgr.dev/python/simple/"

#: Short names for Chainguard's indexes (``--index NAME``).
INDEX_NAMES: Mapping[str, str] = {
    "python": "https://libraries.cgr.dev/python/simple/",
    "remediated": "https://libraries.cgr.dev/python-remediated/simple/",
    "cu126": "https://libraries.cgr.dev/cu126/simple/",
    "cu128": "https://libraries.cgr.dev/cu128/simple/",
    "cu129": "https://libraries.cgr.dev/cu129/simple/",
}

CHAINGUARD_HOST = "libraries.cgr.dev"


@dataclass(frozen=True, slots=True, repr=False)
class Index:
    """An index to talk to: its URL without credentials, plus any credentials
    that were written into the URL the user gave.

    ``repr`` shows neither the password nor the user name (``***``).
    """

    url: str
    url_username: str | None = None
    url_password: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        user = "***" if self.url_username else None
        return f"Index(url={self.url!r}, url_username={user!r})"

    @property
    def host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def is_chainguard(self) -> bool:
        host = self.host
        return host == CHAINGUARD_HOST or host.endswith(".cgr.dev")

    def project_url(self, name: str) -> str:
        """URL of a project page (``name`` already normalised)."""
        return f"{self.url}{name}/"


def resolve_index(
    index_url: str | None = None,
    index_name: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Index:
    """Choose the index: ``--index-url`` > ``--index NAME`` > ``$CGLIB_INDEX_URL`` > default.

    ``CGLIB_INDEX_URL`` may also hold one of the short names.  Credentials in
    the URL are taken out of it and kept apart.
    """
    if index_url and index_name:
        raise UsageError("use either --index-url or --index, not both")
    environ = os.environ if env is None else env
    raw: str
    if index_url:
        raw = index_url
    elif index_name:
        key = index_name.strip().lower()
        if key not in INDEX_NAMES:
            known = ", ".join(INDEX_NAMES)
            raise UsageError(f"unknown index name {index_name!r}", hint=f"known names: {known}")
        raw = INDEX_NAMES[key]
    else:
        from_env = environ.get("CGLIB_INDEX_URL", "").strip()
        if from_env and from_env.lower() in INDEX_NAMES:
            raw = INDEX_NAMES[from_env.lower()]
        else:
            raw = from_env or DEFAULT_INDEX_URL
    return _parse_index_url(raw)


# `https://ORGID/TOKENID:TOKEN@host/...`: a pull-token user name written with a
# raw `/`.  Exactly one `@`, a `:` before it, no `/` in the password part.
_RAW_SLASH_USER = re.compile(
    r"^(?P<scheme>https?://)(?P<user>[^@:?#]*/[^@:?#]*):(?P<password>[^@/?#]*)@(?P<rest>[^@]*)$",
    re.IGNORECASE,
)


def _parse_index_url(raw: str) -> Index:
    raw = raw.strip()
    match = _RAW_SLASH_USER.match(raw)
    if match:
        quoted = quote(match["user"], safe="")
        raw = f"{match['scheme']}{quoted}:{match['password']}@{match['rest']}"
    _refuse_unencoded_credentials(raw)
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"not an http(s) index URL: {redact(raw)!r}",
            hint="give the URL of a simple index, e.g. https://example.org/simple/",
        )
    url, user, password = split_credentials(raw)
    url = url.split("#", 1)[0]
    if not url.endswith("/"):
        url += "/"
    return Index(url=url, url_username=user, url_password=password)


def _refuse_unencoded_credentials(raw: str) -> None:
    """Refuse a URL whose user name or password holds an ``@``, ``:`` or ``/``
    that is not percent-encoded: the host would then come from the password
    (``http://u:p@127.0.0.1:8001/x@example.org/``), and the credentials would
    go to the wrong place.  The message echoes no part of the URL."""
    _, sep, rest = raw.partition("://")
    if not sep:
        return
    authority = re.match(r"[^/?#]*", rest)[0]  # type: ignore[index]
    path = rest[len(authority) :]  # path, query and fragment
    userinfo, at, _ = authority.rpartition("@")
    if "@" in path and not at:
        # `https://ORGID/TOKENID:TOKEN@host/...`: the `/` of the user name ends
        # the host, and the token would land in the path, shown unredacted.
        raise UsageError(
            "the index URL has an '@' in its path: a user name with '/' (like ORGID/TOKENID) "
            "must be written with %2F",
            hint="e.g. https://ORGID%2FTOKENID:TOKEN@example.org/simple/, or set "
            "CHAINGUARD_PYTHON_IDENTITY_ID and CHAINGUARD_PYTHON_TOKEN instead",
        )
    if at and ("@" in path or "@" in userinfo or userinfo.count(":") > 1):
        raise UsageError(
            "the credentials in the index URL hold characters that must be percent-encoded "
            "('@' as %40, ':' as %3A, '/' as %2F, '?' as %3F, '#' as %23); the URL was not used",
            hint="encode the user name and password, or set CGLIB_USERNAME and CGLIB_PASSWORD "
            "instead",
        )


def _env_float(environ: Mapping[str, str], key: str, default: float) -> float:
    value = environ.get(key)
    if not value:
        return default
    try:
        number = float(value)
    except ValueError:
        raise UsageError(f"{key} must be a number of seconds, not {value!r}") from None
    if number <= 0:
        raise UsageError(f"{key} must be positive, not {value!r}")
    return number


def _env_int(environ: Mapping[str, str], key: str, default: int) -> int:
    value = environ.get(key)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise UsageError(f"{key} must be a whole number, not {value!r}") from None
    if number < 0:
        raise UsageError(f"{key} must not be negative, not {value!r}")
    return number


def _env_positive_int(environ: Mapping[str, str], key: str, default: int) -> int:
    number = _env_int(environ, key, default)
    if number == 0:
        raise UsageError(f"{key} must be positive, not {environ.get(key)!r}")
    return number


@dataclass(frozen=True, slots=True)
class Settings:
    """Network behaviour: time-outs and retries.

    ``timeout`` bounds connecting and each read; ``retries`` is how many times
    a failed request is tried again; ``max_retry_wait`` caps each wait,
    including a server's ``Retry-After``; ``total_timeout`` bounds a whole
    request with all its retries; ``max_page_bytes`` caps the decoded size of
    an index page.
    """

    timeout: float = 30.0
    connect_timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5
    max_retry_wait: float = 30.0
    total_timeout: float = 300.0
    max_page_bytes: int = 256 * 1024 * 1024

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Read ``CGLIB_TIMEOUT``, ``CGLIB_RETRIES``, ``CGLIB_MAX_RETRY_WAIT`` and
        ``CGLIB_MAX_PAGE_BYTES``."""
        environ = os.environ if env is None else env
        default = cls()
        timeout = _env_float(environ, "CGLIB_TIMEOUT", default.timeout)
        return cls(
            timeout=timeout,
            connect_timeout=min(timeout, default.connect_timeout),
            retries=_env_int(environ, "CGLIB_RETRIES", default.retries),
            max_retry_wait=_env_float(environ, "CGLIB_MAX_RETRY_WAIT", default.max_retry_wait),
            max_page_bytes=_env_positive_int(
                environ, "CGLIB_MAX_PAGE_BYTES", default.max_page_bytes
            ),
        )
