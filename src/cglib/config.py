"""Settings resolved once: flag > environment > config file > default.

Nothing here reads the environment or the config file
(:mod:`cglib.configfile`) at import time; call :func:`resolve_index`,
:meth:`Settings.from_env`, :func:`default_jobs` when a command runs.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from cglib.errors import ConfigError, UsageError
from cglib.urls import redact, split_credentials

if TYPE_CHECKING:
    from cglib.configfile import ConfigFile

__all__ = [
    "DEFAULT_INDEX_URL",
    "INDEX_NAMES",
    "Index",
    "Settings",
    "choose_index",
    "credential_variables",
    "default_cache_dir",
    "default_cache_max_age",
    "default_jobs",
    "index_names",
    "login_hint",
    "parse_index_url",
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
    *,
    config: ConfigFile | None = None,
    warn: Callable[[str], None] | None = None,
) -> Index:
    """Choose the index: ``--index-url`` > ``--index NAME`` > ``$CGLIB_INDEX_URL``
    > the config file's ``index-url`` > default.

    ``CGLIB_INDEX_URL``, ``--index`` and the config's ``index-url`` may hold
    one of the short names: Chainguard's built-in ones or those of the config
    file's ``[indexes]`` table.  Credentials in the URL are taken out of it
    and kept apart.  The config file (``config``, else the user's, read now
    unless ``index_url`` makes it moot) has its warnings passed to ``warn``.
    """
    return choose_index(index_url, index_name, env, config=config, warn=warn)[0]


def choose_index(
    index_url: str | None = None,
    index_name: str | None = None,
    env: Mapping[str, str] | None = None,
    *,
    config: ConfigFile | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[Index, str]:
    """:func:`resolve_index`, plus where the choice came from: ``flag``,
    ``env``, ``config`` or ``default``."""
    if index_url and index_name:
        raise UsageError("use either --index-url or --index, not both")
    environ = os.environ if env is None else env
    if index_url:
        return parse_index_url(index_url), "flag"
    if config is None:
        from cglib.configfile import load_config

        config = load_config(environ)
    if warn is not None:
        for warning in config.warnings:
            warn(warning)
    names = index_names(config)
    if index_name:
        key = index_name.strip().lower()
        if key not in names:
            known = ", ".join(names)
            raise UsageError(f"unknown index name {index_name!r}", hint=f"known names: {known}")
        return parse_index_url(names[key]), "flag"
    from_env = environ.get("CGLIB_INDEX_URL", "").strip()
    if from_env:
        return parse_index_url(names.get(from_env.lower(), from_env)), "env"
    if config.index_url:
        raw = names.get(config.index_url.lower(), config.index_url)
        try:
            return parse_index_url(raw), "config"
        except UsageError:
            raise ConfigError(
                f"config file {config.path}: index-url is neither an http(s) index URL "
                "nor a known index name",
                hint=f"known names: {', '.join(names)}",
            ) from None
    return parse_index_url(DEFAULT_INDEX_URL), "default"


def index_names(config: ConfigFile | None = None) -> dict[str, str]:
    """Chainguard's short names, then (replacing any of the same name) the
    config file's ``[indexes]``."""
    names = dict(INDEX_NAMES)
    if config is not None:
        names.update(config.indexes)
    return names


def default_jobs(env: Mapping[str, str] | None = None) -> int:
    """Files ``cglib download`` fetches at once when ``--jobs`` is not given:
    the config file's ``jobs``, else :data:`cglib.parallel.DEFAULT_JOBS`."""
    from cglib.configfile import load_config

    jobs = load_config(env).jobs
    if jobs is not None:
        return jobs
    from cglib.parallel import DEFAULT_JOBS

    return DEFAULT_JOBS


def default_cache_dir() -> Path:
    """Where cglib keeps its caches (``names/``, ``metadata/``):
    ``$CGLIB_CACHE_DIR``, else the platform's user cache dir for cglib."""
    override = os.environ.get("CGLIB_CACHE_DIR", "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("cglib", appauthor=False))


def default_cache_max_age(env: Mapping[str, str] | None = None) -> float | None:
    """The config file's ``cache-max-age`` (the default of ``CGLIB_CACHE_MAX_AGE``)."""
    from cglib.configfile import load_config

    return load_config(env).cache_max_age


def credential_variables(index: Index) -> tuple[str, str]:
    """The environment pair that serves ``index``: Chainguard's pair for its
    hosts, the generic ``CGLIB_USERNAME``/``CGLIB_PASSWORD`` for any other."""
    if index.is_chainguard:
        return ("CHAINGUARD_PYTHON_IDENTITY_ID", "CHAINGUARD_PYTHON_TOKEN")
    return ("CGLIB_USERNAME", "CGLIB_PASSWORD")


def login_hint(index: Index) -> str:
    """What to do when ``index`` needs credentials: ``cglib login`` or the
    environment variables that apply to it."""
    user, secret = credential_variables(index)
    hint = f"run `cglib login`, or set {user} and {secret}"
    if index.is_chainguard:
        hint += " (`chainctl auth pull-token --output env` prints them)"
    return hint


# `https://ORGID/TOKENID:TOKEN@host/...`: a pull-token user name written with a
# raw `/`.  Exactly one `@`, a `:` before it, no `/` in the password part.
_RAW_SLASH_USER = re.compile(
    r"^(?P<scheme>https?://)(?P<user>[^@:?#]*/[^@:?#]*):(?P<password>[^@/?#]*)@(?P<rest>[^@]*)$",
    re.IGNORECASE,
)


def parse_index_url(raw: str) -> Index:
    """An :class:`Index` from a URL, credentials taken out (a bad URL: exit 2)."""
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
