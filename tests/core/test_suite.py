"""The scenario suite runner: several scenarios aggregated into one deterministic result."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from pytest_tier2.core.harness import MissionCall, ScenarioDefinition, ScenarioResult
from pytest_tier2.core.registry import UnknownMissionError
from pytest_tier2.core.suite import ScenarioSuiteDefinition, ScenarioSuiteResult, run_suite


def _serialise_suite_result(sr: ScenarioSuiteResult) -> dict[str, Any]:
    """A ScenarioSuiteResult as plain data, for comparison."""
    return {
        "suite_name": sr.suite_name,
        "scenario_results": {
            name: {
                "scenario_name": res.scenario_name,
                "mission_results": {
                    m_name: m_res.to_dict() for m_name, m_res in res.mission_results.items()
                },
                "metadata": res.metadata,
            }
            for name, res in sr.scenario_results.items()
        },
        "metadata": sr.metadata,
    }


def test_suite_runs_single_scenario():
    """A one-scenario suite gives a ScenarioSuiteResult keyed by scenario name."""
    scenario = ScenarioDefinition(
        scenario_name="single_daily_loop",
        initial_state={"counter": 0},
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    suite_def = ScenarioSuiteDefinition(
        suite_name="single_scenario_suite",
        scenarios=[scenario],
    )

    result = run_suite(suite_def)

    assert isinstance(result, ScenarioSuiteResult)
    assert result.suite_name == "single_scenario_suite"
    assert "single_daily_loop" in result.scenario_results
    assert isinstance(result.scenario_results["single_daily_loop"], ScenarioResult)

    scenario_result = result.scenario_results["single_daily_loop"]
    assert scenario_result.scenario_name == "single_daily_loop"
    loop = scenario_result.mission_results["daily_loop"]
    assert (loop.id, loop.success, loop.final_state) == ("wf-daily-loop", True, {"counter": 0})


def test_suite_runs_multiple_scenarios():
    """Every scenario of a suite runs and is kept."""
    scenario_a = ScenarioDefinition(
        scenario_name="scenario_a",
        initial_state={"counter": 0},
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    scenario_b = ScenarioDefinition(
        scenario_name="scenario_b",
        initial_state={"message": "ping"},
        missions=[
            MissionCall(name="daily_loop", params=None),
            MissionCall(name="echo", params={"payload_key": "message"}),
        ],
    )

    suite_def = ScenarioSuiteDefinition(
        suite_name="multi_scenario_suite",
        scenarios=[scenario_a, scenario_b],
    )

    result = run_suite(suite_def)

    assert isinstance(result, ScenarioSuiteResult)
    assert result.suite_name == "multi_scenario_suite"

    assert "scenario_a" in result.scenario_results
    assert "scenario_b" in result.scenario_results

    assert isinstance(result.scenario_results["scenario_a"], ScenarioResult)
    assert isinstance(result.scenario_results["scenario_b"], ScenarioResult)

    # Each scenario ran its own missions on its own initial state, in order.
    a, b = result.scenario_results["scenario_a"], result.scenario_results["scenario_b"]
    assert list(result.scenario_results) == ["scenario_a", "scenario_b"]
    assert list(a.mission_results) == ["daily_loop"]
    assert list(b.mission_results) == ["daily_loop", "echo"]
    assert a.mission_results["daily_loop"].final_state == {"counter": 0}
    assert b.mission_results["echo"].final_state == {"message": "ping"}
    assert all(mission.success for s in (a, b) for mission in s.mission_results.values())


def test_suite_runs_empty_scenarios():
    """A suite without scenarios has no results."""
    suite_def = ScenarioSuiteDefinition(
        suite_name="empty_suite",
        scenarios=[],
    )

    result = run_suite(suite_def)

    assert isinstance(result, ScenarioSuiteResult)
    assert result.suite_name == "empty_suite"
    assert result.scenario_results == {}


def test_suite_handles_duplicate_scenario_names():
    """Scenarios sharing a name: the last one wins, deterministically."""
    s1 = ScenarioDefinition(
        scenario_name="dupe",
        initial_state={"v": 1},
        missions=[MissionCall("daily_loop", None)],
    )
    s2 = ScenarioDefinition(
        scenario_name="dupe",
        initial_state={"v": 2},
        missions=[MissionCall("daily_loop", None)],
    )

    suite_def = ScenarioSuiteDefinition(suite_name="dupe_suite", scenarios=[s1, s2])

    result = run_suite(suite_def)

    assert len(result.scenario_results) == 1
    assert "dupe" in result.scenario_results
    # The last one: its initial state is {"v": 2}.
    assert result.scenario_results["dupe"].mission_results["daily_loop"].final_state == {"v": 2}

    s_echo1 = ScenarioDefinition(
        scenario_name="echo_dupe",
        initial_state={},
        missions=[MissionCall("echo", {"id": "1"})],
    )
    s_echo2 = ScenarioDefinition(
        scenario_name="echo_dupe",
        initial_state={},
        missions=[MissionCall("echo", {"id": "2"})],
    )

    suite_def_echo = ScenarioSuiteDefinition(
        suite_name="echo_dupe_suite", scenarios=[s_echo1, s_echo2]
    )

    res = run_suite(suite_def_echo)
    echo_res = res.scenario_results["echo_dupe"].mission_results["echo"].to_dict()
    assert echo_res["executed_steps"][0]["payload"]["params"]["id"] == "2"


def test_suite_is_deterministic_for_same_definition(stable_hash):
    """The same suite run twice gives identical results and metadata."""
    scenario = ScenarioDefinition(
        scenario_name="determinism_test",
        initial_state={"seed": 42, "mode": "baseline"},
        missions=[
            MissionCall(name="daily_loop", params={"mode": "default"}),
            MissionCall(name="echo", params={"key": "value"}),
        ],
    )

    suite_def = ScenarioSuiteDefinition(
        suite_name="determinism_suite",
        scenarios=[scenario],
    )

    result1 = run_suite(suite_def)
    result2 = run_suite(suite_def)

    assert result1.suite_name == result2.suite_name

    serialised1 = _serialise_suite_result(result1)
    serialised2 = _serialise_suite_result(result2)

    h1 = stable_hash(serialised1)
    h2 = stable_hash(serialised2)

    assert h1 == h2, "Suite results must be deterministic"
    assert len(h1) == 64

    assert result1.metadata == result2.metadata
    assert serialised1 == serialised2
    assert result1.to_dict() == result2.to_dict()


def test_suite_determinism_across_multiple_runs(stable_hash):
    """Five runs of one suite give one hash."""
    scenario = ScenarioDefinition(
        scenario_name="multi_run_test",
        initial_state={"counter": 0},
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    suite_def = ScenarioSuiteDefinition(
        suite_name="multi_run_suite",
        scenarios=[scenario],
    )

    hashes = []
    for _ in range(5):
        result = run_suite(suite_def)
        serialised = _serialise_suite_result(result)
        hashes.append(stable_hash(serialised))

    assert len(set(hashes)) == 1, "All runs must produce identical result hashes"


def test_suite_does_not_mutate_scenarios_or_initial_state():
    """Scenarios and their initial states are left as they were."""
    initial_state_a = {"foo": "bar", "count": 42}
    initial_state_b = {"message": "hello"}

    scenario_a = ScenarioDefinition(
        scenario_name="scenario_a",
        initial_state=initial_state_a,
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    scenario_b = ScenarioDefinition(
        scenario_name="scenario_b",
        initial_state=initial_state_b,
        missions=[MissionCall(name="echo", params=None)],
    )

    initial_state_a_copy = copy.deepcopy(initial_state_a)
    initial_state_b_copy = copy.deepcopy(initial_state_b)
    scenarios_list = [scenario_a, scenario_b]

    suite_def = ScenarioSuiteDefinition(
        suite_name="immutability_test",
        scenarios=scenarios_list,
    )

    result = run_suite(suite_def)

    assert dict(scenario_a.initial_state) == initial_state_a_copy
    assert dict(scenario_b.initial_state) == initial_state_b_copy

    assert len(scenarios_list) == 2
    assert scenarios_list == [scenario_a, scenario_b]
    assert suite_def.scenarios == (scenario_a, scenario_b)
    # Both ran, each on its own state.
    a, b = result.scenario_results["scenario_a"], result.scenario_results["scenario_b"]
    assert a.mission_results["daily_loop"].final_state == initial_state_a_copy
    assert b.mission_results["echo"].final_state == initial_state_b_copy


def test_suite_metadata_is_json_serialisable():
    """ScenarioSuiteResult.metadata is a JSON-serialisable dict."""
    scenario = ScenarioDefinition(
        scenario_name="metadata_test",
        initial_state={"counter": 0},
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    suite_def = ScenarioSuiteDefinition(
        suite_name="metadata_suite",
        scenarios=[scenario],
    )

    result = run_suite(suite_def)

    assert isinstance(result.metadata, dict)

    json_payload = json.dumps(result.metadata, sort_keys=True, separators=(",", ":"))
    assert isinstance(json_payload, str)
    assert json.loads(json_payload) == {
        "suite_hash": result.suite_hash,
        "suite_name": "metadata_suite",
    }


def test_suite_metadata_contains_suite_name():
    """Metadata carries the suite name."""
    scenario = ScenarioDefinition(
        scenario_name="name_test",
        initial_state={},
        missions=[MissionCall(name="echo", params=None)],
    )

    suite_def = ScenarioSuiteDefinition(
        suite_name="name_test_suite",
        scenarios=[scenario],
    )

    result = run_suite(suite_def)

    assert "suite_name" in result.metadata
    assert result.metadata["suite_name"] == "name_test_suite"


def test_suite_metadata_contains_stable_hash(stable_hash):
    """Metadata carries suite_hash, a 64-character SHA-256 hex digest."""
    scenario = ScenarioDefinition(
        scenario_name="hash_test",
        initial_state={"seed": 123},
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    suite_def = ScenarioSuiteDefinition(
        suite_name="hash_test_suite",
        scenarios=[scenario],
    )

    result = run_suite(suite_def)

    assert "suite_hash" in result.metadata
    suite_hash = result.metadata["suite_hash"]

    assert isinstance(suite_hash, str)
    assert len(suite_hash) == 64
    assert all(c in "0123456789abcdef" for c in suite_hash)
    # It is the digest of the suite's content: its to_dict() without the metadata.
    content = {k: v for k, v in result.to_dict().items() if k != "metadata"}
    assert suite_hash == stable_hash(content)


def test_suite_hash_is_stable_across_runs():
    """suite_hash is the same for identical inputs."""
    scenario = ScenarioDefinition(
        scenario_name="hash_stability_test",
        initial_state={"seed": 42},
        missions=[
            MissionCall(name="daily_loop", params={"mode": "default"}),
            MissionCall(name="echo", params={"key": "value"}),
        ],
    )

    suite_def = ScenarioSuiteDefinition(
        suite_name="hash_stability_suite",
        scenarios=[scenario],
    )

    result1 = run_suite(suite_def)
    result2 = run_suite(suite_def)

    assert result1.metadata["suite_hash"] == result2.metadata["suite_hash"]
    # Stable, not constant: another suite name gives another hash.
    renamed = run_suite(ScenarioSuiteDefinition("hash_stability_suite_2", [scenario]))
    assert renamed.metadata["suite_hash"] != result1.metadata["suite_hash"]


def test_unknown_mission_in_scenario_propagates_error():
    """An unknown mission in a scenario raises UnknownMissionError out of run_suite."""
    scenario = ScenarioDefinition(
        scenario_name="error_scenario",
        initial_state={},
        missions=[MissionCall(name="not-a-real-mission", params=None)],
    )

    suite_def = ScenarioSuiteDefinition(
        suite_name="error_suite",
        scenarios=[scenario],
    )

    with pytest.raises(UnknownMissionError):
        run_suite(suite_def)


def test_error_in_later_scenario_propagates():
    """A failing later scenario raises; no partial result is returned."""
    valid_scenario = ScenarioDefinition(
        scenario_name="valid_scenario",
        initial_state={},
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    invalid_scenario = ScenarioDefinition(
        scenario_name="invalid_scenario",
        initial_state={},
        missions=[MissionCall(name="invalid-mission", params=None)],
    )

    suite_def = ScenarioSuiteDefinition(
        suite_name="partial_failure_suite",
        scenarios=[valid_scenario, invalid_scenario],
    )

    with pytest.raises(UnknownMissionError) as raised:
        run_suite(suite_def)
    # The later scenario raised, and the error says where.
    assert "'invalid-mission'" in str(raised.value)
    assert raised.value.tier2_context == ("invalid_scenario", "invalid-mission")


def test_suite_result_is_fully_serialisable(stable_hash):
    """The whole suite result serialises to JSON and hashes."""
    scenario_a = ScenarioDefinition(
        scenario_name="scenario_a",
        initial_state={"counter": 0},
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    scenario_b = ScenarioDefinition(
        scenario_name="scenario_b",
        initial_state={"message": "test"},
        missions=[MissionCall(name="echo", params={"key": "value"})],
    )

    suite_def = ScenarioSuiteDefinition(
        suite_name="serialisation_suite",
        scenarios=[scenario_a, scenario_b],
    )

    result = run_suite(suite_def)

    serialised = _serialise_suite_result(result)

    json_payload = json.dumps(serialised, sort_keys=True, separators=(",", ":"))
    assert isinstance(json_payload, str)

    h = stable_hash(serialised)
    assert isinstance(h, str)
    assert len(h) == 64

    # Lossless, and the same data as the result's own to_dict().
    assert json.loads(json_payload) == serialised == result.to_dict()
    assert sorted(serialised["scenario_results"]) == ["scenario_a", "scenario_b"]
