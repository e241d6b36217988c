"""Expectation ops, type-strict in JSON terms.

JSON has six types: null, boolean, number, string, array and object. A bool is never a
number and a string is never a number. Numbers compare by value, so `1` equals `1.0`
(JSON has a single number type). Ordering ops compare two numbers or two strings (by
code point), never anything else.

The ops of format version 1 keep their verdicts and details exactly (their results are
hashed and pinned); `approx`, `type`, `length`, `one_of` and `subset` came with 1.1.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any, Literal, get_args

from .paths import Path, format_path
from .suggest import nearest

Verdict = tuple[bool, dict[str, Any]]

ExpectationOp = Literal[
    "eq",
    "ne",
    "gt",
    "lt",
    "ge",
    "le",
    "contains",
    "matches",
    "approx",
    "type",
    "length",
    "one_of",
    "subset",
    "exists",
    "absent",
]
ALL_OPS: tuple[str, ...] = get_args(ExpectationOp)
OPS_WITHOUT_EXPECTED = ("exists", "absent")
OPS_WITH_EXPECTED = tuple(op for op in ALL_OPS if op not in OPS_WITHOUT_EXPECTED)

JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
"""What `type` accepts, as JSON Schema names them: an integer is a number too."""

DEFAULT_REL = 1e-6
DEFAULT_ABS = 1e-12
"""`approx`'s default tolerances, pytest.approx's own."""


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


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_integral(value: Any) -> bool:
    """A whole number, as JSON Schema's `integer`: `2` and `2.0`, never `true`."""
    return _is_number(value) and (isinstance(value, int) or float(value).is_integer())


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


def approx_tolerance(
    expected: Any, rel: Any = None, abs_: Any = None, exact: Callable[[Any], Any] = float
) -> Any:
    """pytest.approx's tolerance: the larger of `rel * |expected|` and `abs`, except that
    `abs` given alone means only `abs` (pytest: "the relative tolerance is not considered").
    `exact=Fraction` computes it without rounding, for integers beyond a float's range."""
    absolute = exact(DEFAULT_ABS if abs_ is None else abs_)
    if rel is None and abs_ is not None:
        return absolute
    return max(exact(DEFAULT_REL if rel is None else rel) * abs(expected), absolute)


def _json_number(value: Any) -> int | float | None:
    """A difference or tolerance as a JSON number, or None when a float cannot hold it."""
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _approx(actual: Any, expected: Any, rel: Any = None, abs_: Any = None) -> Verdict:
    if not (_is_number(actual) and _is_number(expected)):
        return _type_mismatch("approx", actual, expected)
    if actual == expected:
        return True, {}
    try:
        difference = abs(expected - actual)
        tolerance = approx_tolerance(expected, rel, abs_)
        within = difference <= tolerance
    except OverflowError:  # an integer beyond a float's range: exact arithmetic instead
        difference = abs(Fraction(expected) - Fraction(actual))
        tolerance = approx_tolerance(Fraction(expected), rel, abs_, Fraction)
        within = difference <= tolerance
    if within:
        return True, {}
    details: dict[str, Any] = {"reason": "approx_mismatch"}
    shown_difference, shown_tolerance = _json_number(difference), _json_number(tolerance)
    if shown_difference is not None and shown_tolerance is not None:
        details["difference"] = shown_difference
        details["tolerance"] = shown_tolerance
        details["message"] = (
            f"differs by {shown_difference!r}, more than the tolerance {shown_tolerance!r}"
        )
    else:
        details["message"] = "differs by more than the tolerance"
    return False, details


def _detailed_type(value: Any) -> str:
    kind = json_type(value)
    return "integer" if kind == "number" and _is_integral(value) else kind


def _type(actual: Any, expected: Any) -> Verdict:
    kind = json_type(actual)
    if expected == kind or (expected == "integer" and _is_integral(actual)):
        return True, {}
    found = _detailed_type(actual)
    return False, {
        "reason": "type_mismatch",
        "actual_type": found,
        "message": f"the value is {_a(found)}, not {_a(expected)}",
    }


def _a(word: str) -> str:
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


_UNITS = {"string": "character", "array": "item", "object": "key"}


def _length(actual: Any, expected: Any) -> Verdict:
    kind = json_type(actual)
    if kind not in _UNITS:
        return False, {
            "reason": "type_mismatch",
            "message": f"'length' needs a string, array or object, not {_a(kind)}",
        }
    count = len(actual)
    if count == expected:
        return True, {}
    return False, {
        "reason": "length_mismatch",
        "actual_length": count,
        "message": f"has {count} {_UNITS[kind]}{'s' if count != 1 else ''}, not {expected}",
    }


def _one_of(actual: Any, expected: Any) -> Verdict:
    if any(json_equal(actual, option) for option in expected):
        return True, {}
    count = len(expected)
    return False, {
        "reason": "one_of_mismatch",
        "message": f"equals none of the {count} value{'s' if count != 1 else ''}",
    }


def _subset_walk(
    actual: Mapping[str, Any],
    expected: Mapping[str, Any],
    prefix: Path,
    missing: list[str],
    differing: list[str],
) -> None:
    for key in sorted(expected):  # sorted: the lists are hashed, YAML key order is not
        path = (*prefix, key)
        if key not in actual:
            missing.append(format_path(path))
        elif json_type(expected[key]) == "object" and json_type(actual[key]) == "object":
            _subset_walk(actual[key], expected[key], path, missing, differing)
        elif not json_equal(actual[key], expected[key]):
            differing.append(format_path(path))


def _subset(actual: Any, expected: Any) -> Verdict:
    kind = json_type(actual)
    if kind != "object":
        return False, {
            "reason": "type_mismatch",
            "message": f"'subset' needs an object, not {_a(kind)}",
        }
    missing: list[str] = []
    differing: list[str] = []
    _subset_walk(actual, expected, (), missing, differing)
    if not missing and not differing:
        return True, {}
    parts = [f"missing {', '.join(missing)}"] if missing else []
    parts += [f"differing {', '.join(differing)}"] if differing else []
    return False, {
        "reason": "subset_mismatch",
        "missing": missing,
        "differing": differing,
        "message": "; ".join(parts),
    }


COMPARISONS: dict[str, Callable[[Any, Any], Verdict]] = {
    "eq": _eq,
    "ne": _ne,
    "gt": _ordering("gt", lambda a, b: a > b),
    "lt": _ordering("lt", lambda a, b: a < b),
    "ge": _ordering("ge", lambda a, b: a >= b),
    "le": _ordering("le", lambda a, b: a <= b),
    "contains": _contains,
    "matches": _matches,
    "approx": _approx,
    "type": _type,
    "length": _length,
    "one_of": _one_of,
    "subset": _subset,
}


def compare(op: str, actual: Any, expected: Any, rel: Any = None, abs_: Any = None) -> Verdict:
    """The verdict of `op` on a value that was found; only `approx` reads the tolerances."""
    if op == "approx":
        return _approx(actual, expected, rel, abs_)
    return COMPARISONS[op](actual, expected)


# ------------------------------------------------------ what each op accepts as expected

_TYPE_ALIASES = {
    "int": "integer",
    "float": "number",
    "double": "number",
    "str": "string",
    "text": "string",
    "bool": "boolean",
    "list": "array",
    "sequence": "array",
    "tuple": "array",
    "dict": "object",
    "map": "object",
    "mapping": "object",
    "none": "null",
}
"""Python's and YAML's names for the JSON types, for `did you mean`."""


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _as_number(text: str) -> int | float | None:
    """The number a quoted string spells, as a hint: `"1.5"` was probably meant as 1.5."""
    for kind in (int, float):
        try:
            number = kind(text.strip())
        except ValueError:
            continue
        return number if math.isfinite(number) else None
    return None


def _number_problem(op: str, expected: Any, what: str) -> str | None:
    if isinstance(expected, bool):
        return f"'{op}' needs {what}, not a boolean (a boolean is never a number)"
    if _is_number(expected):
        return None
    problem = f"'{op}' needs {what}, not {_a(json_type(expected))}"
    hint = _as_number(expected) if isinstance(expected, str) else None
    if hint is None:
        return problem
    if isinstance(hint, float) and "." not in expected:  # `1e-5`: YAML 1.1 reads it as text
        return f"{problem}; did you mean the number {hint!r}? Write it with a dot: 1.0e-5, not 1e-5"
    return f"{problem}; did you mean the number {hint!r}? Write it without quotes"


def _type_problem(expected: Any) -> str | None:
    if not isinstance(expected, str):
        return f"'type' needs a type name ({', '.join(JSON_TYPES)}), not {_a(json_type(expected))}"
    if expected in JSON_TYPES:
        return None
    guess = _TYPE_ALIASES.get(expected.lower()) or nearest(expected, JSON_TYPES)
    hint = f"; did you mean '{guess}'?" if guess else ""
    return f"unknown type {expected!r} for 'type' (one of: {', '.join(JSON_TYPES)}){hint}"


def _length_problem(expected: Any) -> str | None:
    problem = _number_problem("length", expected, "a whole number of at least 0")
    if problem is None and (not _is_integral(expected) or expected < 0):
        problem = (
            f"'length' needs a whole number of at least 0, not {expected!r}; "
            f"did you mean {abs(round(expected))}?"
        )
    return problem


def _one_of_problem(expected: Any) -> str | None:
    if not isinstance(expected, list):
        return (
            f"'one_of' needs a list of values, not {_a(json_type(expected))}; "
            f"did you mean [{_shown(expected)}]?"
        )
    if not expected:
        return "'one_of' needs at least one value: with none, it could never pass"
    return None


def _subset_problem(expected: Any) -> str | None:
    if json_type(expected) != "object":
        return f"'subset' needs a mapping of the keys to check, not {_a(json_type(expected))}"
    return None


_EXPECTED_PROBLEMS: dict[str, Callable[[Any], str | None]] = {
    "matches": pattern_problem,
    "approx": lambda expected: _number_problem("approx", expected, "a number"),
    "type": _type_problem,
    "length": _length_problem,
    "one_of": _one_of_problem,
    "subset": _subset_problem,
}


def expected_problem(op: str, expected: Any) -> str | None:
    """Why `expected` cannot be what `op` compares with, or None when it can.

    Ops of version 1 other than `matches` take any value, as they always did.
    """
    check = _EXPECTED_PROBLEMS.get(op)
    return None if check is None else check(expected)


TOLERANCE_KEYS = ("rel", "abs")


def tolerance_problem(op: str, key: str, value: Any) -> str | None:
    """Why `value` cannot be the `rel` or `abs` (`key`) of an expectation with `op`, or None.

    Only `approx` takes tolerances; they are numbers of at least 0."""
    if op != "approx":
        return f"'{key}' is a tolerance of op 'approx' only, not of {op!r}"
    problem = _number_problem(key, value, "a number of at least 0")
    if problem is not None:
        return problem.replace(f"'{key}' needs", f"'{key}' must be", 1)
    if value < 0:
        return f"'{key}' must be a number of at least 0, not {value!r}; did you mean {-value!r}?"
    return None
