"""The collection tree: a file per suite, with an item per expectation (and per scenario pin)."""

from __future__ import annotations

import functools
import json
import os
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .failures import (
    ExpectationFailed,
    GoldenMismatch,
    SuiteRunError,
    Tier2Failure,
    display_path,
    mission_failure,
    run_error_report,
)
from .format import (
    ExpectationEntry,
    ItemIndex,
    SuiteFileError,
    SuiteIndex,
    SuiteSpec,
    index_of,
    read_file,
)
from .longrepr import CollectErrorRepr
from .runner import SuiteOutcome, interrupted, run_spec
from .state import STATE_KEY
from .verdicts import SuiteVerdicts, verdicts_of

if TYPE_CHECKING:
    from .core.registry import Registry
    from .core.test_run import TestRunResult
    from .golden.pinfile import PinFile, PinFileError
    from .state import Tier2State


_UNREAD = object()


class Tier2File(pytest.File):
    """One `*.tier2.yaml` suite. Collecting it only reads the file; its suite runs later, once."""

    index: SuiteIndex
    """What collection read of the file: its items and scenarios."""
    registry: Registry

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._verdicts: SuiteVerdicts | None = None
        self._stopped: SuiteOutcome | None = None
        """The outcome of a run that did not finish: the error that stopped it."""
        self._selected: list[Tier2Item] = []
        self._pins_to_judge: set[str] | None = None
        """The selected pin items that have not passed yet; None until selection is done."""
        self._runs_anyway: bool | None = None
        self._pins: object = _UNREAD
        self._load_error: SuiteFileError | None = None
        self._spec: SuiteSpec | None = None
        self._unreadable: SuiteFileError | None = None
        """Why the suite could not be read again when it came to run."""
        self._cache_key: bytes | None = None
        """The parse cache's key for this file, when the cache has its suite: the suite is
        read from there when it runs, and dropped again once the items' verdicts are taken."""
        self.suite_sha: str | None = None
        """In golden modes, the SHA-256 of the bytes collected: pending pins name it."""

    @property
    def state(self) -> Tier2State:
        return self.config.stash[STATE_KEY]

    @property
    def shown_path(self) -> str:
        return self.shown(self.path)

    def shown(self, path: Path) -> str:
        return display_path(path, self.config.invocation_params.dir)

    @property
    def spec(self) -> SuiteSpec:
        """The loaded suite; from the parse cache, it is unpickled the first time it is needed
        (when the suite runs), so a file whose items do not run here never builds it."""
        spec = self._spec
        if spec is None:
            cache, key = self.state.spec_cache, self._cache_key
            assert cache is not None and key is not None, "collected"
            spec = self._spec = cache.spec(
                self.path, key, self.shown_path, self.registry, self.state.max_file_bytes
            )
        return spec

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        state = self.state
        shown = self.shown_path
        try:
            self.registry = state.registry_for(self)
            data = read_file(self.path, shown, state.max_file_bytes)
            cache = state.spec_cache
            if cache is None:
                from .format.load import load_suite

                self._spec = load_suite(data, shown, self.registry)
                self.index = index_of(self._spec)
            else:
                self.index, self._spec, self._cache_key = cache.load(
                    self.path, data, shown, self.registry
                )
        except SuiteFileError as error:
            raise self.load_failed(error) from None
        for entry in self.index.items:
            if entry.marks:
                yield self.marked_item(entry)
            else:
                yield ExpectationItem.from_parent(self, name=entry.id, index=entry)
        if state.golden_mode != "off":
            from .golden import GOLDEN_ITEM_SUFFIX
            from .golden.pinfile import content_sha

            self.suite_sha = content_sha(data)
            for name in self.index.scenario_lines:
                yield GoldenItem.from_parent(self, name=name + GOLDEN_ITEM_SUFFIX, scenario=name)

    def marked_item(self, entry: ItemIndex) -> ExpectationItem:
        """An item with `marks`, whose mark errors and warnings point at its YAML line."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                item = ExpectationItem.from_parent(self, name=entry.id, index=entry)
            except pytest.fail.Exception as error:  # --strict-markers and an unknown mark
                problem = SuiteFileError(self.shown_path, entry.line, error.msg or str(error))
                raise self.load_failed(problem) from None
        for warning in caught:
            warnings.warn_explicit(warning.message, warning.category, str(self.path), entry.line)
        return item

    def load_failed(self, error: SuiteFileError) -> pytest.Collector.CollectError:
        """The collection error for a problem in the file, reported by `repr_failure`."""
        self._load_error = error
        return self.CollectError(str(error))

    def repr_failure(  # type: ignore[override]
        self, excinfo: pytest.ExceptionInfo[BaseException]
    ) -> str | Any:
        """`file:line: message` as the body; the reason alone on `-ra`'s `ERROR` line."""
        error = self._load_error
        if error is not None and isinstance(excinfo.value, self.CollectError):
            return CollectErrorRepr(str(error), error.message, error.path, error.line)
        return super().repr_failure(excinfo)

    def expect_items(self, items: list[Tier2Item]) -> None:
        """This file's items that will run here."""
        self._selected = items
        self._pins_to_judge = {item.name for item in items if isinstance(item, GoldenItem)}

    def pin_judged(self, name: str) -> None:
        """A pin item passed. Once every selected one has, no pin item needs the suite's
        whole result or its pins again, so they are dropped. A failed one keeps them, for a
        rerun. Under xdist a worker cannot know its last item, and keeps them."""
        pending = self._pins_to_judge
        if pending is None:
            return
        pending.discard(name)
        if not pending:
            if self._verdicts is not None:
                self._verdicts.result = None
            self._pins = _UNREAD  # nor the parsed pins: read again if a rerun asks

    def runs_anyway(self) -> bool:
        """Whether a selected item of this file is bound to run (no skip or skipif mark,
        no xfail with run=False), so that running the suite early costs nothing extra."""
        if self._runs_anyway is None:
            self._runs_anyway = any(map(bound_to_run, self._selected))
        return self._runs_anyway

    def verdicts(self) -> SuiteVerdicts:
        """Run the suite the first time any of its items asks, then keep what they need.

        A run that could not finish fails every item with the error that stopped it. A run
        interrupted from outside is kept too: pytest-timeout's signal raises `pytest.fail`
        inside it. The item that was running fails with that exception, as the interrupter
        meant; the file's other items fail with the same cause, without running (and hanging)
        again. A KeyboardInterrupt or `pytest.exit()` ends the session: not kept.
        """
        if self._verdicts is None:
            if self._unreadable is not None:
                raise unreadable(self._unreadable)
            if self._stopped is None:
                self._run()
            if self._stopped is not None:
                assert self._stopped.error is not None
                raise self.run_error(self._stopped.error)
        assert self._verdicts is not None
        return self._verdicts

    def _run(self) -> None:
        try:
            spec = self.spec
        except SuiteFileError as error:  # from the cache, and edited since collection
            self._unreadable = error
            raise unreadable(error) from None
        try:
            outcome = run_spec(spec, self.registry)
        except KeyboardInterrupt:
            raise
        except BaseException as error:
            self._stopped = interrupted(error)
            raise
        if isinstance(outcome.error, pytest.exit.Exception):  # an `Exception`, caught
            raise outcome.error
        if outcome.result is None:
            self._stopped = outcome
            return
        state = self.state
        self._verdicts = verdicts_of(
            outcome.result,
            spec.entries,
            base=self.config.invocation_params.dir,
            operations=self.registry.operations,
            keep_report=bool(state.report_path),
            keep_result=state.golden is not None,
        )
        if self._cache_key is not None:
            self._spec = None  # what the items need is in their verdicts

    def interrupted_by(self, error: BaseException) -> SuiteRunError | None:
        """The failure that this file's items share, if `error` interrupted its suite's run."""
        stopped = self._stopped
        if stopped is None or stopped.interruption is not error or stopped.error is None:
            return None
        return self.run_error(stopped.error)

    @property
    def pin_path(self) -> Path:
        from .golden.pinfile import pin_path_for

        return pin_path_for(self.path)

    def pins(self) -> PinFile | PinFileError | None:
        """This suite's pin file, read once per process, or why it is unusable. Its bytes are
        verified once: the parse cache remembers a consistent file by its SHA-256."""
        if self._pins is _UNREAD:
            from .golden.pinfile import PinFileError, read_pins

            try:
                pins = read_pins(self.pin_path, self.shown(self.pin_path))
            except PinFileError as error:
                self._pins = error
            else:
                self._pins = pins
                cache = self.state.spec_cache
                if pins is not None and cache is not None:
                    # Verifying re-encodes every recorded result: most of what checking costs.
                    if cache.pins_verified(pins.sha):
                        pins.trust()
                    elif pins.verify_all():
                        cache.note_pins_verified(pins.sha)
        return self._pins  # type: ignore[return-value]

    @functools.cached_property
    def pin_clash(self) -> str | None:
        """Why this suite cannot have a pin file of its own, if another suite file shares it;
        looked up once per file, not per scenario."""
        from .golden.pinfile import suite_paths_for

        others = [p for p in suite_paths_for(self.pin_path) if p != self.path and p.exists()]
        if others:
            return (
                f"{self.path.name} and {others[0].name} would share the pin file "
                f"{self.pin_path.name}; rename one of them"
            )
        return None

    def run_error(self, error: BaseException) -> SuiteRunError:
        """The failure of every item when the suite could not run."""
        base = self.config.invocation_params.dir
        report = run_error_report(self.shown_path, self.spec, error, base)
        return report.pytest_failure(self.spec.name)


def unreadable(error: SuiteFileError) -> SuiteRunError:
    """The failure of every item of a suite that could not be read again to run."""
    return SuiteRunError(error.message, error.path, error.line, [str(error)])


def bound_to_run(item: pytest.Item) -> bool:
    """No mark can skip this item: no skip or skipif, no xfail with run=False."""
    for mark in item.iter_markers():
        if mark.name in ("skip", "skipif"):
            return False
        if mark.name == "xfail" and mark.kwargs.get("run", True) is False:
            return False
    return True


class Tier2Item(pytest.Item):
    """Common ground of the items of a suite file: they sit directly under it."""

    tier2_report_extras: dict[str, str] | None = None
    """What the writing process needs from this item's run, copied onto its report."""

    def add_report_extra(self, name: str, value: str) -> None:
        if self.tier2_report_extras is None:
            self.tier2_report_extras = {}
        self.tier2_report_extras[name] = value

    @property
    def suite_file(self) -> Tier2File:
        node = self.parent
        assert isinstance(node, Tier2File)
        return node

    def repr_failure(
        self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None
    ) -> str | Any:
        if isinstance(excinfo.value, Tier2Failure):
            return excinfo.value.longrepr()
        shared = self.suite_file.interrupted_by(excinfo.value)
        if shared is not None:  # reads as its siblings do, located at its YAML line
            return shared.longrepr()
        return super().repr_failure(excinfo, style=style)

    @property
    def scenario_name(self) -> str:
        """The scenario whose hash this item's report carries."""
        raise NotImplementedError

    def record_hashes(self, verdicts: SuiteVerdicts, scenario: str) -> None:
        """Put the hashes on this item's report; the first item of its file to run here
        carries the suite's result to `--tier2-report` too."""
        self.user_properties.extend(verdicts.properties[scenario])
        report_json = verdicts.take_report()
        if report_json is not None:
            self.add_report_extra("tier2_test_run_json", report_json)

    def skipped(self, report: pytest.TestReport) -> None:
        """A skipped item carries the hashes too, when its suite runs in this session anyway:
        it runs now if no item ran it yet, but never for skipped items alone."""
        suite_file = self.suite_file
        if not suite_file.runs_anyway():
            return
        try:
            verdicts = suite_file.verdicts()
        except (KeyboardInterrupt, pytest.exit.Exception):
            raise
        except BaseException:
            return  # could not run, or interrupted: the items that run say why
        properties = verdicts.properties[self.scenario_name]
        self.user_properties.extend(properties)  # for the teardown report (junit reads it)
        report.user_properties.extend(properties)


class ExpectationItem(Tier2Item):
    """One expectation: passes or fails on the suite's single run."""

    def __init__(self, *, index: ItemIndex, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.index = index
        """What collection knows of it; its only attribute beside pytest's, since an
        attribute more can grow every item's `__dict__`."""
        self.extra_keyword_matches.add(index.scenario)  # -k <scenario>
        for mark in index.marks:
            self.add_marker(mark)
        if index.skip is not None:
            self.add_marker(pytest.mark.skip(reason=index.skip))
        if index.xfail is not None:
            self.add_marker(pytest.mark.xfail(reason=index.xfail))

    @property
    def entry(self) -> ExpectationEntry:
        """The expectation and where it sits: its suite is loaded when first asked."""
        return self.suite_file.spec.entries[self.index.position]

    @property
    def scenario_name(self) -> str:
        return self.index.scenario

    def runtest(self) -> None:
        suite_file = self.suite_file
        verdicts = suite_file.verdicts()
        self.record_hashes(verdicts, self.index.scenario)
        failed = verdicts.failed.get(self.index.id)
        if failed is not None:
            entry, path = failed.entry, suite_file.shown_path
            row = entry.row
            row_where = f"'{row.id}' at {path}:{row.line}" if row is not None else None
            raise ExpectationFailed(
                path, entry.line, entry.expectation, failed.result, failed.cause, row_where
            )

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        return self.path, self.index.line - 1, self.name


class GoldenItem(Tier2Item):
    """A scenario's pin check: golden modes only. It fails on a change that this run's
    mode does not write (every change, in check mode)."""

    def __init__(self, *, scenario: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.extra_keyword_matches.add(scenario)

    @property
    def scenario_name(self) -> str:
        return self.scenario

    def runtest(self) -> None:
        from .golden.drift import judge
        from .golden.keeper import CLASH
        from .golden.pinfile import scenario_pin

        suite_file, scenario = self.suite_file, self.scenario
        verdicts = suite_file.verdicts()
        test_run = verdicts.result
        assert test_run is not None  # kept in golden modes
        current = scenario_pin(test_run, scenario)
        index = suite_file.index
        path, line = suite_file.shown_path, index.scenario_lines[scenario]
        where = f"{path}:{line}: scenario '{scenario}'"
        clash = suite_file.pin_clash
        verdict = judge(
            suite_file.pins(),
            scenario,
            current,
            index.name,
            where=where,
            pin_name=suite_file.pin_path.name,
            nodeid=f"{suite_file.shown_path}::{self.name}",
            explain=lambda pinned: self.mission_failures(test_run, pinned, current),
        )
        payload: dict[str, Any] = {
            "scenario": scenario,
            "scenarios": list(index.scenario_lines),
            "status": CLASH if clash else verdict.status,
            "suite": index.name,
            "suite_hash": test_run.suite_result.suite_hash,
            "suite_sha": suite_file.suite_sha,
        }
        if verdict.kind is not None:
            payload["pin"] = current  # to write now, or to keep pending for `accept`
        self.add_report_extra("tier2_golden", json.dumps(payload, sort_keys=True))
        self.record_hashes(verdicts, scenario)
        if clash:
            raise GoldenMismatch(clash, path, line, [where])
        golden = suite_file.state.golden
        assert golden is not None
        if verdict.kind is not None and not golden.mode.writes(verdict.kind):
            assert verdict.reason is not None
            raise GoldenMismatch(verdict.reason, path, line, verdict.body)
        suite_file.pin_judged(self.name)

    def mission_failures(
        self, test_run: TestRunResult, pinned: Mapping[str, Any], current: Mapping[str, Any]
    ) -> list[str]:
        """Why each mission that moved and now fails did not succeed (issue 11)."""
        results = test_run.suite_result.scenario_results[self.scenario].mission_results
        old = pinned.get("missions") or {}
        lines = []
        for key, new in sorted(current["missions"].items()):
            if (old.get(key) or {}).get("hash") == new["hash"]:
                continue
            base, operations = (
                self.config.invocation_params.dir,
                self.suite_file.registry.operations,
            )
            cause = mission_failure(results[key], base, operations)
            if cause is not None:
                lines.append(f"mission '{key}' did not succeed:")
                lines.extend(f"  {text}" for text in cause.lines())
        return lines

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        line = self.suite_file.index.scenario_lines[self.scenario]
        return self.path, line - 1, self.name
