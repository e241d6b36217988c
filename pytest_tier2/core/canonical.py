"""Canonical JSON: the one serialised form that every hash is computed from.

Values are validated and deep-copied into frozen containers (`FrozenMap`, `FrozenList`)
once, when they enter the core. Frozen values are shared freely afterwards and are
thawed into fresh plain containers whenever they leave it, so no caller ever holds a
reference into a stored result.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from typing import Any, NoReturn

from .exceptions import CanonicalError

MAX_DEPTH = 100
"""Deepest nesting a canonical value may have; deeper values are refused, not recursed into."""


def _read_only(self: object, *args: object, **kwargs: object) -> NoReturn:
    raise TypeError(f"{type(self).__name__} is read-only")


class FrozenMap(dict[str, Any]):
    """A read-only dict: equal to and JSON-encodable like a dict, but never mutable."""

    __slots__ = ()
    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _read_only
    __ior__ = _read_only

    def __copy__(self) -> FrozenMap:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> FrozenMap:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenMap, (dict(self),))


class FrozenList(list[Any]):
    """A read-only list: equal to and JSON-encodable like a list, but never mutable."""

    __slots__ = ()
    __setitem__ = __delitem__ = append = extend = insert = pop = remove = _read_only
    clear = sort = reverse = _read_only
    __iadd__ = __imul__ = _read_only

    def __copy__(self) -> FrozenList:
        return self

    def __deepcopy__(self, memo: dict[int, object]) -> FrozenList:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenList, (list(self),))


EMPTY_MAP = FrozenMap()


def _describe(value: object) -> str:
    if isinstance(value, float):
        return f"{value!r} is not a JSON number"
    if isinstance(value, datetime.datetime):
        return "a timestamp is not a JSON value; quote it to make it a string"
    if isinstance(value, datetime.date):
        return "a date is not a JSON value; quote it to make it a string"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "binary data is not a JSON value"
    if isinstance(value, (set, frozenset)):
        return "a set is not a JSON value; use a list"
    name = type(value).__name__
    return f"{'an' if name[:1] in 'aeiouAEIOU' else 'a'} {name} is not a JSON value"


def join_where(where: str, key: str | int) -> str:
    """Extend a location such as `initial_state` with a key or index."""
    if isinstance(key, int):
        return f"{where}.{key}" if where else str(key)
    return f"{where}.{key}" if where else key


def freeze(value: object, where: str = "value", _depth: int = 0) -> Any:
    """Validate `value` as canonical JSON and return a frozen deep copy of it.

    Accepts None, bool, int, finite float, str, and dicts with str keys, lists and tuples
    of those. Raises CanonicalError naming `where` for anything else.
    """
    kind = type(value)
    if kind is int and isinstance(value, int) and value.bit_length() > 2000:
        try:
            str(value)  # Python refuses to write ints past sys.get_int_max_str_digits()
        except ValueError:
            raise CanonicalError(where, "an integer this long cannot be written as JSON") from None
    if kind is str or kind is bool or kind is int or value is None:
        return value
    if kind is FrozenMap or kind is FrozenList:
        return value
    if kind is float:
        if math.isfinite(value):  # type: ignore[arg-type]
            return value
        raise CanonicalError(where, _describe(value))
    if _depth >= MAX_DEPTH:
        raise CanonicalError(where, f"nested deeper than {MAX_DEPTH} levels")
    if kind is dict or isinstance(value, Mapping):
        items = []
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                raise CanonicalError(
                    where, f"mapping key {key!r} is a {type(key).__name__}; keys must be strings"
                )
            items.append((key, freeze(item, join_where(where, key), _depth + 1)))
        items.sort()
        return FrozenMap(items)
    if kind is list or kind is tuple:
        sequence: list[Any] | tuple[Any, ...] = value  # type: ignore[assignment]
        return FrozenList(
            [freeze(item, join_where(where, i), _depth + 1) for i, item in enumerate(sequence)]
        )
    raise CanonicalError(where, _describe(value))


def freeze_mapping(value: Mapping[str, Any] | None, where: str) -> FrozenMap:
    """Freeze an optional mapping argument, refusing anything that is not a mapping."""
    if value is None:
        return EMPTY_MAP
    if not isinstance(value, Mapping):
        raise CanonicalError(where, f"must be a mapping, not {type(value).__name__}")
    if not value:  # a passing verdict's details, say: one shared empty map
        return EMPTY_MAP
    frozen: FrozenMap = freeze(value, where)
    return frozen


def thaw(value: Any) -> Any:
    """Return a plain, mutable deep copy of a frozen value."""
    kind = type(value)
    if kind is FrozenMap or kind is dict:
        return {key: thaw(item) for key, item in value.items()}
    if kind is FrozenList or kind is list:
        return [thaw(item) for item in value]
    return value


_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
)


def dumps(value: Any) -> str:
    """The canonical JSON text of a frozen (already validated) value.

    `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)`, with one
    encoder made once: `json.dumps` makes a new one per call when given options.
    """
    return _ENCODER.encode(value)


def sha256(text: str) -> str:
    """SHA-256 hex digest of canonical JSON text."""
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def compose_object(members: Iterable[tuple[str, str]]) -> str:
    """Canonical JSON of an object whose member values are already canonical JSON text.

    This lets each level of a result reuse the text of the level below instead of
    re-serialising the whole tree, so hashing stays linear in the size of the results.
    """
    parts = [f"{dumps(key)}:{text}" for key, text in sorted(members)]
    return "{" + ",".join(parts) + "}"
