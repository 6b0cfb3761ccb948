"""Checking project names and parsing PEP 508 requirements into UsageErrors."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cglib.errors import UsageError
from cglib.urls import PROJECT_NAME

if TYPE_CHECKING:
    from packaging.requirements import Requirement

__all__ = ["check_project_name", "parse_requirement"]


def check_project_name(name: str) -> str:
    """Return ``name`` if it is a valid project name, else raise UsageError."""
    if not PROJECT_NAME.fullmatch(name):
        shown = name if name.isprintable() and len(name) < 100 else repr(name[:100])
        raise UsageError(
            f"not a valid project name: {shown}",
            hint="names are letters, digits, '.', '_' and '-' (e.g. zope.interface)",
        )
    return name


def parse_requirement(text: str, *, shown: str | None = None) -> Requirement:
    """Parse a PEP 508 requirement (``pkg==1.2``, ``pkg>=1,<2; python_version>'3.9'``).

    A malformed one is a :class:`UsageError` with a one-line message: what
    packaging expected and at which character, without its caret drawing.
    ``shown`` is the text to quote in that message instead of ``text`` (e.g.
    the line as written, before ``${VAR}`` expansion).
    """
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        quoted = text if shown is None else shown
        if len(quoted) > 200:
            quoted = quoted[:200] + "…"
        raise UsageError(
            f"malformed requirement {quoted!r}: {_explain(str(exc), shown is None)}",
            hint="write NAME, NAME==1.2 or NAME>=1,<2",
        ) from None


def _explain(detail: str, with_position: bool) -> str:
    """packaging's message on one line: ``Expected … (at character N)``.

    packaging writes what it expected, then the requirement indented by four
    spaces, then a line of ``~`` and a ``^`` under the culprit.
    """
    lines = detail.splitlines()
    first = " ".join(lines[0].split()) if lines else "not a PEP 508 requirement"
    if len(first) > 200:
        first = first[:200] + "…"
    if with_position and len(lines) >= 3 and lines[-1].rstrip().endswith("^"):
        column = len(lines[-1].rstrip()) - 4  # the requirement line is indented by 4
        if column >= 1:
            first += f" (at character {column})"
    return first
