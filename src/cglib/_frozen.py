"""A base for the small immutable value classes on cglib's fast paths.

``dataclasses`` imports ``inspect`` (and with it ``ast``, ``dis`` and
``tokenize``), which costs a warm ``cglib search`` about a quarter of its
time budget.  The classes it would run through (index, credentials, search
results, the cache entry) are few and small, so they derive from
:class:`Frozen` instead: each lists its fields in ``__slots__`` and sets them
in ``__init__`` with :func:`init`; equality, hashing, ``repr``, copying and
pickling then work as for a frozen dataclass, and assigning to a field
raises.
"""

from __future__ import annotations

from typing import Any

__all__ = ["Frozen", "init"]

_set = object.__setattr__


class Frozen:
    """Immutable, compared and hashed by its fields (its ``__slots__``, in order)."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of {type(self).__name__}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frozen) or other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        # A class holding a secret defines its own __repr__ (Credentials, Index).
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({shown})"

    def __reduce__(self) -> tuple[type[Frozen], tuple[Any, ...]]:
        # __init__ takes the fields in slot order, so copy and pickle rebuild through it.
        return type(self), self._values()


def init(obj: Frozen, **values: object) -> None:
    """Set the fields of a new ``obj`` (from its ``__init__``)."""
    for name, value in values.items():
        _set(obj, name, value)
