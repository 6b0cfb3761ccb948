"""Where the credentials for an index come from.

A credential source is an object with a ``name`` and a ``lookup(index, env)``
method that returns a :class:`~cglib.credentials.Lookup`: the credentials it
holds for the index (or None), with its own warnings and notes.  The chain of
SPEC.md is :class:`UrlSource`, :class:`EnvSource`,
:class:`~cglib.keyring_source.KeyringSource`,
:class:`~cglib.netrc_source.NetrcSource` (:func:`default_sources`);
:func:`resolve_credentials` asks them in order, first answer wins, and reports
the winning source by its ``name`` (``"none"`` when no source answers).

Nothing here prompts, prints or exits; problems with a source (an unparseable
netrc, a broken keyring) become warnings and notes on the result.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from cglib.config import Index
from cglib.credentials import Credentials, Lookup

__all__ = [
    "ENV_PAIRS",
    "CredentialSource",
    "Credentials",
    "EnvSource",
    "Lookup",
    "Resolved",
    "UrlSource",
    "default_sources",
    "resolve_credentials",
]


class CredentialSource(Protocol):
    """Anything that can look up credentials for an index.

    ``name`` is what :func:`resolve_credentials` reports as
    :attr:`Resolved.source` (and ``cglib auth status`` shows) when this source
    answers.  ``lookup`` must not raise, prompt or print: trouble goes into the
    warnings (for the user) and notes (for ``-v``) of its :class:`Lookup`,
    never a secret.
    """

    @property
    def name(self) -> str: ...

    def lookup(self, index: Index, env: Mapping[str, str]) -> Lookup: ...


@dataclass(frozen=True, slots=True)
class UrlSource:
    """Credentials written into ``--index-url`` (percent-decoded)."""

    name: ClassVar[str] = "url"

    def lookup(self, index: Index, env: Mapping[str, str]) -> Lookup:
        if index.url_username is None and index.url_password is None:
            return Lookup()
        return Lookup(Credentials(index.url_username or "", index.url_password or ""))


#: The environment pairs :class:`EnvSource` reads, in order: (user, secret).
ENV_PAIRS: tuple[tuple[str, str], ...] = (
    ("CHAINGUARD_PYTHON_IDENTITY_ID", "CHAINGUARD_PYTHON_TOKEN"),
    ("CGLIB_USERNAME", "CGLIB_PASSWORD"),
)


#: Pairs sent only to Chainguard hosts (:attr:`Index.is_chainguard`).
CHAINGUARD_ONLY = frozenset({"CHAINGUARD_PYTHON_IDENTITY_ID"})


@dataclass(frozen=True, slots=True)
class EnvSource:
    """``CHAINGUARD_PYTHON_IDENTITY_ID`` + ``CHAINGUARD_PYTHON_TOKEN`` (for a
    Chainguard host only: for another index the pair is skipped with a note),
    else ``CGLIB_USERNAME`` + ``CGLIB_PASSWORD``.  A half-set pair is warned
    about and ignored."""

    name: ClassVar[str] = "env"

    def lookup(self, index: Index, env: Mapping[str, str]) -> Lookup:
        warnings: list[str] = []
        notes: list[str] = []
        for user_key, secret_key in ENV_PAIRS:
            user, secret = env.get(user_key), env.get(secret_key)
            if user_key in CHAINGUARD_ONLY and not index.is_chainguard:
                if user or secret:
                    notes.append(
                        f"{user_key}/{secret_key} are for Chainguard hosts only; "
                        f"not sending them to {index.host}"
                    )
                continue
            if user and secret:
                return Lookup(Credentials(user, secret), tuple(warnings), tuple(notes))
            if user or secret:
                missing = secret_key if user else user_key
                present = user_key if user else secret_key
                warnings.append(f"{present} is set but {missing} is not; ignoring both")
        return Lookup(warnings=tuple(warnings), notes=tuple(notes))


def default_sources() -> tuple[CredentialSource, ...]:
    """The chain of SPEC.md, in order: URL, environment, keyring, netrc.

    The last two live in :mod:`cglib.keyring_source` and
    :mod:`cglib.netrc_source`, loaded only when a chain is built.
    """
    return tuple(_default_chain())


def _default_chain() -> Iterator[CredentialSource]:
    """:func:`default_sources`, each loaded only when the walk reaches it:
    credentials from the URL or the environment load neither the keyring
    nor the netrc code."""
    yield UrlSource()
    yield EnvSource()
    from cglib.keyring_source import KeyringSource

    yield KeyringSource()
    from cglib.netrc_source import NetrcSource

    yield NetrcSource()


@dataclass(frozen=True, slots=True)
class Resolved:
    """The outcome of :func:`resolve_credentials`."""

    credentials: Credentials | None
    #: The ``name`` of the source that gave the credentials, or ``"none"``.
    source: str
    #: One-line warnings about sources that could not be read (never secrets).
    warnings: tuple[str, ...] = ()
    #: One-line notes for ``-v``: which sources were tried and why skipped.
    notes: tuple[str, ...] = ()
    #: With ``ask_all``: ``(source name, credentials)`` of every source after
    #: the winner that holds credentials too (they lose, but may disagree).
    also_found: tuple[tuple[str, Credentials], ...] = ()


def resolve_credentials(
    index: Index,
    env: Mapping[str, str] | None = None,
    sources: Sequence[CredentialSource] | None = None,
    *,
    ask_all: bool = False,
) -> Resolved:
    """Credentials for ``index`` and the name of the source that gave them.

    Sources (default: :func:`default_sources`) are asked in order; the first
    that answers wins and no later one is asked, unless ``ask_all``: then
    every source is asked, their warnings and notes are kept, and what the
    losers hold is in :attr:`Resolved.also_found`.  With no answer the result
    is anonymous (``source == "none"``).
    """
    environ = os.environ if env is None else env
    warnings: list[str] = []
    notes: list[str] = []
    winner: tuple[str, Credentials] | None = None
    also: list[tuple[str, Credentials]] = []
    for source in _default_chain() if sources is None else sources:
        name, found = source.name, source.lookup(index, environ)
        warnings.extend(found.warnings)
        notes.extend(found.notes)
        if found.credentials is None:
            continue
        if winner is None:
            winner = (name, found.credentials)
            if not ask_all:
                break
        else:
            also.append((name, found.credentials))
    if winner is None:
        return Resolved(None, "none", tuple(warnings), tuple(notes))
    return Resolved(winner[1], winner[0], tuple(warnings), tuple(notes), tuple(also))
