"""`accept`, `reject` and `review`: act on the pin changes a golden run left pending,
without running anything.

They read the changes from the cache directory that a pytest run in the current directory
(with the same paths) uses: pytest itself resolves the rootdir, the ini file and
`cache_dir` (see `open_cache`). `accept` writes exactly what `--tier2-golden=update` would
have written for the same changes, and refuses a change whose suite file or pin file is
no longer the one the run read (content hashes, not modification times).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import pytest

from ..failures import display_path
from ..golden import GOLDEN_ITEM_SUFFIX
from ..golden.drift import drift_lines
from ..golden.pending import (
    DRIFTED,
    MISSING,
    STALE,
    CacheLike,
    PendingFile,
    compose,
    load,
    save,
)
from ..golden.pinfile import (
    PinFile,
    PinFileError,
    content_sha,
    file_sha,
    read_pins,
    suite_paths_for,
    write_atomically,
)
from . import EXIT_INVALID, EXIT_OK, UsageProblem, one_line

NO_CACHE = (
    "pytest's cache provider is disabled here (-p no:cacheprovider), so no golden run "
    "could leave changes pending"
)
NOTHING = "nothing pending (a golden run, pytest --tier2-golden, leaves its changes here)"
VERBS = {MISSING: "created", DRIFTED: "fixed", STALE: "trimmed"}
KIND_ORDER = {DRIFTED: 0, MISSING: 1, STALE: 2}
"""Review shows drifts first: they are what a reviewer most needs to read."""


class _CacheFinder:
    """A pytest plugin that keeps the configured cache and stops before collecting."""

    def __init__(self) -> None:
        self.configured = False
        self.cache: CacheLike | None = None
        self.rootdir = Path.cwd()

    @pytest.hookimpl(tryfirst=True)
    def pytest_cmdline_main(self, config: pytest.Config) -> None:
        config.option.cacheclear = False  # `--cache-clear` in addopts must not wipe it

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        self.configured = True
        self.cache = getattr(config, "cache", None)
        self.rootdir = config.rootpath

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection(self, session: pytest.Session) -> bool:
        return True  # nothing is collected, so nothing is imported or run


@dataclass
class Store:
    cache: CacheLike
    rootdir: Path
    files: dict[str, PendingFile] = field(default_factory=dict)

    def path(self, key: str) -> Path:
        return Path(os.path.normpath(self.rootdir / key))

    def shown(self, key: str) -> str:
        return display_path(self.path(key), os.getcwd())


def open_store(targets: Sequence[str]) -> Store | None:
    """The pending changes, from the cache a pytest run here with `targets` would use;
    None when that run would have no cache."""
    finder = _CacheFinder()
    args = ["--collect-only", "-q", "--tier2-golden=off", "--tier2-report=", *targets]
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            exit_code = pytest.main(args, plugins=[finder])
    except Exception as error:
        raise UsageProblem(f"pytest could not start: {type(error).__name__}: {error}") from None
    if not finder.configured or exit_code in (
        pytest.ExitCode.INTERNAL_ERROR,
        pytest.ExitCode.USAGE_ERROR,
    ):
        raise UsageProblem(f"pytest could not start: {one_line(output.getvalue())}")
    if finder.cache is None:
        return None
    return Store(finder.cache, finder.rootdir, load(finder.cache))


def select(store: Store, targets: Sequence[str]) -> dict[str, list[str]]:
    """The changes that `targets` name, by pin file: every change when there are none.

    A target is a suite file or pin file, a directory (everything below it), or a pin
    item's node id (`x.tier2.yaml::scenario@golden`, or without `@golden`).
    """
    if not targets:
        return {key: sorted(entry.changes) for key, entry in store.files.items()}
    chosen: dict[str, set[str]] = {}
    for target in targets:
        path_part, _, node = target.partition("::")
        wanted = Path(os.path.normpath(Path.cwd() / path_part))
        found = False
        for key, entry in store.files.items():
            pin_path = store.path(key)
            suite_path = store.path(entry.suite_file) if entry.suite_file else None
            if node:
                scenario = node.removesuffix(GOLDEN_ITEM_SUFFIX)
                if wanted == suite_path and scenario in entry.changes:
                    chosen.setdefault(key, set()).add(scenario)
                    found = True
            elif wanted in (pin_path, suite_path) or wanted in pin_path.parents:
                chosen.setdefault(key, set()).update(entry.changes)
                found = True
        if not found:
            raise UsageProblem(f"nothing pending for {target}")
    return {key: sorted(names) for key, names in chosen.items()}


def _refusal(store: Store, entry: PendingFile) -> str | None:
    """Why `entry` can no longer be written: a file it was computed from has changed."""
    again = "run pytest --tier2-golden again to see the change as it is now"
    pin_path = store.path(entry.pin_file)
    if entry.suite_file is None:
        if any(path.exists() for path in suite_paths_for(pin_path)):
            return f"its suite file is back since the golden run recorded this change; {again}"
    elif file_sha(store.path(entry.suite_file)) != entry.suite_sha:
        shown = store.shown(entry.suite_file)
        return f"{shown} changed since the golden run recorded this change; {again}"
    if file_sha(pin_path) != entry.pin_sha:
        shown = store.shown(entry.pin_file)
        return f"{shown} changed since the golden run recorded this change; {again}"
    return None


def _apply(store: Store, entry: PendingFile, names: Sequence[str]) -> tuple[bool, str]:
    """Write the changes `names` of `entry`; whether it was done, and the line saying so."""
    shown = store.shown(entry.pin_file)
    refusal = _refusal(store, entry)
    if refusal is not None:
        return False, f"refused {shown}: {refusal}"
    pin_path = store.path(entry.pin_file)
    try:
        if entry.orphan:
            pin_path.unlink()
            del store.files[entry.pin_file]
            return True, f"removed {shown}: its suite file is gone"
        existing = None if entry.replace else read_pins(pin_path, shown)
        data = compose(entry, names, existing)
        write_atomically(pin_path, data)
    except (OSError, PinFileError) as error:
        detail = error.strerror if isinstance(error, OSError) else str(error)
        return False, f"could not write {shown}: {detail or error}; the old pins are intact"
    rest = entry.without(names, content_sha(data))
    if rest is None:
        del store.files[entry.pin_file]
    else:
        store.files[entry.pin_file] = rest
    done = ", ".join(f"{VERBS[entry.changes[name].kind]} {name}" for name in names)
    return True, f"wrote {shown} ({done})"


def pending_store(targets: Sequence[str], out: TextIO, err: TextIO) -> Store | int:
    """The store to act on, or the exit code when there is none (no cache: an error) or it
    holds nothing (said, and a success)."""
    store = open_store(targets)
    if store is None:
        print(NO_CACHE, file=err)
        return EXIT_INVALID
    if not store.files:
        print(NOTHING, file=out)
        return EXIT_OK
    return store


def command_accept(targets: Sequence[str], out: TextIO, err: TextIO) -> int:
    store = pending_store(targets, out, err)
    if isinstance(store, int):
        return store
    code = EXIT_OK
    for key, names in sorted(select(store, targets).items()):
        done, line = _apply(store, store.files[key], names)
        print(line, file=out if done else err)
        if not done:
            code = EXIT_INVALID
    save(store.cache, store.files)
    return code


def command_reject(targets: Sequence[str], out: TextIO, err: TextIO) -> int:
    store = pending_store(targets, out, err)
    if isinstance(store, int):
        return store
    dropped = 0
    for key, names in select(store, targets).items():
        entry = store.files[key]
        rest = None if entry.orphan else entry.without(names, entry.pin_sha, written=False)
        dropped += entry.count - (rest.count if rest else 0)
        if rest is None:
            del store.files[key]
        else:
            store.files[key] = rest
    save(store.cache, store.files)
    print(f"dropped {dropped} pending change{'' if dropped == 1 else 's'}", file=out)
    return EXIT_OK


# -------------------------------------------------------------------------- review

PROMPT = "accept this change? [a]ccept, [s]kip, [q]uit: "
ANSWERS = {
    **dict.fromkeys(("a", "accept"), "accept"),
    **dict.fromkeys(("s", "skip"), "skip"),
    **dict.fromkeys(("q", "quit"), "quit"),
}


def describe(store: Store, entry: PendingFile, scenario: str | None) -> list[str]:
    """A pending change as the check failure showed it: the field-level diff of a drift."""
    pin_shown = store.shown(entry.pin_file)
    if entry.orphan or scenario is None:
        return [f"{pin_shown}: stale pin file, its suite file is gone", "  accept deletes it"]
    change = entry.changes[scenario]
    head = f"{store.shown(entry.suite_file or '')}::{scenario}: {change.kind} (in {pin_shown})"
    if change.kind == STALE:
        return [
            head,
            f"  suite '{entry.suite}' has no scenario '{scenario}': accept removes its pin",
        ]
    assert change.pin is not None
    try:
        existing = read_pins(store.path(entry.pin_file), pin_shown)
    except PinFileError as error:
        return [head, f"  {error}", "  accept regenerates the file", *_new_pin(change.pin)]
    if change.kind == MISSING or existing is None or scenario not in existing.scenarios:
        return [head, *_new_pin(change.pin)]
    problem = existing.problem(scenario)
    if problem is not None:
        return [head, f"  {problem}", *_new_pin(change.pin)]
    return [head, *(f"  {line}" for line in _drift(existing, scenario, change.pin, entry.suite))]


def _drift(existing: PinFile, scenario: str, pin: Any, suite: str) -> list[str]:
    return drift_lines(existing, scenario, pin, suite)[1] or ["(no difference left)"]


def _new_pin(pin: Any) -> list[str]:
    lines = [f"  new pin: scenario hash {pin['scenario_hash']}"]
    for key in sorted(pin["missions"]):
        lines.append(f"  mission '{key}' hash {pin['missions'][key]['hash']}")
    return lines


def command_review(targets: Sequence[str], out: TextIO, err: TextIO, answers: TextIO) -> int:
    store = pending_store(targets, out, err)
    if isinstance(store, int):
        return store
    selection = sorted(select(store, targets).items(), key=lambda item: store.shown(item[0]))
    total = sum(store.files[key].count if not names else len(names) for key, names in selection)
    echo = not answers.isatty()
    accepted: dict[str, list[str]] = {}
    number, quit_ = 0, False
    for key, names in selection:
        entry = store.files[key]
        refusal = _refusal(store, entry)
        if refusal is not None:
            print(f"skipped {store.shown(key)}: {refusal}", file=err)
            number += len(names) or 1
            continue
        order = sorted(names, key=lambda name: (KIND_ORDER[entry.changes[name].kind], name))
        scenarios: list[str | None] = [*order] if order else [None]
        for scenario in scenarios:
            number += 1
            print(f"[{number}/{total}] " + "\n".join(describe(store, entry, scenario)), file=out)
            answer = _ask(out, answers, echo)
            if answer == "quit":
                quit_ = True
                break
            if answer == "accept":
                accepted.setdefault(key, []).extend([scenario] if scenario else [])
        if quit_:
            break
    code = EXIT_OK
    for key, names in accepted.items():
        done, line = _apply(store, store.files[key], names)
        print(line, file=out if done else err)
        if not done:
            code = EXIT_INVALID
    save(store.cache, store.files)
    left = sum(entry.count for entry in store.files.values())
    print(f"{left} change{'' if left == 1 else 's'} still pending", file=out)
    return code


def _ask(out: TextIO, answers: TextIO, echo: bool) -> str:
    """Ask until the answer is one of the choices; the end of the input means quit."""
    while True:
        out.write(PROMPT)
        out.flush()
        line = answers.readline()
        if not line:
            out.write("\n")
            return "quit"
        answer = line.strip().lower()
        if echo:
            out.write(answer + "\n")
        if answer in ANSWERS:
            return ANSWERS[answer]
        out.write(f"{answer!r} is not a choice\n")
