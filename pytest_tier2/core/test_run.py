"""A test run: run a suite, evaluate its expectations, hash the whole."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .canonical import compose_object, dumps, freeze_mapping, sha256, thaw
from .expectations import (
    SuiteExpectationsDefinition,
    SuiteExpectationsResult,
    evaluate_expectations,
)
from .registry import Registry
from .suite import ScenarioSuiteDefinition, ScenarioSuiteResult, run_suite

__all__ = ["TestRunResult", "run_test_run"]


@dataclass(frozen=True)
class TestRunResult:
    """A suite's results and its expectations' verdicts, with `test_run_hash` over both."""

    __test__ = False  # not a pytest test class, whatever its name says

    suite_result: ScenarioSuiteResult
    expectations_result: SuiteExpectationsResult
    passed: bool
    metadata: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        metadata = self.metadata
        if metadata is None:
            metadata = {
                "suite_name": self.suite_result.suite_name,
                "test_run_hash": sha256(self.content_json),
            }
        object.__setattr__(self, "metadata", freeze_mapping(metadata, "metadata"))

    @cached_property
    def content_members(self) -> tuple[tuple[str, str], ...]:
        return (
            ("expectations_result", self.expectations_result.canonical_json),
            ("passed", dumps(self.passed)),
            ("suite_result", self.suite_result.canonical_json),
        )

    @cached_property
    def content_json(self) -> str:
        return compose_object(self.content_members)

    @cached_property
    def canonical_json(self) -> str:
        return compose_object((*self.content_members, ("metadata", dumps(self.metadata))))

    @property
    def test_run_hash(self) -> str:
        return str(self.metadata["test_run_hash"])  # type: ignore[index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "expectations_result": self.expectations_result.to_dict(),
            "metadata": thaw(self.metadata),
            "passed": self.passed,
            "suite_result": self.suite_result.to_dict(),
        }


def run_test_run(
    suite_def: ScenarioSuiteDefinition,
    expectations_def: SuiteExpectationsDefinition,
    *,
    registry: Registry | None = None,
) -> TestRunResult:
    """Run the suite, evaluate the expectations against it, and aggregate."""
    suite_result = run_suite(suite_def, registry=registry)
    expectations_result = evaluate_expectations(suite_result, expectations_def)
    return TestRunResult(suite_result, expectations_result, expectations_result.passed)
