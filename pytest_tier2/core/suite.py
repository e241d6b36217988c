"""Suites: run several scenarios and hash the whole."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any

from .canonical import compose_object, dumps, freeze_mapping, sha256, thaw
from .harness import ScenarioDefinition, ScenarioResult, run_scenario
from .registry import Registry

__all__ = ["ScenarioSuiteDefinition", "ScenarioSuiteResult", "run_suite"]


@dataclass(frozen=True)
class ScenarioSuiteDefinition:
    """A named, ordered collection of scenarios."""

    suite_name: str
    scenarios: Sequence[ScenarioDefinition] = ()  # stored as a tuple

    def __post_init__(self) -> None:
        object.__setattr__(self, "scenarios", tuple(self.scenarios))


@dataclass(frozen=True)
class ScenarioSuiteResult:
    """Each scenario's result by name, plus metadata holding `suite_hash`.

    Left out, `metadata` is derived: `suite_hash` is the SHA-256 of the canonical JSON of
    `to_dict()` without its `metadata` member.
    """

    suite_name: str
    scenario_results: Mapping[str, ScenarioResult]
    metadata: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "scenario_results", MappingProxyType(dict(self.scenario_results)))
        metadata = self.metadata
        if metadata is None:
            metadata = {"suite_hash": sha256(self.content_json), "suite_name": self.suite_name}
        object.__setattr__(self, "metadata", freeze_mapping(metadata, "metadata"))

    @cached_property
    def content_members(self) -> tuple[tuple[str, str], ...]:
        scenarios = compose_object(
            (name, result.canonical_json) for name, result in self.scenario_results.items()
        )
        return (("scenario_results", scenarios), ("suite_name", dumps(self.suite_name)))

    @cached_property
    def content_json(self) -> str:
        return compose_object(self.content_members)

    @cached_property
    def canonical_json(self) -> str:
        return compose_object((*self.content_members, ("metadata", dumps(self.metadata))))

    @property
    def suite_hash(self) -> str:
        return str(self.metadata["suite_hash"])  # type: ignore[index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "metadata": thaw(self.metadata),
            "scenario_results": {
                name: result.to_dict() for name, result in sorted(self.scenario_results.items())
            },
            "suite_name": self.suite_name,
        }


def run_suite(
    defn: ScenarioSuiteDefinition, *, registry: Registry | None = None
) -> ScenarioSuiteResult:
    """Run every scenario in order; a later scenario with a repeated name replaces the earlier."""
    results: dict[str, ScenarioResult] = {}
    for scenario in defn.scenarios:
        results[scenario.scenario_name] = run_scenario(scenario, registry=registry)
    return ScenarioSuiteResult(defn.suite_name, results)
