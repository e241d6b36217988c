"""The mission registry and run_mission, the single entry point for named missions."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from pytest_tier2.core.engine import ExecutionContext, OrchestrationResult, WorkflowDefinition
from pytest_tier2.core.registry import (
    MISSION_REGISTRY,
    Registry,
    UnknownMissionError,
    run_mission,
)


def _make_ctx(initial_state: dict[str, Any] | None = None) -> ExecutionContext:
    """A minimal ExecutionContext holding a copy of `initial_state`."""
    if initial_state is None:
        initial_state = {}
    return ExecutionContext(initial_state=copy.deepcopy(initial_state))


def test_registry_contains_core_missions() -> None:
    """The core missions callers rely on are registered."""
    assert "daily_loop" in MISSION_REGISTRY
    assert "echo" in MISSION_REGISTRY


def test_run_mission_dispatches_via_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """run_mission delegates to the builder registered under the name."""
    calls: dict[str, Any] = {}

    def dummy_builder(params: dict[str, Any] | None = None):
        calls["params"] = params
        return WorkflowDefinition(name="dummy", steps=[])

    monkeypatch.setitem(MISSION_REGISTRY, "daily_loop", dummy_builder)

    ctx = _make_ctx({"foo": "bar"})
    params = {"mode": "standard"}

    result = run_mission("daily_loop", ctx, params=params)

    assert isinstance(result, OrchestrationResult)
    assert calls["params"] == params
    # The result is the registered builder's workflow, run on the context's state.
    assert result.id == "dummy"
    assert result.success is True
    assert result.executed_steps == []
    assert result.final_state == {"foo": "bar"}


def test_unknown_mission_raises_unknownmissionerror() -> None:
    """An unknown mission name raises UnknownMissionError."""
    ctx = _make_ctx()

    with pytest.raises(UnknownMissionError):
        run_mission("not-a-real-mission", ctx)


def test_workflow_definition_enforces_id_name_consistency() -> None:
    """id and name must agree; either one fills in the other."""
    with pytest.raises(ValueError, match="mismatch"):
        WorkflowDefinition(id="wf-1", name="wf-2", steps=[])

    wf1 = WorkflowDefinition(id="wf-1", steps=[])
    assert wf1.name == "wf-1"

    wf2 = WorkflowDefinition(name="wf-2", steps=[])
    assert wf2.id == "wf-2"


def test_run_mission_is_deterministic_for_same_inputs(stable_hash) -> None:
    """Same mission, params and initial state give an identical serialised result."""
    initial_state = {"counter": 0, "mode": "baseline"}
    params = {"run_mode": "standard"}

    ctx = _make_ctx(initial_state)

    result_1 = run_mission("daily_loop", ctx, params=params)
    result_2 = run_mission("daily_loop", ctx, params=params)

    assert isinstance(result_1, OrchestrationResult)
    assert isinstance(result_2, OrchestrationResult)

    h1 = stable_hash(result_1.to_dict())
    h2 = stable_hash(result_2.to_dict())

    assert h1 == h2
    # Equal because both ran the same mission to the same end, not because nothing ran.
    assert result_1.id == "wf-daily-loop"
    assert result_1.success is True
    assert result_1.to_dict() == result_2.to_dict()
    assert result_1.result_hash == result_2.result_hash == h1


def test_run_mission_does_not_mutate_initial_state() -> None:
    """Running a mission leaves the context's initial_state as it was."""
    initial_state = {"message": "hello", "count": 1}
    ctx = _make_ctx(initial_state)

    result = run_mission("daily_loop", ctx, params=None)

    assert ctx.initial_state == initial_state
    assert result.success is True
    assert result.final_state == initial_state  # every daily_loop step is a noop


def test_integration_daily_loop_yields_serialisable_result(stable_hash) -> None:
    """daily_loop's result dict is JSON-serialisable and hashable."""
    ctx = _make_ctx({"counter": 0})

    result = run_mission("daily_loop", ctx, params=None)
    assert isinstance(result, OrchestrationResult)

    as_dict = result.to_dict()
    assert isinstance(as_dict, dict)

    json_payload = json.dumps(as_dict, sort_keys=True, separators=(",", ":"))
    assert isinstance(json_payload, str)

    h = stable_hash(as_dict)
    assert isinstance(h, str)
    assert len(h) == 64

    # It serialises losslessly, the core's own hash is that same digest, and it succeeded.
    assert json.loads(json_payload) == as_dict
    assert result.result_hash == h
    assert as_dict["success"] is True
    assert as_dict["id"] == "wf-daily-loop"
    assert as_dict["final_state"] == {"counter": 0}


def test_integration_echo_mission_executes_successfully(stable_hash) -> None:
    """The echo mission runs end to end and its result is hashable."""
    ctx = _make_ctx({"message": "ping"})

    result = run_mission("echo", ctx, params={"payload_key": "message"})
    assert isinstance(result, OrchestrationResult)

    as_dict = result.to_dict()
    assert isinstance(as_dict, dict)

    h = stable_hash(as_dict)
    assert isinstance(h, str)
    assert len(h) == 64

    # Echo succeeds in one noop step that carries its params, and leaves the state alone.
    assert as_dict == {
        "error_message": None,
        "executed_steps": [
            {
                "id": "echo-step",
                "kind": "runtime",
                "payload": {
                    "description": "Echo workflow step",
                    "operation": "noop",
                    "params": {"payload_key": "message"},
                },
            }
        ],
        "failed_step_id": None,
        "final_state": {"message": "ping"},
        "id": "wf-echo",
        "lineage": {"executed_step_ids": ["echo-step"], "workflow_id": "wf-echo"},
        "receipt": {"id": "wf-echo", "steps": ["echo-step"]},
        "success": True,
    }
    assert result.success is True
    assert result.result_hash == h


def test_a_built_in_mission_is_built_once_per_distinct_params_and_others_every_time() -> None:
    """Built-in builders are pure, and their workflows immutable: equal params share one
    workflow. A registered builder may not be pure, so it is asked every time."""
    registry = Registry.with_builtins()
    first = registry.build("daily_loop", {"requested_steps": 4})
    assert registry.build("daily_loop", {"requested_steps": 4}) is first
    assert Registry.with_builtins().build("daily_loop", {"requested_steps": 4}) is first
    other = registry.build("daily_loop", {"requested_steps": 2})
    assert other is not first and len(other.steps) != len(first.steps)
    assert registry.build("echo", {"message": "a"}) is not registry.build("echo", {"message": "b"})

    calls: list[Any] = []

    def counted(params: dict[str, Any] | None = None) -> WorkflowDefinition:
        calls.append(params)
        return WorkflowDefinition(id="wf-counted", steps=())

    registry.add_mission("counted", counted)
    registry.build("counted", {"k": 1})
    registry.build("counted", {"k": 1})
    assert calls == [{"k": 1}, {"k": 1}]


def test_a_built_in_mission_replaced_by_a_user_builder_is_not_served_from_the_cache() -> None:
    registry = Registry.with_builtins()
    registry.build("echo", {"message": "cached"})
    replacement = WorkflowDefinition(id="wf-replaced", steps=())
    registry.missions["echo"] = lambda params=None: replacement
    assert registry.build("echo", {"message": "cached"}) is replacement
