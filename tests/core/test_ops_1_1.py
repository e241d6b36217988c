"""The ops of format 1.1 in the core: `approx` agrees with pytest.approx on every pair of
JSON numbers (DECISIONS 22), and an expectation is built valid or not at all."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tier2.core.comparisons import compare, expected_problem, tolerance_problem
from pytest_tier2.core.exceptions import ExpectationError
from pytest_tier2.core.expectations import MissionExpectation, evaluate_one
from pytest_tier2.core.harness import ScenarioResult
from pytest_tier2.core.suite import ScenarioSuiteResult

NUMBERS = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(min_value=-1e3, max_value=1e3, allow_nan=False),
)
TOLERANCES = st.none() | st.floats(min_value=0, max_value=1e3) | st.integers(0, 10)


@given(NUMBERS, NUMBERS, TOLERANCES, TOLERANCES)
def test_approx_passes_exactly_when_pytest_approx_does(
    actual: float, expected: float, rel: float | None, abs_: float | None
) -> None:
    passed, details = compare("approx", actual, expected, rel, abs_)
    assert passed == (actual == pytest.approx(expected, rel=rel, abs=abs_))
    assert (details == {}) == passed


@given(NUMBERS)
def test_approx_near_itself(value: float) -> None:
    nudged = value * (1 + 1e-7)
    assert compare("approx", nudged, value)[0] == (nudged == pytest.approx(value))


def test_integers_beyond_a_float_compare_exactly() -> None:
    """pytest.approx overflows here; the tolerance formula still answers."""
    huge = 10**400
    assert compare("approx", huge + 1, huge)[0]
    passed, details = compare("approx", huge * 2, huge)
    assert not passed
    assert details == {"reason": "approx_mismatch", "message": "differs by more than the tolerance"}


@pytest.mark.parametrize(
    ("op", "expected", "tolerances", "message"),
    [
        ("type", "integr", {}, "did you mean 'integer'?"),
        ("length", -2, {}, "not -2; did you mean 2?"),
        ("one_of", 1, {}, "did you mean [1]?"),
        ("subset", "a", {}, "'subset' needs a mapping"),
        ("approx", None, {}, "'approx' needs a number, not a null"),
        ("eq", 1, {"rel_tol": 0.1}, "'rel' is a tolerance of op 'approx' only, not of 'eq'"),
        ("approx", 1, {"abs_tol": -1}, "'abs' must be a number of at least 0, not -1"),
        ("approx", 1, {"rel_tol": True}, "'rel' must be a number of at least 0, not a boolean"),
    ],
)
def test_an_expectation_the_op_cannot_check_is_refused_when_built(
    op: str, expected: object, tolerances: dict[str, object], message: str
) -> None:
    with pytest.raises(ExpectationError, match=re.escape(message)):
        MissionExpectation("e", "s", "m", "success", op, expected, **tolerances)  # type: ignore[arg-type]


# ------------------------------------------------------------ each op, as a specification
#
# Each row is (actual, expected, ...) and the exact verdict: `{}` when it passes, else the
# details, which go into the result's canonical JSON (so they are hashed) and are shown.


def _approx_mismatch(difference: float, tolerance: float) -> dict[str, object]:
    return {
        "reason": "approx_mismatch",
        "difference": difference,
        "tolerance": tolerance,
        "message": f"differs by {difference!r}, more than the tolerance {tolerance!r}",
    }


APPROX = [
    pytest.param(1.0, 1.0, None, None, {}, id="equal"),
    pytest.param(1000001, 1000000, None, None, {}, id="default-rel-exactly-at-tolerance"),
    pytest.param(
        1000002, 1000000, None, None, _approx_mismatch(2, 1.0), id="default-rel-just-past"
    ),
    pytest.param(
        100.5, 100, None, None, _approx_mismatch(0.5, 9.999999999999999e-05), id="default-rel"
    ),
    pytest.param(1e-13, 0.0, None, None, {}, id="default-abs-near-zero"),
    pytest.param(1e-11, 0, None, None, _approx_mismatch(1e-11, 1e-12), id="default-abs-past"),
    pytest.param(11, 10, 0.1, None, {}, id="rel-exactly-at-tolerance"),
    pytest.param(1.5, 1.0, 0.5, None, {}, id="rel-float-exactly-at-tolerance"),
    pytest.param(1.5, 1.0, None, 0.5, {}, id="abs-exactly-at-tolerance"),
    pytest.param(
        1.5000001, 1.0, None, 0.5, _approx_mismatch(0.5000001000000001, 0.5), id="abs-past"
    ),
    # As pytest.approx: `abs` given alone is the only tolerance; rel 1e-6 would allow 1.0.
    pytest.param(1000001, 1000000, None, 0.5, _approx_mismatch(1, 0.5), id="abs-alone-no-rel"),
    pytest.param(3, 1, 0.5, 2, {}, id="both-the-larger-abs-wins"),
    pytest.param(3, 1, 2, 0.5, {}, id="both-the-larger-rel-wins"),
    pytest.param(3, 1, 1, 1, _approx_mismatch(2, 1.0), id="both-too-small"),
    pytest.param(-1.0, 1.0, 2, None, {}, id="rel-of-the-expected-magnitude"),
    pytest.param(
        1.0000001, 1.0, 0, 0, _approx_mismatch(1.0000000005838672e-07, 0.0), id="zero-is-exact"
    ),
    pytest.param(
        -1.7e308,
        1.7e308,
        None,
        None,
        # The difference overflows a float: no number to show, and none hashed.
        {"reason": "approx_mismatch", "message": "differs by more than the tolerance"},
        id="difference-beyond-a-float",
    ),
]


@pytest.mark.parametrize(("actual", "expected", "rel", "abs_", "details"), APPROX)
def test_approx(
    actual: float, expected: float, rel: float | None, abs_: float | None, details: object
) -> None:
    assert compare("approx", actual, expected, rel, abs_) == (details == {}, details)
    assert (actual == pytest.approx(expected, rel=rel, abs=abs_)) == (details == {})


HUGE = 10**400
"""Beyond a float's range: pytest.approx overflows, the core computes exactly."""


@pytest.mark.parametrize(
    ("actual", "expected", "rel", "abs_", "details"),
    [
        pytest.param(HUGE + 1, HUGE, None, None, {}, id="default-rel"),
        pytest.param(2 * HUGE, HUGE, 1, None, {}, id="rel-exactly-at-tolerance"),
        pytest.param(HUGE + HUGE // 2, HUGE, 0.5, None, {}, id="rel-half-exactly"),
        pytest.param(HUGE + 5, HUGE, 0, 5, {}, id="abs-exactly-at-tolerance"),
        pytest.param(HUGE + 6, HUGE, 0, 5, _approx_mismatch(6.0, 5.0), id="abs-past"),
        pytest.param(
            2 * HUGE,
            HUGE,
            None,
            None,
            {"reason": "approx_mismatch", "message": "differs by more than the tolerance"},
            id="default-rel-far",
        ),
    ],
)
def test_approx_of_integers_beyond_a_float(
    actual: int, expected: int, rel: float | None, abs_: float | None, details: object
) -> None:
    assert compare("approx", actual, expected, rel, abs_) == (details == {}, details)


@pytest.mark.parametrize(
    ("actual", "expected", "message"),
    [
        (True, 1, "'approx' cannot compare boolean with number"),
        (1, True, "'approx' cannot compare number with boolean"),
        (False, 0.0, "'approx' cannot compare boolean with number"),
        ("1", 1, "'approx' cannot compare string with number"),
        (None, 1.0, "'approx' cannot compare null with number"),
        ([1], 1, "'approx' cannot compare array with number"),
    ],
)
def test_approx_compares_numbers_only(actual: object, expected: object, message: str) -> None:
    assert compare("approx", actual, expected) == (
        False,
        {"reason": "type_mismatch", "message": message},
    )


def _is_not(actual_type: str, message: str) -> dict[str, object]:
    return {"reason": "type_mismatch", "actual_type": actual_type, "message": message}


@pytest.mark.parametrize(
    ("actual", "expected", "details"),
    [
        (2, "integer", {}),
        (2.0, "integer", {}),  # as JSON Schema: a whole number is an integer
        (HUGE, "integer", {}),
        (1e300, "integer", {}),
        (2.5, "integer", _is_not("number", "the value is a number, not an integer")),
        (2, "number", {}),  # an integer is a number too
        (2.5, "number", {}),
        (True, "integer", _is_not("boolean", "the value is a boolean, not an integer")),
        (True, "number", _is_not("boolean", "the value is a boolean, not a number")),
        (True, "boolean", {}),
        ("2", "integer", _is_not("string", "the value is a string, not an integer")),
        (None, "null", {}),
        (0, "null", _is_not("integer", "the value is an integer, not a null")),
        (2.0, "string", _is_not("integer", "the value is an integer, not a string")),
        ([], "array", {}),
        ({}, "object", {}),
        ([], "object", _is_not("array", "the value is an array, not an object")),
        ({}, "array", _is_not("object", "the value is an object, not an array")),
        (None, "object", _is_not("null", "the value is a null, not an object")),
    ],
)
def test_type(actual: object, expected: str, details: dict[str, object]) -> None:
    assert compare("type", actual, expected) == (details == {}, details)


@pytest.mark.parametrize(
    ("actual", "expected", "details"),
    [
        ("abc", 3, {}),
        ("", 0, {}),
        ("héé", 3, {}),  # characters are code points, not bytes
        ([1, [2, 3]], 2, {}),  # items of the array itself, not nested ones
        ({"a": 1}, 1, {}),
        ([1], 1.0, {}),  # a whole number written 1.0
        (
            "abc",
            2,
            {"reason": "length_mismatch", "actual_length": 3, "message": "has 3 characters, not 2"},
        ),
        ([1], 0, {"reason": "length_mismatch", "actual_length": 1, "message": "has 1 item, not 0"}),
        (
            [],
            2.0,
            {"reason": "length_mismatch", "actual_length": 0, "message": "has 0 items, not 2.0"},
        ),
        (
            {"a": 1, "b": 2},
            3,
            {"reason": "length_mismatch", "actual_length": 2, "message": "has 2 keys, not 3"},
        ),
        (
            "a",
            2,
            {"reason": "length_mismatch", "actual_length": 1, "message": "has 1 character, not 2"},
        ),
        (
            {"a": 1},
            0,
            {"reason": "length_mismatch", "actual_length": 1, "message": "has 1 key, not 0"},
        ),
        (
            5,
            1,
            {
                "reason": "type_mismatch",
                "message": "'length' needs a string, array or object, not a number",
            },
        ),
        (
            None,
            0,
            {
                "reason": "type_mismatch",
                "message": "'length' needs a string, array or object, not a null",
            },
        ),
        (
            True,
            1,
            {
                "reason": "type_mismatch",
                "message": "'length' needs a string, array or object, not a boolean",
            },
        ),
    ],
)
def test_length(actual: object, expected: int, details: dict[str, object]) -> None:
    assert compare("length", actual, expected) == (details == {}, details)


def _none_of(count: int) -> dict[str, object]:
    plural = "" if count == 1 else "s"
    return {"reason": "one_of_mismatch", "message": f"equals none of the {count} value{plural}"}


@pytest.mark.parametrize(
    ("actual", "expected", "details"),
    [
        (1, [1.0], {}),  # eq's rules: numbers compare by value
        (1.0, [2, 1], {}),
        (None, [0, None], {}),
        ([1, 2], [[1, 2.0]], {}),
        ({"a": 1}, [{"a": 1.0}], {}),
        (True, [1], _none_of(1)),  # eq's rules: a boolean is never a number
        (1, [True], _none_of(1)),
        (0, [False, None], _none_of(2)),
        ([1, 2], [[2, 1]], _none_of(1)),  # arrays are ordered
        ({"a": [1]}, [{"a": [True]}], _none_of(1)),
        ("x", ["a", "b", "c"], _none_of(3)),
    ],
)
def test_one_of(actual: object, expected: list[object], details: dict[str, object]) -> None:
    assert compare("one_of", actual, expected) == (details == {}, details)


def test_one_of_counts_its_values_in_english() -> None:
    assert _none_of(1)["message"] == "equals none of the 1 value"
    assert _none_of(2)["message"] == "equals none of the 2 values"


ACTUAL = {"a": 1, "b": {"c": 2, "d": [1, 2]}, "e.f": 3, "g\\h": 4, "n": None}


def _subset_mismatch(missing: list[str], differing: list[str], message: str) -> dict[str, object]:
    return {
        "reason": "subset_mismatch",
        "missing": missing,
        "differing": differing,
        "message": message,
    }


@pytest.mark.parametrize(
    ("expected", "details"),
    [
        ({}, {}),
        ({"a": 1.0}, {}),  # eq's rules
        ({"b": {"c": 2}}, {}),  # nested objects are subsets too
        ({"b": {}}, {}),
        ({"n": None}, {}),  # a null value is present, not missing
        ({"e.f": 3}, {}),
        ({"b": {"d": [1]}}, _subset_mismatch([], ["b.d"], "differing b.d")),  # arrays whole
        ({"b": {"x": 1}}, _subset_mismatch(["b.x"], [], "missing b.x")),
        ({"n": {}}, _subset_mismatch([], ["n"], "differing n")),
        ({"a": {"x": 1}}, _subset_mismatch([], ["a"], "differing a")),  # an object vs a number
        ({"b": 1}, _subset_mismatch([], ["b"], "differing b")),  # a number vs an object
        ({"b": {"c": {"x": 1}}}, _subset_mismatch([], ["b.c"], "differing b.c")),
        (
            # Each list is sorted whatever the order of the keys given.
            {"z": 1, "b": {"x": 1, "c": 3, "d": 0}, "a": True, "y": 2},
            _subset_mismatch(
                ["b.x", "y", "z"], ["a", "b.c", "b.d"], "missing b.x, y, z; differing a, b.c, b.d"
            ),
        ),
        (
            # Key paths escape dots and backslashes as `path` does.
            {"q.r": 1, "g\\h": 5, "e.f": 4},
            _subset_mismatch(
                ["q\\.r"], ["e\\.f", "g\\\\h"], "missing q\\.r; differing e\\.f, g\\\\h"
            ),
        ),
    ],
)
def test_subset(expected: dict[str, object], details: dict[str, object]) -> None:
    assert compare("subset", ACTUAL, expected) == (details == {}, details)


@pytest.mark.parametrize(
    ("actual", "kind"), [([], "an array"), (None, "a null"), ("x", "a string"), (1, "a number")]
)
def test_subset_needs_an_object(actual: object, kind: str) -> None:
    assert compare("subset", actual, {}) == (
        False,
        {"reason": "type_mismatch", "message": f"'subset' needs an object, not {kind}"},
    )


# ------------------------------------------ what each op accepts, and what it says if not

TYPES = "null, boolean, integer, number, string, array, object"
LENGTH = "'length' needs a whole number of at least 0"


@pytest.mark.parametrize(
    ("op", "expected", "problem"),
    [
        ("approx", 1, None),
        ("approx", 1.5, None),
        ("approx", True, "'approx' needs a number, not a boolean (a boolean is never a number)"),
        ("approx", None, "'approx' needs a number, not a null"),
        ("approx", [1], "'approx' needs a number, not an array"),
        ("approx", "abc", "'approx' needs a number, not a string"),
        ("approx", "inf", "'approx' needs a number, not a string"),  # no hint of a non-finite
        ("approx", "nan", "'approx' needs a number, not a string"),
        (
            "approx",
            "1.5",
            "'approx' needs a number, not a string; "
            "did you mean the number 1.5? Write it without quotes",
        ),
        (
            "approx",
            " 2 ",
            "'approx' needs a number, not a string; "
            "did you mean the number 2? Write it without quotes",
        ),
        (
            "approx",
            "1e-5",  # what YAML 1.1 makes of an unquoted 1e-5
            "'approx' needs a number, not a string; "
            "did you mean the number 1e-05? Write it with a dot: 1.0e-5, not 1e-5",
        ),
        ("type", "integer", None),
        ("type", "null", None),
        (
            "type",
            "integr",
            f"unknown type 'integr' for 'type' (one of: {TYPES}); did you mean 'integer'?",
        ),
        (
            "type",
            "Dict",
            f"unknown type 'Dict' for 'type' (one of: {TYPES}); did you mean 'object'?",
        ),
        (
            "type",
            "float",
            f"unknown type 'float' for 'type' (one of: {TYPES}); did you mean 'number'?",
        ),
        ("type", "xyz", f"unknown type 'xyz' for 'type' (one of: {TYPES})"),
        ("type", 3, f"'type' needs a type name ({TYPES}), not a number"),
        ("type", ["string"], f"'type' needs a type name ({TYPES}), not an array"),
        ("length", 0, None),
        ("length", 3, None),
        ("length", 2.0, None),
        ("length", 2.7, f"{LENGTH}, not 2.7; did you mean 3?"),
        ("length", -2, f"{LENGTH}, not -2; did you mean 2?"),
        ("length", -0.4, f"{LENGTH}, not -0.4; did you mean 0?"),
        ("length", True, f"{LENGTH}, not a boolean (a boolean is never a number)"),
        ("length", None, f"{LENGTH}, not a null"),
        (
            "length",
            "3",
            f"{LENGTH}, not a string; did you mean the number 3? Write it without quotes",
        ),
        ("one_of", [1], None),
        ("one_of", [], "'one_of' needs at least one value: with none, it could never pass"),
        ("one_of", 1, "'one_of' needs a list of values, not a number; did you mean [1]?"),
        ("one_of", None, "'one_of' needs a list of values, not a null; did you mean [null]?"),
        (
            "one_of",
            {"b": 1, "a": "é"},  # in the order the file wrote it; shown sorted, as written
            '\'one_of\' needs a list of values, not an object; did you mean [{"a": "é", "b": 1}]?',
        ),
        ("subset", {}, None),
        ("subset", {"a": 1}, None),
        ("subset", [1], "'subset' needs a mapping of the keys to check, not an array"),
        ("subset", None, "'subset' needs a mapping of the keys to check, not a null"),
        ("eq", "anything", None),  # version-1 ops other than `matches` take any value
        ("contains", None, None),
    ],
)
def test_expected_problem(op: str, expected: object, problem: str | None) -> None:
    assert expected_problem(op, expected) == problem


@pytest.mark.parametrize(
    ("op", "key", "value", "problem"),
    [
        ("approx", "rel", 0, None),
        ("approx", "abs", 0.0, None),
        ("approx", "rel", 0.5, None),
        ("approx", "abs", 1, None),
        ("approx", "abs", -1, "'abs' must be a number of at least 0, not -1; did you mean 1?"),
        (
            "approx",
            "rel",
            -0.5,
            "'rel' must be a number of at least 0, not -0.5; did you mean 0.5?",
        ),
        (
            "approx",
            "rel",
            True,
            "'rel' must be a number of at least 0, not a boolean (a boolean is never a number)",
        ),
        (
            "approx",
            "abs",
            "0.1",
            "'abs' must be a number of at least 0, not a string; "
            "did you mean the number 0.1? Write it without quotes",
        ),
        ("eq", "rel", 0.1, "'rel' is a tolerance of op 'approx' only, not of 'eq'"),
        ("length", "abs", 1, "'abs' is a tolerance of op 'approx' only, not of 'length'"),
    ],
)
def test_tolerance_problem(op: str, key: str, value: object, problem: str | None) -> None:
    assert tolerance_problem(op, key, value) == problem


# -------------------------------------------- an expectation with tolerances, evaluated


class _Result:
    """A mission result: only `to_dict()` is read."""

    def __init__(self, tree: dict[str, object]) -> None:
        self.tree = tree

    def to_dict(self) -> dict[str, object]:
        return self.tree


@pytest.mark.parametrize(
    ("actual", "expected", "tolerances", "details"),
    [
        pytest.param(100.5, 100, {"rel_tol": 0.01}, {}, id="rel-alone"),
        # Read as `rel`, 1 would allow only 1 * 0.5: `abs` reaches approx as `abs`.
        pytest.param(1.4, 0.5, {"abs_tol": 1}, {}, id="abs-alone"),
        pytest.param(100.5, 100, {"rel_tol": 0.001, "abs_tol": 1}, {}, id="both-abs-larger"),
        pytest.param(
            100.5, 100, {}, _approx_mismatch(0.5, 9.999999999999999e-05), id="the-defaults"
        ),
    ],
)
def test_an_expectation_passes_its_tolerances_to_approx(
    actual: float, expected: float, tolerances: dict[str, float], details: dict[str, object]
) -> None:
    suite = ScenarioSuiteResult(
        "suite", {"s": ScenarioResult("s", {"m": _Result({"value": actual})})}
    )
    expectation = MissionExpectation("e", "s", "m", "value", "approx", expected, **tolerances)
    assert evaluate_one(suite, expectation).to_dict() == {
        "actual": actual,
        "details": details,
        "expected": expected,
        "id": "e",
        "passed": details == {},
    }
