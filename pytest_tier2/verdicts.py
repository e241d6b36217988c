"""What the items of a suite file need from its one run, kept instead of the run's result.

A suite runs once per file and process, but its items report one by one, in any order
(pytest-randomly), on any worker (pytest-xdist), and again on a rerun (pytest-rerunfailures).
Keeping each file's whole result until its last item reported made memory grow with the
files in flight. Right after the run, the few things the items need are taken out of the
result, which is then dropped: the hash properties (shared by every item of a scenario),
and the entry and result of each expectation that failed. What stays is small, so it is
kept for the session, and no order can make a suite run twice.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .core.expectations import ExpectationResult
from .core.test_run import TestRunResult
from .failures import MissionFailure, mission_failure
from .format import ExpectationEntry

HashProperties = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FailedCheck:
    """An expectation that did not hold: where it is in the file, its verdict, and why its
    mission failed, if it did."""

    entry: ExpectationEntry
    result: ExpectationResult
    cause: MissionFailure | None


@dataclass
class SuiteVerdicts:
    suite_hash: str
    properties: Mapping[str, HashProperties]
    """The `tier2_*` user properties of each scenario's items."""
    failed: Mapping[str, FailedCheck]
    """The expectations that did not hold, by id."""
    report_json: str | None = None
    """The run's canonical JSON for `--tier2-report`, until an item of this file carries it."""
    result: TestRunResult | None = None
    """The whole result, kept only in golden modes, until every selected pin item of the
    file has passed: pin items record missions' results."""

    def take_report(self) -> str | None:
        """The report text for the first item that asks; None afterwards."""
        text, self.report_json = self.report_json, None
        return text


def verdicts_of(
    result: TestRunResult,
    entries: Iterable[ExpectationEntry],
    *,
    base: str | os.PathLike[str],
    operations: Iterable[str],
    keep_report: bool,
    keep_result: bool,
) -> SuiteVerdicts:
    """Take from a suite's result what its items need (see the module's docstring)."""
    suite_result = result.suite_result
    head = (
        ("tier2_suite", suite_result.suite_name),
        ("tier2_suite_hash", suite_result.suite_hash),
    )
    tail = (("tier2_test_run_hash", result.test_run_hash),)
    properties = {
        name: (*head, ("tier2_scenario_hash", scenario.scenario_hash), *tail)
        for name, scenario in suite_result.scenario_results.items()
    }
    verdicts = result.expectations_result.expectation_results
    failed = {}
    known: tuple[str, ...] | None = None
    for entry in entries:
        expectation = entry.expectation
        verdict = verdicts[expectation.id]
        if verdict.passed:
            continue
        scenario = suite_result.scenario_results[expectation.scenario_name]
        mission = scenario.mission_results[expectation.mission_name]
        if known is None:
            known = tuple(operations)
        failed[expectation.id] = FailedCheck(entry, verdict, mission_failure(mission, base, known))
    return SuiteVerdicts(
        suite_result.suite_hash,
        properties,
        failed,
        result.canonical_json if keep_report else None,
        result if keep_result else None,
    )
