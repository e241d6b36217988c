"""The Tier-2 orchestrator: runs a workflow's steps within the Anti-Failure limits."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .canonical import (
    FrozenList,
    FrozenMap,
    dumps,
    freeze_mapping,
    sha256,
    thaw,
)
from .exceptions import (
    AntiFailureViolation,
    CanonicalError,
    EnvelopeViolation,
    WorkflowDefinitionError,
)
from .operations import BUILTIN_OPERATIONS, OperationHandler, StepFailed, noop

__all__ = [
    "AntiFailureViolation",
    "EnvelopeViolation",
    "ExecutionContext",
    "OrchestrationResult",
    "Orchestrator",
    "RaiseSite",
    "StepSpec",
    "WorkflowDefinition",
]

MAX_TOTAL_STEPS = 5
MAX_HUMAN_STEPS = 2
ALLOWED_KINDS = frozenset({"runtime", "human"})


@dataclass(frozen=True)
class StepSpec:
    """One workflow step. Its payload is frozen on construction, so a step is a value."""

    id: str
    kind: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if type(self.id) is not str or not self.id:
            raise WorkflowDefinitionError(f"step id must be a non-empty string, not {self.id!r}")
        if type(self.kind) is not str:
            raise WorkflowDefinitionError(f"step '{self.id}' kind must be a string")
        object.__setattr__(
            self, "payload", freeze_mapping(self.payload, f"step '{self.id}' payload")
        )

    @cached_property
    def tree(self) -> FrozenMap:
        """The frozen canonical form of this step."""
        return FrozenMap((("id", self.id), ("kind", self.kind), ("payload", self.payload)))

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = thaw(self.tree)
        return result


@dataclass(frozen=True)
class WorkflowDefinition:
    """An ordered list of steps. `name` is an alias of `id`; giving both, they must agree."""

    id: str = ""
    steps: Sequence[StepSpec] = ()  # stored as a tuple
    metadata: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""

    def __post_init__(self) -> None:
        if self.id and self.name and self.id != self.name:
            raise WorkflowDefinitionError(
                f"WorkflowDefinition id/name mismatch: '{self.id}' vs '{self.name}'"
            )
        identity = self.id or self.name
        object.__setattr__(self, "id", identity)
        object.__setattr__(self, "name", identity)
        steps = tuple(self.steps)
        for step in steps:
            if not isinstance(step, StepSpec):
                raise WorkflowDefinitionError(
                    f"workflow '{identity}' steps must be StepSpec, not {type(step).__name__}"
                )
        object.__setattr__(self, "steps", steps)
        object.__setattr__(
            self, "metadata", freeze_mapping(self.metadata, f"workflow '{identity}' metadata")
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "metadata": thaw(self.metadata),
            "steps": [step.to_dict() for step in self.steps],
        }


@dataclass(frozen=True)
class ExecutionContext:
    """The state a workflow starts from, frozen so that later edits by the caller never leak in."""

    initial_state: Mapping[str, Any] = field(default_factory=dict)
    metadata: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "initial_state", freeze_mapping(self.initial_state, "initial_state")
        )
        if self.metadata is not None:
            object.__setattr__(self, "metadata", freeze_mapping(self.metadata, "metadata"))


@dataclass(frozen=True)
class RaiseSite:
    """Where an operation handler raised: `filename` (absolute), `lineno`, `function`.

    For messages only. It never enters a result's canonical JSON, which must not hold
    absolute paths, and results compare equal whatever it holds.
    """

    filename: str
    lineno: int
    function: str


def raise_site(error: BaseException) -> RaiseSite | None:
    """The innermost frame of `error`'s traceback: where it was raised."""
    tb = error.__traceback__
    if tb is None:
        return None
    while tb.tb_next is not None:
        tb = tb.tb_next
    code = tb.tb_frame.f_code
    return RaiseSite(code.co_filename, tb.tb_lineno, code.co_name)


class HandlerRaised(StepFailed):
    """A handler raised something other than StepFailed; `site` is where."""

    def __init__(self, message: str, site: RaiseSite | None) -> None:
        super().__init__(message)
        self.site = site


@dataclass(frozen=True)
class OrchestrationResult:
    """What one workflow run did. Fields are frozen; `final_state` and `to_dict()` return copies.

    `raised_at` says where a handler that raised did so. It is for messages only: outside
    `tree`, `to_dict()` and every hash, and ignored by `==`.
    """

    id: str
    success: bool
    steps: tuple[StepSpec, ...]
    state: FrozenMap
    failed_step_id: str | None
    error_message: str | None
    lineage: FrozenMap
    receipt: FrozenMap
    raised_at: RaiseSite | None = field(default=None, compare=False, repr=False)

    @property
    def executed_steps(self) -> list[StepSpec]:
        """The steps that ran, in order, including a failing one."""
        return list(self.steps)

    @property
    def final_state(self) -> dict[str, Any]:
        """A private copy of the state after the last step that ran."""
        state: dict[str, Any] = thaw(self.state)
        return state

    @cached_property
    def tree(self) -> FrozenMap:
        """The frozen canonical form: what `to_dict()` returns, shared read-only."""
        return FrozenMap(
            (
                ("error_message", self.error_message),
                ("executed_steps", FrozenList(step.tree for step in self.steps)),
                ("failed_step_id", self.failed_step_id),
                ("final_state", self.state),
                ("id", self.id),
                ("lineage", self.lineage),
                ("receipt", self.receipt),
                ("success", self.success),
            )
        )

    @cached_property
    def canonical_json(self) -> str:
        return dumps(self.tree)

    @cached_property
    def result_hash(self) -> str:
        """SHA-256 of `canonical_json`."""
        return sha256(self.canonical_json)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = thaw(self.tree)
        return result


def check_limits(steps: Iterable[StepSpec]) -> None:
    """Refuse a workflow outside the envelope or the Anti-Failure limits, before any step runs."""
    steps = tuple(steps)
    for step in steps:
        if step.kind not in ALLOWED_KINDS:
            raise EnvelopeViolation(
                f"Step '{step.id}' has disallowed kind '{step.kind}'. "
                f"Allowed kinds: {sorted(ALLOWED_KINDS)}"
            )
    if len(steps) > MAX_TOTAL_STEPS:
        raise AntiFailureViolation(
            f"Workflow has {len(steps)} steps, exceeds maximum of {MAX_TOTAL_STEPS}"
        )
    human_steps = sum(1 for step in steps if step.kind == "human")
    if human_steps > MAX_HUMAN_STEPS:
        raise AntiFailureViolation(
            f"Workflow has {human_steps} human steps, exceeds maximum of {MAX_HUMAN_STEPS}"
        )


class Orchestrator:
    """Runs workflows, dispatching runtime steps to operation handlers by `payload["operation"]`."""

    MAX_TOTAL_STEPS = MAX_TOTAL_STEPS
    MAX_HUMAN_STEPS = MAX_HUMAN_STEPS
    ALLOWED_KINDS = ALLOWED_KINDS

    def __init__(self, operations: Mapping[str, OperationHandler] | None = None) -> None:
        self._operations = BUILTIN_OPERATIONS if operations is None else operations

    def run_workflow(
        self, workflow: WorkflowDefinition, ctx: ExecutionContext
    ) -> OrchestrationResult:
        check_limits(workflow.steps)
        state: FrozenMap = ctx.initial_state  # type: ignore[assignment]
        executed: list[StepSpec] = []
        failed_step_id: str | None = None
        error_message: str | None = None
        raised_at: RaiseSite | None = None
        for step in workflow.steps:
            executed.append(step)
            if step.kind != "runtime":
                continue  # a human step is recorded; it never changes the state
            try:
                state = self._run_step(step, state)
            except StepFailed as failure:
                failed_step_id, error_message = step.id, f"Step '{step.id}' failed: {failure}"
                raised_at = failure.site if isinstance(failure, HandlerRaised) else None
                break
        executed_ids = FrozenList(step.id for step in executed)
        return OrchestrationResult(
            id=workflow.id,
            success=failed_step_id is None,
            steps=tuple(executed),
            state=state,
            failed_step_id=failed_step_id,
            error_message=error_message,
            lineage=FrozenMap((("executed_step_ids", executed_ids), ("workflow_id", workflow.id))),
            receipt=FrozenMap((("id", workflow.id), ("steps", executed_ids))),
            raised_at=raised_at,
        )

    def _run_step(self, step: StepSpec, state: FrozenMap) -> FrozenMap:
        """Run one runtime step; any failure, including a handler's bug, becomes StepFailed."""
        operation = step.payload.get("operation", "noop")
        handler = self._operations.get(operation) if type(operation) is str else None
        if handler is None:
            # Not the list of registered operations: this message is part of the hashed
            # result, which must not move when an unrelated operation is registered.
            raise StepFailed(f"unknown operation {operation!r}")
        if handler is noop:  # the state is frozen already: no copy in, no copy out
            return state
        try:
            new_state = handler(thaw(state), thaw(step.payload))
        except StepFailed:
            raise
        except Exception as error:  # a user's handler bug fails its step, never the run
            message = f"{type(error).__name__}: {error}"
            raise HandlerRaised(message, raise_site(error)) from error
        if not isinstance(new_state, Mapping):
            raise StepFailed(
                f"operation {operation!r} returned {type(new_state).__name__}, not a mapping"
            )
        try:
            return freeze_mapping(new_state, "state")
        except CanonicalError as error:
            raise StepFailed(f"operation {operation!r} returned a bad state: {error}") from error
