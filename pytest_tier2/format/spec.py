"""What reading a suite file produces: the core's definitions, and where each part sits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .. import SUITE_SUFFIXES
from ..core.expectations import MissionExpectation, SuiteExpectationsDefinition
from ..core.suite import ScenarioSuiteDefinition


@dataclass(frozen=True, slots=True)
class ExpectationEntry:
    """An expectation and what the plugin needs beside it: its line and its pytest marks."""

    expectation: MissionExpectation
    line: int
    marks: tuple[str, ...] = ()
    skip: str | None = None
    xfail: str | None = None


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


def suite_name_for(path: str) -> str:
    """The default suite name: the file name without `.tier2.yaml`."""
    name = Path(path).name
    for suffix in SUITE_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name
