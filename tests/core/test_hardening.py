"""One test per defect the rewrite fixed; every docstring says what the seed did wrong."""

from __future__ import annotations

import copy
import datetime
import hashlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

import pytest

import pytest_tier2.core.canonical as canonical_module
import pytest_tier2.core.test_run as test_run_module
from pytest_tier2.core import (
    MISSION_REGISTRY,
    AntiFailureViolation,
    CanonicalError,
    DuplicateRegistrationError,
    EnvelopeViolation,
    ExecutionContext,
    ExpectationError,
    MissionCall,
    MissionExpectation,
    Orchestrator,
    PathSyntaxError,
    Registry,
    RegistryLockedError,
    ScenarioDefinition,
    ScenarioDefinitionError,
    ScenarioSuiteDefinition,
    StepFailed,
    StepSpec,
    SuiteExpectationsDefinition,
    Tier2Error,
    UnknownMissionError,
    WorkflowDefinition,
    run_mission,
    run_scenario,
    run_test_run,
)
from pytest_tier2.core.daily_loop import run_daily_loop
from pytest_tier2.core.expectations import ExpectationResult

NESTED_STATE = {"counter": 1, "nested": {"items": [1, 2, {"deep": "x"}], "flag": True}}
NESTED_PARAMS = {"key": "value", "nested": {"inner": [1, {"leaf": 2}]}}


def _rich_run():
    """A test run whose results hold nested mappings and lists at every level."""
    suite = ScenarioSuiteDefinition(
        "rich",
        [
            ScenarioDefinition(
                "alpha",
                copy.deepcopy(NESTED_STATE),
                [
                    MissionCall("echo", copy.deepcopy(NESTED_PARAMS)),
                    MissionCall("daily_loop", {"mode": "default"}),
                ],
            ),
            ScenarioDefinition("beta", {"list": [[1], {"a": None}]}, [MissionCall("echo")]),
        ],
    )
    expectations = SuiteExpectationsDefinition(
        [
            MissionExpectation("state", "alpha", "echo", "final_state.nested", "exists"),
            MissionExpectation("items", "alpha", "echo", "final_state.nested.items", "eq", [0]),
            MissionExpectation("list", "beta", "echo", "final_state.list", "contains", [1]),
        ]
    )
    return run_test_run(suite, expectations)


def _mutate_everywhere(value: Any) -> int:
    """Mutate every container inside `value` in place; return how many were changed."""
    changed = 0
    if isinstance(value, dict):
        for key in list(value):
            if isinstance(value[key], (dict, list)):
                changed += _mutate_everywhere(value[key])
            else:
                value[key] = "MUTATED"
        value["__mutated__"] = {"x": [1]}
        changed += 1
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, (dict, list)):
                changed += _mutate_everywhere(item)
            else:
                value[index] = "MUTATED"
        value.append("MUTATED")
        changed += 1
    return changed


def _levels(run) -> dict[str, Any]:
    scenario = run.suite_result.scenario_results["alpha"]
    return {
        "OrchestrationResult": scenario.mission_results["echo"],
        "ScenarioResult": scenario,
        "ScenarioSuiteResult": run.suite_result,
        "ExpectationResult": run.expectations_result.expectation_results["items"],
        "SuiteExpectationsResult": run.expectations_result,
        "TestRunResult": run,
    }


def _snapshot(levels: Mapping[str, Any], canonical: Callable[[Any], str]) -> dict[str, Any]:
    return {
        name: (obj.canonical_json, canonical(obj.to_dict()), dict(getattr(obj, "metadata", {})))
        for name, obj in levels.items()
    }


def _outcome(actual: Any, op: str, expected: Any = None) -> ExpectationResult:
    """Evaluate one expectation against `final_state.v` of an echo mission holding `actual`."""
    suite = ScenarioSuiteDefinition(
        "ops", [ScenarioDefinition("s", {"v": actual}, [MissionCall("echo")])]
    )
    expectation = MissionExpectation("e", "s", "echo", "final_state.v", op, expected)  # type: ignore[arg-type]
    run = run_test_run(suite, SuiteExpectationsDefinition([expectation]))
    return run.expectations_result.expectation_results["e"]


def _path_outcome(state: Mapping[str, Any], path: str, op: str, expected: Any = None):
    suite = ScenarioSuiteDefinition(
        "paths", [ScenarioDefinition("s", state, [MissionCall("echo")])]
    )
    expectation = MissionExpectation("e", "s", "echo", path, op, expected)  # type: ignore[arg-type]
    run = run_test_run(suite, SuiteExpectationsDefinition([expectation]))
    return run.expectations_result.expectation_results["e"]


def _registry_with(**operations: Callable[..., Any]) -> Registry:
    registry = Registry.with_builtins()
    for name, handler in operations.items():
        registry.add_operation(name, handler)
    return registry


def _workflow_mission(*steps: StepSpec) -> Callable[[Mapping[str, Any] | None], WorkflowDefinition]:
    def builder(params: Mapping[str, Any] | None = None) -> WorkflowDefinition:
        return WorkflowDefinition(id="wf-custom", steps=steps)

    return builder


def _run_steps(registry: Registry, *steps: StepSpec, state: Mapping[str, Any] | None = None):
    registry.add_mission("custom", _workflow_mission(*steps))
    return run_mission("custom", ExecutionContext(initial_state=state or {}), registry=registry)


def _runtime(step_id: str, operation: str, **payload: Any) -> StepSpec:
    return StepSpec(step_id, "runtime", {"operation": operation, **payload})


def test_mutating_to_dict_at_any_level_never_changes_a_stored_result(canonical):
    """The seed's to_dict() copied only the top level (`dict(sorted(...))`, `dict(metadata)`)
    and returned stored `actual` values as they were, so editing a nested value of what it
    returned edited the stored result and changed its hash."""
    run = _rich_run()
    levels = _levels(run)
    before = _snapshot(levels, canonical)

    for obj in levels.values():
        assert _mutate_everywhere(obj.to_dict()) > 0
    mission = levels["OrchestrationResult"]
    assert _mutate_everywhere(mission.final_state) > 0
    mission.executed_steps.clear()

    assert _snapshot(levels, canonical) == before
    assert (
        mission.result_hash == hashlib.sha256(before["OrchestrationResult"][0].encode()).hexdigest()
    )
    assert mission.final_state == NESTED_STATE
    assert len(mission.executed_steps) == 1


def test_stored_values_are_frozen():
    """The seed stored plain dicts and lists in its results (steps, state, lineage, metadata),
    so anyone holding a result could edit it in place."""
    run = _rich_run()
    scenario = run.suite_result.scenario_results["alpha"]
    mission = scenario.mission_results["echo"]

    with pytest.raises(TypeError):
        mission.steps[0].payload["params"] = {}  # type: ignore[index]
    with pytest.raises(TypeError):
        mission.steps[0].payload["params"]["nested"]["inner"].append(3)
    with pytest.raises(TypeError):
        mission.lineage["workflow_id"] = "other"  # type: ignore[index]
    with pytest.raises(TypeError):
        mission.receipt["steps"].append("extra")
    with pytest.raises(TypeError):
        scenario.metadata["scenario_hash"] = "0" * 64  # type: ignore[index]
    with pytest.raises(TypeError):
        scenario.mission_results["echo"] = mission  # type: ignore[index]
    with pytest.raises(TypeError):
        del run.suite_result.scenario_results["alpha"]  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        run.metadata["test_run_hash"] = "0" * 64  # type: ignore[index]


def test_mutating_callers_inputs_after_the_call_never_changes_a_result(canonical):
    """The seed's ExecutionContext, ScenarioDefinition and MissionCall kept the caller's
    dicts by reference, so editing a nested value after building them changed what the
    same context or definition produced on its next run."""
    state = copy.deepcopy(NESTED_STATE)
    params = copy.deepcopy(NESTED_PARAMS)
    ctx = ExecutionContext(initial_state=state)
    suite = ScenarioSuiteDefinition(
        "inputs", [ScenarioDefinition("s", state, [MissionCall("echo", params)])]
    )
    no_expectations = SuiteExpectationsDefinition([])
    direct = run_mission("echo", ctx, params=params)
    run = run_test_run(suite, no_expectations)
    before = (direct.canonical_json, canonical(direct.to_dict()), run.canonical_json)

    state["nested"]["items"][2]["deep"] = "changed"
    state["nested"]["items"].append(99)
    state["new"] = 1
    params["nested"]["inner"][1]["leaf"] = "changed"
    params["nested"]["inner"].append(99)
    params["key"] = "changed"

    assert (direct.canonical_json, canonical(direct.to_dict()), run.canonical_json) == before
    assert direct.final_state == NESTED_STATE
    assert direct.to_dict()["executed_steps"][0]["payload"]["params"] == NESTED_PARAMS
    assert run_mission("echo", ctx, params=NESTED_PARAMS).canonical_json == before[0]
    assert run_test_run(suite, no_expectations).canonical_json == before[2]


def test_repeated_missions_keep_both_results_under_aliases():
    """The seed keyed mission results by mission name, so a scenario calling one mission
    twice silently kept only the last result."""
    defn = ScenarioDefinition(
        "twice",
        {},
        [MissionCall("echo", {"n": 1}), MissionCall("echo", {"n": 2}, alias="second")],
    )

    result = run_scenario(defn).to_dict()["mission_results"]

    assert sorted(result) == ["echo", "second"]
    assert result["echo"]["executed_steps"][0]["payload"]["params"] == {"n": 1}
    assert result["second"]["executed_steps"][0]["payload"]["params"] == {"n": 2}


@pytest.mark.parametrize(
    ("calls", "key"),
    [
        ([MissionCall("echo", {"n": 1}), MissionCall("echo", {"n": 2})], "echo"),
        ([MissionCall("daily_loop"), MissionCall("echo", alias="daily_loop")], "daily_loop"),
        ([MissionCall("echo", alias="x"), MissionCall("daily_loop", alias="x")], "x"),
    ],
)
def test_duplicate_result_key_raises_naming_the_key(calls, key):
    """The seed overwrote an earlier mission's result when a later call had the same key."""
    with pytest.raises(ScenarioDefinitionError, match=f"'{key}'"):
        ScenarioDefinition("dupes", {}, calls)


def test_eq_and_ne_never_equate_different_json_types():
    """The seed compared with Python's `==`, so `expected: 1` passed against `true` and
    `expected: 0` against `false`; `ne` failed for them."""
    assert not _outcome(True, "eq", 1).passed
    assert _outcome(True, "eq", 1).details["reason"] == "eq_mismatch"
    assert not _outcome(1, "eq", True).passed
    assert not _outcome(False, "eq", 0).passed
    assert not _outcome(None, "eq", False).passed
    assert not _outcome("1", "eq", 1).passed
    assert not _outcome(1, "eq", "1").passed
    assert _outcome(True, "ne", 1).passed
    assert _outcome("1", "ne", 1).passed
    assert _outcome(1, "eq", 1.0).passed
    assert _outcome(1.0, "eq", 1).passed
    assert not _outcome(1, "ne", 1.0).passed
    assert _outcome(True, "eq", True).passed


@pytest.mark.parametrize(
    ("actual", "expected"),
    [(True, 0), (5, False), (True, False), ("10", 5), (10, "20"), (None, 0), ([1], [2]), ({}, {})],
)
@pytest.mark.parametrize("op", ["gt", "lt", "ge", "le"])
def test_ordering_never_orders_bools_or_mixed_types(op, actual, expected):
    """The seed used Python's `>`/`<`, so `true > 0` passed, lists compared element-wise,
    and a str/int comparison gave reason `type_error` only because Python raised."""
    outcome = _outcome(actual, op, expected)

    assert not outcome.passed
    assert outcome.details["reason"] == "type_mismatch"


def test_strings_order_by_code_point_and_numbers_by_value():
    """The seed had no `ge`/`le`, so these ops failed with `unknown_op` whatever the values."""
    assert _outcome("Zebra", "lt", "apple").passed
    assert _outcome("\u00e9", "gt", "z").passed
    assert _outcome("a", "ge", "a").passed
    assert _outcome("a", "le", "a").passed
    assert not _outcome("apple", "le", "Zebra").passed
    assert _outcome(2, "ge", 2.0).passed
    assert _outcome(1.5, "le", 2).passed
    assert not _outcome(3, "le", 2.5).passed
    assert _outcome(3, "le", 2.5).details["reason"] == "le_mismatch"


def test_deep_equality_is_type_strict():
    """The seed's `==` made `[1]` equal `[true]` and `{"a": 1}` equal `{"a": true}`."""
    assert not _outcome([1], "eq", [True]).passed
    assert _outcome([1], "ne", [True]).passed
    assert not _outcome({"a": 1}, "eq", {"a": True}).passed
    assert not _outcome({"a": [0]}, "eq", {"a": [False]}).passed
    assert _outcome({"a": [1.0, "x"]}, "eq", {"a": [1, "x"]}).passed
    assert not _outcome([1, 2], "eq", [1]).passed


def test_unknown_op_raises_when_the_expectation_is_built():
    """The seed accepted any op and only failed it at evaluation with reason `unknown_op`."""
    with pytest.raises(ExpectationError, match="roughly"):
        MissionExpectation("e", "s", "m", "success", "roughly", 1)  # type: ignore[arg-type]
    with pytest.raises(ExpectationError):
        MissionExpectation("e", "s", "m", "success", "EQ", 1)  # type: ignore[arg-type]
    assert issubclass(ExpectationError, ValueError)
    assert issubclass(ExpectationError, Tier2Error)


def test_ge_and_le():
    """The seed had no `ge` or `le`; they failed with `unknown_op`."""
    assert _outcome(5, "ge", 5).passed
    assert _outcome(6, "ge", 5).passed
    assert not _outcome(4, "ge", 5).passed
    assert _outcome(4, "ge", 5).details["reason"] == "ge_mismatch"
    assert _outcome(5, "le", 5).passed
    assert not _outcome(6, "le", 5).passed


def test_contains():
    """The seed had no `contains`; it failed with `unknown_op`."""
    assert _outcome("hello world", "contains", "lo w").passed
    assert not _outcome("hello", "contains", "xyz").passed
    assert _outcome("hello", "contains", "xyz").details["reason"] == "contains_mismatch"
    assert _outcome([1, "a", {"k": [2]}], "contains", "a").passed
    assert _outcome([1, "a", {"k": [2]}], "contains", {"k": [2]}).passed
    assert not _outcome([1], "contains", True).passed
    assert _outcome({"key": 1}, "contains", "key").passed
    assert not _outcome({"key": 1}, "contains", 1).passed
    assert _outcome(12, "contains", 1).details["reason"] == "type_mismatch"


def test_matches():
    """The seed had no `matches`; it failed with `unknown_op`."""
    assert _outcome("hello world", "matches", "wor").passed
    assert _outcome("hello world", "matches", r"^hel+o\s").passed
    assert not _outcome("hello world", "matches", "^wor").passed
    assert _outcome("hello world", "matches", "^wor").details["reason"] == "matches_mismatch"
    assert _outcome(42, "matches", "4").details["reason"] == "type_mismatch"
    with pytest.raises(ExpectationError, match="regular expression"):
        MissionExpectation("e", "s", "m", "final_state.v", "matches", "(unclosed")
    with pytest.raises(ExpectationError):
        MissionExpectation("e", "s", "m", "final_state.v", "matches", 1)


def test_absent():
    """The seed had no `absent`; it failed with `unknown_op` or `path_missing`."""
    missing = _path_outcome({"v": 1}, "final_state.w", "absent")
    present = _path_outcome({"v": 1}, "final_state.v", "absent")

    assert missing.passed
    assert not present.passed
    assert present.details["reason"] == "present"
    assert present.actual == 1


@pytest.mark.parametrize("op", ["exists", "absent"])
def test_expected_given_to_exists_or_absent_raises(op):
    """The seed silently ignored `expected` for `exists`."""
    with pytest.raises(ExpectationError, match="no expected"):
        MissionExpectation("e", "s", "m", "final_state.v", op, 1)


def test_list_index_segments_must_be_canonical():
    """The seed parsed list indices with `int()`, so `1_0`, ` 1`, `01` and `+1` addressed
    list elements."""
    state = {"items": list(range(100, 111))}

    for segment in ("1_0", " 1", "01", "-1", "+1", "1 ", "\uff11"):
        outcome = _path_outcome(state, f"final_state.items.{segment}", "exists")
        assert not outcome.passed, segment
        assert outcome.details["reason"] == "path_missing", segment
    assert _path_outcome(state, "final_state.items.10", "eq", 110).passed
    assert _path_outcome(state, "final_state.items.0", "eq", 100).passed
    assert not _path_outcome(state, "final_state.items.11", "exists").passed


@pytest.mark.parametrize("path", ["final_state..v", "final_state.", ".final_state", "a..b"])
def test_empty_path_segments_raise_at_construction(path):
    """The seed split on dots and only failed at evaluation, as `path_missing`."""
    with pytest.raises(PathSyntaxError, match="empty segment"):
        MissionExpectation("e", "s", "m", path, "exists")


def test_escapes_address_keys_with_dots_and_backslashes():
    """The seed split on every dot, so a key containing a dot could not be addressed."""
    state = {"a.b": 1, "a": {"b": 2}, "back\\slash": 3, "both.\\": 4}

    assert _path_outcome(state, "final_state.a\\.b", "eq", 1).passed
    assert _path_outcome(state, "final_state.a.b", "eq", 2).passed
    assert _path_outcome(state, "final_state.back\\\\slash", "eq", 3).passed
    assert _path_outcome(state, "final_state.both\\.\\\\", "eq", 4).passed


@pytest.mark.parametrize(
    "path", ["final_state.a\\nb", "final_state.a\\", "final_state.\\x", "final_state.a\\/b"]
)
def test_other_escapes_raise_at_construction(path):
    """The seed treated backslashes as ordinary characters."""
    with pytest.raises(PathSyntaxError, match="backslash"):
        MissionExpectation("e", "s", "m", path, "exists")


def test_missing_path_details_name_the_nearest_existing_paths():
    """The seed reported only `path_missing` and the path, with no hint of what exists."""
    state = {"counter": 1, "count_total": 2, "a.b": {"c": 3}}

    outcome = _path_outcome(state, "final_state.countr", "eq", 1)
    dotted = _path_outcome(state, "final_state.a\\.b.d", "exists")

    assert outcome.details["reason"] == "path_missing"
    assert outcome.details["nearest"][0] == "final_state.counter"
    assert "final_state.count_total" in outcome.details["nearest"]
    assert dotted.details["nearest"] == ["final_state.a\\.b.c"]


class _Opaque:
    pass


BAD_VALUES = [
    pytest.param({"when": datetime.date(2024, 1, 2)}, "when", id="date"),
    pytest.param({"when": datetime.datetime(2024, 1, 2, 3, 4)}, "when", id="datetime"),
    pytest.param({"x": float("nan")}, "x", id="nan"),
    pytest.param({"x": float("inf")}, "x", id="inf"),
    pytest.param({"x": float("-inf")}, "x", id="-inf"),
    pytest.param({"items": [1, 2, {3}]}, "items.2", id="set"),
    pytest.param({"items": [1, b"raw"]}, "items.1", id="bytes"),
    pytest.param({"obj": _Opaque()}, "obj", id="object"),
    pytest.param({"m": {1: "one"}}, "m", id="int-key"),
    pytest.param({"m": {"n": {(1, 2): "pair"}}}, "m.n", id="tuple-key"),
]


@pytest.mark.parametrize(("value", "where"), BAD_VALUES)
def test_non_json_initial_state_raises_naming_the_location(value, where):
    """The seed serialised NaN and infinities as invalid JSON, coerced int keys to strings,
    and failed on dates, sets, bytes and objects with a TypeError naming no location."""
    for build in (
        lambda: ScenarioDefinition("s", value, [MissionCall("echo")]),
        lambda: ExecutionContext(initial_state=value),
    ):
        with pytest.raises(CanonicalError) as excinfo:
            build()
        assert f"initial_state.{where}" in str(excinfo.value)


@pytest.mark.parametrize(("value", "where"), BAD_VALUES)
def test_non_json_params_raise_naming_the_location(value, where):
    """The seed passed params through unchecked into the hashed result."""
    with pytest.raises(CanonicalError) as excinfo:
        MissionCall("echo", value)
    assert f"params.{where}" in str(excinfo.value)
    with pytest.raises(CanonicalError) as excinfo:
        run_mission("echo", ExecutionContext(), params=value)
    assert f"params.{where}" in str(excinfo.value)


@pytest.mark.parametrize(("value", "where"), BAD_VALUES)
def test_non_json_step_payload_raises_naming_the_location(value, where):
    """The seed accepted any payload and only failed, without a location, when hashing."""
    with pytest.raises(CanonicalError) as excinfo:
        StepSpec("s1", "runtime", {"operation": "noop", **value})
    assert f"step 's1' payload.{where}" in str(excinfo.value)


@pytest.mark.parametrize(("value", "where"), BAD_VALUES)
def test_non_json_handler_output_fails_the_step_naming_the_location(value, where):
    """The seed had no handlers; a handler returning a non-JSON state must not reach a hash."""
    registry = _registry_with(bad=lambda state, payload: {**state, **value})

    result = _run_steps(registry, _runtime("s1", "bad"), _runtime("s2", "noop"))

    assert result.success is False
    assert result.failed_step_id == "s1"
    assert f"state.{where}" in str(result.error_message)
    assert [step.id for step in result.executed_steps] == ["s1"]


def test_canonical_error_names_its_location_in_where():
    """The seed raised a bare TypeError from json.dumps, naming neither key nor path."""
    with pytest.raises(CanonicalError) as excinfo:
        ScenarioDefinition("s", {"a": {"b": [0, {"c": datetime.date(2024, 1, 1)}]}})

    assert excinfo.value.where == "initial_state.a.b.1.c"
    assert isinstance(excinfo.value, Tier2Error)
    assert isinstance(excinfo.value, ValueError)


@pytest.mark.skipif(
    not hasattr(sys, "get_int_max_str_digits"), reason="this Python has no int digit limit"
)
def test_overlong_integer_raises_naming_the_location():
    """The seed accepted any int and then failed in json.dumps with a bare ValueError
    (Python's int-to-string digit limit), naming no location."""
    huge = 10**5000

    with pytest.raises(CanonicalError) as excinfo:
        ScenarioDefinition("s", {"counts": [1, huge]})

    assert excinfo.value.where == "initial_state.counts.1"
    assert run_mission("echo", ExecutionContext(initial_state={"n": 10**700})).success


def test_test_run_result_is_not_collected_by_pytest(pytester):
    """The seed's TestRunResult matched pytest's `Test*` pattern, so every test module that
    imported it got a `cannot collect test class` warning."""
    pytester.makepyfile(
        test_imports_result="""
        from pytest_tier2.core.test_run import TestRunResult

        def test_real():
            assert TestRunResult.__name__ == "TestRunResult"
        """
    )

    result = pytester.runpytest("-W", "error::pytest.PytestCollectionWarning")
    result.assert_outcomes(passed=1)
    result = pytester.runpytest("-rw")

    result.assert_outcomes(passed=1, warnings=0)
    result.stdout.no_fnmatch_line("*cannot collect test class*")


def _suite_of(size: int) -> tuple[ScenarioSuiteDefinition, SuiteExpectationsDefinition]:
    names = [f"s{i:02d}" for i in range(size)]
    suite = ScenarioSuiteDefinition(
        f"linear-{size}",
        [
            ScenarioDefinition(
                name,
                {"counter": i, "tags": ["a", "b"], "nested": {"k": "v"}},
                [MissionCall("daily_loop"), MissionCall("echo", {"p": [1, 2, 3]})],
            )
            for i, name in enumerate(names)
        ],
    )
    expectations = SuiteExpectationsDefinition(
        [MissionExpectation(f"e{name}", name, "echo", "success", "eq", True) for name in names]
    )
    return suite, expectations


def test_hashing_serialises_each_result_once(monkeypatch):
    """The seed re-serialised every result at every level (scenario, suite, test run) and
    hashed the test run payload twice."""
    encoder = canonical_module._ENCODER
    encode = encoder.encode
    calls = {"count": 0, "chars": 0}

    def counting_dumps(*args: Any, **kwargs: Any) -> str:
        text = encode(*args, **kwargs)
        calls["count"] += 1
        calls["chars"] += len(text)
        return text

    hash_calls: list[str] = []
    real_sha256 = test_run_module.sha256

    def counting_sha256(text: str) -> str:
        hash_calls.append(text)
        return real_sha256(text)

    counts, chars, runs = {}, {}, {}
    for size in (1, 2, 4, 8):
        suite, expectations = _suite_of(size)
        calls.update(count=0, chars=0)
        hash_calls.clear()
        with monkeypatch.context() as patch:
            patch.setattr(encoder, "encode", counting_dumps)
            patch.setattr(test_run_module, "sha256", counting_sha256)
            runs[size] = run_test_run(suite, expectations)
        counts[size], chars[size] = calls["count"], calls["chars"]
        assert len(hash_calls) == 1, size

    per_scenario = counts[2] - counts[1]
    assert per_scenario > 0
    assert counts[4] - counts[2] == 2 * per_scenario
    assert counts[8] - counts[4] == 4 * per_scenario
    for size, run in runs.items():
        assert chars[size] <= 1.2 * len(run.canonical_json), size


def _without_metadata(tree: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in tree.items() if key != "metadata"}


def test_every_hash_is_the_sha256_of_its_canonical_content(canonical):
    """The seed hashed ad-hoc payloads that differed from to_dict() (the scenario hash left
    out the scenario name, the test run hash used invented keys) and let NaN through."""
    suite = ScenarioSuiteDefinition(
        "unicode \u00e9\u2603\U0001d11e",
        [
            ScenarioDefinition(
                "\u00e9t\u00e9",
                {"Z": 1, "a": 2.5, "\u00e9": [True, None, "\u2603"], "\U0001d11e": {"b": 1e16}},
                [MissionCall("echo", {"z": "\u00fc", "A": [-0.5]}), MissionCall("daily_loop")],
            ),
            ScenarioDefinition("plain", {}, [MissionCall("run_tests", {"target": "unit"})]),
        ],
    )
    expectations = SuiteExpectationsDefinition(
        [
            MissionExpectation("e1", "\u00e9t\u00e9", "echo", "final_state.\u00e9", "eq", [1]),
            MissionExpectation("e2", "plain", "run_tests", "success", "eq", True),
        ]
    )
    run = run_test_run(suite, expectations)
    scenario = run.suite_result.scenario_results["\u00e9t\u00e9"]

    def sha(tree: Any) -> str:
        return hashlib.sha256(canonical(tree).encode("utf-8")).hexdigest()

    for mission in scenario.mission_results.values():
        assert mission.canonical_json == canonical(mission.to_dict())
        assert mission.result_hash == sha(mission.to_dict())
    for expectation in run.expectations_result.expectation_results.values():
        assert expectation.canonical_json == canonical(expectation.to_dict())
    hashed = [
        (scenario, "scenario_hash"),
        (run.suite_result, "suite_hash"),
        (run.expectations_result, "expectations_hash"),
        (run, "test_run_hash"),
    ]
    for level, key in hashed:
        tree = level.to_dict()
        assert level.canonical_json == canonical(tree), key
        assert level.metadata[key] == sha(_without_metadata(tree)), key
        assert canonical(tree).isascii()
    assert run.metadata["suite_name"] == suite.suite_name


def test_registry_extends_with_missions_and_operations():
    """The seed's registry was a module-level dict, read-only by comment alone, with no
    operations to extend; unknown operations were silently treated as noop."""
    registry = Registry.with_builtins()
    registry.add_operation(
        "double", lambda state, payload: {**state, "counter": state["counter"] * 2}
    )
    registry.add_mission(
        "doubler", _workflow_mission(_runtime("d1", "double"), _runtime("d2", "double"))
    )
    suite = ScenarioSuiteDefinition(
        "ext", [ScenarioDefinition("s", {"counter": 3}, [MissionCall("doubler")])]
    )
    expectations = SuiteExpectationsDefinition(
        [MissionExpectation("e", "s", "doubler", "final_state.counter", "eq", 12)]
    )

    direct = run_mission(
        "doubler", ExecutionContext(initial_state={"counter": 3}), registry=registry
    )
    run = run_test_run(suite, expectations, registry=registry)

    assert direct.final_state == {"counter": 12}
    assert run.passed is True
    assert "doubler" in registry.missions
    assert "doubler" not in MISSION_REGISTRY
    assert "double" not in Registry.with_builtins().operations
    with pytest.raises(UnknownMissionError):
        run_scenario(ScenarioDefinition("s", {}, [MissionCall("doubler")]))


def test_registering_a_name_twice_names_both_places():
    """The seed had no registration API, so nothing reported where a clashing name came from."""
    registry = Registry.with_builtins()
    here = __file__

    first = sys._getframe().f_lineno + 1
    registry.add_mission("mine", _workflow_mission(_runtime("a", "noop")))
    with pytest.raises(DuplicateRegistrationError) as mission_clash:
        registry.add_mission("mine", _workflow_mission(_runtime("b", "noop")))
    second = first + 2
    assert f"{here}:{first}" in str(mission_clash.value)
    assert f"{here}:{second}" in str(mission_clash.value)
    assert "'mine'" in str(mission_clash.value)

    op_line = sys._getframe().f_lineno + 2
    with pytest.raises(DuplicateRegistrationError) as op_clash:
        registry.add_operation("noop", lambda state, payload: state)
    assert "built in" in str(op_clash.value)
    assert f"{here}:{op_line}" in str(op_clash.value)

    with pytest.raises(DuplicateRegistrationError, match="built in"):
        registry.add_mission("echo", _workflow_mission(_runtime("c", "noop")))


def test_registry_is_locked_while_a_run_is_under_way():
    """The seed's registry was a plain dict that any code, even a running builder, could
    change mid-run."""
    registry = Registry.with_builtins()
    seen: list[type[BaseException]] = []

    def meddling_builder(params: Mapping[str, Any] | None = None) -> WorkflowDefinition:
        registry.add_mission("late", _workflow_mission(_runtime("x", "noop")))
        raise AssertionError("unreachable")

    def meddling_handler(state: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        try:
            registry.add_operation("late_op", lambda s, p: s)
        except RegistryLockedError as error:
            seen.append(type(error))
            raise
        return state

    registry.add_mission("meddler", meddling_builder)
    registry.add_operation("meddle", meddling_handler)
    registry.add_mission("handler_meddler", _workflow_mission(_runtime("m", "meddle")))

    with pytest.raises(RegistryLockedError):
        run_mission("meddler", ExecutionContext(), registry=registry)
    result = run_mission("handler_meddler", ExecutionContext(), registry=registry)

    assert seen == [RegistryLockedError]
    assert result.success is False
    assert result.failed_step_id == "m"
    assert "RegistryLockedError" in str(result.error_message)
    assert "late" not in registry.missions
    assert "late_op" not in registry.operations
    registry.add_mission("after", _workflow_mission(_runtime("y", "noop")))
    assert "after" in registry.missions


def test_builtin_operations_noop_fail_and_set():
    """The seed knew only `fail`; `set` and any other operation silently did nothing."""
    registry = Registry.with_builtins()
    result = _run_steps(
        registry,
        _runtime("n", "noop"),
        _runtime("s1", "set", values={"a": 1, "nested": {"x": 1}}),
        _runtime("s2", "set", values={"nested": {"y": 2}}),
        state={"keep": True, "a": 0},
    )

    assert result.success is True
    assert result.final_state == {"keep": True, "a": 1, "nested": {"y": 2}}

    registry = Registry.with_builtins()
    failed = _run_steps(
        registry,
        _runtime("s", "set", values={"a": 1}),
        _runtime("f", "fail", reason="boom"),
        _runtime("after", "set", values={"a": 2}),
    )
    assert failed.success is False
    assert failed.failed_step_id == "f"
    assert failed.error_message == "Step 'f' failed: boom"
    assert [step.id for step in failed.executed_steps] == ["s", "f"]
    assert failed.final_state == {"a": 1}

    registry = Registry.with_builtins()
    default = _run_steps(registry, _runtime("f", "fail"))
    assert default.error_message == "Step 'f' failed: unspecified"

    registry = Registry.with_builtins()
    bad_set = _run_steps(registry, _runtime("s", "set", values=[1]))
    assert bad_set.success is False
    assert bad_set.failed_step_id == "s"


def test_custom_handlers_get_private_copies():
    """The seed passed no state to operations at all; a handler that keeps or edits what it
    is given must never reach a stored result."""
    kept: dict[str, Any] = {}

    def first(state: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        state["nested"]["x"] = "edited-input"
        payload["extra"]["list"].append("edited-payload")
        kept["returned"] = {"nested": {"x": 1}, "list": [1]}
        return kept["returned"]

    def second(state: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        kept["returned"]["nested"]["x"] = "edited-after-return"
        kept["returned"]["list"].append(2)
        kept["second_saw"] = copy.deepcopy(state)
        return state

    registry = _registry_with(first=first, second=second)
    initial = {"nested": {"x": 0}}
    ctx = ExecutionContext(initial_state=initial)
    registry.add_mission(
        "private",
        _workflow_mission(_runtime("a", "first", extra={"list": [0]}), _runtime("b", "second")),
    )

    result = run_mission("private", ctx, registry=registry)

    assert result.success is True
    assert kept["second_saw"] == {"nested": {"x": 1}, "list": [1]}
    assert result.final_state == {"nested": {"x": 1}, "list": [1]}
    assert result.to_dict()["executed_steps"][0]["payload"]["extra"] == {"list": [0]}
    assert ctx.initial_state == {"nested": {"x": 0}}
    assert initial == {"nested": {"x": 0}}


def test_mission_builders_get_private_copies_of_params():
    """The seed handed the caller's params to the mission builder as they were (run_mission)
    or copied one level deep (run_scenario), so a builder that edited its params edited the
    caller's."""
    received: list[Any] = []

    def editing_builder(params: Mapping[str, Any] | None = None) -> WorkflowDefinition:
        assert params is not None
        params["added"] = 1  # type: ignore[index]
        params["nested"]["inner"].append("edited")
        received.append(params)
        return WorkflowDefinition(id="wf-edit", steps=(_runtime("e", "noop"),))

    registry = Registry.with_builtins()
    registry.add_mission("editor", editing_builder)
    params = copy.deepcopy(NESTED_PARAMS)

    run_mission("editor", ExecutionContext(), params=params, registry=registry)
    run_scenario(
        ScenarioDefinition("s", {}, [MissionCall("editor", params, alias="again")]),
        registry=registry,
    )

    assert params == NESTED_PARAMS
    assert len(received) == 2
    assert received[0] is not received[1]


def test_raising_handler_fails_its_step_and_stops_the_run():
    """The seed had no handlers; an exception in one must fail its step, not crash the run."""
    later: list[str] = []

    def explode(state: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("kaput: disk on fire")

    def record(state: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        later.append("called")
        return state

    registry = _registry_with(explode=explode, record=record)
    result = _run_steps(
        registry,
        _runtime("ok", "set", values={"a": 1}),
        _runtime("boom", "explode"),
        _runtime("never", "record"),
        state={"start": True},
    )

    assert result.success is False
    assert result.failed_step_id == "boom"
    assert "kaput: disk on fire" in str(result.error_message)
    assert str(result.error_message).startswith("Step 'boom' failed: ")
    assert [step.id for step in result.executed_steps] == ["ok", "boom"]
    assert result.final_state == {"start": True, "a": 1}
    assert later == []

    def step_failed(state: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        raise StepFailed("declined")

    declined = _run_steps(_registry_with(declined=step_failed), _runtime("d", "declined"))
    assert declined.error_message == "Step 'd' failed: declined"


def test_unknown_operation_fails_the_step():
    """The seed treated any operation other than `fail` as a noop, so a typo passed silently."""
    result = _run_steps(
        Registry.with_builtins(),
        _runtime("typo", "nopp"),
        _runtime("after", "set", values={"a": 1}),
    )

    assert result.success is False
    assert result.failed_step_id == "typo"
    assert "nopp" in str(result.error_message)
    assert [step.id for step in result.executed_steps] == ["typo"]
    assert result.final_state == {}


def test_run_tests_mission_is_registered():
    """The seed's builder knew `run_tests`, but the mission registry did not list it."""
    assert "run_tests" in MISSION_REGISTRY

    result = run_mission("run_tests", ExecutionContext(), params={"target": "unit"})

    assert result.success is True
    assert result.id == "wf-run-tests"
    assert [step.id for step in result.executed_steps] == [
        "tests-discover",
        "tests-execute",
        "tests-report",
    ]


def test_unknown_mission_error_lists_available_names():
    """The seed's message left out `run_tests`, and its error was not part of any hierarchy."""
    with pytest.raises(UnknownMissionError) as excinfo:
        run_mission("no-such-mission", ExecutionContext())

    message = str(excinfo.value)
    assert "no-such-mission" in message
    for name in ("daily_loop", "echo", "run_tests"):
        assert name in message
    assert isinstance(excinfo.value, Tier2Error)


def test_public_names_import_from_the_package():
    """The seed had no package-level API; callers imported from internal modules."""
    from pytest_tier2 import Registry as PublicRegistry
    from pytest_tier2 import StepSpec as PublicStepSpec
    from pytest_tier2 import Tier2Error as PublicTier2Error
    from pytest_tier2 import WorkflowDefinition as PublicWorkflowDefinition

    assert PublicRegistry is Registry
    assert PublicStepSpec is StepSpec
    assert PublicWorkflowDefinition is WorkflowDefinition
    assert PublicTier2Error is Tier2Error
    for error in (AntiFailureViolation, EnvelopeViolation, CanonicalError, UnknownMissionError):
        assert issubclass(error, Tier2Error)


def test_limits_are_checked_before_any_step_runs():
    """The seed's exceptions were bare Exceptions outside any hierarchy, and it had no
    handlers whose side effects an over-limit workflow could trigger."""
    calls: list[str] = []

    def record_and_fail(state: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
        calls.append(payload["operation"])
        raise StepFailed("should never run")

    registry = _registry_with(record=record_and_fail)
    six = [_runtime("first", "record")] + [_runtime(f"n{i}", "noop") for i in range(5)]
    registry.add_mission("six", _workflow_mission(*six))
    human = [_runtime("first", "record")] + [StepSpec(f"h{i}", "human") for i in range(3)]
    registry.add_mission("three_human", _workflow_mission(*human))

    with pytest.raises(AntiFailureViolation, match="6 steps") as excinfo:
        run_mission("six", ExecutionContext(), registry=registry)
    assert isinstance(excinfo.value, Tier2Error)
    with pytest.raises(AntiFailureViolation, match="3 human steps"):
        run_mission("three_human", ExecutionContext(), registry=registry)
    with pytest.raises(AntiFailureViolation):
        Orchestrator(registry.operations).run_workflow(
            WorkflowDefinition(id="direct", steps=tuple(six)), ExecutionContext()
        )

    assert calls == []


def test_envelope_violation_for_a_shell_step():
    """The seed's EnvelopeViolation was a bare Exception outside any error hierarchy."""
    calls: list[str] = []
    registry = _registry_with(record=lambda state, payload: calls.append("x") or state)
    registry.add_mission(
        "shell",
        _workflow_mission(
            _runtime("first", "record"), StepSpec("sh", "shell", {"cmd": "rm -rf /"})
        ),
    )

    with pytest.raises(EnvelopeViolation, match="'shell'") as excinfo:
        run_mission("shell", ExecutionContext(), registry=registry)

    assert isinstance(excinfo.value, Tier2Error)
    assert calls == []


@pytest.mark.parametrize(
    ("params", "steps", "max_human"),
    [
        ({"requested_steps": 9}, 5, 1),
        ({"requested_human_steps": 3}, 4, 2),
        ({"requested_steps": 9, "requested_human_steps": 3}, 5, 2),
    ],
)
def test_daily_loop_truncates_to_the_limits(params, steps, max_human):
    """The seed compared raw params with `>`, so a non-integer count raised a bare TypeError;
    here over-limit counts are clamped and bad ones are refused with a Tier2Error."""
    result = run_daily_loop(ExecutionContext(), params=params)

    assert len(result.executed_steps) == steps
    assert sum(step.kind == "human" for step in result.executed_steps) <= max_human
    assert result.success is True
    with pytest.raises(Tier2Error):
        run_daily_loop(ExecutionContext(), params={**params, "requested_steps": "9"})
