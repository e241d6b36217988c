"""End-to-end: the plugins people install beside pytest-tier2 read its items as they read
Python tests (issue 12, part 2).

Every test runs the real plugin, installed by the test extra, in a real pytest session
through `pytester`, on a project with its own missions and operations: a `conftest.py` that
registers them, and `shop_ops.py`, a module of the project's own that the conftest imports.
In-process runs wherever the plugin allows; a subprocess only where the process itself is
what is tested.
"""

from __future__ import annotations

import html
import itertools
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import pytest
from tier2_test_support import outcomes

pytestmark = pytest.mark.installed_plugins

OPS = """\
import time


def bump(state, payload):
    return {**state, "counter": state.get("counter", 0) + payload["by"]}  # BUMPS


def hang(state, payload):
    while True:
        time.sleep(0.01)  # HANGS


def never_used(state, payload):
    return {**state, "unused": True}  # NEVER RUN
"""

CONFTEST = """\
import os
from pathlib import Path

import pytest
import shop_ops

from pytest_tier2 import StepSpec, WorkflowDefinition

LOG = Path(__file__).with_name("builds.log")


def logged(mission):
    with LOG.open("a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {mission}\\n")


def step(operation, **payload):
    return StepSpec(f"{operation}-step", "runtime", {"operation": operation, **payload})


def build_bump(params):
    logged("bump")
    return WorkflowDefinition(id="wf-bump", steps=(step("bump", by=params["by"]),))  # BUILDS


def build_hang(params):
    logged("hang")
    return WorkflowDefinition(id="wf-hang", steps=(step("hang"),))


def build_broken(params):
    logged("broken")
    return 1 / 0


def build_leaving(params):
    logged("leaving")
    how = params["how"]
    if how == "sys.exit":
        raise SystemExit(3)
    if how == "pytest.exit":
        pytest.exit("stopped by a mission", returncode=7)
    raise KeyboardInterrupt


def pytest_tier2_register(registry):
    registry.add_mission("bump", build_bump)
    registry.add_mission("hang", build_hang)
    registry.add_mission("broken", build_broken)
    registry.add_mission("leaving", build_leaving)
    registry.add_operation("bump", shop_ops.bump)
    registry.add_operation("hang", shop_ops.hang)
    registry.add_operation("never_used", shop_ops.never_used)
"""

SHOP = """\
suite: shop
scenarios:
  - name: morning
    initial_state: {counter: 0}
    missions:
      - name: bump
        params: {by: 2}
      - name: echo
        params: {note: first}
  - name: evening
    initial_state: {counter: 5}
    missions:
      - name: bump
        params: {by: 1}
expectations:
  - id: counter_bumped
    scenario: morning
    mission: bump
    path: final_state.counter
    op: eq
    expected: 2
  - id: counter_wrong
    scenario: morning
    mission: bump
    path: final_state.counter
    op: eq
    expected: 3
  - id: evening_counter
    scenario: evening
    mission: bump
    path: final_state.counter
    op: eq
    expected: 6
  - id: evening_misspelt
    scenario: evening
    mission: bump
    path: final_state.countr
    op: eq
    expected: 6
"""

BROKEN = """\
suite: broken
scenarios:
  - name: doomed
    missions:
      - name: echo
      - name: broken
expectations:
  - id: echo_would_pass
    scenario: doomed
    mission: echo
    path: success
    op: eq
    expected: true
  - id: broken_succeeds
    scenario: doomed
    mission: broken
    path: success
    op: eq
    expected: true
"""


def stopped_suite(name: str, mission: str, params: str = "{}") -> str:
    """A suite of four expectations on a mission call that never returns a result."""
    expectations = "".join(
        f"  - id: {eid}\n    scenario: {name}\n    mission: {on}\n"
        f"    path: success\n    op: eq\n    expected: true\n"
        for eid, on in [
            ("echo_ran", "echo"),
            (f"{mission}_succeeds", mission),
            ("echo_again", "echo"),
            (f"{mission}_again", mission),
        ]
    )
    return (
        f"suite: {name}\nscenarios:\n  - name: {name}\n    missions:\n      - name: echo\n"
        f"      - name: {mission}\n        params: {params}\nexpectations:\n{expectations}"
    )


def ids_of(file: str, text: str) -> list[str]:
    """The node ids of a suite file's expectations, in file order."""
    return [f"{file}::{eid}" for eid in re.findall(r"^  - id: (\S+)$", text, re.MULTILINE)]


STUCK = stopped_suite("stuck", "hang")

SHOP_OUTCOMES = {
    "shop.tier2.yaml::counter_bumped": "PASSED",
    "shop.tier2.yaml::counter_wrong": "FAILED",
    "shop.tier2.yaml::evening_counter": "PASSED",
    "shop.tier2.yaml::evening_misspelt": "FAILED",
}
BROKEN_OUTCOMES = {
    "broken.tier2.yaml::echo_would_pass": "FAILED",
    "broken.tier2.yaml::broken_succeeds": "FAILED",
}
STUCK_IDS = ids_of("stuck.tier2.yaml", STUCK)
OUTCOMES = {**BROKEN_OUTCOMES, **SHOP_OUTCOMES}
"""Every item of the project, with golden off, and its outcome."""

REASONS = {
    "shop.tier2.yaml::counter_wrong": "eq_mismatch",
    "shop.tier2.yaml::evening_misspelt": "path_missing",
    "broken.tier2.yaml::echo_would_pass": "ZeroDivisionError: division by zero",
    "broken.tier2.yaml::broken_succeeds": "ZeroDivisionError: division by zero",
}
"""What each failure's report must say, whatever its wording around it."""

TIER2_PROPERTIES = ("tier2_suite", "tier2_suite_hash", "tier2_scenario_hash", "tier2_test_run_hash")


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the only line of `text` that contains `needle`."""
    numbers = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(numbers) == 1, (needle, numbers)
    return numbers[0]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with its own missions and operations, and two suites: `shop` (two passing,
    two failing expectations) and `broken` (a mission whose builder raises)."""
    pytester.makeini("[pytest]\n")
    pytester.makeconftest(CONFTEST)
    pytester.makepyfile(shop_ops=OPS)
    pytester.makefile(".tier2.yaml", shop=SHOP, broken=BROKEN)
    return pytester


def run(pytester: pytest.Pytester, *args: str, **kwargs: bool) -> pytest.RunResult:
    """An in-process run that lists every outcome (`-rA`)."""
    return pytester.runpytest("-p", "no:cacheprovider", "-rA", *args, **kwargs)


def builds(pytester: pytest.Pytester) -> list[tuple[int, str]]:
    """(process id, mission) for each mission built: a suite builds its missions once a run."""
    log = pytester.path / "builds.log"
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return [(int(pid), mission) for pid, mission in (line.split() for line in lines)]


def built(pytester: pytest.Pytester) -> list[str]:
    """The missions built, in any process, sorted."""
    return sorted(mission for _, mission in builds(pytester))


def failure_sections(result: pytest.RunResult) -> dict[str, str]:
    """The body of each `____ name ____` section of the FAILURES part, by test name."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_failures = False
    for line in result.outlines:
        if line.startswith("="):
            in_failures = "= FAILURES =" in line
            current = None
        elif in_failures and re.fullmatch(r"_+ \S+ _+", line):
            current = sections.setdefault(line.strip("_ "), [])
        elif current is not None and not line.startswith("[gw"):  # xdist names the worker
            current.append(line)
    return {name: "\n".join(lines) for name, lines in sections.items()}


def pin_then_drift(pytester: pytest.Pytester) -> None:
    """Pin every suite, then change what `shop`'s morning scenario produces (and no verdict)."""
    run(pytester, "--tier2-golden=update")
    shop = pytester.path / "shop.tier2.yaml"
    shop.write_text(SHOP.replace("note: first", "note: second"), encoding="utf-8")


# -- allure-pytest ----------------------------------------------------------------------


def test_allure_shows_failed_checks_and_drift_as_failed_and_a_suite_that_cannot_run_as_broken(
    project: pytest.Pytester,
) -> None:
    """Allure, like VS Code, tells a check that did not hold (an AssertionError) from a crash."""
    pin_then_drift(project)
    result = run(project, "--tier2-golden=check", "--alluredir=allure-results")
    assert result.ret == pytest.ExitCode.TESTS_FAILED

    results = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in (project.path / "allure-results").glob("*-result.json")
    ]
    statuses = {test["name"]: test["status"] for test in results}
    assert len(statuses) == len(results) == 9
    assert statuses == {
        "counter_bumped": "passed",
        "evening_counter": "passed",
        "evening@golden": "passed",
        # An expectation that does not hold, and golden drift: assertions that failed.
        "counter_wrong": "failed",
        "evening_misspelt": "failed",
        "morning@golden": "failed",
        # A mission that cannot run: every item of its suite, its pin item too, is broken.
        "echo_would_pass": "broken",
        "broken_succeeds": "broken",
        "doomed@golden": "broken",
    }
    details = {test["name"]: test["statusDetails"] for test in results if "statusDetails" in test}
    shown = {name: details[name]["message"] + details[name]["trace"] for name in details}
    assert "eq_mismatch" in shown["counter_wrong"]
    assert "golden drift in scenario 'morning'" in shown["morning@golden"]
    assert "ZeroDivisionError: division by zero" in shown["broken_succeeds"]


# -- pytest-timeout ---------------------------------------------------------------------

EXCINFO_PROBE = """\


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # The exception each item's call raised, as pytest and its plugins receive it.
    report = yield
    if call.when == "call" and call.excinfo is not None:
        with LOG.with_name("raised.log").open("a", encoding="utf-8") as out:
            out.write(f"{item.nodeid} {call.excinfo.typename}\\n")
    return report
"""


def raised(pytester: pytest.Pytester) -> dict[str, list[str]]:
    """The type of exception each item's call raised, in order, by node id (a rerun adds one)."""
    found: dict[str, list[str]] = {}
    for line in (pytester.path / "raised.log").read_text(encoding="utf-8").splitlines():
        nodeid, typename = line.split()
        found.setdefault(nodeid, []).append(typename)
    return found


@pytest.mark.parametrize(
    "extra",
    [
        (),
        # Each rerun gets a timer of its own: by default pytest-timeout times an item's first
        # try only, and a rerun that ran the hanging suite again would hang the session.
        ("--reruns", "1", "-o", "timeout_func_only=true"),
        ("-n", "2"),
    ],
    ids=["serial", "with-pytest-rerunfailures", "pytest-xdist"],
)
def test_a_hanging_mission_costs_one_timeout_for_its_file_whose_other_items_share_the_cause(
    project: pytest.Pytester, extra: tuple[str, ...]
) -> None:
    """pytest-timeout's default method on Linux raises `pytest.fail` inside the hanging code.
    The suite's run is that file's outcome: the item that was running fails with pytest-timeout's
    exception; the others fail at once with the same cause, and never run the suite again."""
    project.makefile(".tier2.yaml", stuck=STUCK)
    project.makeconftest(CONFTEST + EXCINFO_PROBE)
    result = run(project, "--timeout=1", *extra)
    assert outcomes(result) == {**OUTCOMES, **dict.fromkeys(STUCK_IDS, "FAILED")}

    # One timeout per process that ran the file: the hanging mission was built once there.
    hangs = Counter(pid for pid, mission in builds(project) if mission == "hang")
    assert hangs and set(hangs.values()) == {1}, hangs
    stuck_raised = {nodeid: raised(project)[nodeid] for nodeid in STUCK_IDS}
    first_tries = Counter(types[0] for types in stuck_raised.values())
    assert first_tries == {"Failed": len(hangs), "SuiteRunError": 4 - len(hangs)}, stuck_raised
    if "--reruns" in extra:  # a rerun fails at once too: the suite does not run again
        assert all(types[1:] == ["SuiteRunError"] for types in stuck_raised.values())

    # Every item of the file names the cause at its first line, and where the run hung.
    call_line = line_of(STUCK, "- name: hang")
    ops_line = line_of(OPS, "# HANGS")
    sections = failure_sections(result)
    for nodeid in STUCK_IDS:
        text = sections[nodeid.split("::")[1]]
        first_line = text.splitlines()[0]
        # pytest-timeout's own words come between.
        assert first_line.startswith("suite could not run: Failed: Timeout"), text
        assert first_line.endswith("(scenario 'stuck', mission 'hang')"), text
        assert ">1.0s" in first_line, text
        assert (
            f"\nstuck.tier2.yaml:{call_line}: suite 'stuck' could not run in scenario 'stuck', "
            "mission 'hang'\n"
        ) in text
        assert f"\n  interrupted at shop_ops.py:{ops_line} in hang" in text
        assert "Traceback" not in text


def test_with_the_thread_method_a_hang_ends_the_process_as_it_does_for_any_test(
    project: pytest.Pytester,
) -> None:
    """pytest-timeout's thread method cannot interrupt code; it dumps the stacks and ends the
    process (under pytest-xdist, the worker), whatever the test. Items that ran before keep
    their outcomes; nothing after the first hanging item runs."""
    project.makefile(".tier2.yaml", stuck=STUCK)
    result = project.runpytest_subprocess(
        "-p", "no:cacheprovider", "-v", "--timeout=1", "--timeout-method=thread"
    )
    assert result.ret == 1
    verdicts = [line.split()[:2] for line in result.outlines if line.startswith(("shop", "broken"))]
    assert verdicts == [[nodeid, outcome] for nodeid, outcome in OUTCOMES.items()]
    assert any(line.startswith(f"{STUCK_IDS[0]} ") for line in result.outlines)
    assert not any(line.startswith(STUCK_IDS[1]) for line in result.outlines)
    assert "+ Timeout +" in result.stdout.str()
    assert built(project).count("hang") == 1


@pytest.mark.parametrize(
    ("how", "meaning"),
    [
        ("sys.exit", "fails the items of its file, as it fails a Python test"),
        ("pytest.exit", "ends the session with its return code"),
        ("KeyboardInterrupt", "interrupts the session"),
    ],
)
def test_an_exit_or_interrupt_raised_inside_a_mission_keeps_its_meaning(
    project: pytest.Pytester, how: str, meaning: str
) -> None:
    leaving = stopped_suite("leaving", "leaving", f"{{how: {how}}}")
    project.makefile(".tier2.yaml", zz_leaving=leaving)  # runs after the other two files
    result = run(project, no_reraise_ctrlc=True)  # pytester would re-raise a KeyboardInterrupt
    leaving_ids = ids_of("zz_leaving.tier2.yaml", leaving)
    assert built(project).count("leaving") == 1, meaning
    if how == "sys.exit":
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        assert outcomes(result) == {**OUTCOMES, **dict.fromkeys(leaving_ids, "FAILED")}
        sections = failure_sections(result)
        for nodeid in leaving_ids:
            text = sections[nodeid.split("::")[1]]
            reason = "suite could not run: SystemExit: 3 (scenario 'leaving', mission 'leaving')"
            assert text.startswith(reason), text
    elif how == "pytest.exit":
        assert result.ret == 7
        assert "stopped by a mission" in result.stdout.str()
        # The files before it ran; its own items did not, and no summary followed.
        assert result.parseoutcomes() == {"failed": 4, "passed": 2}
    else:
        assert result.ret == pytest.ExitCode.INTERRUPTED
        assert "KeyboardInterrupt" in result.stdout.str()
        assert result.parseoutcomes() == {"failed": 4, "passed": 2}


# -- pytest-randomly --------------------------------------------------------------------


def test_any_random_order_gives_the_same_outcomes_and_a_byte_identical_report(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PYTEST_ADDOPTS")  # tests/conftest.py keeps pytest-randomly off
    in_file_order = run(project, "-v", "-p", "no:randomly", "--tier2-report=file-order.json")
    assert outcomes(in_file_order) == OUTCOMES
    reference = (project.path / "file-order.json").read_bytes()

    orders = []
    for seed in (1, 2, 3):
        (project.path / "builds.log").unlink()
        result = run(project, "-v", f"--randomly-seed={seed}", f"--tier2-report={seed}.json")
        assert f"Using --randomly-seed={seed}" in result.stdout.str()
        assert outcomes(result) == OUTCOMES, seed
        assert (project.path / f"{seed}.json").read_bytes() == reference, seed
        # Each suite still ran once: `shop` builds `bump` for each of its two scenarios.
        assert built(project) == ["broken", "bump", "bump"], seed
        orders.append(
            [line.split()[0] for line in result.outlines if " PASSED" in line or " FAILED" in line]
        )

    assert all(sorted(order) == sorted(OUTCOMES) for order in orders)
    # The orders differ, and in some the items of the two files interleave.
    assert len({tuple(order) for order in orders}) > 1
    files = [[nodeid.split("::")[0] for nodeid in order] for order in orders]
    assert any(sum(a != b for a, b in itertools.pairwise(f)) > 1 for f in files), orders


# -- pytest-split -----------------------------------------------------------------------


def test_split_groups_together_run_every_item_exactly_once_with_the_same_outcomes(
    project: pytest.Pytester,
) -> None:
    seen: dict[str, str] = {}
    for group in (1, 2, 3):
        ran = outcomes(run(project, "--splits=3", f"--group={group}"))
        assert ran, f"group {group} ran nothing"
        assert not set(ran) & set(seen), f"group {group} ran again: {set(ran) & set(seen)}"
        seen.update(ran)
    # Together, exactly the items and outcomes of one whole run (OUTCOMES).
    assert seen == OUTCOMES
    # Each group ran each suite it touched once, and `shop` was split between groups.
    assert built(project) == ["broken", "bump", "bump", "bump", "bump"]


# -- pytest-html, pytest-reportlog, pytest-json-report ----------------------------------


class Logged(NamedTuple):
    """What a machine-readable log says of one item."""

    outcome: str
    text: str
    """The failure report, as the log carries it."""
    properties: dict[str, str]
    """The `tier2_*` values it carries."""


def from_html(path: Path) -> dict[str, Logged]:
    """pytest-html 4 keeps its rows as JSON in the page; the hash column is tier2's own."""
    page = path.read_text(encoding="utf-8")
    assert '<th class="tier2-suite-hash">tier2 suite hash</th>' in page
    match = re.search(r'data-jsonblob="([^"]*)"', page)
    assert match is not None
    blob = json.loads(html.unescape(match.group(1)))
    logged = {}
    for nodeid, [row] in blob["tests"].items():
        cell = re.fullmatch(
            r'<td class="col-tier2-suite-hash">(\w*)</td>', row["resultsTableRow"][-1]
        )
        assert cell is not None, row["resultsTableRow"]
        found = {"tier2_suite_hash": cell.group(1)} if cell.group(1) else {}
        logged[nodeid] = Logged(row["result"].lower(), html.unescape(row["log"]), found)
    return logged


def from_reportlog(path: Path) -> dict[str, Logged]:
    logged = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["$report_type"] == "TestReport" and entry["when"] == "call":
            properties = {name: value for name, value in entry["user_properties"]}
            text = entry["longrepr"] or ""
            logged[entry["nodeid"]] = Logged(entry["outcome"], text, properties)
    return logged


def from_json_report(path: Path) -> dict[str, Logged]:
    logged = {}
    for test in json.loads(path.read_text(encoding="utf-8"))["tests"]:
        properties = {k: v for pair in test.get("user_properties", []) for k, v in pair.items()}
        text = test["call"].get("longrepr", "")
        logged[test["nodeid"]] = Logged(test["outcome"], text, properties)
    return logged


LOGS: dict[str, tuple[str, Callable[[Path], dict[str, Logged]], tuple[str, ...]]] = {
    "pytest-html": ("out.html", from_html, ("tier2_suite_hash",)),
    "pytest-reportlog": ("out.jsonl", from_reportlog, TIER2_PROPERTIES),
    "pytest-json-report": ("out.json", from_json_report, TIER2_PROPERTIES),
}
"""Each plugin's log file, how to read it, and the `tier2_*` values it carries."""


def test_machine_readable_logs_hold_every_item_each_failures_reason_and_the_tier2_hashes(
    project: pytest.Pytester,
) -> None:
    result = run(
        project,
        "--tier2-report=report.json",
        "--html=out.html",
        "--report-log=out.jsonl",
        "--json-report",
        "--json-report-file=out.json",
    )
    assert outcomes(result) == OUTCOMES
    # The hashes of the suite that ran, as --tier2-report has them; none where it could not.
    [shop] = json.loads((project.path / "report.json").read_text(encoding="utf-8"))["suites"]
    scenario_results = shop["result"]["suite_result"]["scenario_results"]
    hashes = {
        nodeid: {
            "tier2_suite": "shop",
            "tier2_suite_hash": shop["suite_hash"],
            "tier2_scenario_hash": scenario_results[scenario]["metadata"]["scenario_hash"],
            "tier2_test_run_hash": shop["test_run_hash"],
        }
        for nodeid in SHOP_OUTCOMES
        for scenario in ["evening" if "evening" in nodeid else "morning"]
    }

    for plugin, (file, read, carried) in LOGS.items():
        logged = read(project.path / file)
        assert {nodeid: entry.outcome for nodeid, entry in logged.items()} == {
            nodeid: outcome.lower() for nodeid, outcome in OUTCOMES.items()
        }, plugin
        for nodeid, reason in REASONS.items():
            assert reason in logged[nodeid].text, (plugin, nodeid, logged[nodeid].text)
            assert "Traceback" not in logged[nodeid].text, (plugin, nodeid)
        for nodeid in SHOP_OUTCOMES:
            expected = {name: hashes[nodeid][name] for name in carried}
            assert logged[nodeid].properties == expected, (plugin, nodeid)
        for nodeid in BROKEN_OUTCOMES:
            assert logged[nodeid].properties == {}, (plugin, nodeid)


# -- pytest-cov -------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_coverage_measures_the_projects_own_mission_and_operation_modules(
    project: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    result = run(project, f"--cov={project.path}", "--cov-report=json:coverage.json", *workers)
    assert outcomes(result) == OUTCOMES
    files = json.loads((project.path / "coverage.json").read_text(encoding="utf-8"))["files"]
    ops, conftest = files["shop_ops.py"], files["conftest.py"]
    # The operation and the builder that ran are measured; what never ran is missing.
    assert line_of(OPS, "# BUMPS") in ops["executed_lines"]
    assert line_of(OPS, "# NEVER RUN") in ops["missing_lines"]
    assert line_of(OPS, "# HANGS") in ops["missing_lines"]
    assert line_of(CONFTEST, "# BUILDS") in conftest["executed_lines"]
    assert line_of(CONFTEST, "return 1 / 0") in conftest["executed_lines"]


# -- pytest-github-actions-annotate-failures -------------------------------------------

ANNOTATION = re.compile(r"^::error file=(?P<file>[^,]+),line=(?P<line>\d+)::(?P<message>.*)$")


def test_github_annotations_point_at_the_yaml_line_of_each_failing_item(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pin_then_drift(project)
    project.makefile(".tier2.yaml", stuck=STUCK)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run(project, "--tier2-golden=check", "--timeout=1")

    annotations = {}
    for line in result.errlines:
        match = ANNOTATION.match(line)
        if match:
            message = match["message"].replace("%0A", "\n").replace("%0D", "\r")
            annotations[match["file"], int(match["line"])] = message.replace("%25", "%")

    texts = {"shop.tier2.yaml": SHOP, "broken.tier2.yaml": BROKEN, "stuck.tier2.yaml": STUCK}
    expected = {}
    for nodeid, outcome in outcomes(result).items():
        if outcome != "FAILED":
            continue
        file, name = nodeid.split("::")
        # 1-based, as GitHub numbers lines: an expectation's `- id:`, a pin item's scenario.
        if name.endswith("@golden"):
            needle = f"- name: {name.removesuffix('@golden')}"
        else:
            needle = f"- id: {name}"
        expected[file, line_of(texts[file], needle)] = name
    assert sorted(annotations) == sorted(expected)
    assert len(expected) == 2 + 1 + 3 + 4 + 1  # shop, its drift, broken, stuck, stuck's pin
    for place, name in expected.items():
        message = annotations[place]
        assert message.startswith(f"{name}\n\n"), message
    assert "eq_mismatch" in annotations["shop.tier2.yaml", line_of(SHOP, "- id: counter_wrong")]
    stuck_line = line_of(STUCK, f"- id: {STUCK_IDS[1].split('::')[1]}")
    assert "suite could not run: Failed: Timeout" in annotations["stuck.tier2.yaml", stuck_line]
