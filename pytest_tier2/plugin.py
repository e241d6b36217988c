"""The pytest entry point. Thin on purpose: the work lives in `nodes`, `state` and the core.

Importing this module imports nothing of the core; that happens when the first suite
file is collected, so repositories without suites pay nothing for the plugin.
"""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import DEFAULT_MAX_FILE_BYTES, SUITE_SUFFIXES
from .golden.modes import MODE_HELP, parse_mode
from .state import STATE_KEY

if TYPE_CHECKING:
    from .nodes import Tier2File, Tier2Item
    from .state import Tier2State


def golden_mode(value: str) -> str:
    """`--tier2-golden`'s value. A path after a bare `--tier2-golden` lands here: refuse it."""
    try:
        mode = parse_mode(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"{error}; to check the pins of a path, write --tier2-golden=check {value}"
        ) from None
    return "off" if mode is None else mode.name


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tier2", "pytest-tier2 scenario suites")
    group.addoption(
        "--tier2-report",
        dest="tier2_report",
        metavar="PATH",
        default=None,
        help="write every suite's canonical results and hashes to PATH as one JSON file",
    )
    group.addoption(
        "--tier2-golden",
        dest="tier2_golden",
        nargs="?",
        const="check",
        default=None,
        type=golden_mode,
        help="check suites against their pins (alone or =check), =update them, or write only "
        "some kinds of change: a comma-separated set of create, fix, trim",
    )
    parser.addini(
        "tier2_golden",
        default="off",
        help=f"golden mode when --tier2-golden is not given: {MODE_HELP}",
    )
    parser.addini(
        "tier2_max_file_bytes",
        default=str(DEFAULT_MAX_FILE_BYTES),
        help="largest suite file, in bytes, that collection reads (default 10 MiB)",
    )


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from . import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_configure(config: pytest.Config) -> None:
    from .state import Tier2State

    max_bytes = config.getini("tier2_max_file_bytes")
    try:
        max_file_bytes = int(max_bytes)
    except ValueError:
        raise pytest.UsageError(
            f"tier2_max_file_bytes must be a number of bytes, not {max_bytes!r}"
        ) from None
    value = config.getoption("tier2_golden") or config.getini("tier2_golden") or "off"
    try:
        golden = parse_mode(value)
    except ValueError:
        raise pytest.UsageError(f"tier2_golden must be {MODE_HELP}, not {value!r}") from None
    state = Tier2State(config, max_file_bytes=max_file_bytes)
    # Only the process that receives every report writes the report: never an xdist worker.
    state.tracks_outcomes = bool(config.getoption("tier2_report")) and not hasattr(
        config, "workeroutput"
    )
    if golden is not None:
        from .golden.keeper import GoldenKeeper

        started = config.invocation_params.dir
        own_root = config.rootpath != started and config.args_source == config.ArgsSource.ARGS
        targets = tuple(config.args) if own_root else ()
        state.golden = GoldenKeeper(golden, started, config.rootpath, targets)
    if golden is not None or config.getoption("tier2_report"):
        config.pluginmanager.register(ReportExtras(), "tier2-report-extras")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(state), "tier2-xdist")
    if config.pluginmanager.hasplugin("html") and html_takes_strings():
        config.pluginmanager.register(HtmlHooks(), "tier2-html")
    config.stash[STATE_KEY] = state
    config.pluginmanager.register(state, "tier2-state")


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(SUITE_SUFFIXES):
        from .nodes import Tier2File

        suite_file: pytest.Collector = Tier2File.from_parent(parent, path=file_path)
        return suite_file
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Tell each suite file which of its items will run, once every deselection is done."""
    nodes = sys.modules.get("pytest_tier2.nodes")
    if nodes is None:  # no suite file was collected: keep the core unimported
        return
    pending: dict[Tier2File, list[Tier2Item]] = {}
    for item in session.items:
        if isinstance(item, nodes.Tier2Item):
            pending.setdefault(item.suite_file, []).append(item)
    state = session.config.stash[STATE_KEY]
    for suite_file, items in pending.items():
        suite_file.expect_items(items)
        if state.tracks_outcomes:
            state.selected.update(item.nodeid for item in items)


def pytest_report_collectionfinish(config: pytest.Config) -> str | None:
    """Under `-v`, how many suite files were read and how many came from the parse cache."""
    state = config.stash.get(STATE_KEY, None)
    cache = state.__dict__.get("spec_cache") if state is not None else None
    if cache is None or config.get_verbosity() < 1:
        return None
    read = cache.hits + cache.misses
    return f"tier2: {read} suite file{'s'[: read != 1]} read, {cache.hits} from the cache"


class XdistHooks:
    """Hooks that exist only with pytest-xdist: workers tell the controller what they deselected."""

    def __init__(self, state: Tier2State) -> None:
        self.state = state
        self._pairs: dict[tuple[str, str], tuple[str, str]] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_report_to_serializable(
        self, config: pytest.Config, report: pytest.CollectReport | pytest.TestReport
    ) -> Generator[None, dict[str, Any] | None, dict[str, Any] | None]:
        """A worker's report: pytest turns a FailureRepr into its text, so carry its parts."""
        data = yield
        # Duck-typed: pytester's in-process runs may reload the module that defines it.
        to_json = getattr(report.longrepr, "to_json", None)
        if data is not None and callable(to_json) and hasattr(report.longrepr, "reprcrash"):
            from .longrepr import SERIAL_KEY

            data[SERIAL_KEY] = to_json()
        return data

    @pytest.hookimpl(wrapper=True)
    def pytest_report_from_serializable(
        self, config: pytest.Config, data: dict[str, Any]
    ) -> Generator[None, object, object]:
        """On the controller, make the repr again, so `-ra` shows the reason, and share the
        hash properties between reports, as they are shared in the worker."""
        from .longrepr import SERIAL_KEY, from_json

        carried = data.pop(SERIAL_KEY, None)
        report = yield
        if carried is not None and report is not None:
            report.longrepr = from_json(carried)  # type: ignore[attr-defined]
        properties = getattr(report, "user_properties", None)
        if properties:
            report.user_properties = [self.shared(p) for p in properties]  # type: ignore[attr-defined]
        return report

    def shared(self, pair: Any) -> Any:
        """One object for each `tier2_*` property: the controller keeps every report, and each
        arrives with its own copy of the same 64-character hashes (100 MiB at 50,000 items)."""
        if (
            isinstance(pair, tuple)
            and len(pair) == 2
            and isinstance(pair[0], str)
            and pair[0].startswith("tier2_")
            and isinstance(pair[1], str)
        ):
            return self._pairs.setdefault(pair, pair)
        return pair

    def pytest_xdist_node_collection_finished(self, node: Any, ids: list[str]) -> None:
        """The controller learns what was selected from its workers' collections."""
        if self.state.tracks_outcomes:
            self.state.selected.update(ids)

    def pytest_testnodedown(self, node: Any, error: object) -> None:
        output = getattr(node, "workeroutput", {})
        golden = self.state.golden
        if golden is not None:
            golden.deselected = golden.deselected or bool(output.get("tier2_deselected"))
            golden.whole_dirs.update(map(Path, output.get("tier2_whole_dirs", ())))


class ReportExtras:
    """Copies what an item left for the writing process onto its report, which carries it
    across xdist's process boundary. Registered only when golden mode or a report needs it."""

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        if call.when == "call":
            for name, value in (getattr(item, "tier2_report_extras", None) or {}).items():
                setattr(report, name, value)
        return report


def html_takes_strings() -> bool:
    """pytest-html 4 builds its table from HTML strings; 3 took `py.xml` objects."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return int(version("pytest-html").split(".")[0]) >= 4
    except (PackageNotFoundError, ValueError):
        return False


class HtmlHooks:
    """pytest-html's results table gains a column with each tier2 item's suite hash.
    Registered only when pytest-html is installed; its hooks are optional, so nothing here
    depends on it."""

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_header(self, cells: list[str]) -> None:
        cells.append('<th class="tier2-suite-hash">tier2 suite hash</th>')

    @pytest.hookimpl(optionalhook=True)
    def pytest_html_results_table_row(self, report: pytest.TestReport, cells: list[str]) -> None:
        properties = dict(getattr(report, "user_properties", ()))
        suite_hash = html.escape(str(properties.get("tier2_suite_hash", "")))
        cells.append(f'<td class="col-tier2-suite-hash">{suite_hash}</td>')
