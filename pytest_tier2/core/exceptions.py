"""The one exception hierarchy of pytest-tier2: everything it raises on purpose is a Tier2Error."""

from __future__ import annotations


class Tier2Error(Exception):
    """Base of every error that pytest-tier2 raises on purpose."""


class CanonicalError(Tier2Error, ValueError):
    """A value cannot be carried by canonical JSON; `where` says where it sits."""

    def __init__(self, where: str, problem: str) -> None:
        self.where = where
        self.problem = problem
        super().__init__(f"{where}: {problem}" if where else problem)


class AntiFailureViolation(Tier2Error):
    """A workflow exceeds the Anti-Failure step limits."""


class EnvelopeViolation(Tier2Error):
    """A workflow uses a step kind outside the execution envelope."""


class AntiFailurePlanningError(Tier2Error):
    """A mission cannot be planned within the Anti-Failure limits."""


class MissionParameterError(Tier2Error, ValueError):
    """A mission was given a parameter it cannot use."""


class WorkflowDefinitionError(Tier2Error, ValueError):
    """A workflow definition is inconsistent (for example, its id and name differ)."""


class UnknownMissionError(Tier2Error, KeyError):
    """A mission name is not in the registry."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class RegistryError(Tier2Error):
    """A registry was changed in a way it does not allow."""


class DuplicateRegistrationError(RegistryError):
    """A mission or operation name was registered twice."""


class RegistryLockedError(RegistryError):
    """A registry was changed while a run was under way."""


class ScenarioDefinitionError(Tier2Error, ValueError):
    """A scenario definition is inconsistent (for example, two calls share a result key)."""


class ExpectationError(Tier2Error, ValueError):
    """An expectation is malformed: unknown op, bad path, bad or missing expected value."""


class PathSyntaxError(ExpectationError):
    """A result path does not follow the path grammar."""
