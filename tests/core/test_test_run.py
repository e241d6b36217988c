"""The test run aggregator: run a suite, evaluate its expectations, hash the whole."""

from __future__ import annotations

import json

from pytest_tier2.core.expectations import MissionExpectation, SuiteExpectationsDefinition
from pytest_tier2.core.harness import MissionCall, ScenarioDefinition
from pytest_tier2.core.suite import ScenarioSuiteDefinition
from pytest_tier2.core.test_run import TestRunResult, run_test_run


def _make_suite_def() -> ScenarioSuiteDefinition:
    scenario = ScenarioDefinition(
        scenario_name="scenario_test",
        initial_state={"v": 1},
        missions=[MissionCall(name="daily_loop", params=None)],
    )
    return ScenarioSuiteDefinition(suite_name="suite_test", scenarios=[scenario])


def _make_expectations_def() -> SuiteExpectationsDefinition:
    """One expectation that passes: daily_loop succeeds."""
    exp = MissionExpectation(
        id="check_success",
        scenario_name="scenario_test",
        mission_name="daily_loop",
        path="success",
        op="eq",
        expected=True,
    )
    return SuiteExpectationsDefinition([exp])


def test_run_test_run_success():
    suite_def = _make_suite_def()
    exp_def = _make_expectations_def()

    result = run_test_run(suite_def, exp_def)

    assert isinstance(result, TestRunResult)
    assert result.passed is True
    assert result.expectations_result.passed is True
    assert result.suite_result.suite_name == "suite_test"
    verdict = result.expectations_result.expectation_results["check_success"]
    assert (verdict.passed, verdict.actual, verdict.expected) == (True, True, True)


def test_run_test_run_failure():
    suite_def = _make_suite_def()

    exp_fail = MissionExpectation(
        id="check_fail",
        scenario_name="scenario_test",
        mission_name="daily_loop",
        path="success",
        op="eq",
        expected=False,
    )
    exp_def = SuiteExpectationsDefinition([exp_fail])

    result = run_test_run(suite_def, exp_def)

    assert result.passed is False
    assert result.expectations_result.passed is False
    assert result.expectations_result.expectation_results["check_fail"].passed is False
    verdict = result.expectations_result.expectation_results["check_fail"]
    assert (verdict.actual, verdict.expected) == (True, False)
    assert verdict.details["reason"] == "eq_mismatch"


def test_test_run_result_to_dict():
    suite_def = _make_suite_def()
    exp_def = _make_expectations_def()

    result = run_test_run(suite_def, exp_def)

    as_dict = result.to_dict()

    assert isinstance(as_dict, dict)
    assert "suite_result" in as_dict
    assert "expectations_result" in as_dict
    assert "passed" in as_dict
    assert "metadata" in as_dict

    json_payload = json.dumps(as_dict, sort_keys=True)
    assert isinstance(json_payload, str)

    # Lossless, made of the parts' own to_dict(), with the verdict and the hash.
    assert json.loads(json_payload) == as_dict
    assert as_dict["passed"] is True
    assert as_dict["suite_result"] == result.suite_result.to_dict()
    assert as_dict["expectations_result"] == result.expectations_result.to_dict()
    assert as_dict["metadata"]["test_run_hash"] == result.metadata["test_run_hash"]


def test_test_run_determinism(stable_hash):
    """Identical definitions give identical result hashes."""
    suite_def = _make_suite_def()
    exp_def = _make_expectations_def()

    res1 = run_test_run(suite_def, exp_def)
    res2 = run_test_run(suite_def, exp_def)

    assert res1.passed == res2.passed

    h1 = stable_hash(res1.to_dict())
    h2 = stable_hash(res2.to_dict())
    assert h1 == h2

    assert res1.metadata["test_run_hash"] == res2.metadata["test_run_hash"]
    assert len(res1.metadata["test_run_hash"]) == 64

    # Deterministic, not constant: a different expectation gives a different hash.
    other = run_test_run(
        suite_def,
        SuiteExpectationsDefinition(
            [
                MissionExpectation(
                    "check_success", "scenario_test", "daily_loop", "success", "ne", True
                )
            ]
        ),
    )
    assert other.metadata["test_run_hash"] != res1.metadata["test_run_hash"]


def test_test_run_does_not_mutate_definitions():
    suite_def = _make_suite_def()
    exp_def = _make_expectations_def()

    _ = run_test_run(suite_def, exp_def)

    assert suite_def.suite_name == "suite_test"
    assert len(exp_def.expectations) == 1
    # Equal, field by field, to definitions that never ran.
    assert suite_def == _make_suite_def()
    assert exp_def == _make_expectations_def()
