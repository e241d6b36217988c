"""The expectations engine: declarative checks evaluated against a suite result."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_tier2.core.comparisons import ALL_OPS
from pytest_tier2.core.exceptions import CanonicalError, ExpectationError
from pytest_tier2.core.expectations import (
    ExpectationResult,
    MissionExpectation,
    SuiteExpectationsDefinition,
    SuiteExpectationsResult,
    _resolve_path,
    evaluate_expectations,
)
from pytest_tier2.core.harness import ScenarioResult
from pytest_tier2.core.suite import ScenarioSuiteResult


class _MockOrchestrationResult:
    """Stands in for an OrchestrationResult: only `to_dict()` is needed."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data

    def to_dict(self) -> dict[str, Any]:
        return self._data


def _make_mock_suite_result(data: dict[str, dict[str, dict[str, Any]]]) -> ScenarioSuiteResult:
    """A ScenarioSuiteResult from `{scenario_name: {mission_name: result_dict}}`."""
    scenario_results = {}

    for s_name, missions in data.items():
        mission_results = {
            m_name: _MockOrchestrationResult(res_dict) for m_name, res_dict in missions.items()
        }
        scenario_results[s_name] = ScenarioResult(
            scenario_name=s_name, mission_results=mission_results, metadata={}
        )

    return ScenarioSuiteResult(
        suite_name="mock_suite", scenario_results=scenario_results, metadata={}
    )


def test_resolve_path_success():
    data = {"a": {"b": [10, 20]}}

    found, val = _resolve_path(data, "a.b.1")
    assert found is True
    assert val == 20

    found, val = _resolve_path(data, "a")
    assert found is True
    assert val == {"b": [10, 20]}

    found, val = _resolve_path(data, "")
    assert found is True
    assert val == data


def test_resolve_path_failure():
    data = {"a": 1}

    found, _ = _resolve_path(data, "b")
    assert found is False

    found, _ = _resolve_path(data, "a.b")
    assert found is False

    found, _ = _resolve_path(data, "a.0")
    assert found is False


def test_expectations_definition_immutability():
    """Expectations are stored as a tuple, copied from the list given."""
    exp_list = [MissionExpectation("e1", "s1", "m1", "p", "eq", 1)]
    defn = SuiteExpectationsDefinition(exp_list)

    assert isinstance(defn.expectations, tuple)

    with pytest.raises(TypeError):
        defn.expectations[0] = "something else"  # type: ignore[index]

    exp_list.append(MissionExpectation("e2", "s1", "m1", "p", "eq", 2))
    assert len(defn.expectations) == 1


def test_expectations_definition_enforces_unique_ids():
    """Duplicate expectation ids raise ValueError."""
    exps = [
        MissionExpectation("e1", "s", "m", "p", "eq", 1),
        MissionExpectation("e1", "s", "m", "p", "eq", 2),
    ]

    with pytest.raises(ValueError, match="Duplicate expectation IDs"):
        SuiteExpectationsDefinition(exps)


def test_op_eq():
    suite_res = _make_mock_suite_result({"s1": {"m1": {"status": "ok", "code": 200}}})

    exp_pass = MissionExpectation("e1", "s1", "m1", "code", "eq", 200)
    res = evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp_pass]))
    assert res.passed
    assert res.expectation_results["e1"].passed

    exp_fail = MissionExpectation("e2", "s1", "m1", "status", "eq", "error")
    res = evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp_fail]))
    assert not res.passed
    assert not res.expectation_results["e2"].passed
    assert res.expectation_results["e2"].details["reason"] == "eq_mismatch"


def test_op_ne():
    suite_res = _make_mock_suite_result({"s1": {"m1": {"val": 10}}})

    exp_pass = MissionExpectation("e1", "s1", "m1", "val", "ne", 99)
    res = evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp_pass]))
    assert res.passed

    exp_fail = MissionExpectation("e2", "s1", "m1", "val", "ne", 10)
    res = evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp_fail]))
    assert not res.passed
    assert res.expectation_results["e2"].details["reason"] == "ne_mismatch"


def test_op_gt_lt():
    suite_res = _make_mock_suite_result({"s1": {"m1": {"val": 10}}})

    exp_gt_pass = MissionExpectation("e1", "s1", "m1", "val", "gt", 5)
    assert evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp_gt_pass])).passed

    exp_gt_fail = MissionExpectation("e2", "s1", "m1", "val", "gt", 15)
    assert not evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp_gt_fail])).passed

    exp_lt_pass = MissionExpectation("e3", "s1", "m1", "val", "lt", 20)
    assert evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp_lt_pass])).passed

    exp_lt_fail = MissionExpectation("e4", "s1", "m1", "val", "lt", 5)
    assert not evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp_lt_fail])).passed

    # Strict: an equal value is neither greater nor less.
    exp_gt_equal = MissionExpectation("e5", "s1", "m1", "val", "gt", 10)
    res = evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp_gt_equal]))
    assert not res.passed
    assert res.expectation_results["e5"].details["reason"] == "gt_mismatch"

    exp_lt_equal = MissionExpectation("e6", "s1", "m1", "val", "lt", 10)
    res = evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp_lt_equal]))
    assert not res.passed
    assert res.expectation_results["e6"].details["reason"] == "lt_mismatch"


ORDERINGS = {
    # op: (passes when actual < expected, when equal, when actual > expected)
    "gt": (False, False, True),
    "lt": (True, False, False),
    "ge": (False, True, True),
    "le": (True, True, False),
}


@pytest.mark.parametrize(
    ("actual", "expected", "order"),
    [
        (4, 5, 0),
        (5, 5, 1),
        (6, 5, 2),
        (1, 1.0, 1),  # JSON has one number type: 1 equals 1.0
        (2.5, 2.5, 1),
        (2.4999, 2.5, 0),
        (-1, 0, 0),
        (0.0, -0.0, 1),
        (2**70, 2**70, 1),
        (2**70, 2**70 + 1, 0),
        ("b", "b", 1),
        ("a", "b", 0),
        ("ab", "a", 2),
        ("", "", 1),
    ],
)
@pytest.mark.parametrize("op", sorted(ORDERINGS))
def test_ordering_ops_below_at_and_above_the_expected_value(actual, expected, order, op):
    """Each ordering op, on both sides of the expected value and exactly at it."""
    suite_res = _make_mock_suite_result({"s1": {"m1": {"val": actual}}})
    exp = MissionExpectation("e", "s1", "m1", "val", op, expected)

    verdict = evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp]))

    passes = ORDERINGS[op][order]
    assert verdict.passed is passes
    assert verdict.expectation_results["e"].details == (
        {} if passes else {"reason": f"{op}_mismatch"}
    )


def test_op_exists():
    suite_res = _make_mock_suite_result({"s1": {"m1": {"foo": "bar"}}})

    exp_pass = MissionExpectation("e1", "s1", "m1", "foo", "exists")
    assert evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp_pass])).passed

    exp_fail = MissionExpectation("e2", "s1", "m1", "baz", "exists")
    res = evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp_fail]))
    assert not res.passed
    assert res.expectation_results["e2"].details["reason"] == "path_missing"


def test_missing_scenario_fails_expectation():
    suite_res = _make_mock_suite_result({})

    exp = MissionExpectation("e1", "s1", "m1", "a", "eq", 1)
    res = evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp]))

    assert not res.passed
    assert res.expectation_results["e1"].details["reason"] == "scenario_missing"


def test_missing_mission_fails_expectation():
    suite_res = _make_mock_suite_result({"s1": {}})

    exp = MissionExpectation("e1", "s1", "m1", "a", "eq", 1)
    res = evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp]))

    assert not res.passed
    assert res.expectation_results["e1"].details["reason"] == "mission_missing"


def test_missing_path_fails_expectation():
    suite_res = _make_mock_suite_result({"s1": {"m1": {"a": 1}}})

    exp = MissionExpectation("e1", "s1", "m1", "b", "eq", 1)
    res = evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp]))

    assert not res.passed
    assert res.expectation_results["e1"].details["reason"] == "path_missing"


def test_evaluate_expectations_is_deterministic():
    """The same suite result and definition give the same verdict and hash."""
    suite_res = _make_mock_suite_result({"s1": {"m1": {"val": 10}}})

    defn = SuiteExpectationsDefinition(
        [
            MissionExpectation("e1", "s1", "m1", "val", "eq", 10),
            MissionExpectation("e2", "s1", "m1", "val", "gt", 5),
        ]
    )

    res1 = evaluate_expectations(suite_res, defn)
    res2 = evaluate_expectations(suite_res, defn)

    assert res1.passed == res2.passed
    assert res1.metadata["expectations_hash"] == res2.metadata["expectations_hash"]

    assert len(res1.metadata["expectations_hash"]) == 64

    # The same verdicts, and real ones: both expectations hold.
    assert res1.passed is True
    assert res1.to_dict() == res2.to_dict()
    assert {eid: r.passed for eid, r in res1.expectation_results.items()} == {
        "e1": True,
        "e2": True,
    }
    # Deterministic, not constant: another verdict gives another hash.
    failing = evaluate_expectations(
        suite_res,
        SuiteExpectationsDefinition([MissionExpectation("e1", "s1", "m1", "val", "eq", 11)]),
    )
    assert failing.metadata["expectations_hash"] != res1.metadata["expectations_hash"]


# --- what a verdict records ------------------------------------------------------------
# A verdict's `passed`, `actual` and `details` are hashed into the test run: each is pinned
# exactly here, not only its truthiness.

RESULT = {"v": 10, "flag": True, "nothing": None, "text": "10", "items": [1], "map": {"k": 1}}


@pytest.mark.parametrize(
    ("scenario", "mission", "path", "op", "expected", "passed", "actual", "details"),
    [
        ("nowhere", "m1", "v", "eq", 1, False, None,
         {"reason": "scenario_missing", "scenario": "nowhere"}),
        ("s1", "nobody", "v", "eq", 1, False, None,
         {"reason": "mission_missing", "mission": "nobody"}),
        ("s1", "m1", "v", "absent", None, False, 10, {"reason": "present", "path": "v"}),
        ("s1", "m1", "w", "absent", None, True, None, {}),
        ("s1", "m1", "map", "exists", None, True, {"k": 1}, {}),
        ("s1", "m1", "vv", "exists", None, False, None,
         {"reason": "path_missing", "path": "vv", "nearest": ["v", "flag", "items"]}),
        ("s1", "m1", "v", "eq", 11, False, 10, {"reason": "eq_mismatch"}),
        ("s1", "m1", "v", "ne", 10, False, 10, {"reason": "ne_mismatch"}),
        ("s1", "m1", "v", "contains", 1, False, 10,
         {"reason": "type_mismatch", "message": "'contains' cannot compare number with number"}),
        ("s1", "m1", "v", "contains", "1", False, 10,
         {"reason": "type_mismatch", "message": "'contains' cannot compare number with string"}),
        ("s1", "m1", "map", "contains", 1, False, {"k": 1},
         {"reason": "type_mismatch", "message": "'contains' cannot compare object with number"}),
        ("s1", "m1", "nothing", "contains", "x", False, None,
         {"reason": "type_mismatch", "message": "'contains' cannot compare null with string"}),
        ("s1", "m1", "items", "contains", 2, False, [1], {"reason": "contains_mismatch"}),
        ("s1", "m1", "v", "matches", "1", False, 10,
         {"reason": "type_mismatch", "message": "'matches' cannot compare number with string"}),
        ("s1", "m1", "flag", "matches", "T", False, True,
         {"reason": "type_mismatch", "message": "'matches' cannot compare boolean with string"}),
        ("s1", "m1", "text", "matches", "^2", False, "10", {"reason": "matches_mismatch"}),
        ("s1", "m1", "flag", "gt", 0, False, True,
         {"reason": "type_mismatch", "message": "'gt' cannot compare boolean with number"}),
        ("s1", "m1", "nothing", "lt", 0, False, None,
         {"reason": "type_mismatch", "message": "'lt' cannot compare null with number"}),
        ("s1", "m1", "text", "ge", 5, False, "10",
         {"reason": "type_mismatch", "message": "'ge' cannot compare string with number"}),
        ("s1", "m1", "v", "le", "20", False, 10,
         {"reason": "type_mismatch", "message": "'le' cannot compare number with string"}),
        ("s1", "m1", "items", "le", [2], False, [1],
         {"reason": "type_mismatch", "message": "'le' cannot compare array with array"}),
        ("s1", "m1", "map", "gt", {}, False, {"k": 1},
         {"reason": "type_mismatch", "message": "'gt' cannot compare object with object"}),
    ],
)  # fmt: skip
def test_a_verdict_records_exactly_its_outcome_the_value_found_and_why(
    scenario, mission, path, op, expected, passed, actual, details
):
    suite_res = _make_mock_suite_result({"s1": {"m1": RESULT}})
    exp = MissionExpectation("e", scenario, mission, path, op, expected)

    verdict = evaluate_expectations(suite_res, SuiteExpectationsDefinition([exp]))

    assert verdict.passed is passed
    assert verdict.expectation_results["e"].to_dict() == {
        "actual": actual,
        "details": details,
        "expected": expected,
        "id": "e",
        "passed": passed,
    }


def test_an_unknown_op_is_refused_listing_every_op():
    with pytest.raises(ExpectationError) as raised:
        MissionExpectation("e", "s", "m", "success", "roughly", 1)  # type: ignore[arg-type]
    assert str(raised.value) == (
        f"expectation 'e': unknown op 'roughly' (allowed: {', '.join(ALL_OPS)})"
    )
    assert ALL_OPS[:8] == ("eq", "ne", "gt", "lt", "ge", "le", "contains", "matches")
    assert ALL_OPS[-2:] == ("exists", "absent")


@pytest.mark.parametrize(("pattern", "kind"), [(1, "number"), (None, "null"), (["a"], "array")])
def test_matches_refuses_a_pattern_that_is_not_a_string_naming_its_type(pattern, kind):
    with pytest.raises(ExpectationError) as raised:
        MissionExpectation("e", "s", "m", "success", "matches", pattern)
    assert str(raised.value) == (
        f"expectation 'e': 'matches' needs a regular expression string, not {kind}"
    )


def test_duplicate_ids_are_refused_naming_each_duplicate_once():
    exps = [
        MissionExpectation(eid, "s", "m", "p", "eq", 1)
        for eid in ("e2", "e1", "unique", "e1", "e2", "e2")
    ]
    with pytest.raises(ExpectationError) as raised:
        SuiteExpectationsDefinition(exps)
    assert str(raised.value) == "Duplicate expectation IDs are not allowed: ['e1', 'e2']"


def test_non_json_values_are_refused_naming_where_they_are():
    with pytest.raises(CanonicalError) as raised:
        MissionExpectation("e", "s", "m", "p", "eq", [1, float("nan")])
    assert raised.value.where == "expected.1"
    for build, where in [
        (lambda: ExpectationResult("e", True, float("nan"), 1, {}), "actual"),
        (lambda: ExpectationResult("e", True, 1, {"x": float("inf")}, {}), "expected.x"),
        (lambda: ExpectationResult("e", True, 1, 1, {"why": float("nan")}), "details.why"),
        (lambda: SuiteExpectationsResult(True, {}, {"m": float("nan")}), "metadata.m"),
    ]:
        with pytest.raises(CanonicalError) as raised:
            build()
        assert raised.value.where == where


def test_results_keep_frozen_copies_of_what_they_are_given():
    actual, expected, details = [1, {"a": 2}], {"k": [3]}, {"reason": "x", "more": [4]}
    verdict = ExpectationResult("e", False, actual, expected, details)
    before = verdict.to_dict()
    actual[1]["a"] = 99
    expected["k"].append(5)
    details["more"].clear()
    assert verdict.to_dict() == before
    with pytest.raises(TypeError):
        verdict.actual[0] = 2  # type: ignore[index]

    given = {"e": verdict}
    suite_verdict = SuiteExpectationsResult(False, given)
    given["f"] = verdict
    assert list(suite_verdict.expectation_results) == ["e"]
    with pytest.raises(TypeError):
        suite_verdict.expectation_results["g"] = verdict  # type: ignore[index]


def test_given_metadata_is_kept_and_left_out_it_is_derived():
    verdict = ExpectationResult("e", True, 1, 1, {})
    derived = SuiteExpectationsResult(True, {"e": verdict})
    given = SuiteExpectationsResult(True, {"e": verdict}, {"expectations_hash": "mine"})

    assert given.metadata == {"expectations_hash": "mine"}
    assert derived.metadata == {"expectations_hash": derived.expectations_hash}
    assert derived.expectations_hash != "mine"
