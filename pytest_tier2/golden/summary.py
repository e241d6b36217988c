"""The `tier2 golden` section that ends every golden run: what was written, how many
scenarios are drifted, missing and stale, each by `file::scenario`, and per kind of change
the one command that accepts it. Under `-q`, one line."""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable

import pytest

from .keeper import GoldenKeeper, Unjudged
from .modes import CATEGORY_OF
from .pending import DRIFTED, MISSING, STALE, PendingFile

ACCEPT = "python -m pytest_tier2 accept"
REVIEW = "python -m pytest_tier2 review"
KINDS = (DRIFTED, MISSING, STALE)
DONE = {MISSING: "created", DRIFTED: "fixed", STALE: "trimmed"}


def write_summary(keeper: GoldenKeeper, reporter: pytest.TerminalReporter) -> None:
    title = f"tier2 golden ({keeper.mode.name})"
    stale = keeper.stale_judged
    if stale:
        # Counted in pytest's last line, so that "2 passed" does not read green while
        # stale pins fail the run.
        reporter.stats.setdefault("stale pin" if stale == 1 else "stale pins", []).extend(
            [keeper] * stale
        )
    reporter.ensure_newline()
    if reporter.config.get_verbosity() < 0:
        reporter.write_line(f"{title}: {one_line(keeper)}")
        for line in keeper.failed_writes:
            reporter.write_line(f"could not write {line}")
        return
    reporter.section(title)
    for line in summary_lines(keeper):
        reporter.write_line(line)


def counts(keeper: GoldenKeeper) -> dict[str, int]:
    found = dict.fromkeys(KINDS, 0)
    for entry in keeper.left.values():
        if entry.orphan:
            found[STALE] += 1
        for change in entry.changes.values():
            found[change.kind] += 1
    return found


def counts_line(keeper: GoldenKeeper) -> str:
    found = counts(keeper)
    text = ", ".join(f"{found[kind]} {kind}" for kind in KINDS)
    checked = f"{keeper.checked} scenario{'' if keeper.checked == 1 else 's'} checked"
    if not keeper.mode.categories:
        return f"{text} ({checked})"
    done = ", ".join(
        f"{DONE[kind]} {keeper.accepted[kind]}" for kind in DONE if keeper.accepted.get(kind)
    )
    return f"{text} left ({checked}; {done or 'nothing written'})"


def one_line(keeper: GoldenKeeper) -> str:
    parts = [counts_line(keeper)]
    if keeper.unjudged:
        parts.append(f"{len(keeper.unjudged)} not judged (partial selection)")
    if keeper.left:
        targets = _suffix(keeper.targets)
        parts.append(
            f"accept: {ACCEPT}{targets}" if keeper.cache_enabled else "no cache to accept from"
        )
    return "; ".join(parts)


def summary_lines(keeper: GoldenKeeper) -> list[str]:
    lines = [f"wrote {path}" for path in keeper.written]
    lines += [f"could not write {failure}" for failure in keeper.failed_writes]
    lines += [f"replaced unusable pin file {path}" for path in keeper.replaced_corrupt]
    if keeper.mode.categories and not keeper.suites:
        lines.append("no pin item ran, so nothing was pinned (select '@golden' items)")
    lines += [f"removed {path}: its suite file is gone" for path in keeper.removed]
    lines.append(counts_line(keeper))
    entries = sorted(keeper.left.values(), key=lambda e: keeper.shown_key(e.pin_file))
    listing = [item for entry in entries for item in _listing(keeper, entry)]
    lines += [line for kind in KINDS for item_kind, line in listing if item_kind == kind]
    lines += [_not_judged(keeper, unjudged) for unjudged in keeper.unjudged]
    if not entries:
        return lines
    for kind in KINDS:
        paths = _paths(keeper, entries, kind)
        if paths:
            command = f"pytest --tier2-golden={CATEGORY_OF[kind]} {_quoted(paths)}"
            lines.append(f"accept the {kind + ':':9}{command}")
    if keeper.cache_enabled:
        targets = _suffix(keeper.targets)
        lines.append(
            f"accept all without re-running: {ACCEPT}{targets}  (one by one: {REVIEW}{targets})"
        )
    else:
        lines.append(
            "accept and review have nothing to work from: pytest's cache provider is "
            "disabled (-p no:cacheprovider)"
        )
    return lines


def _not_judged(keeper: GoldenKeeper, stale: Unjudged) -> str:
    """A stale pin that a partial selection kept from judging: reported, never failing."""
    path = _quoted([stale.path])
    trims = keeper.mode.writes(STALE)
    if stale.scenario is None:
        if trims:
            return (
                f"not judged: partial selection: kept pin file {stale.pin_file}, whose suite "
                f"file is gone; to remove it: pytest --tier2-golden=trim {path}"
            )
        return (
            f"not judged: partial selection: pin file {stale.pin_file} has no suite file; to "
            f"judge it, run its whole directory: pytest --tier2-golden=check {path}"
        )
    if trims:
        return (
            f"not judged: partial selection: kept the pin of scenario '{stale.scenario}' in "
            f"{stale.pin_file}, which suite '{stale.suite}' no longer has; to remove it: "
            f"pytest --tier2-golden=trim {path}"
        )
    return (
        f"not judged: partial selection: {stale.pin_file} pins scenario '{stale.scenario}', "
        f"which suite '{stale.suite}' no longer has; to judge it, select all of its pin "
        f"items: pytest --tier2-golden=check {path}"
    )


def _listing(keeper: GoldenKeeper, entry: PendingFile) -> list[tuple[str, str]]:
    """Each change of a pin file, with its kind."""
    pin_file = keeper.shown_key(entry.pin_file)
    if entry.orphan or entry.suite_file is None:
        return [(STALE, f"stale    {pin_file}  (its suite file is gone)")]
    suite_file = keeper.shown_key(entry.suite_file)
    lines: list[tuple[str, str]] = []
    for scenario, change in sorted(entry.changes.items()):
        where = f"{suite_file}::{scenario}"
        if change.kind == STALE:
            note = f"  (suite '{entry.suite}' has no scenario '{scenario}'; pinned in {pin_file})"
        elif change.reason == "tampered":
            note = "  (its pin does not match its own hashes: edited by hand?)"
        elif change.reason == "unusable":
            note = f"  (unusable pin file {pin_file})"
        else:
            note = ""
        lines.append((change.kind, f"{change.kind:8} {where}{note}"))
    return lines


def _paths(keeper: GoldenKeeper, entries: Iterable[PendingFile], kind: str) -> list[str]:
    """What to give pytest so that a run of that category accepts every change of `kind`:
    the suite files, or for a pin file whose suite file is gone, its directory."""
    paths: list[str] = []
    for entry in entries:
        if entry.orphan or entry.suite_file is None:
            path = os.path.dirname(keeper.shown_key(entry.pin_file)) or "."
            wanted = kind == STALE
        else:
            path = keeper.shown_key(entry.suite_file)
            wanted = any(change.kind == kind for change in entry.changes.values())
        if wanted and path not in paths:
            paths.append(path)
    return paths


def _suffix(targets: Iterable[str]) -> str:
    return "".join(f" {shlex.quote(target)}" for target in targets)


def _quoted(paths: Iterable[str]) -> str:
    return " ".join(shlex.quote(path) for path in paths)
