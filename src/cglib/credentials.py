"""The values a credential source deals in: :class:`Credentials` and a
source's answer, :class:`Lookup`.

A leaf module (it imports nothing of cglib), so that the sources
(:mod:`cglib.keyring_source`, :mod:`cglib.netrc_source`) and the chain that
walks them (:mod:`cglib.auth`) can all use these types without importing each
other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Credentials", "Lookup"]


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """A user name and a password (for a pull token: identity id and JWT).

    ``repr`` never shows the password.
    """

    username: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password='***')"


@dataclass(frozen=True, slots=True)
class Lookup:
    """What one credential source answered for an index."""

    #: The credentials it holds for the index, or None.
    credentials: Credentials | None = None
    #: One-line warnings for the user (a file that does not parse; never secrets).
    warnings: tuple[str, ...] = ()
    #: One-line notes for ``-v``: where it looked and why it found nothing.
    notes: tuple[str, ...] = ()
