"""pytest-tier2: declarative, deterministic scenario suites as pytest tests.

The names users need (StepSpec, WorkflowDefinition, Registry, the errors) are exported
here, but imported lazily, so that loading the plugin costs pytest almost nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .core import (
        AntiFailurePlanningError,
        AntiFailureViolation,
        CanonicalError,
        DuplicateRegistrationError,
        EnvelopeViolation,
        ExecutionContext,
        ExpectationError,
        MissionBuilder,
        MissionParameterError,
        OperationHandler,
        OrchestrationResult,
        PathSyntaxError,
        Registry,
        RegistryError,
        RegistryLockedError,
        ScenarioDefinitionError,
        StepFailed,
        StepSpec,
        Tier2Error,
        UnknownMissionError,
        WorkflowDefinition,
        WorkflowDefinitionError,
    )

SUITE_SUFFIXES = (".tier2.yaml", ".tier2.yml")
"""The file names pytest collects as suites."""
DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024
"""The largest suite file collection reads, unless the ini option `tier2_max_file_bytes` says."""

__all__ = [
    "AntiFailurePlanningError",
    "AntiFailureViolation",
    "CanonicalError",
    "DuplicateRegistrationError",
    "EnvelopeViolation",
    "ExecutionContext",
    "ExpectationError",
    "MissionBuilder",
    "MissionParameterError",
    "OperationHandler",
    "OrchestrationResult",
    "PathSyntaxError",
    "Registry",
    "RegistryError",
    "RegistryLockedError",
    "ScenarioDefinitionError",
    "StepFailed",
    "StepSpec",
    "Tier2Error",
    "UnknownMissionError",
    "WorkflowDefinition",
    "WorkflowDefinitionError",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        # Not `from . import core`: that returns a stale module after pytester's in-process
        # runs drop `pytest_tier2.core` from sys.modules, and its classes would not match.
        core = importlib.import_module(f"{__name__}.core")
        return getattr(core, name)
    raise AttributeError(f"module 'pytest_tier2' has no attribute {name!r}")
