"""The daily loop runner: builder and orchestrator composed into one deterministic call."""

from __future__ import annotations

import copy

from pytest_tier2.core.daily_loop import run_daily_loop
from pytest_tier2.core.engine import ExecutionContext, OrchestrationResult

# The daily loop's steps under the default params: one human step, then three runtime ones.
DAILY_STEPS = [
    ("daily-confirm-priorities", "human"),
    ("daily-summarise-yesterday", "runtime"),
    ("daily-generate-priorities", "runtime"),
    ("daily-log-summary", "runtime"),
]
DAILY_STEP_IDS = [step_id for step_id, _ in DAILY_STEPS]


def test_daily_loop_basic_contract():
    """Returns an OrchestrationResult with the expected fields."""
    ctx = ExecutionContext(initial_state={"run_id": "test-daily"})
    result: OrchestrationResult = run_daily_loop(ctx, params={"mode": "default"})

    assert isinstance(result.success, bool)
    assert isinstance(result.executed_steps, list)
    assert isinstance(result.final_state, dict)
    assert result.lineage is not None
    assert result.receipt is not None

    # ...and what they hold: a successful run of the daily loop that keeps the state.
    assert result.success is True
    assert result.failed_step_id is None
    assert [step.id for step in result.executed_steps] == DAILY_STEP_IDS
    assert result.final_state == {"run_id": "test-daily"}
    assert result.lineage == {"executed_step_ids": DAILY_STEP_IDS, "workflow_id": "wf-daily-loop"}
    assert result.receipt == {"id": "wf-daily-loop", "steps": DAILY_STEP_IDS}


def test_daily_loop_returns_orchestration_result():
    """The result is an OrchestrationResult for the daily-loop workflow."""
    ctx = ExecutionContext(initial_state={})
    result = run_daily_loop(ctx)

    assert isinstance(result, OrchestrationResult)
    assert result.id == "wf-daily-loop"


def test_daily_loop_with_empty_params():
    """Works with no params."""
    ctx = ExecutionContext(initial_state={"test": True})
    result = run_daily_loop(ctx)

    assert isinstance(result, OrchestrationResult)
    assert len(result.executed_steps) > 0
    assert [step.id for step in result.executed_steps] == DAILY_STEP_IDS
    assert result.success is True


def test_daily_loop_is_deterministic(stable_hash):
    """Identical initial state and params give identical output."""
    ctx_base = ExecutionContext(initial_state={"seed": 123, "run_id": "det-test"})

    ctx1 = ExecutionContext(initial_state=dict(ctx_base.initial_state))
    ctx2 = ExecutionContext(initial_state=dict(ctx_base.initial_state))

    result1 = run_daily_loop(ctx1, params={"mode": "default"})
    result2 = run_daily_loop(ctx2, params={"mode": "default"})

    h1 = stable_hash(result1.to_dict())
    h2 = stable_hash(result2.to_dict())

    assert h1 == h2, "Daily loop must be deterministic for identical inputs"
    assert result1.to_dict() == result2.to_dict()
    assert result1.success is True
    assert result1.final_state == {"seed": 123, "run_id": "det-test"}


def test_daily_loop_deterministic_across_multiple_runs(stable_hash):
    """Five runs with the same inputs give one hash."""
    ctx = ExecutionContext(initial_state={"counter": 0})
    params = {"mode": "standard"}

    hashes = []
    for _ in range(5):
        result = run_daily_loop(
            ExecutionContext(initial_state=dict(ctx.initial_state)), params=params
        )
        hashes.append(stable_hash(result.to_dict()))

    assert len(set(hashes)) == 1, "All runs must produce identical result hashes"
    # The hash of a real run: another initial state gives another one.
    other = run_daily_loop(ExecutionContext(initial_state={"counter": 1}), params=params)
    assert stable_hash(other.to_dict()) != hashes[0]


def test_daily_loop_respects_anti_failure_limits():
    """Stays within 5 steps and 2 human steps."""
    ctx = ExecutionContext(initial_state={})

    result = run_daily_loop(ctx, params={"mode": "default"})

    assert len(result.executed_steps) <= 5, "Must have at most 5 steps"

    human_steps = [s for s in result.executed_steps if getattr(s, "kind", None) == "human"]
    assert len(human_steps) <= 2, "Must have at most 2 human steps"
    # Within the limits because the plan fits, not because nothing ran.
    assert len(result.executed_steps) == len(DAILY_STEPS)
    assert len(human_steps) == 1


def test_daily_loop_uses_only_allowed_step_kinds():
    """Every step is 'runtime' or 'human'."""
    ctx = ExecutionContext(initial_state={})
    result = run_daily_loop(ctx)

    allowed_kinds = {"runtime", "human"}
    for step in result.executed_steps:
        assert step.kind in allowed_kinds, f"Step {step.id} has invalid kind: {step.kind}"
    assert [(step.id, step.kind) for step in result.executed_steps] == DAILY_STEPS


def test_daily_loop_receipt_mentions_human_steps_if_present():
    """Human steps appear in the receipt."""
    ctx = ExecutionContext(initial_state={})
    result = run_daily_loop(ctx, params={"mode": "default"})

    receipt = result.receipt
    step_ids = receipt.get("steps", [])

    for s in result.executed_steps:
        if getattr(s, "kind", None) == "human":
            assert s.id in step_ids, f"Human step '{s.id}' must appear in receipt"
    # The loop above checked something: the default daily loop has a human step.
    assert [s.id for s in result.executed_steps if s.kind == "human"] == [
        "daily-confirm-priorities"
    ]


def test_daily_loop_lineage_is_populated():
    """Lineage names the workflow and the executed steps."""
    ctx = ExecutionContext(initial_state={})
    result = run_daily_loop(ctx)

    assert result.lineage is not None
    assert "workflow_id" in result.lineage
    assert "executed_step_ids" in result.lineage
    assert result.lineage["workflow_id"] == "wf-daily-loop"
    assert result.lineage["executed_step_ids"] == DAILY_STEP_IDS


def test_daily_loop_receipt_contains_all_executed_steps():
    """The receipt lists every executed step, in order."""
    ctx = ExecutionContext(initial_state={})
    result = run_daily_loop(ctx)

    receipt_step_ids = result.receipt.get("steps", [])
    executed_step_ids = [s.id for s in result.executed_steps]

    assert receipt_step_ids == executed_step_ids, "Receipt must list all executed steps"
    assert executed_step_ids == DAILY_STEP_IDS


def test_daily_loop_does_not_mutate_input_context():
    """The context's initial_state is left as it was."""
    initial = {"foo": "bar", "count": 42}
    ctx = ExecutionContext(initial_state=initial.copy())

    before = dict(ctx.initial_state)
    result = run_daily_loop(ctx)
    after = dict(ctx.initial_state)

    assert before == after, "ExecutionContext.initial_state must remain immutable"
    assert after == initial
    assert result.success is True


def test_daily_loop_does_not_mutate_params():
    """The params dict passed in is left as it was."""
    ctx = ExecutionContext(initial_state={})
    params = {"mode": "default", "extra": [1, 2, 3]}
    params_copy = copy.deepcopy(params)

    result = run_daily_loop(ctx, params=params)

    assert params == params_copy, "Params input must be preserved (immutability check)"
    assert result.success is True


def test_daily_loop_final_state_is_independent_of_input():
    """final_state does not alias ctx.initial_state."""
    ctx = ExecutionContext(initial_state={"value": 1})
    result = run_daily_loop(ctx)
    assert result.final_state == {"value": 1}

    result.final_state["new_key"] = "test"
    assert "new_key" not in ctx.initial_state
    assert result.final_state == {"value": 1}  # a copy each time: the result is unchanged


def test_daily_loop_success_for_valid_workflow():
    """Default params succeed: no step fails."""
    ctx = ExecutionContext(initial_state={})
    result = run_daily_loop(ctx)

    assert result.success is True
    assert result.failed_step_id is None
    assert result.error_message is None
