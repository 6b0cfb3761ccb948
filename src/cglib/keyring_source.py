"""Credentials in the system keyring: the lookup source, and what
``cglib login`` / ``cglib logout`` store and remove.

Where things live (so that pip and uv find them too):

- the password is stored with ``keyring.set_password(SERVICE, USER, PASSWORD)``
  where ``SERVICE`` is the index's network location: the host name, with the
  port when it is not the scheme's default (``example.org``,
  ``127.0.0.1:8080``).  pip asks the keyring for the index URL and then for
  this network location; ``keyring get SERVICE USER`` (what uv's
  ``--keyring-provider subprocess`` runs) finds it too.
- the user name is remembered under service ``cglib``, user ``SERVICE``,
  because several backends (macOS Keychain, keyrings.alt) cannot find an entry
  without being told the user name.

Lookup order (first answer wins): the user ``cglib login`` remembered, then
``get_credential(SERVICE, None)``, then ``get_credential(INDEX_URL, None)``.
The last is what Chainguard's ``keyrings-chainguard-libraries`` answers for
``https://*.cgr.dev/...`` (user ``_token``, a token minted by chainctl).

Bounded time, never a prompt: every keyring call runs in a daemon thread and
is abandoned after ``CGLIB_KEYRING_TIMEOUT`` seconds (default 10; ``0`` turns
the keyring off).  cglib itself never prompts here.  With ``--no-input`` the
keyring is still asked, within that bound, because the backends CI relies on
(keyrings-chainguard-libraries, keyrings.alt, an unlocked Secret Service)
answer without any prompt; a backend that would wait for an unlock dialog
simply runs out of time and the next source is tried.  A missing, failing or
locked backend is skipped with a ``-v`` note, never an error.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, TypeVar

from cglib.config import Index
from cglib.credentials import Credentials, Lookup
from cglib.errors import ConfigError
from cglib.urls import DEFAULT_PORTS, origin

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

__all__ = [
    "DEFAULT_TIMEOUT",
    "USER_SERVICE",
    "KeyringSource",
    "KeyringTimeout",
    "Removed",
    "Stored",
    "backend_name",
    "check_backend",
    "delete_credentials",
    "keyring_timeout",
    "service_for",
    "store_credentials",
]

#: Seconds a keyring call may take before it is abandoned.
DEFAULT_TIMEOUT = 10.0
#: The service under which ``cglib login`` remembers the user name of a host.
USER_SERVICE = "cglib"

T = TypeVar("T")


class KeyringTimeout(Exception):
    """A keyring call did not return within the time allowed."""


@dataclass(frozen=True, slots=True)
class Stored:
    """Where :func:`store_credentials` put the credentials."""

    backend: str
    service: str
    username: str


@dataclass(frozen=True, slots=True)
class Removed:
    """What :func:`delete_credentials` removed (user names, never secrets)."""

    backend: str
    service: str
    usernames: tuple[str, ...]


def service_for(index: Index) -> str:
    """The keyring service of ``index``: its host, with a non-default port."""
    scheme, host, port = origin(index.url)
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        return f"{host}:{port}"
    return host


def keyring_timeout(env: Mapping[str, str]) -> float:
    """``CGLIB_KEYRING_TIMEOUT`` in seconds (0 = keyring off); a bad value
    falls back to the default."""
    raw = (env.get("CGLIB_KEYRING_TIMEOUT") or "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT
    return max(value, 0.0)


def _bounded(call: Callable[[], T], timeout: float) -> T:
    """Run ``call`` in a daemon thread; raise :class:`KeyringTimeout` if it
    has not returned after ``timeout`` seconds (the thread is left behind:
    it cannot be killed, and being a daemon it does not keep cglib alive)."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = call()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=target, name="cglib-keyring", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise KeyringTimeout(f"no answer within {timeout:g}s")
    if "error" in box:
        error = box["error"]
        assert isinstance(error, BaseException)
        raise error
    return box["value"]  # type: ignore[return-value]


def backend_name(backend: KeyringBackend) -> str:
    """A short, readable name of a keyring backend (``keyrings.alt.file.PlaintextKeyring``)."""
    from keyring.backends.chainer import ChainerBackend

    if isinstance(backend, ChainerBackend):
        inner = ", ".join(backend_name(b) for b in backend.backends)
        return f"chainer({inner})"
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _usable(backend: KeyringBackend) -> str | None:
    """Why ``backend`` cannot hold credentials, or None if it can."""
    from keyring.backends import chainer, fail, null

    if isinstance(backend, null.Keyring):
        return "the null keyring is configured"
    if isinstance(backend, fail.Keyring):
        return "no keyring backend is installed"
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return "no keyring backend is installed"
    return None


def _describe(exc: BaseException) -> str:
    """One line about a keyring failure: the type, and the first line of the
    message only for keyring's own errors (whose texts are known); a third
    party's message could quote anything it holds, secrets included."""
    from keyring.errors import KeyringError

    from cglib.urls import redact

    if not isinstance(exc, KeyringError):
        return type(exc).__name__
    text = str(exc).strip().splitlines()
    first = redact(text[0])[:160] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


# -- the lookup source --------------------------------------------------------------


def _lookup(index: Index, service: str) -> tuple[str, Credentials | None, str]:
    """In the worker thread: ``(backend, credentials, how)``."""
    import keyring

    backend = keyring.get_keyring()
    name = backend_name(backend)
    unusable = _usable(backend)
    if unusable:
        return name, None, unusable
    remembered = backend.get_password(USER_SERVICE, service)
    if remembered:
        password = backend.get_password(service, remembered)
        if password is not None:
            return name, Credentials(remembered, password), f"service {service}"
    for key in (service, index.url):
        credential = backend.get_credential(key, None)
        if credential is not None and credential.password is not None:
            return name, Credentials(credential.username or "", credential.password), key
    return name, None, f"nothing stored for {service} or {index.url}"


@dataclass(frozen=True, slots=True)
class KeyringSource:
    """The system keyring as a credential source (see the module doc).

    Its lookup never raises, never prompts, and returns within
    ``CGLIB_KEYRING_TIMEOUT`` seconds; it has only notes, no warnings.
    """

    name: ClassVar[str] = "keyring"

    def lookup(self, index: Index, env: Mapping[str, str]) -> Lookup:
        timeout = keyring_timeout(env)
        if timeout == 0:
            return Lookup(notes=("keyring: skipped (CGLIB_KEYRING_TIMEOUT=0)",))
        service = service_for(index)
        try:
            name, credentials, how = _bounded(lambda: _lookup(index, service), timeout)
        except KeyringTimeout:
            return Lookup(
                notes=(
                    f"keyring: skipped, the backend gave no answer within {timeout:g}s "
                    "(locked, or waiting for a prompt?); set CGLIB_KEYRING_TIMEOUT to wait longer",
                )
            )
        except Exception as exc:
            return Lookup(notes=(f"keyring: skipped, the backend failed ({_describe(exc)})",))
        if credentials is None:
            return Lookup(notes=(f"keyring: {how} ({name})",))
        return Lookup(credentials, notes=(f"keyring: found credentials under {how} ({name})",))


# -- login / logout ----------------------------------------------------------------


def _no_backend_hint(index: Index) -> str:
    from cglib.config import credential_variables

    user, secret = credential_variables(index)
    return (
        f"store them in a netrc file with `cglib login --netrc`, or set {user} and {secret}; "
        "or install a keyring backend (keyrings.alt keeps them in a file)"
    )


def _probe_backend(index: Index, service: str) -> str:
    """In the worker thread: the backend's name, after one harmless read."""
    import keyring

    backend = keyring.get_keyring()
    name = backend_name(backend)
    unusable = _usable(backend)
    if unusable:
        raise ConfigError(
            f"cannot store credentials for {service}: {unusable} ({name})",
            hint=_no_backend_hint(index),
        )
    backend.get_password(USER_SERVICE, service)
    return name


def check_backend(index: Index, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """Make sure a keyring backend can be used for ``index`` before anything
    is asked of the user: return its name, or raise
    :class:`~cglib.errors.ConfigError` (no backend, the null or fail one, one
    that raises or gives no answer within ``timeout``), whose hint offers a
    netrc file and the environment instead.

    A backend that reads but refuses to store is only found out by storing.
    """
    service = service_for(index)
    try:
        return _bounded(lambda: _probe_backend(index, service), timeout)
    except KeyringTimeout:
        raise ConfigError(
            f"cannot use the keyring for {service}: it gave no answer within {timeout:g}s",
            hint="unlock the keyring, or set CGLIB_KEYRING_TIMEOUT to wait longer; "
            + _no_backend_hint(index),
        ) from None
    except ConfigError:
        raise
    except Exception as exc:
        raise ConfigError(
            f"cannot use the keyring for {service}: the backend failed ({_describe(exc)})",
            hint=_no_backend_hint(index),
        ) from None


def _store(service: str, credentials: Credentials) -> str:
    import keyring

    backend = keyring.get_keyring()
    name = backend_name(backend)
    unusable = _usable(backend)
    if unusable:
        raise ConfigError(
            f"cannot store credentials for {service}: {unusable} ({name})",
            hint="install a keyring backend (keyrings.alt stores them in a file), or use "
            "`cglib login --netrc`",
        )
    try:
        backend.set_password(service, credentials.username, credentials.password)
        backend.set_password(USER_SERVICE, service, credentials.username)
    except NotImplementedError:
        raise ConfigError(
            f"cannot store credentials for {service}: the keyring backend {name} "
            "does not store passwords",
            hint="install a storing backend (e.g. keyrings.alt) or choose one with "
            "PYTHON_KEYRING_BACKEND",
        ) from None
    if backend.get_password(service, credentials.username) != credentials.password:
        raise ConfigError(
            f"the keyring backend {name} did not keep the credentials for {service}",
            hint="choose another backend with PYTHON_KEYRING_BACKEND",
        )
    return name


def store_credentials(
    index: Index, credentials: Credentials, *, timeout: float = DEFAULT_TIMEOUT
) -> Stored:
    """Store ``credentials`` for the host of ``index`` (see the module doc).

    Raises :class:`~cglib.errors.ConfigError` when there is no usable backend,
    it fails, or it does not answer within ``timeout`` seconds.
    """
    service = service_for(index)
    name = _run_for_change(
        "store credentials for", service, timeout, lambda: _store(service, credentials)
    )
    return Stored(backend=name, service=service, username=credentials.username)


def _delete(index: Index, service: str, username: str | None) -> tuple[str, tuple[str, ...]]:
    import keyring
    from keyring.errors import PasswordDeleteError

    backend = keyring.get_keyring()
    name = backend_name(backend)
    unusable = _usable(backend)
    if unusable:
        raise ConfigError(
            f"cannot remove credentials for {service}: {unusable} ({name})",
            hint="choose the backend that holds them with PYTHON_KEYRING_BACKEND",
        )
    candidates: list[str] = []
    if username:
        candidates.append(username)
    remembered = backend.get_password(USER_SERVICE, service)
    if remembered and remembered not in candidates:
        candidates.append(remembered)
    credential = backend.get_credential(service, None)
    if credential is not None and credential.username and credential.username not in candidates:
        candidates.append(credential.username)
    removed: list[str] = []
    for user in candidates:
        if backend.get_password(service, user) is None:
            continue
        try:
            backend.delete_password(service, user)
        except (PasswordDeleteError, NotImplementedError):
            continue
        removed.append(user)
    if remembered is not None:
        with contextlib.suppress(PasswordDeleteError, NotImplementedError):
            backend.delete_password(USER_SERVICE, service)
    return name, tuple(removed)


def delete_credentials(
    index: Index, *, username: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> Removed:
    """Remove what ``cglib login`` stored for the host of ``index`` (and the
    entry of ``username``, if given).  Removing nothing is not an error."""
    service = service_for(index)
    name, removed = _run_for_change(
        "remove credentials for", service, timeout, lambda: _delete(index, service, username)
    )
    return Removed(backend=name, service=service, usernames=removed)


def _run_for_change(what: str, service: str, timeout: float, call: Callable[[], T]) -> T:
    try:
        return _bounded(call, timeout if timeout > 0 else DEFAULT_TIMEOUT)
    except KeyringTimeout:
        raise ConfigError(
            f"cannot {what} {service}: the keyring gave no answer within {timeout:g}s",
            hint="unlock the keyring, or set CGLIB_KEYRING_TIMEOUT to wait longer",
        ) from None
    except ConfigError:
        raise
    except Exception as exc:
        raise ConfigError(
            f"cannot {what} {service}: the keyring failed ({_describe(exc)})",
            hint="check the keyring backend, or choose another with PYTHON_KEYRING_BACKEND",
        ) from None
