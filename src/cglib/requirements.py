"""Checking project names and parsing PEP 508 requirements into UsageErrors."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cglib.errors import UsageError

if TYPE_CHECKING:
    from packaging.requirements import Requirement

__all__ = ["check_project_name", "parse_requirement"]

# PEP 508 names: letters, digits, and . _ - inside.
_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)


def check_project_name(name: str) -> str:
    """Return ``name`` if it is a valid project name, else raise UsageError."""
    if not _NAME.fullmatch(name):
        shown = name if name.isprintable() and len(name) < 100 else repr(name[:100])
        raise UsageError(
            f"not a valid project name: {shown}",
            hint="names are letters, digits, '.', '_' and '-' (e.g. zope.interface)",
        )
    return name


def parse_requirement(text: str) -> Requirement:
    """Parse a PEP 508 requirement (``pkg==1.2``, ``pkg>=1,<2; python_version>'3.9'``)."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        detail = " ".join(str(exc).split())
        raise UsageError(
            f"malformed requirement {text!r}: {detail[:200]}",
            hint="write NAME, NAME==1.2 or NAME>=1,<2",
        ) from None
