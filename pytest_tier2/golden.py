"""Golden pins: each suite's result hashes, kept beside it in `<stem>.tier2.golden.json`.

A pin file holds, per scenario, the scenario hash and each mission result's hash and
canonical result (so that a drift can be shown field by field), plus the suite hash. It
is written with sorted keys, two-space indents and `\\n` line endings, so it is byte-identical
everywhere and a diff in review shows which scenario moved.

Only the process that receives the reports writes pins (the xdist controller, or the only
process), and it writes each file once, atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import SUITE_SUFFIXES
from .core.harness import result_hash_of, tree_of
from .core.paths import format_path, iter_leaves
from .core.test_run import TestRunResult
from .failures import display_path

FORMAT = "pytest-tier2-golden"
VERSION = 1
PIN_SUFFIX = ".tier2.golden.json"
GOLDEN_ITEM_SUFFIX = "@golden"
"""A pin item is named `<scenario>@golden`: '@' is outside the id grammar, so it never
collides with an expectation id."""
MAX_DIFF_LINES = 20


class PinFileError(Exception):
    """A pin file exists but cannot be used."""


def pin_path_for(suite_path: Path) -> Path:
    name = suite_path.name
    for suffix in SUITE_SUFFIXES:
        if name.endswith(suffix):
            return suite_path.with_name(name[: -len(suffix)] + PIN_SUFFIX)
    raise ValueError(f"not a suite file: {suite_path}")


def suite_paths_for(pin_path: Path) -> list[Path]:
    stem = pin_path.name[: -len(PIN_SUFFIX)]
    return [pin_path.with_name(stem + suffix) for suffix in SUITE_SUFFIXES]


def scenario_pin(result: TestRunResult, scenario: str) -> dict[str, Any]:
    """What a pin records for one scenario: its hash, and each mission's hash and result."""
    scenario_result = result.suite_result.scenario_results[scenario]
    missions: dict[str, Any] = {}
    for key, mission in scenario_result.mission_results.items():
        missions[key] = {"hash": result_hash_of(mission), "result": tree_of(mission)}
    return {"missions": missions, "scenario_hash": scenario_result.scenario_hash}


def read_pins(path: Path, shown: str | None = None) -> dict[str, Any] | None:
    """The parsed pin file, None when there is none; PinFileError when it is unusable.

    `shown` is how messages name the file (by default, its path as given).
    """
    name = shown or str(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise PinFileError(f"{name}: cannot be read: {error}") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise PinFileError(f"{name}:{error.lineno}: not a valid pin file: {error.msg}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PinFileError(f'{name}:1: not a pytest-tier2 pin file (no "format": "{FORMAT}")')
    version = document.get("version")
    if version != VERSION:
        newer = isinstance(version, int) and version > VERSION
        advice = "upgrade pytest-tier2" if newer else "re-pin with --tier2-golden=update"
        raise PinFileError(
            f"{name}:1: pins were written in format version {version!r}; this "
            f"pytest-tier2 reads version {VERSION}: {advice}"
        )
    problem = _pins_problem(document)
    if problem:
        raise PinFileError(f"{name}:1: not a valid pin file: {problem}")
    return document


def _pins_problem(document: Mapping[str, Any]) -> str | None:
    """What is wrong with the shape of a parsed pin file, if anything."""
    if not isinstance(document.get("suite"), str) or not isinstance(
        document.get("suite_hash"), str
    ):
        return "'suite' and 'suite_hash' must be strings"
    scenarios = document.get("scenarios")
    if not isinstance(scenarios, dict):
        return "'scenarios' must be an object"
    for scenario, pin in scenarios.items():
        if not isinstance(pin, dict) or not isinstance(pin.get("scenario_hash"), str):
            return f"scenario {scenario!r} needs a 'scenario_hash' string"
        missions = pin.get("missions")
        if not isinstance(missions, dict) or not all(
            isinstance(m, dict) and isinstance(m.get("hash"), str) and "result" in m
            for m in missions.values()
        ):
            return f"scenario {scenario!r} needs 'missions', each with a 'hash' and a 'result'"
    return None


def render_pins(suite: str, suite_hash: str, scenarios: Mapping[str, Any]) -> bytes:
    document = {
        "format": FORMAT,
        "scenarios": dict(scenarios),
        "suite": suite,
        "suite_hash": suite_hash,
        "version": VERSION,
    }
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=True) + "\n").encode()


def _file_mode(path: Path) -> int:
    """The mode a pin file keeps, or gets as `open()` would give it (mkstemp's is 0600)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, then replace: never a half-written pin."""
    handle, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(temporary, _file_mode(path))
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


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


@dataclass
class SuitePins:
    """What the reports of one suite file's pin items carried to the writing process."""

    suite: str
    suite_hash: str
    scenarios: tuple[str, ...]
    pins: dict[str, Any] = field(default_factory=dict)
    reported: set[str] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        """Every pin item of the suite ran here, so missing pins can be judged stale."""
        return self.reported >= set(self.scenarios)


@dataclass
class StalePin:
    pin_file: str
    suite_file: str
    suite: str
    scenario: str | None  # None: the whole pin file, its suite file being gone
    judged: bool = True
    """False under a partial selection: reported as not judged, never failing, never removed."""


@dataclass
class GoldenKeeper:
    """Collects pin reports, then finds stale pins and (in update mode) writes pin files."""

    mode: str
    base: Path
    """Where pytest was started: messages name files relative to it."""
    whole_dirs: set[Path] = field(default_factory=set)
    """Directories collected in full: an argument was the directory or one above it."""
    suites: dict[Path, SuitePins] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)
    replaced_corrupt: list[str] = field(default_factory=list)
    stale: list[StalePin] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed_writes: list[str] = field(default_factory=list)
    deselected: bool = False

    def observe(self, suite_path: Path, payload: Mapping[str, Any]) -> None:
        suite = self.suites.get(suite_path)
        if suite is None:
            suite = SuitePins(payload["suite"], payload["suite_hash"], tuple(payload["scenarios"]))
            self.suites[suite_path] = suite
        suite.reported.add(payload["scenario"])
        if "pin" in payload:
            suite.pins[payload["scenario"]] = payload["pin"]

    def finish(self) -> None:
        for suite_path, suite in sorted(self.suites.items()):
            self._finish_suite(suite_path, suite)
        self._find_orphans()

    def _finish_suite(self, suite_path: Path, suite: SuitePins) -> None:
        pin_path = pin_path_for(suite_path)
        shown = self._shown(pin_path)
        try:
            existing = read_pins(pin_path, shown)
        except PinFileError:
            if self.mode != "update":
                return  # the pin items already failed, naming the file
            existing = None
            self.replaced_corrupt.append(shown)
        pinned: dict[str, Any] = dict(existing["scenarios"]) if existing else {}
        gone = sorted(set(pinned) - set(suite.scenarios))
        if self.mode != "update" or not suite.complete:
            # Judged only when every pin item of the suite ran; else reported as not judged.
            suite_file = self._shown(suite_path)
            self.stale.extend(
                StalePin(shown, suite_file, suite.suite, name, suite.complete) for name in gone
            )
        if self.mode != "update":
            return
        if suite.complete:
            for name in gone:
                del pinned[name]
        pinned.update(suite.pins)
        data = render_pins(suite.suite, suite.suite_hash, pinned)
        try:
            if pin_path.is_file() and pin_path.read_bytes() == data:
                return
            write_atomically(pin_path, data)
        except OSError as error:
            self.failed_writes.append(
                f"{shown}: {error.strerror or error}; the old pins are intact"
            )
            return
        self.written.append(shown)

    def _find_orphans(self) -> None:
        """Pin files whose suite file is gone, judged only in directories collected in full
        with nothing deselected: a file or node-id argument, `-k` or `-m` never decides.
        With a deselection they are still reported, never silently ignored."""
        for directory in sorted(self.whole_dirs):
            for pin_path in sorted(directory.glob("*" + PIN_SUFFIX)):
                if any(path.exists() for path in suite_paths_for(pin_path)):
                    continue
                shown = self._shown(pin_path)
                if self.mode == "update" and not self.deselected:
                    try:
                        pin_path.unlink()
                    except OSError as error:
                        self.failed_writes.append(f"{shown}: {error.strerror or error}")
                        continue
                    self.removed.append(shown)
                else:
                    name = pin_path.name[: -len(PIN_SUFFIX)]
                    self.stale.append(
                        StalePin(shown, self._shown(directory), name, None, not self.deselected)
                    )

    @property
    def fails_check(self) -> bool:
        """Check mode fails on a stale pin judged under the selection rule, or a failed write."""
        return bool(self.failed_writes) or (
            self.mode == "check" and any(stale.judged for stale in self.stale)
        )

    def _shown(self, path: Path) -> str:
        return display_path(path, self.base)

    def summary_lines(self) -> list[str]:
        lines = [f"wrote {path}" for path in self.written if path not in self.replaced_corrupt]
        lines += [f"could not write {failure}" for failure in self.failed_writes]
        lines += [f"replaced unusable pin file {path}" for path in self.replaced_corrupt]
        if self.mode == "update" and not self.suites:
            lines.append("no pin item ran, so nothing was pinned (select '@golden' items)")
        lines += [f"removed {path}: its suite file is gone" for path in self.removed]
        for stale in self.stale:
            if not stale.judged:
                continue
            if stale.scenario is None:
                lines.append(
                    f"stale pin file {stale.pin_file}: its suite file is gone (delete it, or "
                    f"run: pytest --tier2-golden=update {stale.suite_file})"
                )
            else:
                lines.append(
                    f"stale pin in {stale.pin_file}: suite '{stale.suite}' has no scenario "
                    f"'{stale.scenario}' (re-pin: pytest --tier2-golden=update {stale.suite_file})"
                )
        lines += [self._not_judged(stale) for stale in self.stale if not stale.judged]
        return lines

    def _not_judged(self, stale: StalePin) -> str:
        """A stale pin that a partial selection kept from judging: reported, never failing."""
        check = self.mode != "update"
        if stale.scenario is None:
            if check:
                return (
                    f"not judged: partial selection: pin file {stale.pin_file} has no suite "
                    f"file; to judge it, run its whole directory: pytest --tier2-golden "
                    f"{stale.suite_file}"
                )
            return (
                f"not judged: partial selection: kept pin file {stale.pin_file}, whose suite "
                f"file is gone; to remove it: pytest --tier2-golden=update {stale.suite_file}"
            )
        if check:
            return (
                f"not judged: partial selection: {stale.pin_file} pins scenario "
                f"'{stale.scenario}', which suite '{stale.suite}' no longer has; to judge it, "
                f"select all of its pin items: pytest --tier2-golden {stale.suite_file}"
            )
        return (
            f"not judged: partial selection: kept the pin of scenario '{stale.scenario}' in "
            f"{stale.pin_file}, which suite '{stale.suite}' no longer has; to remove it: "
            f"pytest --tier2-golden=update {stale.suite_file}"
        )
