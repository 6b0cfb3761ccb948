"""The one tree of errors that cglib raises, and their exit codes.

Every error cglib raises on purpose is a :class:`CglibError`.  Each subclass
carries the exit code of the command line (SPEC.md, "Exit codes") so that the
mapping from failure to exit status lives in exactly one place: here.  URLs
stored on errors are always redacted (no credentials) by the code that raises
them; :func:`cglib.urls.redact` does it.
"""

from __future__ import annotations

import enum

__all__ = [
    "AuthError",
    "CglibError",
    "ConfigError",
    "ExitCode",
    "IntegrityError",
    "InvalidPageError",
    "LocalFileError",
    "NetworkError",
    "NoMatchError",
    "NotFoundError",
    "PolicyError",
    "UnsafeFilenameError",
    "UsageError",
]


class ExitCode(enum.IntEnum):
    """Exit codes of the ``cglib`` command.  Public API: never renumber."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    CONFIG = 3
    AUTH = 4
    NOT_FOUND = 5
    NETWORK = 6
    INTEGRITY = 7
    POLICY = 8
    LOCAL_FILE = 9
    INTERRUPTED = 130


class CglibError(Exception):
    """Root of every error cglib raises on purpose.

    ``message`` is one line saying what happened; ``hint`` (optional) says
    what to do next; ``url`` is the redacted URL the error concerns.
    """

    exit_code: ExitCode = ExitCode.INTERNAL
    kind: str = "error"

    def __init__(self, message: str, *, url: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, url={self.url!r})"

    def to_json(self) -> dict[str, object]:
        """The ``{"error": …}`` body of SPEC.md's JSON failure output."""
        body: dict[str, object] = {
            "code": int(self.exit_code),
            "kind": self.kind,
            "message": self.message,
        }
        if self.hint:
            body["hint"] = self.hint
        if self.url:
            body["url"] = self.url
        return {"error": body}


class UsageError(CglibError):
    """Bad option or argument, malformed requirement (exit 2)."""

    exit_code = ExitCode.USAGE
    kind = "usage"


class ConfigError(CglibError):
    """No credentials where they are needed, unreadable configuration (exit 3)."""

    exit_code = ExitCode.CONFIG
    kind = "config"


class AuthError(CglibError):
    """The index rejected the credentials (401) or the entitlement (403) (exit 4)."""

    exit_code = ExitCode.AUTH
    kind = "auth"

    def __init__(
        self, message: str, *, status: int, url: str | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, url=url, hint=hint)
        self.status = status


class NotFoundError(CglibError):
    """No such project or file (404) (exit 5)."""

    exit_code = ExitCode.NOT_FOUND
    kind = "not-found"


class NoMatchError(NotFoundError):
    """The project exists but no version or file matches what was asked (exit 5)."""

    kind = "no-match"


class NetworkError(CglibError):
    """Connection failure, time-out, 5xx or 429 after retries (exit 6)."""

    exit_code = ExitCode.NETWORK
    kind = "network"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        url: str | None = None,
        hint: str | None = None,
        retryable: bool = False,
        closed_early: bool = False,
    ) -> None:
        super().__init__(message, url=url, hint=hint)
        self.status = status
        #: True for transient failures (connection, time-out) worth another try.
        self.retryable = retryable
        #: True when the server closed the connection before the end of the
        #: body it announced (as opposed to a time-out or a reset).
        self.closed_early = closed_early


class InvalidPageError(NetworkError):
    """The server answered with something that is not an index page (exit 6)."""

    kind = "invalid-page"


class IntegrityError(CglibError):
    """Hash mismatch or truncated transfer (exit 7)."""

    exit_code = ExitCode.INTEGRITY
    kind = "integrity"

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        hint: str | None = None,
        expected: str | None = None,
        actual: str | None = None,
    ) -> None:
        super().__init__(message, url=url, hint=hint)
        self.expected = expected
        self.actual = actual


class UnsafeFilenameError(IntegrityError):
    """A link names a file that is not a plain wheel or sdist name (exit 7)."""

    kind = "unsafe-filename"


class PolicyError(CglibError):
    """The index withholds the file by policy (409) (exit 8)."""

    exit_code = ExitCode.POLICY
    kind = "policy"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, url=url, hint=hint)
        self.reason = reason

    def to_json(self) -> dict[str, object]:
        body = super().to_json()
        if self.reason:
            inner = body["error"]
            assert isinstance(inner, dict)
            inner["reason"] = self.reason
        return body


class LocalFileError(CglibError):
    """The local file system failed: no space left, permission denied, not a
    directory, read-only, a symlink where a file belongs (exit 9).

    ``path`` is the local path concerned, as the user would recognise it.
    """

    exit_code = ExitCode.LOCAL_FILE
    kind = "local-file"

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, url=url, hint=hint)
        self.path = path

    def to_json(self) -> dict[str, object]:
        body = super().to_json()
        if self.path:
            inner = body["error"]
            assert isinstance(inner, dict)
            inner["path"] = self.path
        return body
