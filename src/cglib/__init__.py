"""cglib: a client library for private Python package indexes.

The public names load lazily, so ``import cglib`` stays cheap::

    from cglib import IndexClient, resolve_index, resolve_credentials

    index = resolve_index("https://example.org/simple/")
    creds = resolve_credentials(index)
    with IndexClient(index, creds.credentials, credentials_source=creds.source) as client:
        for release in client.get_project("six").releases():
            print(release.version)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cglib.__about__ import __version__

if TYPE_CHECKING:
    from cglib.auth import Resolved, resolve_credentials
    from cglib.client import IndexClient
    from cglib.config import DEFAULT_INDEX_URL, INDEX_NAMES, Index, Settings, resolve_index
    from cglib.credentials import Credentials
    from cglib.errors import (
        AuthError,
        CglibError,
        ConfigError,
        ExitCode,
        IntegrityError,
        InvalidPageError,
        LocalFileError,
        NetworkError,
        NoMatchError,
        NotFoundError,
        PolicyError,
        UnsafeFilenameError,
        UsageError,
    )
    from cglib.models import DistributionFile, ProjectList, ProjectPage, Release
    from cglib.simple import parse_project_list, parse_project_page

_WHERE = {
    "Credentials": "cglib.credentials",
    "Resolved": "cglib.auth",
    "resolve_credentials": "cglib.auth",
    "IndexClient": "cglib.client",
    "DEFAULT_INDEX_URL": "cglib.config",
    "INDEX_NAMES": "cglib.config",
    "Index": "cglib.config",
    "Settings": "cglib.config",
    "resolve_index": "cglib.config",
    "AuthError": "cglib.errors",
    "CglibError": "cglib.errors",
    "ConfigError": "cglib.errors",
    "ExitCode": "cglib.errors",
    "IntegrityError": "cglib.errors",
    "InvalidPageError": "cglib.errors",
    "LocalFileError": "cglib.errors",
    "NetworkError": "cglib.errors",
    "NoMatchError": "cglib.errors",
    "NotFoundError": "cglib.errors",
    "PolicyError": "cglib.errors",
    "UnsafeFilenameError": "cglib.errors",
    "UsageError": "cglib.errors",
    "DistributionFile": "cglib.models",
    "ProjectList": "cglib.models",
    "ProjectPage": "cglib.models",
    "Release": "cglib.models",
    "parse_project_list": "cglib.simple",
    "parse_project_page": "cglib.simple",
}

__all__ = [
    "DEFAULT_INDEX_URL",
    "INDEX_NAMES",
    "AuthError",
    "CglibError",
    "ConfigError",
    "Credentials",
    "DistributionFile",
    "ExitCode",
    "Index",
    "IndexClient",
    "IntegrityError",
    "InvalidPageError",
    "LocalFileError",
    "NetworkError",
    "NoMatchError",
    "NotFoundError",
    "PolicyError",
    "ProjectList",
    "ProjectPage",
    "Release",
    "Resolved",
    "Settings",
    "UnsafeFilenameError",
    "UsageError",
    "__version__",
    "parse_project_list",
    "parse_project_page",
    "resolve_credentials",
    "resolve_index",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cglib' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
