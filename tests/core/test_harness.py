"""The scenario harness: named missions run in order into one deterministic result."""

from __future__ import annotations

import copy
import json

import pytest

from pytest_tier2.core.engine import OrchestrationResult
from pytest_tier2.core.harness import MissionCall, ScenarioDefinition, ScenarioResult, run_scenario
from pytest_tier2.core.registry import UnknownMissionError


def test_single_mission_scenario():
    """A single daily_loop mission gives a ScenarioResult keyed by mission name."""
    defn = ScenarioDefinition(
        scenario_name="test-single-mission",
        initial_state={"counter": 0},
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    result = run_scenario(defn)

    assert isinstance(result, ScenarioResult)
    assert result.scenario_name == "test-single-mission"
    assert "daily_loop" in result.mission_results
    assert isinstance(result.mission_results["daily_loop"], OrchestrationResult)

    loop = result.mission_results["daily_loop"]
    assert list(result.mission_results) == ["daily_loop"]
    assert loop.id == "wf-daily-loop"
    assert loop.success is True
    assert loop.final_state == {"counter": 0}


def test_multi_mission_scenario():
    """Both missions of a two-mission scenario run and are kept."""
    defn = ScenarioDefinition(
        scenario_name="test-multi-mission",
        initial_state={"run_id": "multi-test"},
        missions=[
            MissionCall(name="daily_loop", params={"mode": "standard"}),
            MissionCall(name="echo", params={"message": "hello"}),
        ],
    )

    result = run_scenario(defn)

    assert isinstance(result, ScenarioResult)
    assert result.scenario_name == "test-multi-mission"

    assert "daily_loop" in result.mission_results
    assert "echo" in result.mission_results

    assert isinstance(result.mission_results["daily_loop"], OrchestrationResult)
    assert isinstance(result.mission_results["echo"], OrchestrationResult)

    # In call order, each run to success on the scenario's state, echo with its params.
    assert list(result.mission_results) == ["daily_loop", "echo"]
    loop, echo = result.mission_results["daily_loop"], result.mission_results["echo"]
    assert (loop.id, loop.success) == ("wf-daily-loop", True)
    assert (echo.id, echo.success) == ("wf-echo", True)
    assert loop.final_state == echo.final_state == {"run_id": "multi-test"}
    assert echo.to_dict()["executed_steps"][0]["payload"]["params"] == {"message": "hello"}


def test_empty_missions_scenario():
    """A scenario without missions has no results."""
    defn = ScenarioDefinition(
        scenario_name="test-empty",
        initial_state={},
        missions=[],
    )

    result = run_scenario(defn)

    assert isinstance(result, ScenarioResult)
    assert result.scenario_name == "test-empty"
    assert result.mission_results == {}


def test_scenario_determinism_for_same_inputs(stable_hash):
    """The same definition run twice gives identical results and metadata."""
    defn = ScenarioDefinition(
        scenario_name="test-determinism",
        initial_state={"seed": 42, "mode": "baseline"},
        missions=[
            MissionCall(name="daily_loop", params={"mode": "default"}),
            MissionCall(name="echo", params={"key": "value"}),
        ],
    )

    result1 = run_scenario(defn)
    result2 = run_scenario(defn)

    assert result1.scenario_name == result2.scenario_name

    serialised1 = {name: r.to_dict() for name, r in result1.mission_results.items()}
    serialised2 = {name: r.to_dict() for name, r in result2.mission_results.items()}

    h1 = stable_hash(serialised1)
    h2 = stable_hash(serialised2)

    assert h1 == h2, "Mission results must be deterministic"

    assert result1.metadata == result2.metadata
    assert serialised1 == serialised2
    assert all(r.success for r in result1.mission_results.values())


def test_scenario_determinism_across_multiple_runs(stable_hash):
    """Five runs of one scenario give one hash."""
    defn = ScenarioDefinition(
        scenario_name="test-multi-run-determinism",
        initial_state={"counter": 0},
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    hashes = []
    for _ in range(5):
        result = run_scenario(defn)
        serialised = {name: r.to_dict() for name, r in result.mission_results.items()}
        hashes.append(stable_hash(serialised))

    assert len(set(hashes)) == 1, "All runs must produce identical result hashes"


def test_scenario_does_not_mutate_initial_state():
    """The scenario's initial_state is left as it was."""
    initial_state = {"foo": "bar", "count": 42}
    initial_state_copy = dict(initial_state)

    defn = ScenarioDefinition(
        scenario_name="test-immutability",
        initial_state=initial_state,
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    result = run_scenario(defn)

    assert dict(defn.initial_state) == initial_state_copy
    assert result.mission_results["daily_loop"].final_state == initial_state_copy


def test_scenario_does_not_mutate_mission_params():
    """The params given to a MissionCall are left as they were."""
    params = {"key": "value", "nested": {"inner": 1}}
    params_copy = copy.deepcopy(params)

    defn = ScenarioDefinition(
        scenario_name="test-params-immutability",
        initial_state={},
        missions=[MissionCall(name="echo", params=params)],
    )

    result = run_scenario(defn)

    assert params == params_copy
    echo = result.mission_results["echo"].to_dict()
    assert echo["executed_steps"][0]["payload"]["params"] == params_copy


def test_scenario_result_metadata_is_json_serialisable():
    """ScenarioResult.metadata is a JSON-serialisable dict."""
    defn = ScenarioDefinition(
        scenario_name="test-metadata-json",
        initial_state={"counter": 0},
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    result = run_scenario(defn)

    assert isinstance(result.metadata, dict)

    json_payload = json.dumps(result.metadata, sort_keys=True)
    assert isinstance(json_payload, str)
    assert json.loads(json_payload) == {
        "scenario_hash": result.scenario_hash,
        "scenario_name": "test-metadata-json",
    }


def test_scenario_result_metadata_contains_scenario_name():
    """Metadata carries the scenario name."""
    defn = ScenarioDefinition(
        scenario_name="test-metadata-name",
        initial_state={},
        missions=[MissionCall(name="echo", params=None)],
    )

    result = run_scenario(defn)

    assert "scenario_name" in result.metadata
    assert result.metadata["scenario_name"] == "test-metadata-name"


def test_scenario_result_metadata_contains_stable_hash(stable_hash):
    """Metadata carries scenario_hash, a 64-character SHA-256 hex digest."""
    defn = ScenarioDefinition(
        scenario_name="test-metadata-hash",
        initial_state={"seed": 123},
        missions=[MissionCall(name="daily_loop", params=None)],
    )

    result = run_scenario(defn)

    assert "scenario_hash" in result.metadata
    scenario_hash = result.metadata["scenario_hash"]

    assert isinstance(scenario_hash, str)
    assert len(scenario_hash) == 64
    assert all(c in "0123456789abcdef" for c in scenario_hash)
    # It is the digest of the scenario's content: its to_dict() without the metadata.
    content = {k: v for k, v in result.to_dict().items() if k != "metadata"}
    assert scenario_hash == stable_hash(content)


def test_scenario_hash_is_stable_across_runs():
    """scenario_hash is the same for identical inputs."""
    defn = ScenarioDefinition(
        scenario_name="test-hash-stability",
        initial_state={"seed": 42},
        missions=[
            MissionCall(name="daily_loop", params={"mode": "default"}),
            MissionCall(name="echo", params={"key": "value"}),
        ],
    )

    result1 = run_scenario(defn)
    result2 = run_scenario(defn)

    assert result1.metadata["scenario_hash"] == result2.metadata["scenario_hash"]
    # Stable, not constant: another initial state gives another hash.
    other = run_scenario(
        ScenarioDefinition(
            scenario_name="test-hash-stability",
            initial_state={"seed": 43},
            missions=defn.missions,
        )
    )
    assert other.metadata["scenario_hash"] != result1.metadata["scenario_hash"]


def test_unknown_mission_propagates_error():
    """An unknown mission name raises UnknownMissionError out of run_scenario."""
    defn = ScenarioDefinition(
        scenario_name="test-unknown-mission",
        initial_state={},
        missions=[MissionCall(name="not-a-real-mission", params=None)],
    )

    with pytest.raises(UnknownMissionError):
        run_scenario(defn)


def test_error_after_successful_missions():
    """An unknown mission after a good one still raises; no partial result is returned."""
    defn = ScenarioDefinition(
        scenario_name="test-partial-failure",
        initial_state={},
        missions=[
            MissionCall(name="daily_loop", params=None),
            MissionCall(name="invalid-mission", params=None),
        ],
    )

    with pytest.raises(UnknownMissionError) as raised:
        run_scenario(defn)
    # The second call raised, and the error says where.
    assert "'invalid-mission'" in str(raised.value)
    assert raised.value.tier2_context == ("test-partial-failure", "invalid-mission")


def test_scenario_result_is_fully_serialisable(stable_hash):
    """ScenarioResult.to_dict() is JSON-serialisable and hashable."""
    defn = ScenarioDefinition(
        scenario_name="test-full-serialisation",
        initial_state={"counter": 0, "mode": "test"},
        missions=[
            MissionCall(name="daily_loop", params=None),
            MissionCall(name="echo", params={"key": "value"}),
        ],
    )

    result = run_scenario(defn)

    serialised = result.to_dict()

    assert isinstance(serialised, dict)
    assert serialised["scenario_name"] == result.scenario_name
    assert "mission_results" in serialised
    assert "metadata" in serialised

    json_payload = json.dumps(serialised, sort_keys=True, separators=(",", ":"))
    assert isinstance(json_payload, str)

    h = stable_hash(serialised)
    assert isinstance(h, str)
    assert len(h) == 64

    assert isinstance(serialised["mission_results"]["daily_loop"], dict)
    assert isinstance(serialised["mission_results"]["echo"], dict)

    # Lossless: the JSON reads back as the same data, made of each mission's own to_dict().
    assert json.loads(json_payload) == serialised
    assert serialised["mission_results"] == {
        name: mission.to_dict() for name, mission in result.mission_results.items()
    }
    assert serialised["metadata"] == dict(result.metadata)
