"""What reading a suite file produces: the core's definitions, and where each part sits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .. import SUITE_SUFFIXES
from ..core.expectations import MissionExpectation, SuiteExpectationsDefinition
from ..core.suite import ScenarioSuiteDefinition
from ..core.values import PickledByFields


@dataclass(frozen=True, slots=True)
class Row(PickledByFields):
    """The row of an outline's `examples` that a scenario or expectation was expanded from."""

    outline: str
    id: str
    line: int


@dataclass(frozen=True, slots=True)
class ExpectationEntry(PickledByFields):
    """An expectation and what the plugin needs beside it: its line and its pytest marks.

    `line` is the expectation's own line, also for one expanded from an outline, whose
    `row` says which row of the examples it checks."""

    expectation: MissionExpectation
    line: int
    marks: tuple[str, ...] = ()
    skip: str | None = None
    xfail: str | None = None
    row: Row | None = None


@dataclass(frozen=True)
class SuiteSpec:
    """A loaded suite file: the core's definitions plus where each part sits in the file."""

    name: str
    suite: ScenarioSuiteDefinition
    expectations: SuiteExpectationsDefinition
    entries: tuple[ExpectationEntry, ...]
    scenario_lines: Mapping[str, int]
    call_lines: Mapping[tuple[str, str], int]
    """The line of each mission call, by (scenario name, result key)."""
    outlines: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """The scenarios each outline expanded into, in row order, by outline name."""


@dataclass(frozen=True, slots=True)
class ItemIndex(PickledByFields):
    """What collecting one expectation's pytest item needs, and no more."""

    position: int
    """Where its entry is in the suite's `entries`."""
    id: str
    scenario: str
    line: int
    marks: tuple[str, ...]
    skip: str | None
    xfail: str | None


@dataclass(frozen=True, slots=True)
class SuiteIndex(PickledByFields):
    """What collecting a suite file needs: its name, its expectations' items, and its
    scenarios with their lines, in file order. The parse cache loads it alone at
    collection, and the whole SuiteSpec only when the suite runs."""

    name: str
    items: tuple[ItemIndex, ...]
    scenario_lines: Mapping[str, int]


def index_of(spec: SuiteSpec) -> SuiteIndex:
    """The index of a loaded suite: what `SuiteSpec` says of each item, the same values.

    Items name their scenario with the scenario's own string, so that an index, and what
    is unpickled from it, holds each name once rather than once per item."""
    names = {scenario.scenario_name: scenario.scenario_name for scenario in spec.suite.scenarios}
    return SuiteIndex(
        spec.name,
        tuple(
            ItemIndex(
                position,
                entry.expectation.id,
                names.get(entry.expectation.scenario_name, entry.expectation.scenario_name),
                entry.line,
                entry.marks,
                entry.skip,
                entry.xfail,
            )
            for position, entry in enumerate(spec.entries)
        ),
        {name: spec.scenario_lines[name] for name in names},
    )


def suite_name_for(path: str) -> str:
    """The default suite name: the file name without `.tier2.yaml`."""
    name = Path(path).name
    for suffix in SUITE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
