"""Copies of the lock files in tests/data/locks/, pointed at a test index."""

from __future__ import annotations

from pathlib import Path

LOCKS = Path(__file__).resolve().parent.parent / "data" / "locks"
PLACEHOLDER = "http://127.0.0.1:9/"
FORMATS = ("requirements.txt", "pylock.toml", "uv.lock", "poetry.lock")


def copy_set(name: str, dest: Path, origin: str) -> Path:
    """Copy lock set ``name`` into ``dest`` with its index origin replaced by
    ``origin`` (the regenerating script wrote a placeholder there)."""
    dest.mkdir(parents=True, exist_ok=True)
    for source in (LOCKS / name).iterdir():
        text = source.read_text().replace(PLACEHOLDER, origin.rstrip("/") + "/")
        (dest / source.name).write_text(text)
    return dest
