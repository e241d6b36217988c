"""Property tests: hashes depend on content only, and results never change after the fact."""

from __future__ import annotations

import copy
import os
import random
import subprocess
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_tier2.core import (
    ExecutionContext,
    MissionCall,
    MissionExpectation,
    ScenarioDefinition,
    ScenarioSuiteDefinition,
    SuiteExpectationsDefinition,
    run_mission,
    run_test_run,
)

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)
json_objects = st.dictionaries(st.text(max_size=6), json_values, max_size=5)


def _reordered(value: Any, rng: random.Random) -> Any:
    """The same JSON value, with every mapping rebuilt in a shuffled insertion order."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: _reordered(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [_reordered(item, rng) for item in value]
    return value


def _run(initial_state: dict[str, Any], params: dict[str, Any]):
    suite = ScenarioSuiteDefinition(
        "props",
        [
            ScenarioDefinition(
                "s",
                initial_state,
                [MissionCall("echo", params), MissionCall("daily_loop", alias="loop")],
            )
        ],
    )
    expectations = SuiteExpectationsDefinition(
        [
            MissionExpectation("state", "s", "echo", "final_state", "eq", initial_state),
            MissionExpectation("params", "s", "echo", "executed_steps.0.payload.params", "exists"),
        ]
    )
    return run_test_run(suite, expectations)


def _hashes(run) -> tuple[str, ...]:
    scenario = run.suite_result.scenario_results["s"]
    return (
        scenario.mission_results["echo"].result_hash,
        scenario.scenario_hash,
        run.suite_result.suite_hash,
        run.expectations_result.expectations_hash,
        run.test_run_hash,
        run.canonical_json,
    )


@SETTINGS
@given(initial_state=json_objects, params=json_objects, rng=st.randoms(use_true_random=False))
def test_hashes_ignore_key_insertion_order(initial_state, params, rng):
    """Rebuilding the inputs with shuffled key order changes no hash."""
    original = _run(initial_state, params)
    shuffled = _run(_reordered(initial_state, rng), _reordered(params, rng))

    assert _hashes(shuffled) == _hashes(original)
    assert original.passed is True


@SETTINGS
@given(initial_state=json_objects, params=json_objects)
def test_mutating_inputs_or_to_dict_after_the_run_changes_nothing(initial_state, params):
    """Editing the caller's inputs or any returned dict leaves every stored result as it was."""
    state_input = copy.deepcopy(initial_state)
    params_input = copy.deepcopy(params)
    run = _run(state_input, params_input)
    mission = run_mission("echo", ExecutionContext(initial_state=state_input), params_input)
    before = (run.canonical_json, _hashes(run), mission.canonical_json, mission.result_hash)

    for value in (state_input, params_input, run.to_dict(), mission.to_dict()):
        _scribble(value)
    _scribble(mission.final_state)

    assert (run.canonical_json, _hashes(run), mission.canonical_json, mission.result_hash) == before
    assert mission.final_state == initial_state
    assert mission.to_dict()["executed_steps"][0]["payload"]["params"] == params
    assert (
        run.to_dict()["suite_result"]["scenario_results"]["s"]["mission_results"]["echo"][
            "final_state"
        ]
        == initial_state
    )


def _scribble(value: Any) -> None:
    """Mutate every container in `value`, in place."""
    if isinstance(value, dict):
        for key in list(value):
            _scribble(value[key])
            value[key] = ["scribbled", value[key]]
        value["scribbled"] = {"x": [1]}
    elif isinstance(value, list):
        for item in value:
            _scribble(item)
        value.append("scribbled")
        value.reverse()


HASH_SCRIPT = """
from pytest_tier2.core import (
    MissionCall, MissionExpectation, ScenarioDefinition, ScenarioSuiteDefinition,
    SuiteExpectationsDefinition, run_test_run,
)
state = {
    "zeta": {"b": [1, 2.5, None], "a": True}, "alpha": "\\u00e9t\\u00e9", "mid": {"y": 1, "x": 2},
}
params = {"words": ["pear", "apple"], "nested": {"k2": "v", "k1": {"z": 0, "a": -1}}}
suite = ScenarioSuiteDefinition("seeded", [
    ScenarioDefinition("one", state, [MissionCall("echo", params), MissionCall("daily_loop")]),
    ScenarioDefinition("two", {"n": 2}, [MissionCall("run_tests", {"target": "unit"})]),
])
expectations = SuiteExpectationsDefinition([
    MissionExpectation("e1", "one", "echo", "final_state.mid.x", "eq", 2),
    MissionExpectation("e2", "two", "run_tests", "success", "eq", True),
])
run = run_test_run(suite, expectations)
scenario = run.suite_result.scenario_results["one"]
print(scenario.mission_results["echo"].result_hash, scenario.scenario_hash,
      run.suite_result.suite_hash, run.expectations_result.expectations_hash, run.test_run_hash)
"""


def test_hashes_are_identical_across_hash_seeds():
    """The same definition hashes identically under PYTHONHASHSEED=0, 1 and 4242."""
    outputs = []
    for seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run(
            [sys.executable, "-c", HASH_SCRIPT],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout.split())

    assert len(outputs[0]) == 5
    assert all(len(digest) == 64 for digest in outputs[0])
    assert outputs[1] == outputs[0]
    assert outputs[2] == outputs[0]
