"""``cglib cache dir`` and ``cglib cache clear``.

The cache directory is ``$CGLIB_CACHE_DIR``, else the platform's user cache
directory (:func:`cglib.cache.default_cache_dir`).  Clearing removes what
cglib writes there (the subdirectories in :data:`CACHE_SUBDIRS`) and nothing
else, so a ``CGLIB_CACHE_DIR`` pointed at a shared folder by mistake loses
nothing of its own.  Symbolic links are removed, never followed: a link in
the cache that points elsewhere leaves its target untouched.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

import typer

from cglib.cli.common import Session, with_session
from cglib.errors import LocalFileError

__all__ = ["CACHE_SUBDIRS", "Cleared", "clear_cache", "register"]

#: The folders cglib writes under the cache directory (``names/``: the
#: project listings of :mod:`cglib.cache`).  A new kind of cache adds its own.
CACHE_SUBDIRS = ("names",)


def register(app: typer.Typer) -> None:
    cache = typer.Typer(
        name="cache",
        help="Where cglib keeps its cache, and clearing it.",
        no_args_is_help=True,
        rich_markup_mode=None,
    )
    cache.command(
        "dir",
        short_help="Print the cache directory.",
        help="Print the cache directory ($CGLIB_CACHE_DIR, else the platform's user cache "
        "directory).",
    )(cache_dir)
    cache.command(
        "clear",
        short_help="Remove cglib's cache files.",
        help="Remove cglib's cache files (only those, only inside the cache directory; "
        "symbolic links are removed, never followed).",
    )(cache_clear)
    app.add_typer(cache, name="cache")


@dataclass
class Cleared:
    """What :func:`clear_cache` removed, and what it could not."""

    path: Path
    removed_files: int = 0
    freed_bytes: int = 0
    failed: list[tuple[Path, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "removed_files": self.removed_files,
            "freed_bytes": self.freed_bytes,
        }


def clear_cache(directory: Path, subdirs: tuple[str, ...] = CACHE_SUBDIRS) -> Cleared:
    """Remove the files under ``directory/SUBDIR`` for each of ``subdirs``.

    Links are unlinked, never followed (a linked subdirectory included);
    emptied subdirectories are removed; ``directory`` itself stays.  A
    missing directory clears nothing.  Files that cannot be removed are
    listed in :attr:`Cleared.failed`; the rest is still removed.

    Where the platform allows, every step is taken relative to an open
    directory that was opened without following links, so a folder swapped
    for a link while clearing is not entered either.
    """
    result = Cleared(directory)
    if not _AT_FUNCTIONS:
        for sub in subdirs:
            _remove(-1, sub, directory / sub, result)
        return result
    try:
        top = os.open(directory, os.O_RDONLY | _O_DIRECTORY)
    except FileNotFoundError:
        return result
    except OSError as exc:
        result.failed.append((directory, exc.strerror or str(exc)))
        return result
    try:
        for sub in subdirs:
            _remove(top, sub, directory / sub, result)
    finally:
        os.close(top)
    return result


_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_AT_FUNCTIONS = (
    os.unlink in os.supports_dir_fd
    and os.rmdir in os.supports_dir_fd
    and os.stat in os.supports_dir_fd
    and os.open in os.supports_dir_fd
    and os.scandir in os.supports_fd
    and bool(_O_NOFOLLOW and _O_DIRECTORY)
)


def _remove(parent: int, name: str, shown: Path, result: Cleared) -> None:
    """Remove ``name`` in the open directory ``parent`` (``shown`` for messages)."""
    at: dict[str, int] = {"dir_fd": parent} if _AT_FUNCTIONS else {}
    target: str = name if _AT_FUNCTIONS else str(shown)
    try:
        info = os.stat(target, follow_symlinks=False, **at)
    except FileNotFoundError:
        return
    except OSError as exc:
        result.failed.append((shown, exc.strerror or str(exc)))
        return
    if stat.S_ISDIR(info.st_mode):
        _remove_dir(target, at, info, shown, result)
        return
    try:
        os.unlink(target, **at)
    except FileNotFoundError:
        return  # another cglib removed or replaced it meanwhile
    except OSError as exc:
        result.failed.append((shown, exc.strerror or str(exc)))
        return
    result.removed_files += 1
    if stat.S_ISREG(info.st_mode):
        result.freed_bytes += info.st_size


def _remove_dir(
    target: str, at: dict[str, int], info: os.stat_result, shown: Path, result: Cleared
) -> None:
    failed = len(result.failed)
    if _AT_FUNCTIONS:
        try:
            fd = os.open(target, os.O_RDONLY | _O_DIRECTORY | _O_NOFOLLOW, **at)
        except OSError as exc:  # ELOOP: it became a link since the lstat
            result.failed.append((shown, exc.strerror or str(exc)))
            return
        try:
            opened = os.fstat(fd)
            if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
                result.failed.append((shown, "replaced while clearing"))
                return
            with os.scandir(fd) as entries:
                names = sorted(entry.name for entry in entries)
            for child in names:
                _remove(fd, child, shown / child, result)
        finally:
            os.close(fd)
    else:
        try:
            with os.scandir(target) as entries:
                names = sorted(entry.name for entry in entries)
        except OSError as exc:
            result.failed.append((shown, exc.strerror or str(exc)))
            return
        for child in names:
            _remove(-1, child, shown / child, result)
    if len(result.failed) > failed:
        return  # something inside stays, so does the folder
    try:
        os.rmdir(target, **at)
    except OSError as exc:
        result.failed.append((shown, exc.strerror or str(exc)))


def _cache_dir() -> Path:
    from cglib.cache import default_cache_dir

    return default_cache_dir()


@with_session
def cache_dir(session: Session) -> None:
    path = _cache_dir()
    if session.output.json_mode:
        session.output.json({"path": str(path), "exists": path.is_dir()})
    else:
        session.output.line(str(path))


@with_session
def cache_clear(session: Session) -> None:
    out = session.output
    directory = _cache_dir()
    result = clear_cache(directory)
    for path, reason in result.failed:
        out.warn(f"could not remove {path}: {reason}")
    if result.failed:
        first = result.failed[0][0]
        raise LocalFileError(
            f"could not remove {len(result.failed)} cache entr"
            f"{'y' if len(result.failed) == 1 else 'ies'} in {directory} (first: {first})",
            path=str(first),
            hint="check the permissions of the cache directory, or set CGLIB_CACHE_DIR",
        )
    if out.json_mode:
        out.json(result.to_json())
    elif result.removed_files:
        plural = "s" if result.removed_files != 1 else ""
        out.info(
            f"removed {result.removed_files} file{plural} from {directory}, "
            f"freed {_size(result.freed_bytes)}"
        )
    else:
        out.info(f"nothing to clear in {directory}")


def _size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} bytes"  # pragma: no cover
