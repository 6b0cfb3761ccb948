"""What a test finds on disk."""

from __future__ import annotations

from pathlib import Path


def files_under(path: Path) -> list[str]:
    """The files under ``path`` (any depth), relative to it, sorted."""
    return sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file())
