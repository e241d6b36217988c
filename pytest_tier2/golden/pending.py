"""Pending changes: what a golden run found and did not write, kept for `accept` and `review`.

They live in pytest's cache (`config.cache`, DECISIONS 21), under one key, by pin file
relative to the rootdir. Each records the content hashes of the suite file and of the pin
file it was computed from, so that accepting it later can refuse a change whose files
moved since. Composing a pin file from changes is one function, `compose`, used by a run
that writes (`--tier2-golden=update`, or a category) and by `accept`: so both write the
same bytes.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .pinfile import PinFile, render_pins

KEY = "tier2/golden/pending"
STORE_VERSION = 1
MISSING, DRIFTED, STALE = "missing", "drifted", "stale"


class CacheLike(Protocol):
    """The part of pytest's `Cache` that the store uses."""

    def get(self, key: str, default: Any) -> Any: ...

    def set(self, key: str, value: object) -> None: ...


@dataclass(frozen=True)
class Change:
    """One scenario's change: a pin to write (missing, drifted) or to remove (stale)."""

    kind: str
    pin: Mapping[str, Any] | None = None
    reason: str | None = None
    """Why a drifted pin is to be rewritten when its result did not move: 'tampered' (it
    fails verification) or 'unusable' (its pin file cannot be read)."""


@dataclass(frozen=True)
class PendingFile:
    """The changes to one pin file that a golden run found and did not write."""

    pin_file: str
    """Relative to the rootdir, '/'-separated: the store's key."""
    suite_file: str | None
    """Relative to the rootdir; None for a pin file whose suite file is gone."""
    suite_sha: str | None
    pin_sha: str | None
    """The pin file the changes apply to; None when there was none."""
    suite: str
    suite_hash: str
    changes: Mapping[str, Change] = field(default_factory=dict)
    replace: bool = False
    """The pin file was unusable: the changes start from an empty file."""
    orphan: bool = False
    """The whole pin file is stale: its suite file is gone."""

    @property
    def count(self) -> int:
        return 1 if self.orphan else len(self.changes)

    def to_json(self) -> dict[str, Any]:
        changes = {
            name: {
                k: v
                for k, v in (("kind", c.kind), ("pin", c.pin), ("reason", c.reason))
                if v is not None
            }
            for name, c in sorted(self.changes.items())
        }
        return {
            "changes": changes,
            "orphan": self.orphan,
            "pin_sha": self.pin_sha,
            "replace": self.replace,
            "suite": self.suite,
            "suite_file": self.suite_file,
            "suite_hash": self.suite_hash,
            "suite_sha": self.suite_sha,
        }

    @classmethod
    def from_json(cls, pin_file: str, data: Mapping[str, Any]) -> PendingFile:
        changes = {
            name: Change(c["kind"], c.get("pin"), c.get("reason"))
            for name, c in data["changes"].items()
        }
        return cls(
            pin_file,
            data["suite_file"],
            data["suite_sha"],
            data["pin_sha"],
            data["suite"],
            data["suite_hash"],
            changes,
            bool(data["replace"]),
            bool(data["orphan"]),
        )

    def without(
        self, names: Collection[str], pin_sha: str | None, *, written: bool = True
    ) -> PendingFile | None:
        """What stays pending once `names` were written (giving the pin file `pin_sha`), or
        dropped without writing; None if nothing."""
        rest = {name: c for name, c in self.changes.items() if name not in names}
        if not rest:
            return None
        return PendingFile(
            self.pin_file,
            self.suite_file,
            self.suite_sha,
            pin_sha,
            self.suite,
            self.suite_hash,
            rest,
            replace=self.replace and not written,
        )


def compose(entry: PendingFile, names: Collection[str], existing: PinFile | None) -> bytes:
    """The pin file once the changes `names` of `entry` are made to `existing`.

    The suite's name and hash become the run's; a pin file's recorded suite name changes
    only with a drifted scenario, since a rename is a drift (`fix`).
    """
    base = None if entry.replace else existing
    pinned: dict[str, Any] = dict(base.scenarios) if base is not None else {}
    chosen = [entry.changes[name] for name in names]
    for name in names:
        change = entry.changes[name]
        if change.kind == STALE:
            pinned.pop(name, None)
        else:
            assert change.pin is not None
            pinned[name] = change.pin
    renamed = base is None or any(change.kind == DRIFTED for change in chosen)
    suite = entry.suite if renamed or base is None else base.suite
    return render_pins(suite, entry.suite_hash, pinned)


def load(cache: CacheLike) -> dict[str, PendingFile]:
    """The pending changes in the cache; none when there are none or they are unreadable."""
    data = cache.get(KEY, None)
    if not isinstance(data, dict) or data.get("version") != STORE_VERSION:
        return {}
    try:
        return {
            pin_file: PendingFile.from_json(pin_file, entry)
            for pin_file, entry in data["files"].items()
        }
    except (KeyError, TypeError, AttributeError):
        return {}  # written by hand, or by another version: nothing to trust


def save(cache: CacheLike, files: Mapping[str, PendingFile]) -> None:
    files = {key: entry for key, entry in files.items() if entry.count}
    if not files and cache.get(KEY, None) is None:
        return  # nothing pending, and nothing to clear: leave the cache alone
    cache.set(
        KEY,
        {
            "files": {key: files[key].to_json() for key in sorted(files)},
            "version": STORE_VERSION,
        },
    )
