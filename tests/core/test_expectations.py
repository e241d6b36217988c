"""The expectations engine: declarative checks evaluated against a suite result."""

from __future__ import annotations

from typing import Any

import pytest

from pytest_tier2.core.expectations import (
    MissionExpectation,
    SuiteExpectationsDefinition,
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
