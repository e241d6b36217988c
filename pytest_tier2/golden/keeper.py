"""The writing process's side of golden mode: gather the pin items' reports, judge stale
pins, write what the mode's categories select, and keep the rest pending.

Only the process that receives the reports writes pins (the xdist controller, or the only
process), and it writes each file once, atomically. Selection rules (DECISIONS 10, 11),
applied per category: a suite runs whole whenever any of its items runs, so its results
are complete; a stale scenario pin is judged only when every pin item of its suite ran; a
pin file whose suite file is gone only when its whole directory was collected with
nothing deselected; a suite that was not selected is never touched.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from ..failures import display_path
from . import pinfile
from .drift import MATCH, MISSING, TAMPERED, UNUSABLE
from .modes import GoldenMode
from .pending import DRIFTED, STALE, CacheLike, Change, PendingFile, compose, load, save
from .pinfile import PIN_SUFFIX, PinFile, PinFileError, pin_path_for, read_pins, suite_paths_for

CLASH = "clash"
"""The status of a pin item whose suite shares its pin file with another suite."""


@dataclass
class SuitePins:
    """What the reports of one suite file's pin items carried to the writing process."""

    suite: str
    suite_hash: str
    suite_sha: str | None
    scenarios: tuple[str, ...]
    statuses: dict[str, str] = field(default_factory=dict)
    pins: dict[str, Any] = field(default_factory=dict)
    """The current pin of each scenario that is not a match."""

    @property
    def complete(self) -> bool:
        """Every pin item of the suite ran here, so missing pins can be judged stale."""
        return set(self.statuses) >= set(self.scenarios)


@dataclass(frozen=True)
class Unjudged:
    """A stale pin that a partial selection kept from being judged: reported, but it
    neither fails a check nor is removed."""

    pin_file: str
    path: str
    """The suite file to run whole; for a pin file whose suite file is gone, its directory."""
    suite: str | None = None
    scenario: str | None = None
    """None for a whole pin file whose suite file is gone."""


@dataclass
class GoldenKeeper:
    """Collects pin reports, then writes what the mode selects and records the rest."""

    mode: GoldenMode
    base: Path
    """Where pytest was started: messages name files relative to it."""
    rootdir: Path
    """What pending changes are recorded relative to, as pytest's cache is per rootdir."""
    targets: tuple[str, ...] = ()
    """The paths `accept` needs to find this run's cache: the run's own, when its rootdir
    is not where it was started (no ini file, so pytest took the paths' common ancestor)."""
    whole_dirs: set[Path] = field(default_factory=set)
    """Directories collected in full: an argument was the directory or one above it."""
    suites: dict[Path, SuitePins] = field(default_factory=dict)
    deselected: bool = False
    written: list[str] = field(default_factory=list)
    replaced_corrupt: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed_writes: list[str] = field(default_factory=list)
    accepted: dict[str, int] = field(default_factory=dict)
    """How many changes of each kind this run wrote."""
    left: dict[str, PendingFile] = field(default_factory=dict)
    """The changes found and not written, by pin file relative to the rootdir."""
    unjudged: list[Unjudged] = field(default_factory=list)
    orphans: set[str] = field(default_factory=set)
    """Pin files whose suite file is gone, judged by this run."""
    pin_shas: dict[str, str | None] = field(default_factory=dict)
    """The pin files this run wrote, with the SHA-256 of what it wrote."""
    cache_enabled: bool = True

    def observe(self, suite_path: Path, payload: Mapping[str, Any]) -> None:
        suite = self.suites.get(suite_path)
        if suite is None:
            suite = SuitePins(
                payload["suite"],
                payload["suite_hash"],
                payload.get("suite_sha"),
                tuple(payload["scenarios"]),
            )
            self.suites[suite_path] = suite
        scenario = payload["scenario"]
        suite.statuses[scenario] = payload["status"]
        if "pin" in payload:
            suite.pins[scenario] = payload["pin"]

    @property
    def checked(self) -> int:
        return sum(len(suite.statuses) for suite in self.suites.values())

    def finish(self, cache: CacheLike | None) -> None:
        """Write what the mode selects, then record what is left in `cache` (if any)."""
        read: dict[str, str | None] = {}
        for suite_path, suite in sorted(self.suites.items()):
            self._finish_suite(suite_path, suite, read)
        self._find_orphans()
        self.cache_enabled = cache is not None
        if cache is not None:
            self._record(cache, read)

    def _finish_suite(
        self, suite_path: Path, suite: SuitePins, read: dict[str, str | None]
    ) -> None:
        if CLASH in suite.statuses.values():
            return  # two suites share the pin file: their items fail, nothing is written
        pin_path = pin_path_for(suite_path)
        shown = self._shown(pin_path)
        try:
            existing: PinFile | None = read_pins(pin_path, shown)
            unusable = False
        except PinFileError:
            existing, unusable = None, True
        key = self._key(pin_path)
        read[key] = existing.sha if existing is not None else pinfile.file_sha(pin_path)
        changes: dict[str, Change] = {}
        for scenario in suite.scenarios:
            status = suite.statuses.get(scenario, MATCH)
            if status == MISSING:
                changes[scenario] = Change(MISSING, suite.pins[scenario])
            elif status != MATCH:
                reason = status if status in (TAMPERED, UNUSABLE) else None
                changes[scenario] = Change(DRIFTED, suite.pins[scenario], reason)
        gone = sorted(set(existing.scenarios) - set(suite.scenarios)) if existing else []
        for scenario in gone:
            if suite.complete:
                changes[scenario] = Change(STALE)
            else:
                suite_file = self._shown(suite_path)
                self.unjudged.append(Unjudged(shown, suite_file, suite.suite, scenario))
        entry = PendingFile(
            key,
            self._key(suite_path),
            suite.suite_sha,
            read[key],
            suite.suite,
            suite.suite_hash,
            changes,
            replace=unusable,
        )
        chosen = [name for name, change in changes.items() if self.mode.writes(change.kind)]
        if not chosen:
            if changes:
                self.left[key] = entry
            return
        data = compose(entry, chosen, existing)
        try:
            if pin_path.is_file() and pin_path.read_bytes() == data:
                new_sha: str | None = read[key]
            else:
                pinfile.write_atomically(pin_path, data)
                new_sha = pinfile.content_sha(data)
        except OSError as error:
            self.failed_writes.append(
                f"{shown}: {error.strerror or error}; the old pins are intact"
            )
            self.left[key] = entry
            return
        self.pin_shas[key] = new_sha
        if new_sha != read[key]:
            (self.replaced_corrupt if unusable else self.written).append(shown)
        for name in chosen:
            kind = changes[name].kind
            self.accepted[kind] = self.accepted.get(kind, 0) + 1
        rest = entry.without(chosen, new_sha)
        if rest is not None:
            self.left[key] = rest

    def _find_orphans(self) -> None:
        """Pin files whose suite file is gone, judged only in directories collected in full
        with nothing deselected: a file or node-id argument, `-k` or `-m` never decides.
        With a deselection they are still reported, never silently ignored."""
        for directory in sorted(self.whole_dirs):
            for pin_path in sorted(directory.glob("*" + PIN_SUFFIX)):
                if any(path.exists() for path in suite_paths_for(pin_path)):
                    continue
                shown = self._shown(pin_path)
                if self.deselected:
                    self.unjudged.append(Unjudged(shown, self._shown(directory)))
                    continue
                key = self._key(pin_path)
                self.orphans.add(key)
                if self.mode.writes(STALE):
                    try:
                        pin_path.unlink()
                    except OSError as error:
                        self.failed_writes.append(f"{shown}: {error.strerror or error}")
                        continue
                    self.removed.append(shown)
                    self.accepted[STALE] = self.accepted.get(STALE, 0) + 1
                    continue
                self.left[key] = PendingFile(
                    key, None, None, pinfile.file_sha(pin_path), "", "", orphan=True
                )

    def _record(self, cache: CacheLike, read: Mapping[str, str | None]) -> None:
        """Replace the pending changes of every pin file this run judged by what it left.

        A suite that did not run whole keeps the earlier pending changes of the scenarios
        that did not run, provided neither its suite file nor its pin file has changed
        since they were recorded.
        """
        store = load(cache)
        # By pin file key, made once: a search per key made finishing quadratic in the files.
        suites = {self._key(pin_path_for(path)): suite for path, suite in self.suites.items()}
        for key in sorted(set(read) | self.orphans):
            old, new = store.pop(key, None), self.left.get(key)
            carried = self._carried(suites.get(key), old, new, read.get(key))
            if carried:
                base = new if new is not None else old
                assert base is not None
                new = dataclasses.replace(
                    base,
                    pin_sha=self.pin_shas.get(key, base.pin_sha),
                    changes={**carried, **(new.changes if new is not None else {})},
                    replace=base.replace and key not in self.pin_shas,
                )
            if new is not None:
                store[key] = new
        save(cache, store)

    def _carried(
        self,
        suite: SuitePins | None,
        old: PendingFile | None,
        new: PendingFile | None,
        read: str | None,
    ) -> dict[str, Change]:
        if old is None or old.orphan or suite is None or suite.complete:
            return {}
        if old.suite_sha != suite.suite_sha or old.pin_sha != read:
            return {}
        if new is not None and new.replace != old.replace:
            return {}
        return {name: c for name, c in old.changes.items() if name not in suite.statuses}

    @property
    def stale_judged(self) -> int:
        """Stale pins this run judged and did not remove."""
        return sum(
            entry.count if entry.orphan else sum(c.kind == STALE for c in entry.changes.values())
            for entry in self.left.values()
        )

    @property
    def fails_run(self) -> bool:
        """A judged stale pin left in place fails the run, and so does a failed write.
        (Drifted and missing scenarios fail their own pin items.)"""
        return bool(self.failed_writes) or self.stale_judged > 0

    def _key(self, path: Path) -> str:
        """A path relative to the rootdir, '/'-separated, `..` allowed."""
        return PurePath(os.path.relpath(path, self.rootdir)).as_posix()

    def shown_key(self, key: str) -> str:
        """A store key as messages name it: relative to where pytest was started."""
        return self._shown(self.rootdir / key)

    def _shown(self, path: Path) -> str:
        return display_path(os.path.normpath(path), self.base)
