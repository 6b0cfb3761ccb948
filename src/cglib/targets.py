"""Target environments named on the command line."""

from __future__ import annotations

import re

from cglib.errors import UsageError
from cglib.selection import Target

__all__ = ["parse_target"]

_SPEC = re.compile(r"([^@\s]+)@(\d+\.\d+)\Z")


def parse_target(spec: str) -> Target:
    """``TAG@X.Y`` (``manylinux_2_28_x86_64@3.12``): CPython X.Y on platform
    TAG.  A malformed spec, tag or version is a :class:`UsageError`."""
    match = _SPEC.match(spec.strip())
    if not match:
        raise UsageError(
            f"not a target: {spec[:80]!r}",
            hint="write PLATFORM_TAG@PYTHON_VERSION, e.g. manylinux_2_28_x86_64@3.12",
        )
    return Target.from_options(platforms=[match[1]], python_version=match[2], implementation="cp")
