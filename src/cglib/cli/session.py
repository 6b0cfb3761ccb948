"""The per-run session: output, index, settings, credentials and client.

Free of typer: the shared options reach it as plain values
(:func:`cglib.cli.common.merge_shared`).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from cglib.cli.output import Output

if TYPE_CHECKING:
    from cglib.auth import Resolved
    from cglib.client import IndexClient
    from cglib.config import Index, Settings

__all__ = ["Session", "current_output", "forget_outputs"]

_current: list[Output] = []


def current_output() -> Output | None:
    """The output of the command running now (for the error handler)."""
    return _current[-1] if _current else None


def forget_outputs() -> None:
    """End of a run: no output is current any more."""
    _current.clear()


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "false", "no", "off")


class Session:
    """Everything a command needs: output, index, settings, credentials, client."""

    def __init__(
        self,
        *,
        index_url: str | None = None,
        index_name: str | None = None,
        json_mode: bool = False,
        verbose: int = 0,
        quiet: bool = False,
        no_input: bool = False,
        allow_insecure_http: bool = False,
    ) -> None:
        self.output = Output(json_mode=json_mode, verbose=verbose, quiet=quiet)
        _current.append(self.output)
        self.no_input = no_input or _truthy(os.environ.get("CGLIB_NO_INPUT")) or not _stdin_is_tty()
        self.allow_insecure_http = allow_insecure_http or _truthy(
            os.environ.get("CGLIB_ALLOW_INSECURE_HTTP")
        )
        self._index_url = index_url
        self._index_name = index_name
        self._index: Index | None = None
        self._settings: Settings | None = None
        self._resolved: Resolved | None = None
        self._asked_all = False

    @property
    def index(self) -> Index:
        if self._index is None:
            from cglib.config import resolve_index

            self._index = resolve_index(self._index_url, self._index_name, warn=self.output.warn)
            self.output.add_secret(self._index.url_password)
            self.output.note(f"index: {self._index.url}")
        return self._index

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from cglib.config import Settings

            self._settings = Settings.from_env()
        return self._settings

    def credentials(self, *, ask_all: bool = False) -> Resolved:
        """Resolve the credentials once; warnings and notes go to stderr.

        ``ask_all`` asks the sources after the winner too
        (:func:`cglib.auth.resolve_credentials`); a resolution made without
        it is made again when it is asked for.
        """
        if self._resolved is None or (ask_all and not self._asked_all):
            from cglib.auth import resolve_credentials

            resolved = resolve_credentials(self.index, os.environ, ask_all=ask_all)
            if resolved.credentials is not None:
                self.output.add_secret(resolved.credentials.password)
            for _, other in resolved.also_found:
                self.output.add_secret(other.password)
            for warning in resolved.warnings:
                self.output.warn(warning)
            for note in resolved.notes:
                self.output.note(note)
            user = resolved.credentials.username if resolved.credentials else None
            shown = f" (user {user})" if user else ""
            self.output.note(f"credentials: {resolved.source}{shown}")
            self._resolved = resolved
            self._asked_all = ask_all
        return self._resolved

    def client(self) -> IndexClient:
        from cglib.client import IndexClient

        resolved = self.credentials()
        index = self.index
        if resolved.credentials is None and index.is_chainguard:
            # Chainguard's indexes answer nothing without credentials: say so
            # now rather than after a round trip.
            from cglib.errors import ConfigError

            raise ConfigError(
                f"{index.url} needs credentials and none were found",
                url=index.url,
                hint="run `cglib login`, or set CHAINGUARD_PYTHON_IDENTITY_ID and "
                "CHAINGUARD_PYTHON_TOKEN (`chainctl auth pull-token --output env` prints them)",
            )
        return IndexClient(
            self.index,
            resolved.credentials,
            credentials_source=resolved.source,
            settings=self.settings,
            log=self.output.note,
            warn=self.output.warn,
            allow_insecure_http=self.allow_insecure_http,
        )


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False
