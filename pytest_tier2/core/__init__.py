"""The embedded orchestration core. It imports neither pytest nor yaml."""

from __future__ import annotations

from .canonical import FrozenList, FrozenMap
from .engine import (
    ExecutionContext,
    OrchestrationResult,
    Orchestrator,
    StepSpec,
    WorkflowDefinition,
)
from .exceptions import (
    AntiFailurePlanningError,
    AntiFailureViolation,
    CanonicalError,
    DuplicateRegistrationError,
    EnvelopeViolation,
    ExpectationError,
    MissionParameterError,
    PathSyntaxError,
    RegistryError,
    RegistryLockedError,
    ScenarioDefinitionError,
    Tier2Error,
    UnknownMissionError,
    WorkflowDefinitionError,
)
from .expectations import (
    ExpectationResult,
    MissionExpectation,
    SuiteExpectationsDefinition,
    SuiteExpectationsResult,
    evaluate_expectations,
)
from .harness import MissionCall, ScenarioDefinition, ScenarioResult, run_scenario
from .operations import OperationHandler, StepFailed
from .registry import MISSION_REGISTRY, MissionBuilder, Registry, default_registry, run_mission
from .suite import ScenarioSuiteDefinition, ScenarioSuiteResult, run_suite
from .test_run import TestRunResult, run_test_run

__all__ = [
    "MISSION_REGISTRY",
    "AntiFailurePlanningError",
    "AntiFailureViolation",
    "CanonicalError",
    "DuplicateRegistrationError",
    "EnvelopeViolation",
    "ExecutionContext",
    "ExpectationError",
    "ExpectationResult",
    "FrozenList",
    "FrozenMap",
    "MissionBuilder",
    "MissionCall",
    "MissionExpectation",
    "MissionParameterError",
    "OperationHandler",
    "OrchestrationResult",
    "Orchestrator",
    "PathSyntaxError",
    "Registry",
    "RegistryError",
    "RegistryLockedError",
    "ScenarioDefinition",
    "ScenarioDefinitionError",
    "ScenarioResult",
    "ScenarioSuiteDefinition",
    "ScenarioSuiteResult",
    "StepFailed",
    "StepSpec",
    "SuiteExpectationsDefinition",
    "SuiteExpectationsResult",
    "TestRunResult",
    "Tier2Error",
    "UnknownMissionError",
    "WorkflowDefinition",
    "WorkflowDefinitionError",
    "default_registry",
    "evaluate_expectations",
    "run_mission",
    "run_scenario",
    "run_suite",
    "run_test_run",
]
