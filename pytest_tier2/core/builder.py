"""Workflow templates: turn a mission spec into a workflow that fits the Anti-Failure limits."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .canonical import freeze_mapping
from .engine import MAX_HUMAN_STEPS, MAX_TOTAL_STEPS, StepSpec, WorkflowDefinition, check_limits
from .exceptions import (
    AntiFailurePlanningError,
    AntiFailureViolation,
    EnvelopeViolation,
    MissionParameterError,
)
from .suggest import did_you_mean

__all__ = [
    "MAX_HUMAN_STEPS",
    "MAX_TOTAL_STEPS",
    "AntiFailurePlanningError",
    "MissionSpec",
    "build_workflow",
]


@dataclass(frozen=True)
class MissionSpec:
    """A mission type and its parameters (frozen on construction)."""

    type: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", freeze_mapping(self.params, "params"))


def _count_param(params: Mapping[str, Any], name: str, default: int) -> int:
    value = params.get(name, default)
    if type(value) is not int or value < 0:
        raise MissionParameterError(
            f"daily_loop parameter '{name}' must be a non-negative integer, not {value!r}"
        )
    return value


_DAILY_RUNTIME_STEPS = (
    ("daily-summarise-yesterday", "Summarise yesterday's activities"),
    ("daily-generate-priorities", "Generate today's priorities"),
    ("daily-log-summary", "Log daily summary"),
    ("daily-archive", "Archive completed items"),
)


def build_daily_loop(params: Mapping[str, Any]) -> WorkflowDefinition:
    """One human step to confirm priorities, then runtime steps, truncated to the limits.

    `requested_steps` (default 4) and `requested_human_steps` (default 1) are clamped to
    the Anti-Failure limits rather than refused.
    """
    requested_steps = min(_count_param(params, "requested_steps", 4), MAX_TOTAL_STEPS)
    requested_human = min(_count_param(params, "requested_human_steps", 1), MAX_HUMAN_STEPS)
    steps: list[StepSpec] = []
    if requested_human >= 1:
        steps.append(
            StepSpec(
                id="daily-confirm-priorities",
                kind="human",
                payload={"description": "Confirm today's priorities"},
            )
        )
    for step_id, description in _DAILY_RUNTIME_STEPS:
        if len(steps) >= requested_steps:
            break
        steps.append(
            StepSpec(
                id=step_id,
                kind="runtime",
                payload={"operation": "noop", "description": description},
            )
        )
    if not steps:
        steps.append(
            StepSpec(
                id="daily-noop",
                kind="runtime",
                payload={"operation": "noop", "description": "Daily placeholder"},
            )
        )
    return WorkflowDefinition(
        id="wf-daily-loop",
        steps=tuple(steps),
        metadata={"mission_type": "daily_loop", "params": params},
    )


def build_run_tests(params: Mapping[str, Any]) -> WorkflowDefinition:
    """Three runtime steps: discover, execute and report tests for `target` (default "all")."""
    target = params.get("target", "all")
    steps = (
        StepSpec(
            id="tests-discover",
            kind="runtime",
            payload={"operation": "noop", "description": f"Discover tests in {target}"},
        ),
        StepSpec(
            id="tests-execute",
            kind="runtime",
            payload={"operation": "noop", "description": f"Execute tests for {target}"},
        ),
        StepSpec(
            id="tests-report",
            kind="runtime",
            payload={"operation": "noop", "description": "Generate test report"},
        ),
    )
    return WorkflowDefinition(
        id="wf-run-tests",
        steps=steps,
        metadata={"mission_type": "run_tests", "type": "run_tests", "params": params},
    )


MISSION_TYPES: Mapping[str, Callable[[Mapping[str, Any]], WorkflowDefinition]] = {
    "daily_loop": build_daily_loop,
    "run_tests": build_run_tests,
}

MISSION_PARAMS: Mapping[str, Mapping[str, type]] = {
    "daily_loop": {"requested_steps": int, "requested_human_steps": int},
    "run_tests": {"target": str},
}
"""The params each built-in mission type reads, with their types; the registry checks them."""


def build_workflow(mission: MissionSpec) -> WorkflowDefinition:
    """Build the workflow for a mission type; the result always fits the limits."""
    builder = MISSION_TYPES.get(mission.type)
    if builder is None:
        raise MissionParameterError(
            f"Unknown mission type: '{mission.type}'{did_you_mean(mission.type, MISSION_TYPES)}. "
            f"Supported types: {sorted(MISSION_TYPES)}"
        )
    workflow = builder(mission.params)
    try:
        check_limits(workflow.steps)
    except (AntiFailureViolation, EnvelopeViolation) as error:
        raise AntiFailurePlanningError(str(error)) from error
    return workflow


def build_from_params(
    mission_type: str,
) -> Callable[[Mapping[str, Any] | None], WorkflowDefinition]:
    """A registry builder for one of the built-in mission types."""

    def builder(params: Mapping[str, Any] | None = None) -> WorkflowDefinition:
        return build_workflow(MissionSpec(type=mission_type, params=params or {}))

    builder.__name__ = f"build_{mission_type}"
    builder.__qualname__ = builder.__name__
    return builder
