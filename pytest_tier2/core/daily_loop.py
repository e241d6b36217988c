"""The daily loop as a single call: build the workflow, then run it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .builder import MissionSpec, build_workflow
from .engine import ExecutionContext, OrchestrationResult, Orchestrator


def run_daily_loop(
    ctx: ExecutionContext, params: Mapping[str, Any] | None = None
) -> OrchestrationResult:
    """Run the `daily_loop` template. A pure function of `ctx.initial_state` and `params`."""
    workflow = build_workflow(MissionSpec(type="daily_loop", params=params or {}))
    return Orchestrator().run_workflow(workflow, ctx)
