"""Version-1 hashes never move (DECISIONS 18): users have committed pins of them.

One suite exercises every built-in mission, every version-1 op passing and failing, a
mission whose step fails and one whose handler raises. Its hashes, at every level, are
fixed here as literals. A change that moves any of them breaks every user's pins: it
needs a new format version, not an edited literal.
"""

from __future__ import annotations

import hashlib
import json

import pytest

SUITE = """\
suite: known
scenarios:
  - name: morning
    initial_state: {counter: 0, tags: [a, b], nested: {x: 1.5}}
    missions:
      - name: daily_loop
        params: {requested_steps: 3}
      - name: echo
        as: echo_hello
        params: {message: hello, n: 2}
      - name: run_tests
        params: {target: unit}
  - name: evening
    missions:
      - name: daily_loop
        params: {requested_steps: 9, requested_human_steps: 0}
  - name: release
    initial_state: {version: 1}
    missions:
      - name: release
        params: {by: 2}
      - name: release
        as: release_crash
        params: {by: -1}
expectations:
  - id: eq_pass
    scenario: morning
    mission: daily_loop
    path: success
    op: eq
    expected: true
  - id: eq_fail
    scenario: morning
    mission: daily_loop
    path: final_state.counter
    op: eq
    expected: 1
  - id: ne_fail
    scenario: morning
    mission: daily_loop
    path: final_state.counter
    op: ne
    expected: 0
  - id: gt_equal
    scenario: morning
    mission: daily_loop
    path: final_state.counter
    op: gt
    expected: 0
  - id: ge_equal
    scenario: morning
    mission: daily_loop
    path: final_state.counter
    op: ge
    expected: 0
  - id: lt_type
    scenario: morning
    mission: daily_loop
    path: final_state.counter
    op: lt
    expected: "1"
  - id: le_str
    scenario: morning
    mission: echo_hello
    path: executed_steps.0.payload.params.message
    op: le
    expected: hello
  - id: contains_list
    scenario: morning
    mission: daily_loop
    path: final_state.tags
    op: contains
    expected: c
  - id: matches_ok
    scenario: morning
    mission: run_tests
    path: executed_steps.0.payload.description
    op: matches
    expected: "in unit$"
  - id: missing
    scenario: morning
    mission: daily_loop
    path: final_state.countr
    op: eq
    expected: 0
  - id: exists_ok
    scenario: evening
    mission: daily_loop
    path: lineage.workflow_id
    op: exists
  - id: absent_fail
    scenario: evening
    mission: daily_loop
    path: receipt
    op: absent
  - id: release_failed
    scenario: release
    mission: release
    path: success
    op: eq
    expected: false
"""

CONFTEST = """\
from pytest_tier2 import StepSpec, WorkflowDefinition


def bump(state, payload):
    if payload["by"] < 0:
        raise ValueError("cannot bump backwards")
    return {**state, "version": state["version"] + payload["by"]}


def build_release(params):
    return WorkflowDefinition(
        id="wf-release",
        steps=(
            StepSpec("release-approve", "human", {"description": "Approve"}),
            StepSpec("release-bump", "runtime", {"operation": "bump", "by": params["by"]}),
            StepSpec("release-stop", "runtime", {"operation": "fail", "reason": "frozen"}),
        ),
    )


def pytest_tier2_register(registry):
    registry.add_mission("release", build_release)
    registry.add_operation("bump", bump)
"""

SUITE_HASH = "dde62cb6e0787fd068a490f4be0aa5c0cbebe1646c7555a3296211c01cbb4bec"
TEST_RUN_HASH = "a04f9d5812a83e48827c70482c6188c356e66e8717706e278d5e1913f999b100"
SCENARIO_HASHES = {
    "evening": "695c33b2bb7142fefd711e758ef8bd4f980a079af2b75153d929335aeeb94688",
    "morning": "bfd9bbf58e7a6c447928c6d80f5b21cb0fc756db04c51fc6ff2eae20ae3b6335",
    "release": "11a58a541b2f50365bc38db4f85f60cb04498be70f65fa052264d67ce34bf098",
}
MISSION_HASHES = {
    ("evening", "daily_loop"): "9aa401de896b9cde8292944d375ff88f03c6b7ba97de6781b49e9079b7552233",
    ("morning", "daily_loop"): "acdcf20b09aba1c94edecf47046bc5c5a64a6a044dc97af539d2d4069b51d671",
    ("morning", "echo_hello"): "8143593fc1e5e9bb29b34e213b8405ebc8c0e1491b2b8c66c240904506d9eaa4",
    ("morning", "run_tests"): "005c7beac9c0baaf704311ee814e36cace7c648c9e87fe417bbf89ad9da3788d",
    ("release", "release"): "0ee2871ec5af3c7fe8135c2bfa4216b6d951f1d8c30fa49944d9df4de7cf8ec9",
    (
        "release",
        "release_crash",
    ): "3cea9ade2e3141f6357476ee335f867ef2df646f5faae97322549878253fc893",
}


def canonical_hash(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def test_version_1_hashes_are_fixed(pytester: pytest.Pytester) -> None:
    pytester.makefile(".tier2.yaml", known=SUITE)
    pytester.makeconftest(CONFTEST)
    result = pytester.runpytest("-p", "no:cacheprovider", "--tier2-report=report.json")
    result.assert_outcomes(passed=6, failed=7)
    (suite,) = json.loads((pytester.path / "report.json").read_text("utf-8"))["suites"]
    assert suite["suite_hash"] == SUITE_HASH
    assert suite["test_run_hash"] == TEST_RUN_HASH
    scenarios = suite["result"]["suite_result"]["scenario_results"]
    assert {name: s["metadata"]["scenario_hash"] for name, s in scenarios.items()} == (
        SCENARIO_HASHES
    )
    mission_hashes = {
        (name, key): canonical_hash(mission)
        for name, scenario in scenarios.items()
        for key, mission in scenario["mission_results"].items()
    }
    assert mission_hashes == MISSION_HASHES
