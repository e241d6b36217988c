"""Custom missions and operations for the example suites, registered the way a user would."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_tier2 import Registry, StepSpec, WorkflowDefinition


def bump_version(state: dict[str, Any], payload: dict[str, Any]) -> dict[str, Any]:
    """A pure operation: the new state is the old one with `version` raised by `by`."""
    return {**state, "version": state.get("version", 0) + payload.get("by", 1)}


def build_release(params: Mapping[str, Any] | None) -> WorkflowDefinition:
    """Approve, bump the version, tag: a human step then two runtime steps."""
    bump = (params or {}).get("bump", 1)
    return WorkflowDefinition(
        id="wf-release",
        steps=(
            StepSpec("release-approve", "human", {"description": "Approve the release"}),
            StepSpec("release-bump", "runtime", {"operation": "bump_version", "by": bump}),
            StepSpec("release-tag", "runtime", {"operation": "set", "values": {"tagged": True}}),
        ),
        metadata={"mission_type": "release"},
    )


def build_fire_drill(params: Mapping[str, Any] | None) -> WorkflowDefinition:
    """A planned failure: the drill halts at its `fail` step, so the last step never runs."""
    return WorkflowDefinition(
        id="wf-fire-drill",
        steps=(
            StepSpec("drill-page", "runtime", {"operation": "set", "values": {"paged": True}}),
            StepSpec(
                "drill-failover",
                "runtime",
                {"operation": "fail", "reason": "primary database unreachable"},
            ),
            StepSpec("drill-all-clear", "runtime", {"operation": "noop"}),
        ),
    )


def pytest_tier2_register(registry: Registry) -> None:
    # Declared params are checked at collection: `params: {bumb: 1}` fails there, at its line.
    registry.add_mission("release", build_release, params={"bump": int})
    registry.add_mission("fire_drill", build_fire_drill, params={})
    registry.add_operation("bump_version", bump_version)
