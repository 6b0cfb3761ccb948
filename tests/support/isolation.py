"""One definition of an isolated environment, for the tests and the benchmarks."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

#: Variables that would let the developer's own settings or secrets leak in.
SCRUB_PREFIXES = ("CGLIB_", "CHAINGUARD_", "PYTHON_KEYRING", "KEYRING_")
SCRUB = (
    "NETRC",
    "NO_COLOR",
    "FORCE_COLOR",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


def isolated_env(
    home: Path, *, also_prefixes: Iterable[str] = (), also: Iterable[str] = ()
) -> dict[str, str]:
    """``os.environ`` with its own HOME and XDG folders, the null keyring, no
    proxy, and none of the variables above (nor ``also`` / ``also_prefixes``)."""
    prefixes = (*SCRUB_PREFIXES, *also_prefixes)
    dropped = {*SCRUB, *also}
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes) and k not in dropped}
    env.update(
        HOME=str(home),
        USERPROFILE=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
        NO_PROXY="*",
    )
    return env
