"""The ops of format 1.1 in the core: `approx` agrees with pytest.approx on every pair of
JSON numbers (DECISIONS 22), and an expectation is built valid or not at all."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pytest_tier2.core.comparisons import compare
from pytest_tier2.core.exceptions import ExpectationError
from pytest_tier2.core.expectations import MissionExpectation

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


@pytest.mark.parametrize(("actual", "expected"), [(True, 1), (1, True), (False, 0.0)])
def test_a_boolean_is_never_a_number(actual: object, expected: object) -> None:
    passed, details = compare("approx", actual, expected)
    assert not passed
    assert details["reason"] == "type_mismatch"


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
