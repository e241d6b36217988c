"""Expectation ops, type-strict in JSON terms.

JSON has six types: null, boolean, number, string, array and object. A bool is never a
number and a string is never a number. Numbers compare by value, so `1` equals `1.0`
(JSON has a single number type). Ordering ops compare two numbers or two strings (by
code point), never anything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Verdict = tuple[bool, dict[str, Any]]

OPS_WITH_EXPECTED = ("eq", "ne", "gt", "lt", "ge", "le", "contains", "matches")
OPS_WITHOUT_EXPECTED = ("exists", "absent")
ALL_OPS = (*OPS_WITH_EXPECTED, *OPS_WITHOUT_EXPECTED)


def json_type(value: Any) -> str:
    """The JSON type name of a canonical value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def json_equal(left: Any, right: Any) -> bool:
    """Deep equality that never equates values of different JSON types."""
    kind = json_type(left)
    if kind != json_type(right):
        return False
    if kind == "array":
        return len(left) == len(right) and all(map(json_equal, left, right))
    if kind == "object":
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    return bool(left == right)


def _mismatch(op: str) -> Verdict:
    return False, {"reason": f"{op}_mismatch"}


def _type_mismatch(op: str, actual: Any, expected: Any) -> Verdict:
    return False, {
        "reason": "type_mismatch",
        "message": f"'{op}' cannot compare {json_type(actual)} with {json_type(expected)}",
    }


def _eq(actual: Any, expected: Any) -> Verdict:
    return (True, {}) if json_equal(actual, expected) else _mismatch("eq")


def _ne(actual: Any, expected: Any) -> Verdict:
    return (True, {}) if not json_equal(actual, expected) else _mismatch("ne")


def _ordering(op: str, test: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Verdict]:
    def compare(actual: Any, expected: Any) -> Verdict:
        kind = json_type(actual)
        if kind not in ("number", "string") or kind != json_type(expected):
            return _type_mismatch(op, actual, expected)
        return (True, {}) if test(actual, expected) else _mismatch(op)

    return compare


def _contains(actual: Any, expected: Any) -> Verdict:
    kind = json_type(actual)
    if kind == "string" and isinstance(expected, str):
        found = expected in actual
    elif kind == "array":
        found = any(json_equal(item, expected) for item in actual)
    elif kind == "object" and isinstance(expected, str):
        found = expected in actual
    else:
        return _type_mismatch("contains", actual, expected)
    return (True, {}) if found else _mismatch("contains")


def pattern_problem(expected: Any) -> str | None:
    """Why `expected` cannot be a `matches` pattern, or None when it can."""
    if not isinstance(expected, str):
        return f"'matches' needs a regular expression string, not {json_type(expected)}"
    try:
        re.compile(expected)
    except re.error as error:
        return f"invalid regular expression {expected!r}: {error}"
    return None


def _matches(actual: Any, expected: Any) -> Verdict:
    if not isinstance(actual, str):
        return _type_mismatch("matches", actual, expected)
    return (True, {}) if re.search(expected, actual) else _mismatch("matches")


COMPARISONS: dict[str, Callable[[Any, Any], Verdict]] = {
    "eq": _eq,
    "ne": _ne,
    "gt": _ordering("gt", lambda a, b: a > b),
    "lt": _ordering("lt", lambda a, b: a < b),
    "ge": _ordering("ge", lambda a, b: a >= b),
    "le": _ordering("le", lambda a, b: a <= b),
    "contains": _contains,
    "matches": _matches,
}
