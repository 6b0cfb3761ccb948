"""Where the credentials for an index come from.

:func:`resolve_credentials` walks the sources of SPEC.md in order, first
match wins, and returns the credentials together with the name of the source
that gave them.  Nothing here prompts, prints or exits; problems with a source
(an unparseable netrc, a broken keyring) become warnings on the result.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from cglib._frozen import Frozen, init
from cglib.config import Index

__all__ = [
    "Credentials",
    "Resolved",
    "Source",
    "resolve_credentials",
]

Source = Literal["url", "env", "keyring", "netrc", "none"]


class Credentials(Frozen):
    """A user name and a password (for a pull token: identity id and JWT)."""

    __slots__ = ("username", "password")
    username: str
    password: str

    def __init__(self, username: str, password: str) -> None:
        init(self, username=username, password=password)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password='***')"


class Resolved(Frozen):
    """The outcome of :func:`resolve_credentials`."""

    __slots__ = ("credentials", "source", "warnings", "notes")
    credentials: Credentials | None
    source: Source
    #: One-line warnings about sources that could not be read (never secrets).
    warnings: tuple[str, ...]
    #: One-line notes for ``-v``: which sources were tried and why skipped.
    notes: tuple[str, ...]

    def __init__(
        self,
        credentials: Credentials | None,
        source: Source,
        warnings: tuple[str, ...] = (),
        notes: tuple[str, ...] = (),
    ) -> None:
        init(self, credentials=credentials, source=source, warnings=warnings, notes=notes)


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


def from_keyring(
    index: Index, env: Mapping[str, str], warnings: list[str], notes: list[str]
) -> Credentials | None:
    """The system keyring (:mod:`cglib.keyring_source`, loaded only when the
    chain gets this far: keyring is slow to import)."""
    from cglib import keyring_source

    return keyring_source.from_keyring(index, env, warnings, notes)


def from_netrc(
    index: Index, env: Mapping[str, str], warnings: list[str], notes: list[str]
) -> Credentials | None:
    """``~/.netrc`` or ``$NETRC`` (:mod:`cglib.netrc_source`, loaded when needed)."""
    from cglib import netrc_source

    return netrc_source.from_netrc(index, env, warnings, notes)


def default_sources() -> Sequence[SourceFunc]:
    """The chain of SPEC.md, in order: URL, environment, keyring, netrc."""
    return [from_url, from_env, from_keyring, from_netrc]


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
