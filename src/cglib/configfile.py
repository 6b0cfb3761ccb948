"""The user's configuration file: TOML, read when a command runs.

Where: ``$CGLIB_CONFIG_FILE`` if set (it must exist), else ``config.toml`` in
the platform's user config directory for ``cglib``
(``platformdirs.user_config_dir("cglib")``; a missing file there is simply no
configuration).  Keys::

    index-url = "https://example.org/simple/"   # or a name, built-in or below
    jobs = 8                                    # cglib download --jobs default
    cache-max-age = 600                         # CGLIB_CACHE_MAX_AGE default

    [indexes]
    mirror = "https://example.org/simple/"      # --index mirror

A file that cannot be read or parsed, or holds a value of the wrong kind, is a
:class:`~cglib.errors.ConfigError` (exit 3) naming the file and the key or
line; unknown keys are only reported in :attr:`ConfigFile.warnings`.  Messages
never repeat a value from the file (an index URL may hold a token).
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cglib.errors import ConfigError

__all__ = ["CONFIG_FILE_ENV", "KEYS", "ConfigFile", "config_path", "load_config"]

#: The variable naming another configuration file.
CONFIG_FILE_ENV = "CGLIB_CONFIG_FILE"
#: The keys the file may hold.
KEYS = ("index-url", "indexes", "jobs", "cache-max-age")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True, slots=True, repr=False)
class ConfigFile:
    """What the configuration file says (None: not set there)."""

    path: Path
    exists: bool = False
    index_url: str | None = None
    indexes: Mapping[str, str] = field(default_factory=dict)
    jobs: int | None = None
    cache_max_age: float | None = None
    #: One-line warnings (unknown keys); never a value of the file.
    warnings: tuple[str, ...] = ()

    def __repr__(self) -> str:
        return f"ConfigFile(path={str(self.path)!r}, exists={self.exists})"


def config_path(env: Mapping[str, str] | None = None) -> tuple[Path, bool]:
    """The configuration file and whether the user named it (``$CGLIB_CONFIG_FILE``)."""
    environ = os.environ if env is None else env
    named = (environ.get(CONFIG_FILE_ENV) or "").strip()
    if named:
        return Path(named).expanduser(), True
    import platformdirs

    return Path(platformdirs.user_config_dir("cglib", appauthor=False)) / "config.toml", False


def load_config(env: Mapping[str, str] | None = None) -> ConfigFile:
    """Read and check the configuration file (see the module doc)."""
    path, named = config_path(env)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if named:
            raise ConfigError(
                f"{CONFIG_FILE_ENV} names {path}, which does not exist",
                hint=f"create it, or unset {CONFIG_FILE_ENV}",
            ) from None
        return ConfigFile(path)
    except OSError as exc:
        raise ConfigError(
            f"cannot read the config file {path}: {exc.strerror or type(exc).__name__}",
            hint="check its permissions, or point CGLIB_CONFIG_FILE elsewhere",
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"config file {path} line {line}: not UTF-8 text") from None
    return _check(path, text, _parse_toml(path, text))


def _parse_toml(path: Path, text: str) -> dict[str, Any]:
    try:
        if sys.version_info >= (3, 11):
            import tomllib

            return tomllib.loads(text)
        try:  # pragma: no cover - Python 3.10 only
            import tomli  # type: ignore[import-not-found,unused-ignore]
        except ImportError:  # pragma: no cover - Python 3.10 only
            import tomlkit

            document: dict[str, Any] = tomlkit.parse(text).unwrap()
            return document
        return tomli.loads(text)  # type: ignore[no-any-return,unused-ignore]  # pragma: no cover
    except ValueError as exc:
        message = str(exc)
        found = re.search(r"line (\d+)", message)
        line = f" line {found.group(1)}" if found else ""
        # The reason without its position, and without any quoted piece of the file.
        reason = re.sub(r"\s*\(?at line \d+.*$", "", message)
        reason = re.sub(r"'[^']*'|\"[^\"]*\"", "…", reason).strip() or "invalid TOML"
        raise ConfigError(
            f"config file {path}{line}: not valid TOML ({reason})",
            hint="see docs/config.md for the format",
        ) from None


def _line_of(text: str, key: str, table: str | None = None) -> str:
    """`` line N`` of ``key = …`` (inside ``[table]`` if given), or ''."""
    current: str | None = None
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("["):
            current = stripped.strip("[] ")
            continue
        if current == table and pattern.match(raw):
            return f" line {number}"
    return ""


def _bad(path: Path, text: str, key: str, what: str, table: str | None = None) -> ConfigError:
    shown = f"{table}.{key}" if table else key
    return ConfigError(
        f"config file {path}{_line_of(text, key, table)}: {shown} {what}",
        hint="see docs/config.md for the keys and their values",
    )


def _check(path: Path, text: str, data: dict[str, Any]) -> ConfigFile:
    from cglib.config import parse_index_url
    from cglib.errors import UsageError

    warnings = [
        f"config file {path}{_line_of(text, key)}: unknown key {key!r} (ignored)"
        for key in data
        if key not in KEYS
    ]
    index_url = data.get("index-url")
    if index_url is not None and (not isinstance(index_url, str) or not index_url.strip()):
        raise _bad(path, text, "index-url", "must be a URL or an index name, in quotes")
    indexes: dict[str, str] = {}
    table = data.get("indexes", {})
    if not isinstance(table, dict):
        raise _bad(path, text, "indexes", 'must be a table: [indexes] then name = "URL" lines')
    for name, url in table.items():
        if not _NAME.match(name):
            raise _bad(
                path, text, name, "is not a usable index name (letters, digits, . _ -)", "indexes"
            )
        if not isinstance(url, str):
            raise _bad(path, text, name, "must be a URL in quotes", "indexes")
        try:
            parse_index_url(url)
        except UsageError:
            raise _bad(path, text, name, "is not an http(s) index URL", "indexes") from None
        indexes[name.lower()] = url.strip()
    jobs = data.get("jobs")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise _bad(path, text, "jobs", "must be a whole number of at least 1")
    max_age = data.get("cache-max-age")
    if max_age is not None and (
        isinstance(max_age, bool)
        or not isinstance(max_age, (int, float))
        or not math.isfinite(max_age)
        or max_age < 0
    ):
        raise _bad(path, text, "cache-max-age", "must be a number of seconds (0 or more)")
    return ConfigFile(
        path,
        exists=True,
        index_url=index_url.strip() if isinstance(index_url, str) else None,
        indexes=indexes,
        jobs=jobs,
        cache_max_age=float(max_age) if max_age is not None else None,
        warnings=tuple(warnings),
    )
