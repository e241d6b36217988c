"""Scenarios: run several missions, each from a fresh copy of one initial state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType
from typing import Any, Protocol

from .canonical import compose_object, dumps, freeze, freeze_mapping, sha256, thaw
from .engine import ExecutionContext, OrchestrationResult
from .exceptions import ScenarioDefinitionError
from .registry import Registry, default_registry
from .values import PickledByFields

__all__ = [
    "MissionCall",
    "ScenarioDefinition",
    "ScenarioResult",
    "run_scenario",
    "scenario_members",
]


class ResultLike(Protocol):
    """Anything with a canonical `to_dict()`; OrchestrationResult is the usual one."""

    def to_dict(self) -> dict[str, Any]: ...


def canonical_json_of(result: ResultLike) -> str:
    """Canonical JSON of a result, reusing the text it already computed when it has one."""
    if isinstance(result, OrchestrationResult):
        return result.canonical_json
    return dumps(freeze(result.to_dict(), "result"))


def result_hash_of(result: ResultLike) -> str:
    """SHA-256 of a result's canonical JSON, reusing the hash it already computed."""
    if isinstance(result, OrchestrationResult):
        return result.result_hash
    return sha256(canonical_json_of(result))


def scenario_members(
    scenario_name: str, mission_jsons: Iterable[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    """The members a scenario hash is taken over, from each mission's canonical JSON by key.

    One definition for `ScenarioResult` and for pin files, which re-derive a recorded
    scenario's hash from its recorded mission results.
    """
    return (
        ("mission_results", compose_object(mission_jsons)),
        ("scenario_name", dumps(scenario_name)),
    )


def tree_of(result: ResultLike) -> Any:
    """The frozen canonical form of a result, shared read-only."""
    if isinstance(result, OrchestrationResult):
        return result.tree
    return freeze(result.to_dict(), "result")


@dataclass(frozen=True, slots=True)
class MissionCall(PickledByFields):
    """One mission call in a scenario. `alias` names its result; it defaults to the mission name."""

    name: str
    params: Mapping[str, Any] | None = None
    alias: str | None = None

    def __post_init__(self) -> None:
        if self.params is not None:
            object.__setattr__(self, "params", freeze_mapping(self.params, "params"))

    @property
    def result_key(self) -> str:
        return self.alias if self.alias is not None else self.name


@dataclass(frozen=True, slots=True)
class ScenarioDefinition(PickledByFields):
    """A named scenario: missions run in order, each on a fresh copy of `initial_state`."""

    scenario_name: str
    initial_state: Mapping[str, Any] = field(default_factory=dict)
    missions: Sequence[MissionCall] = ()  # stored as a tuple

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "initial_state", freeze_mapping(self.initial_state, "initial_state")
        )
        missions = tuple(self.missions)
        object.__setattr__(self, "missions", missions)
        seen: set[str] = set()
        for call in missions:
            if call.result_key in seen:
                raise ScenarioDefinitionError(
                    f"scenario '{self.scenario_name}' has two mission results keyed "
                    f"'{call.result_key}'; give one of the calls an alias with 'as'"
                )
            seen.add(call.result_key)


@dataclass(frozen=True)
class ScenarioResult:
    """Each mission's result by result key, plus metadata holding `scenario_hash`.

    Left out, `metadata` is derived: `scenario_hash` is the SHA-256 of the canonical JSON
    of `to_dict()` without its `metadata` member.
    """

    scenario_name: str
    mission_results: Mapping[str, ResultLike]
    metadata: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "mission_results", MappingProxyType(dict(self.mission_results)))
        metadata = self.metadata
        if metadata is None:
            metadata = {
                "scenario_hash": sha256(self.content_json),
                "scenario_name": self.scenario_name,
            }
        object.__setattr__(self, "metadata", freeze_mapping(metadata, "metadata"))

    @cached_property
    def content_members(self) -> tuple[tuple[str, str], ...]:
        """The canonical JSON text of each `to_dict()` member but `metadata`."""
        return scenario_members(
            self.scenario_name,
            ((key, canonical_json_of(result)) for key, result in self.mission_results.items()),
        )

    @cached_property
    def content_json(self) -> str:
        return compose_object(self.content_members)

    @cached_property
    def canonical_json(self) -> str:
        """Canonical JSON of `to_dict()`."""
        return compose_object((*self.content_members, ("metadata", dumps(self.metadata))))

    @property
    def scenario_hash(self) -> str:
        return str(self.metadata["scenario_hash"])  # type: ignore[index]

    def to_dict(self) -> dict[str, Any]:
        return {
            "metadata": thaw(self.metadata),
            "mission_results": {
                key: result.to_dict() for key, result in sorted(self.mission_results.items())
            },
            "scenario_name": self.scenario_name,
        }


def run_scenario(defn: ScenarioDefinition, *, registry: Registry | None = None) -> ScenarioResult:
    """Run every mission of a scenario in order. An error from any mission propagates."""
    registry = registry or default_registry()
    ctx = ExecutionContext(initial_state=defn.initial_state)
    results: dict[str, OrchestrationResult] = {}
    for call in defn.missions:
        try:
            results[call.result_key] = registry.run_mission(call.name, ctx, call.params)
        except BaseException as error:
            # The same exception propagates, annotated with where it happened; an interruption
            # (pytest-timeout's signal raises inside the run) is annotated too.
            if not hasattr(error, "tier2_context"):
                error.tier2_context = (defn.scenario_name, call.result_key)  # type: ignore[attr-defined]
            raise
    return ScenarioResult(defn.scenario_name, results)
