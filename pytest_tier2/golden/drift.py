"""Judging one scenario against its pin, and the field-level diff a reviewer reads.

The same lines appear in a pin item's failure and in `python -m pytest_tier2 review`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..core.paths import format_path, iter_leaves
from .pinfile import PinFile, PinFileError

MAX_DIFF_LINES = 20

MATCH, MISSING, DRIFTED = "match", "missing", "drifted"
TAMPERED, UNUSABLE = "tampered", "unusable"
"""A scenario's status. Tampered (its pin fails verification) and unusable (its pin file
cannot be read) are drifts with a reason: `fix` re-pins them."""


@dataclass(frozen=True)
class Verdict:
    status: str
    reason: str | None = None
    """The first line of the pin item's failure, when this run does not write the change."""
    body: tuple[str, ...] = ()
    """The rest of it: where the scenario is, the details, the command that re-pins."""

    @property
    def kind(self) -> str | None:
        """The kind of change: missing or drifted; None for a match."""
        if self.status == MATCH:
            return None
        return MISSING if self.status == MISSING else DRIFTED


def _leaves(tree: Any) -> dict[str, Any]:
    return {format_path(path): value for path, value in iter_leaves(tree)}


def field_diff(old: Any, new: Any) -> list[str]:
    """Leaf-level differences between two canonical results, in path order."""
    before, after = _leaves(old), _leaves(new)
    lines = []
    for path in sorted(before.keys() | after.keys()):
        if path not in after:
            lines.append(f"{path or '(result)'}: {_show(before[path])} -> (gone)")
        elif path not in before:
            lines.append(f"{path or '(result)'}: (new) -> {_show(after[path])}")
        elif json.dumps(before[path], sort_keys=True) != json.dumps(after[path], sort_keys=True):
            lines.append(f"{path or '(result)'}: {_show(before[path])} -> {_show(after[path])}")
    return lines


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def drift_changes(pinned: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """Each change, one line apiece, for the first line of a drift report to quote."""
    changes = []
    old_missions = pinned.get("missions") or {}
    new_missions = current["missions"]
    for key in sorted(old_missions.keys() | new_missions.keys()):
        if key not in new_missions:
            changes.append(f"mission '{key}' no longer runs")
        elif key not in old_missions:
            changes.append(f"mission '{key}' is new")
        elif old_missions[key].get("hash") != new_missions[key]["hash"]:
            diff = field_diff(old_missions[key].get("result"), new_missions[key]["result"])
            changes.extend(f"mission '{key}' {line}" for line in diff or ["hash moved"])
    return changes or ["scenario hash moved"]


def describe_drift(pinned: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """Which missions moved, their old and new hashes, and what changed inside them."""
    lines = [f"scenario hash  {pinned.get('scenario_hash')} -> {current['scenario_hash']}"]
    old_missions = pinned.get("missions") or {}
    new_missions = current["missions"]
    for key in sorted(old_missions.keys() | new_missions.keys()):
        if key not in new_missions:
            lines.append(f"mission '{key}' was pinned but no longer runs")
            continue
        if key not in old_missions:
            lines.append(f"mission '{key}' is new: hash {new_missions[key]['hash']}")
            continue
        old, new = old_missions[key], new_missions[key]
        if old.get("hash") == new["hash"]:
            continue
        lines.append(f"mission '{key}' hash  {old.get('hash')} -> {new['hash']}")
        diff = field_diff(old.get("result"), new["result"])
        shown = diff[:MAX_DIFF_LINES]
        lines.extend(f"    {line}" for line in shown)
        if len(diff) > len(shown):
            lines.append(f"    ... and {len(diff) - len(shown)} more differences")
    return lines


def drift_lines(
    pins: PinFile, scenario: str, current: Mapping[str, Any], suite_name: str
) -> tuple[list[str], list[str]]:
    """What moved between a scenario's pin and its current result: one line per change
    (for a first line to quote), and the detailed lines; ([], []) when nothing did."""
    changes: list[str] = []
    lines: list[str] = []
    if pins.suite != suite_name:
        renamed = f"{pins.suite!r} -> {suite_name!r}"
        changes.append(f"suite renamed {renamed}")
        lines.append(f"suite renamed  {renamed}")
    pinned = pins.scenarios[scenario]
    if pinned.get("scenario_hash") != current["scenario_hash"]:
        changes.extend(drift_changes(pinned, current))
        lines.extend(describe_drift(pinned, current))
    return changes, lines


def judge(
    pins: PinFile | PinFileError | None,
    scenario: str,
    current: Mapping[str, Any],
    suite_name: str,
    *,
    where: str,
    pin_name: str,
    nodeid: str,
    explain: Callable[[Mapping[str, Any]], list[str]] = lambda pinned: [],
) -> Verdict:
    """A scenario's status against its pins, and the failure a pin item shows for it.

    `where` is the scenario's `file:line: scenario 'x'`, `nodeid` the pin item as a user
    types it; `explain` gives why the missions that moved from a pin did not succeed.
    """
    if isinstance(pins, PinFileError):
        return Verdict(
            UNUSABLE,
            str(pins),
            (
                where,
                "  check mode never overwrites it; --tier2-golden=fix (or update) regenerates it",
            ),
        )
    if pins is None or scenario not in pins.scenarios:
        return Verdict(
            MISSING,
            f"no golden pinned for scenario '{scenario}'; run --tier2-golden=create",
            (where, f'  pin it: pytest --tier2-golden=create "{nodeid}"'),
        )
    problem = pins.problem(scenario)
    if problem is not None:
        return Verdict(
            TAMPERED,
            problem,
            (
                where,
                "  check mode never overwrites it; re-pin it from this run: "
                f'pytest --tier2-golden=fix "{nodeid}"',
            ),
        )
    changes, lines = drift_lines(pins, scenario, current, suite_name)
    if not changes:
        return Verdict(MATCH)
    pinned = pins.scenarios[scenario]
    if pinned.get("scenario_hash") != current["scenario_hash"]:
        lines.extend(explain(pinned))
    more = f" (and {len(changes) - 1} more)" if len(changes) > 1 else ""
    return Verdict(
        DRIFTED,
        f"golden drift in scenario '{scenario}': {changes[0]}{more}",
        (
            f"{where} (pinned in {pin_name})",
            *(f"  {line}" for line in lines),
            f'  if the change is intended, re-pin: pytest --tier2-golden=fix "{nodeid}"',
        ),
    )
