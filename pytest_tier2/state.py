"""Per-session plugin state: registries, options, and what the reports carried back."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import SUITE_SUFFIXES

if TYPE_CHECKING:
    from collections.abc import Generator

    from .core.registry import Registry
    from .golden.keeper import GoldenKeeper
    from .nodes import Tier2File
    from .speccache import SpecCache

STATE_KEY = pytest.StashKey["Tier2State"]()
VERDICTS = {True: "passed", False: "failed"}


@dataclass
class SuiteHashes:
    """What the terminal summary and the report show for one file."""

    suite_name: str
    suite_hash: str
    test_run_hash: str


@dataclass(eq=False)  # registered as a plugin: pluggy and pytest need it hashable
class Tier2State:
    config: pytest.Config
    max_file_bytes: int
    golden: GoldenKeeper | None = None
    """Present in golden modes only."""
    registries: dict[Path, Registry] = field(default_factory=dict)
    hashes: dict[str, SuiteHashes] = field(default_factory=dict)
    """By suite file, as reports name it (relative to the rootdir)."""
    reports: dict[str, str] = field(default_factory=dict)
    setting_up: pytest.Item | None = None
    """The item whose setup is running here, until its setup report arrives."""
    tracks_outcomes: bool = False
    """Whether this process writes `--tier2-report` (serial, or xdist's controller)."""
    outcomes: dict[str, str] = field(default_factory=dict)
    """pytest's decision on each tier2 item reported, by node id (`tracks_outcomes` only)."""
    selected: set[str] = field(default_factory=set)
    """The node ids selected to run: from collection, or from every xdist worker's."""
    node_prefixes: dict[str, str] = field(default_factory=dict)
    """Each suite file's node id prefix (`dir/x.tier2.yaml`), by file as reports name it."""
    report_error: str | None = None

    def registry_for(self, suite_file: Tier2File) -> Registry:
        """The built-ins plus what the conftests and plugins visible from this directory add."""
        from .core.registry import default_registry
        from .format import SuiteFileError

        directory = suite_file.path.parent
        registry = self.registries.get(directory)
        if registry is None:
            registry = default_registry().copy()
            try:
                suite_file.ihook.pytest_tier2_register(registry=registry)
            except Exception as error:
                raise SuiteFileError(
                    suite_file.shown_path, 1, f"pytest_tier2_register failed: {error}"
                ) from None
            self.registries[directory] = registry
        return registry

    @cached_property
    def spec_cache(self) -> SpecCache | None:
        """Read suites kept in pytest's cache directory; None without the cache provider."""
        cache = getattr(self.config, "cache", None)
        if cache is None:
            return None
        from .speccache import CACHE_NAME, SpecCache

        return SpecCache(cache.mkdir(CACHE_NAME))

    @property
    def golden_mode(self) -> str:
        return self.golden.mode.name if self.golden is not None else "off"

    @property
    def report_path(self) -> str | None:
        path: str | None = self.config.getoption("tier2_report")
        return path

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, None, None]:
        """Note the item: a wrapper runs even when a skip mark ends its setup at once."""
        self.setting_up = item
        return (yield)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        """Gather hashes and outcomes where reports arrive (the xdist controller too).

        First of all hooks, because a skipped item's report gains its hashes here, before
        junit, the terminal or xdist's worker (which sends it on) read it.
        """
        if report.when == "setup" and report.skipped:
            item, self.setting_up = self.setting_up, None
            if item is not None and item.nodeid == report.nodeid:
                from .nodes import Tier2Item

                if isinstance(item, Tier2Item):
                    item.skipped(report)
        if self.tracks_outcomes and report.location[0].endswith(SUITE_SUFFIXES):
            self.note_outcome(report)
        if report.when != "call":
            return
        # `location[0]` is the file relative to the rootdir, `..` included: unlike
        # `report.fspath`, it names a suite outside the rootdir too.
        file = report.location[0]
        golden_payload = getattr(report, "tier2_golden", None)
        if golden_payload is not None and self.golden is not None:
            suite_path = Path(os.path.normpath(self.config.rootpath / file))
            self.golden.observe(suite_path, json.loads(golden_payload))
        test_run_json = getattr(report, "tier2_test_run_json", None)
        if test_run_json is not None:
            self.reports[file] = test_run_json
        if file in self.hashes:  # the same for every item of a file
            return
        properties = dict(report.user_properties)
        suite_hash = properties.get("tier2_suite_hash")
        if suite_hash is None:
            return
        self.node_prefixes[file] = report.nodeid.rpartition("::")[0]
        self.hashes[file] = SuiteHashes(
            str(properties["tier2_suite"]),
            str(suite_hash),
            str(properties["tier2_test_run_hash"]),
        )

    def note_outcome(self, report: pytest.TestReport) -> None:
        """pytest's decision on an item, as `-ra` names it, from the reports of its phases."""
        nodeid, when = report.nodeid, report.when
        xfail = hasattr(report, "wasxfail")
        if report.passed:
            if when != "call":
                return
            outcome = "xpassed" if xfail else "passed"
        elif report.failed:
            if when == "teardown" and self.outcomes.get(nodeid) == "failed":
                return
            outcome = "failed" if when == "call" else "error"
        elif report.skipped:
            outcome = "xfailed" if xfail else "skipped"
        else:  # pytest-rerunfailures' "rerun": a later report decides
            return
        self.outcomes[nodeid] = outcome

    def outcomes_of(self, file: str, result: dict[str, Any] | None) -> dict[str, str]:
        """What pytest decided on each expectation of a suite, `not_selected` included."""
        if result is None:
            return {}
        prefix = self.node_prefixes.get(file, file)
        outcomes = {}
        for eid in sorted(result["expectations_result"]["expectation_results"]):
            nodeid = f"{prefix}::{eid}"
            default = "not_run" if nodeid in self.selected else "not_selected"
            outcomes[eid] = self.outcomes.get(nodeid, default)
        return outcomes

    def pytest_deselected(self) -> None:
        if self.golden is not None:
            self.golden.deselected = True

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        workeroutput = getattr(self.config, "workeroutput", None)
        if workeroutput is not None:  # an xdist worker: the controller reports and writes
            if self.golden is not None:
                workeroutput["tier2_deselected"] = self.golden.deselected
                workeroutput["tier2_whole_dirs"] = sorted(map(str, self.golden.whole_dirs))
            return
        if self.config.option.collectonly:
            return  # nothing ran: no report to write, no pin to judge
        if self.report_path:
            self.write_report(Path(self.report_path))
        if self.report_error and session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if self.golden is not None:
            self.golden.finish(getattr(self.config, "cache", None))
            if self.golden.fails_run and session.exitstatus == 0:
                session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def pytest_collect_directory(self, path: Path) -> None:
        """Note each directory collected in full, for judging pin files whose suite is gone."""
        if self.golden is not None and self.covers_whole(path):
            self.golden.whole_dirs.add(path)

    def covers_whole(self, directory: Path) -> bool:
        """Whether a command-line argument was this directory or one above it."""
        for argument in self.config.args:
            if "::" in argument:
                continue
            target = self.config.invocation_params.dir / argument
            if target.is_dir() and (directory == target or target in directory.parents):
                return True
        return False

    def write_report(self, path: Path) -> None:
        """Every suite's hashes and canonical test-run result, as one JSON document.

        Written a suite at a time, each read back from its text only then: the bytes of
        `json.dumps(document, indent=2, sort_keys=True)`, without holding every result as
        objects, and the chunks of their indented text, at once (1.7x a run's memory)."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("w", encoding="utf-8") as stream:
                stream.write('{\n  "format": "pytest-tier2-report",\n  "suites": [')
                for position, file in enumerate(sorted(self.hashes)):
                    text = json.dumps(self.suite_report(file), indent=2, sort_keys=True)
                    stream.write(",\n    " if position else "\n    ")
                    stream.write(text.replace("\n", "\n    "))
                stream.write("\n  ],\n" if self.hashes else "],\n")
                stream.write('  "version": 1\n}\n')
        except OSError as error:
            self.report_error = f"could not write --tier2-report {path}: {error.strerror or error}"

    def suite_report(self, file: str) -> dict[str, Any]:
        """One suite's entry in the report."""
        hashes = self.hashes[file]
        result = json.loads(self.reports[file]) if file in self.reports else None
        outcomes = self.outcomes_of(file, result)
        failed = any(outcome in ("failed", "error") for outcome in outcomes.values())
        return {
            "core_verdict": None if result is None else VERDICTS[bool(result["passed"])],
            "file": file,
            "outcomes": outcomes,
            "pytest_verdict": VERDICTS[not failed],
            "result": result,
            "suite_hash": hashes.suite_hash,
            "suite_name": hashes.suite_name,
            "test_run_hash": hashes.test_run_hash,
        }

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if self.config.option.collectonly:
            return
        if self.report_error:
            terminalreporter.ensure_newline()
            terminalreporter.section("tier2 report")
            terminalreporter.write_line(self.report_error)
        if self.golden is not None and not hasattr(self.config, "workerinput"):
            from .golden.summary import write_summary

            write_summary(self.golden, terminalreporter)
        if self.config.get_verbosity() < 1 or not self.hashes:
            return
        terminalreporter.ensure_newline()
        terminalreporter.section("tier2 suite hashes")
        for file, hashes in sorted(self.hashes.items()):
            terminalreporter.write_line(f"{file} ({hashes.suite_name}): {hashes.suite_hash}")
