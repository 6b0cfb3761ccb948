"""Keyring backends for tests: in memory, and some that misbehave on purpose.

Their priority is negative so that keyring's own discovery never picks them;
tests install one with ``keyring.set_keyring`` (see the ``use_keyring``
fixture in the test modules).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import keyring
from keyring.backend import KeyringBackend
from keyring.backends import null
from keyring.credentials import SimpleCredential
from keyring.errors import KeyringLocked, PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """A dict.  ``find_without_user`` models backends (Secret Service, Windows)
    that answer ``get_credential(service, None)``; without it, it behaves like
    macOS Keychain or keyrings.alt, which need the user name."""

    priority = -1  # type: ignore[assignment]

    def __init__(self, *, find_without_user: bool = True) -> None:
        super().__init__()
        self.find_without_user = find_without_user
        self.store: dict[tuple[str, str], str] = {}
        self.calls: list[tuple[str, str, str | None]] = []

    def get_password(self, service: str, username: str) -> str | None:
        self.calls.append(("get_password", service, username))
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls.append(("set_password", service, username))
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.calls.append(("delete_password", service, username))
        if (service, username) not in self.store:
            raise PasswordDeleteError("not found")
        del self.store[(service, username)]

    def get_credential(self, service: str, username: str | None) -> SimpleCredential | None:
        self.calls.append(("get_credential", service, username))
        if username is None:
            if not self.find_without_user:
                return None
            for (svc, user), password in self.store.items():
                if svc == service:
                    return SimpleCredential(user, password)
            return None
        found = self.store.get((service, username))
        return SimpleCredential(username, found) if found is not None else None


class TokenKeyring(KeyringBackend):
    """Like keyrings-chainguard-libraries: answers only for https://*.cgr.dev
    URLs, with user ``_token``; cannot store."""

    priority = -1  # type: ignore[assignment]

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def _ours(self, service: str) -> bool:
        return service.startswith("https://") and ".cgr.dev/" in service

    def get_password(self, service: str, username: str) -> str | None:
        return self.token if self._ours(service) else None

    def get_credential(self, service: str, username: str | None) -> SimpleCredential | None:
        return SimpleCredential("_token", self.token) if self._ours(service) else None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError("Setting passwords is not supported")

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError("Deleting passwords is not supported")


class HangingKeyring(KeyringBackend):
    """Blocks every call until released (a locked keyring waiting for a prompt)."""

    priority = -1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Event()

    def _block(self) -> None:
        self.entered.set()
        self.release.wait(30)

    def get_password(self, service: str, username: str) -> str | None:
        self._block()
        return None

    def get_credential(self, service: str, username: str | None) -> SimpleCredential | None:
        self._block()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._block()

    def delete_password(self, service: str, username: str) -> None:
        self._block()


class LockedKeyring(KeyringBackend):
    """Raises on every call, as a locked or broken backend does."""

    priority = -1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def get_credential(self, service: str, username: str | None) -> SimpleCredential | None:
        raise KeyringLocked("Failed to unlock the collection!")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")

    def delete_password(self, service: str, username: str) -> None:
        raise KeyringLocked("Failed to unlock the collection!")


@contextmanager
def installed(backend: KeyringBackend) -> Iterator[KeyringBackend]:
    """Make ``backend`` the process's keyring, then put the null one back."""
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        if isinstance(backend, HangingKeyring):
            backend.release.set()
        keyring.set_keyring(null.Keyring())
