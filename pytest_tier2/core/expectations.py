"""Expectations: declarative checks on mission results, validated when they are built."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any

from .canonical import compose_object, dumps, freeze, freeze_mapping, sha256, thaw
from .comparisons import (
    ALL_OPS,
    OPS_WITHOUT_EXPECTED,
    TOLERANCE_KEYS,
    ExpectationOp,
    compare,
    expected_problem,
    tolerance_problem,
)
from .exceptions import ExpectationError
from .harness import tree_of
from .paths import Path, nearest_paths, parse_path, resolve
from .suggest import did_you_mean
from .suite import ScenarioSuiteResult
from .values import PickledByFields

__all__ = [
    "ExpectationOp",
    "ExpectationResult",
    "MissionExpectation",
    "SuiteExpectationsDefinition",
    "SuiteExpectationsResult",
    "evaluate_expectations",
]


@dataclass(frozen=True, slots=True)
class MissionExpectation(PickledByFields):
    """One check: the value at `path` in a mission's result, compared with `op`.

    Built eagerly valid: an unknown op, a bad path, an `expected` the op cannot use (a bad
    regex, `type: integr`), a tolerance on another op than `approx`, or an `expected` that
    is not canonical JSON raises ExpectationError here, not at evaluation.
    `rel_tol` and `abs_tol` are `approx`'s `rel` and `abs`; None means pytest's default.
    """

    id: str
    scenario_name: str
    mission_name: str
    path: str
    op: ExpectationOp
    expected: Any | None = None
    rel_tol: float | None = None
    abs_tol: float | None = None
    segments: Path = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.op not in ALL_OPS:
            raise ExpectationError(
                f"expectation '{self.id}': unknown op {self.op!r}"
                f"{did_you_mean(str(self.op), ALL_OPS)} (allowed: {', '.join(ALL_OPS)})"
            )
        object.__setattr__(self, "segments", parse_path(self.path))
        if self.op in OPS_WITHOUT_EXPECTED and self.expected is not None:
            raise ExpectationError(
                f"expectation '{self.id}': op '{self.op}' takes no expected value"
            )
        object.__setattr__(self, "expected", freeze(self.expected, "expected"))
        problem = expected_problem(self.op, self.expected)
        if problem is None and (self.rel_tol is not None or self.abs_tol is not None):
            for key, value in zip(TOLERANCE_KEYS, (self.rel_tol, self.abs_tol), strict=True):
                if value is not None and problem is None:
                    problem = tolerance_problem(self.op, key, value)
        if problem is not None:
            raise ExpectationError(f"expectation '{self.id}': {problem}")


@dataclass(frozen=True)
class ExpectationResult:
    """The verdict on one expectation, with the value found and why it failed."""

    id: str
    passed: bool
    actual: Any | None
    expected: Any | None
    details: Mapping[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "actual", freeze(self.actual, "actual"))
        object.__setattr__(self, "expected", freeze(self.expected, "expected"))
        object.__setattr__(self, "details", freeze_mapping(self.details, "details"))

    @cached_property
    def canonical_json(self) -> str:
        return dumps(self.tree())

    def tree(self) -> dict[str, Any]:
        """The verdict as a dict of frozen values; made when asked, not kept on the verdict."""
        return {
            "actual": self.actual,
            "details": self.details,
            "expected": self.expected,
            "id": self.id,
            "passed": self.passed,
        }

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = thaw(self.tree())
        return result


@dataclass(frozen=True)
class SuiteExpectationsDefinition:
    """Expectations to evaluate, as a tuple with unique ids."""

    expectations: Sequence[MissionExpectation]  # stored as a tuple

    def __post_init__(self) -> None:
        expectations = tuple(self.expectations)
        object.__setattr__(self, "expectations", expectations)
        ids = [expectation.id for expectation in expectations]
        if len(ids) != len(set(ids)):
            duplicates = sorted({i for i in ids if ids.count(i) > 1})
            raise ExpectationError(f"Duplicate expectation IDs are not allowed: {duplicates}")


@dataclass(frozen=True)
class SuiteExpectationsResult:
    """Every expectation's verdict, plus metadata holding `expectations_hash`."""

    passed: bool
    expectation_results: Mapping[str, ExpectationResult]
    metadata: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "expectation_results", MappingProxyType(dict(self.expectation_results))
        )
        metadata = self.metadata
        if metadata is None:
            metadata = {"expectations_hash": sha256(self.content_json)}
        object.__setattr__(self, "metadata", freeze_mapping(metadata, "metadata"))

    @cached_property
    def content_members(self) -> tuple[tuple[str, str], ...]:
        # One encoding of every verdict's tree: the same text as composing each verdict's
        # own `canonical_json`, without an encoder call per expectation.
        results = dumps({eid: result.tree() for eid, result in self.expectation_results.items()})
        return (("expectation_results", results), ("passed", dumps(self.passed)))

    @cached_property
    def content_json(self) -> str:
        return compose_object(self.content_members)

    @cached_property
    def canonical_json(self) -> str:
        return compose_object((*self.content_members, ("metadata", dumps(self.metadata))))

    @property
    def expectations_hash(self) -> str:
        return str(self.metadata["expectations_hash"])  # type: ignore[index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "expectation_results": {
                eid: result.to_dict() for eid, result in sorted(self.expectation_results.items())
            },
            "metadata": thaw(self.metadata),
            "passed": self.passed,
        }


def _resolve_path(root: Any, path: str) -> tuple[bool, Any | None]:
    """Resolve a path string against a result tree: (found, value)."""
    return resolve(root, parse_path(path))


def evaluate_one(
    suite_result: ScenarioSuiteResult, expectation: MissionExpectation
) -> ExpectationResult:
    """Evaluate a single expectation against a suite result."""

    def verdict(passed: bool, actual: Any, details: Mapping[str, Any]) -> ExpectationResult:
        return ExpectationResult(expectation.id, passed, actual, expectation.expected, details)

    scenario = suite_result.scenario_results.get(expectation.scenario_name)
    if scenario is None:
        return verdict(
            False, None, {"reason": "scenario_missing", "scenario": expectation.scenario_name}
        )
    mission = scenario.mission_results.get(expectation.mission_name)
    if mission is None:
        return verdict(
            False, None, {"reason": "mission_missing", "mission": expectation.mission_name}
        )
    tree = tree_of(mission)
    found, actual = resolve(tree, expectation.segments)
    if expectation.op == "absent":
        if found:
            return verdict(False, actual, {"reason": "present", "path": expectation.path})
        return verdict(True, None, {})
    if not found:
        return verdict(
            False,
            None,
            {
                "reason": "path_missing",
                "path": expectation.path,
                "nearest": nearest_paths(tree, expectation.segments),
            },
        )
    if expectation.op == "exists":
        return verdict(True, actual, {})
    passed, details = compare(
        expectation.op, actual, expectation.expected, expectation.rel_tol, expectation.abs_tol
    )
    return verdict(passed, actual, details)


def evaluate_expectations(
    suite_result: ScenarioSuiteResult, definition: SuiteExpectationsDefinition
) -> SuiteExpectationsResult:
    """Evaluate every expectation; the verdict passes only if all of them pass."""
    return aggregate(evaluate_one(suite_result, e) for e in definition.expectations)


def aggregate(results: Iterable[ExpectationResult]) -> SuiteExpectationsResult:
    by_id = {result.id: result for result in results}
    return SuiteExpectationsResult(all(r.passed for r in by_id.values()), by_id)
