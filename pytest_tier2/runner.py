"""Runs each suite file once, keeps its outcome while its items report, then drops it."""

from __future__ import annotations

from dataclasses import dataclass

from .core.registry import Registry
from .core.test_run import TestRunResult, run_test_run
from .format import SuiteSpec


@dataclass(frozen=True)
class SuiteOutcome:
    """Either the test run's result or the error that stopped it."""

    result: TestRunResult | None
    error: BaseException | None


def run_spec(spec: SuiteSpec, registry: Registry) -> SuiteOutcome:
    """Run a loaded suite. Any exception (a limit violated, a user's bug) becomes the outcome."""
    try:
        return SuiteOutcome(run_test_run(spec.suite, spec.expectations, registry=registry), None)
    except Exception as error:
        return SuiteOutcome(None, error)
