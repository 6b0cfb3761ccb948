"""Where the credentials for an index come from.

:func:`resolve_credentials` walks the sources of SPEC.md in order, first
match wins, and returns the credentials together with the name of the source
that gave them.  Nothing here prompts, prints or exits; problems with a source
(an unparseable netrc, a broken keyring) become warnings on the result.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from cglib.config import Index

__all__ = [
    "Credentials",
    "Resolved",
    "Source",
    "resolve_credentials",
]

Source = Literal["url", "env", "keyring", "netrc", "none"]


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user name and a password (for a pull token: identity id and JWT)."""

    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password='***')"


@dataclass(frozen=True, slots=True)
class Resolved:
    """The outcome of :func:`resolve_credentials`."""

    credentials: Credentials | None
    source: Source
    #: One-line warnings about sources that could not be read (never secrets).
    warnings: tuple[str, ...] = ()
    #: One-line notes for ``-v``: which sources were tried and why skipped.
    notes: tuple[str, ...] = ()


#: A source looks up credentials for an index; it returns them or None, and
#: may append one-line warnings (for the user) and notes (for ``-v``).
SourceFunc = Callable[[Index, Mapping[str, str], list[str], list[str]], "Credentials | None"]


def from_url(
    index: Index, env: Mapping[str, str], warnings: list[str], notes: list[str]
) -> Credentials | None:
    """Credentials written into ``--index-url`` (percent-decoded)."""
    if index.url_username is None and index.url_password is None:
        return None
    return Credentials(index.url_username or "", index.url_password or "")


ENV_PAIRS: tuple[tuple[str, str], ...] = (
    ("CHAINGUARD_PYTHON_IDENTITY_ID", "CHAINGUARD_PYTHON_TOKEN"),
    ("CGLIB_USERNAME", "CGLIB_PASSWORD"),
)


def from_env(
    index: Index, env: Mapping[str, str], warnings: list[str], notes: list[str]
) -> Credentials | None:
    """``CHAINGUARD_PYTHON_IDENTITY_ID`` + ``CHAINGUARD_PYTHON_TOKEN``, else
    ``CGLIB_USERNAME`` + ``CGLIB_PASSWORD``.  A half-set pair is warned about."""
    for user_key, secret_key in ENV_PAIRS:
        user, secret = env.get(user_key), env.get(secret_key)
        if user and secret:
            return Credentials(user, secret)
        if user or secret:
            missing = secret_key if user else user_key
            present = user_key if user else secret_key
            warnings.append(f"{present} is set but {missing} is not; ignoring both")
    return None


def default_sources() -> Sequence[SourceFunc]:
    """The chain of SPEC.md, in order: URL, environment, keyring, netrc."""
    sources: list[SourceFunc] = [from_url, from_env]
    sources.extend(_optional_sources())
    return sources


def _optional_sources() -> list[SourceFunc]:
    # keyring and netrc live in their own modules so that they load only
    # when credentials are really needed.
    found: list[SourceFunc] = []
    try:
        from cglib import keyring_source
    except ImportError:  # pragma: no cover - module not shipped yet
        pass
    else:
        found.append(keyring_source.from_keyring)
    try:
        from cglib import netrc_source
    except ImportError:  # pragma: no cover - module not shipped yet
        pass
    else:
        found.append(netrc_source.from_netrc)
    return found


_SOURCE_NAMES: dict[str, Source] = {
    "from_url": "url",
    "from_env": "env",
    "from_keyring": "keyring",
    "from_netrc": "netrc",
}


def resolve_credentials(
    index: Index,
    env: Mapping[str, str] | None = None,
    sources: Sequence[SourceFunc] | None = None,
) -> Resolved:
    """Credentials for ``index`` and the name of the source that gave them.

    Sources are tried in SPEC.md's order (URL, environment, keyring, netrc);
    the first that answers wins.  With none, the result is anonymous
    (``source == "none"``).
    """
    environ = os.environ if env is None else env
    warnings: list[str] = []
    notes: list[str] = []
    for source in default_sources() if sources is None else sources:
        creds = source(index, environ, warnings, notes)
        if creds is not None:
            name = _SOURCE_NAMES.get(getattr(source, "__name__", ""), "none")
            return Resolved(creds, name, tuple(warnings), tuple(notes))
    return Resolved(None, "none", tuple(warnings), tuple(notes))
