"""Frozen, slotted value classes that pickle by their field values.

A pickled frozen dataclass with slots is restored through `dataclasses`' own `__setstate__`,
which looks up the fields of every object again: most of the cost of loading a cached suite.
These are restored by setting their slots directly, without `__init__`: a value was
validated when it was first made, and a cached one is only ever read back by the same code.
"""

from __future__ import annotations

from typing import Any, TypeVar

T = TypeVar("T", bound="PickledByFields")
_set = object.__setattr__


def _restore(cls: type[T], values: tuple[Any, ...]) -> T:
    value = object.__new__(cls)
    names: tuple[str, ...] = cls.__slots__
    for name, item in zip(names, values, strict=True):
        _set(value, name, item)
    return value


class PickledByFields:
    """Base of a frozen dataclass with `slots=True` that pickles cheaply (see the module)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        cls = type(self)
        names: tuple[str, ...] = cls.__slots__
        return (_restore, (cls, tuple(getattr(self, name) for name in names)))
