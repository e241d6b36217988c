"""End-to-end: suites feel native in the tools around pytest (issue 5, items 1, 3, 4 and 6).

- IDE test explorers: what VS Code's pytest plugin reads from each item, and what
  PyCharm reads from `pytest --teamcity`; node ids for every name the format allows.
- pytest-xdist: every `--dist` mode gives the serial run's outcomes and hashes.
- junit: every expectation is a `testcase` carrying its `tier2_*` hashes.
- Output: quiet collection, no tier2 section under `-q`, hashes under `-v`.

Every test drives a real pytest session through `pytester`, as a user or a tool would.
"""

from __future__ import annotations

import json
import os
import re
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from tier2_test_support import CollectedTogether, collect_together, error_section

# -- the suites ------------------------------------------------------------------------

SHOP = """\
suite: shop
scenarios:
  - name: morning
    initial_state: {counter: 0, team: platform}
    missions:
      - name: daily_loop
      - name: echo
        as: echo_hello
        params: {message: hello}
  - name: late-shift
    initial_state: {counter: 5}
    missions:
      - name: echo
expectations:
  - id: loop_succeeds
    scenario: morning
    mission: daily_loop
    path: success
    op: eq
    expected: true
  - id: late_counter_is_kept
    scenario: late-shift
    mission: echo
    path: final_state.counter
    op: eq
    expected: 5
  - id: counter-was-bumped
    scenario: morning
    mission: echo_hello
    path: final_state.counter
    op: eq
    expected: 1
  - id: team_is_kept
    scenario: morning
    mission: daily_loop
    path: final_state.team
    op: eq
    expected: platform
  - id: late_echo_fails
    scenario: late-shift
    mission: echo
    path: success
    op: eq
    expected: false
  - id: known_gap
    scenario: morning
    mission: echo_hello
    path: executed_steps.1
    op: exists
    xfail: echo has one step only
"""
SHOP_PASSING = ["loop_succeeds", "team_is_kept", "late_counter_is_kept"]
SHOP_FAILING = ["counter-was-bumped", "late_echo_fails"]
SHOP_SCENARIO = {
    "loop_succeeds": "morning",
    "counter-was-bumped": "morning",
    "team_is_kept": "morning",
    "known_gap": "morning",
    "late_counter_is_kept": "late-shift",
    "late_echo_fails": "late-shift",
}

STOCK = """\
scenarios:
  - name: restock
    initial_state: {bins: 3}
    missions:
      - name: echo
        as: count
        params: {message: count}
expectations:
  - id: bins_are_three
    scenario: restock
    mission: count
    path: final_state.bins
    op: eq
    expected: 3
  - id: bins_are_four
    scenario: restock
    mission: count
    path: final_state.bins
    op: eq
    expected: 4
"""

GREEN = """\
scenarios:
  - name: only
    missions:
      - name: echo
expectations:
  - id: echo_succeeds
    scenario: only
    mission: echo
    path: success
    op: eq
    expected: true
  - id: echo_has_no_error
    scenario: only
    mission: echo
    path: error_message
    op: exists
"""

# Files in path order; in a file, its expectations in file order, whatever their scenario.
NODE_IDS = [
    "suites/deep/stock.tier2.yaml::bins_are_three",
    "suites/deep/stock.tier2.yaml::bins_are_four",
    "suites/green.tier2.yaml::echo_succeeds",
    "suites/green.tier2.yaml::echo_has_no_error",
    "suites/shop.tier2.yaml::loop_succeeds",
    "suites/shop.tier2.yaml::late_counter_is_kept",
    "suites/shop.tier2.yaml::counter-was-bumped",
    "suites/shop.tier2.yaml::team_is_kept",
    "suites/shop.tier2.yaml::late_echo_fails",
    "suites/shop.tier2.yaml::known_gap",
]

SUITES = {
    "suites/shop.tier2.yaml": SHOP,
    "suites/deep/stock.tier2.yaml": STOCK,
    "suites/green.tier2.yaml": GREEN,
}


EXPECTATION = re.compile(r"^  - id: (\S+)\n    scenario: (\S+)$", re.MULTILINE)
SCENARIO_OF = {
    (file, eid): scenario
    for file, text in SUITES.items()
    for eid, scenario in EXPECTATION.findall(text)
}
"""The scenario each expectation of SUITES reads, by (file, expectation id)."""


def write(root: Path, files: dict[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture
def suites(pytester: pytest.Pytester) -> pytest.Pytester:
    """Three suite files below a `pytest.ini`, which makes its directory the rootdir."""
    pytester.makeini("[pytest]\n")
    write(pytester.path, SUITES)
    return pytester


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the only line of `text` that is exactly `needle`, stripped."""
    numbers = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == needle]
    assert len(numbers) == 1, (needle, numbers)
    return numbers[0]


def expectation_line(text: str, eid: str) -> int:
    """The 1-based line of the expectation's `- id:` line."""
    return line_of(text, f"- id: {eid}")


def node_ids(result: pytest.RunResult) -> list[str]:
    """The node ids that `--collect-only -q` listed."""
    return [line for line in result.outlines if "::" in line]


def collect_only(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider", *args)


# -- 1. VS Code --------------------------------------------------------------------------

EXPLORER_PROBE = """\
import json

import pytest


def pytest_collection_finish(session):
    # What VS Code's pytest plugin reads from every collected item.
    items = [
        {
            "nodeid": item.nodeid,
            "location": list(item.location),
            "has_callspec": hasattr(item, "callspec"),
            # VS Code builds its tree by walking up from each item to the file.
            "parent": item.parent.nodeid,
            "parent_is_file": isinstance(item.parent, pytest.File),
        }
        for item in session.items
    ]
    out = session.config.rootpath / "explorer.json"
    out.write_text(json.dumps(items), encoding="utf-8")
"""


def explore(pytester: pytest.Pytester, *args: str) -> list[dict[str, Any]]:
    """Discover tests the way VS Code does: a plugin of its own under `--collect-only`."""
    pytester.makepyfile(explorer_probe=EXPLORER_PROBE)
    pytester.syspathinsert()
    result = pytester.runpytest("-p", "explorer_probe", "--collect-only", "-q", *args)
    assert result.ret == pytest.ExitCode.OK, result.outlines
    items: list[dict[str, Any]] = json.loads(
        (pytester.path / "explorer.json").read_text(encoding="utf-8")
    )
    return items


@pytest.mark.parametrize("cwd", [".", "suites/deep"], ids=["from-rootdir", "from-a-subdir"])
def test_vscode_sees_plain_items_whose_location_is_the_expectations_yaml_line(
    suites: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, cwd: str
) -> None:
    monkeypatch.chdir(suites.path / cwd)
    items = explore(suites, f"--rootdir={suites.path}", str(suites.path))
    assert len(items) == 10
    seen = set()
    for item in items:
        # VS Code treats an item with a `callspec` as parametrized and splits its node id
        # on ".py": a suite's items must have none.
        assert item["has_callspec"] is False, item
        file, eid = item["nodeid"].split("::")
        text = SUITES[file]
        # location[0] is the suite file relative to the rootdir, wherever pytest started;
        # VS Code opens it and jumps to line location[1] + 1: the expectation's `- id:`.
        assert item["location"][0] == file
        assert item["location"][1] + 1 == expectation_line(text, eid), item
        # The name part is the expectation id alone: no scenario sits between.
        assert item["location"][2] == eid, item
        seen.add((file, eid))
    assert seen == {
        (file, eid)
        for file, text in SUITES.items()
        for eid in re.findall(r"^  - id: (\S+)$", text, re.MULTILINE)
    }


def test_vscode_tree_is_file_then_expectation(suites: pytest.Pytester) -> None:
    items = explore(suites, "suites/shop.tier2.yaml")
    # Items come in the order the file declares its expectations, whatever their scenario.
    assert [item["nodeid"].split("::")[1:] for item in items] == [
        ["loop_succeeds"],
        ["late_counter_is_kept"],
        ["counter-was-bumped"],
        ["team_is_kept"],
        ["late_echo_fails"],
        ["known_gap"],
    ]
    for item in items:
        eid = item["nodeid"].split("::")[1]
        # Every item hangs directly under the file node: the tree is file > expectation.
        assert item["parent"] == "suites/shop.tier2.yaml", item
        assert item["parent_is_file"] is True, item
        # The third member is the test's name as pytest shows it in headlines.
        assert item["location"][2] == eid


@pytest.mark.parametrize("eid", SHOP_PASSING)
def test_running_one_expectation_by_its_node_id_runs_exactly_that_one(
    suites: pytest.Pytester, eid: str
) -> None:
    node_id = f"suites/shop.tier2.yaml::{eid}"
    result = suites.runpytest("-v", node_id)
    result.assert_outcomes(passed=1)
    assert [line.split()[:2] for line in result.outlines if " PASSED" in line] == [
        [node_id, "PASSED"]
    ]


# -- 1. PyCharm: the TeamCity service messages -----------------------------------------

TEAMCITY_MESSAGE = re.compile(r"##teamcity\[(\w+)((?: \w+='(?:[^'|]|\|.)*')*)\]")
TEAMCITY_ATTRIBUTE = re.compile(r"(\w+)='((?:[^'|]|\|.)*)'")
TEAMCITY_ESCAPES = {"n": "\n", "r": "\r", "'": "'", "|": "|", "[": "[", "]": "]"}


def teamcity_messages(output: str) -> list[tuple[str, dict[str, str]]]:
    """Every `##teamcity[kind name='value' ...]` message in `output`, values unescaped."""

    def unescape(value: str) -> str:
        return re.sub(r"\|(.)", lambda m: TEAMCITY_ESCAPES.get(m.group(1), m.group(0)), value)

    return [
        (match.group(1), {k: unescape(v) for k, v in TEAMCITY_ATTRIBUTE.findall(match.group(2))})
        for match in TEAMCITY_MESSAGE.finditer(output)
    ]


@pytest.mark.installed_plugins
def test_pycharm_gets_one_started_finished_pair_per_expectation_and_failed_for_failures(
    suites: pytest.Pytester,
) -> None:
    result = suites.runpytest("--teamcity", "-p", "no:cacheprovider", "suites/shop.tier2.yaml")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    messages = teamcity_messages(result.stdout.str())
    started = [attrs["name"] for kind, attrs in messages if kind == "testStarted"]
    finished = [attrs["name"] for kind, attrs in messages if kind == "testFinished"]
    failed = {attrs["name"]: attrs for kind, attrs in messages if kind == "testFailed"}

    all_ids = [*SHOP_PASSING, *SHOP_FAILING, "known_gap"]
    assert len(started) == len(set(started)) == len(all_ids), started
    assert sorted(finished) == sorted(started)
    # Each test name ends with its expectation id, so the tree shows the id as the leaf.
    name_of = {eid: next(n for n in started if n.endswith(f".{eid}")) for eid in all_ids}
    assert len(set(name_of.values())) == len(all_ids)
    # Each name is "<file, dotted>.<expectation id>", in file order: no scenario level.
    shop_ids = [n.split("::")[1] for n in NODE_IDS if n.startswith("suites/shop.tier2.yaml::")]
    assert started == [f"suites.shop_tier2_yaml.{eid}" for eid in shop_ids]
    # Each pair is well nested: a test finishes before the next one starts.
    pairs = [(k, a["name"]) for k, a in messages if k in ("testStarted", "testFinished")]
    assert pairs == [(kind, name) for name in started for kind in ("testStarted", "testFinished")]

    # testFailed for exactly the failing ones, carrying the short report: the reason first,
    # then `file:line:`.
    assert set(failed) == {name_of[eid] for eid in SHOP_FAILING}
    for eid in SHOP_FAILING:
        details = failed[name_of[eid]]["details"]
        where = f"suites/shop.tier2.yaml:{expectation_line(SHOP, eid)}"
        assert details.startswith("eq_mismatch at "), details
        assert details.splitlines()[1] == f"{where}: expectation '{eid}'", details
        assert f"\n  scenario  {SHOP_SCENARIO[eid]}\n" in details
        assert "Traceback" not in details
    # The xfail is reported as ignored, not failed.
    ignored = [a["name"] for k, a in messages if k == "testIgnored"]
    assert ignored == [name_of["known_gap"]]


@pytest.mark.installed_plugins
def test_pycharm_gives_every_expectation_the_format_allows_a_test_name_of_its_own(
    pytester: pytest.Pytester,
) -> None:
    """teamcity-messages turns every '.' of a node id into '_'; the format allows no '.' in
    names, so `v1-2` and `v1_2` stay two TeamCity tests, as they are two pytest items."""
    pytester.makefile(
        ".tier2.yaml",
        clash=textwrap.dedent(
            """\
            scenarios:
              - name: only
                missions:
                  - name: echo
            expectations:
              - id: v1-2
                scenario: only
                mission: echo
                path: success
                op: eq
                expected: true
              - id: v1_2
                scenario: only
                mission: echo
                path: success
                op: eq
                expected: false
            """
        ),
    )
    assert node_ids(collect_only(pytester)) == [
        "clash.tier2.yaml::v1-2",
        "clash.tier2.yaml::v1_2",
    ]
    result = pytester.runpytest("--teamcity", "-p", "no:cacheprovider")
    started = [a["name"] for k, a in teamcity_messages(result.stdout.str()) if k == "testStarted"]
    assert len(started) == 2
    assert len(set(started)) == 2, f"two expectations share one TeamCity name: {started}"


# -- 1. node ids survive every name the format allows ----------------------------------


def suite_with(*, scenario: str = "only", eid: str = "check", alias: str = "said") -> str:
    return textwrap.dedent(
        """\
        scenarios:
          - name: {scenario}
            missions:
              - name: echo
                as: {alias}
        expectations:
          - id: {eid}
            scenario: {scenario}
            mission: {alias}
            path: success
            op: eq
            expected: true
          - id: other
            scenario: {scenario}
            mission: {alias}
            path: success
            op: eq
            expected: true
        """
    ).format(
        scenario=json.dumps(scenario, ensure_ascii=False),
        eid=json.dumps(eid, ensure_ascii=False),
        alias=json.dumps(alias, ensure_ascii=False),
    )


BAD_NAMES = ["two words", "a/b", "a::b", "a[1]", "café", "-dash-first", "v1.2", ".dot-first"]
BAD_NAME_PLACES = {
    "expectation id": ("eid", "  - id: {quoted}"),
    "scenario name": ("scenario", "  - name: {quoted}"),
    "result key": ("alias", "        as: {quoted}"),
}


def bad_name_file(name: str, place: str) -> str:
    return f"{BAD_NAME_PLACES[place][0]}-{BAD_NAMES.index(name)}.tier2.yaml"


def bad_name_suite(name: str, place: str) -> str:
    return suite_with(**{BAD_NAME_PLACES[place][0]: name})


@pytest.fixture(scope="session")
def bad_names_collected(tmp_path_factory: pytest.TempPathFactory) -> CollectedTogether:
    """Every bad name in every place, a file each, collected together beside a good file."""
    files = {"good.tier2.yaml": suite_with()}
    for place in BAD_NAME_PLACES:
        for name in BAD_NAMES:
            files[bad_name_file(name, place)] = bad_name_suite(name, place)
    collected = collect_together(tmp_path_factory.mktemp("bad_names"), files)
    assert "Traceback" not in "\n".join(collected.outlines)
    return collected


@pytest.mark.xdist_group("bad_names")
@pytest.mark.parametrize("place", sorted(BAD_NAME_PLACES))
@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_name_that_would_break_node_ids_is_a_located_collection_error(
    bad_names_collected: CollectedTogether, name: str, place: str
) -> None:
    file_name = bad_name_file(name, place)
    text = bad_name_suite(name, place)
    quoted = json.dumps(name, ensure_ascii=False)
    line = line_of(text, BAD_NAME_PLACES[place][1].format(quoted=quoted).strip())

    collected = bad_names_collected
    assert collected.ret == pytest.ExitCode.INTERRUPTED
    (message,) = error_section(collected, file_name)
    assert message.startswith(f"{file_name}:{line}: {place} {name!r} is not a valid name")
    # Each bad file is one error, and the good file beside them still collects.
    assert collected.errors == len(BAD_NAMES) * len(BAD_NAME_PLACES)
    assert collected.node_ids == ["good.tier2.yaml::check", "good.tier2.yaml::other"]


DOTTED_ID = "dotted.tier2.yaml::v1_2-check"
DOTTED_OTHER = "dotted.tier2.yaml::other"


@pytest.fixture
def dotted(pytester: pytest.Pytester) -> pytest.Pytester:
    """A suite whose scenario name and one expectation id use '-' and '_' where a version
    number would have dots."""
    pytester.makefile(".tier2.yaml", dotted=suite_with(scenario="v2-0-evening", eid="v1_2-check"))
    return pytester


def test_names_with_dashes_collect_run_by_node_id_and_select_with_k(
    dotted: pytest.Pytester,
) -> None:
    assert node_ids(collect_only(dotted)) == [DOTTED_ID, DOTTED_OTHER]

    # A node id selects exactly its item, and runs it.
    assert node_ids(collect_only(dotted, DOTTED_ID)) == [DOTTED_ID]
    dotted.runpytest(DOTTED_ID).assert_outcomes(passed=1)

    # -k takes the names whole, dashes included; a scenario name selects its expectations.
    assert node_ids(collect_only(dotted, "-k", "v1_2-check")) == [DOTTED_ID]
    assert node_ids(collect_only(dotted, "-k", "not v1_2-check")) == [DOTTED_OTHER]
    assert node_ids(collect_only(dotted, "-k", "v2-0-evening")) == [DOTTED_ID, DOTTED_OTHER]
    assert node_ids(collect_only(dotted, "-k", "not v2-0-evening")) == []
    dotted.runpytest("-k", "v1_2-check").assert_outcomes(passed=1, deselected=1)
    dotted.runpytest("-k", "v2-0-evening").assert_outcomes(passed=2)


def test_verbose_output_shows_node_ids_as_they_can_be_rerun(
    dotted: pytest.Pytester,
) -> None:
    """pytest's verbose line turns every '.' of `location[2]` into '::' when the node id
    ends with it (for Python, `Class.method`); names hold no '.', so the line a user copies
    to rerun one test is its node id."""
    result = dotted.runpytest("-v")
    result.assert_outcomes(passed=2)
    assert [line.split()[0] for line in result.outlines if " PASSED" in line] == [
        DOTTED_ID,
        DOTTED_OTHER,
    ]


# -- 3. pytest-xdist ---------------------------------------------------------------------

DIST_MODES = ["load", "loadfile", "loadscope", "worksteal"]
SERIAL_OUTCOMES = {"passed": 6, "failed": 3, "xfailed": 1}


def junit_by_case(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Each junit testcase's outcome and `tier2_*` properties, by (classname, name)."""
    cases: dict[tuple[str, str], dict[str, Any]] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        outcome = next(
            (child.tag for child in case if child.tag in ("failure", "error", "skipped")),
            "passed",
        )
        props = {
            p.get("name"): p.get("value")
            for p in case.iter("property")
            if (p.get("name") or "").startswith("tier2_")
        }
        cases[(case.get("classname", ""), case.get("name", ""))] = {
            "outcome": outcome,
            "properties": props,
        }
    return cases


def run_for_parity(pytester: pytest.Pytester, tag: str, *args: str) -> pytest.RunResult:
    return pytester.runpytest(
        "-p", "no:cacheprovider", f"--tier2-report={tag}.json", f"--junitxml={tag}.xml", *args
    )


LOGGING_CONFTEST = """\
import os
from pathlib import Path

from pytest_tier2 import StepSpec, WorkflowDefinition

LOG = Path(__file__).parent / "builds.log"


def build_logged(params):
    with LOG.open("a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {params['file']} {params['call']}\\n")
    return WorkflowDefinition(
        id="wf-logged",
        steps=(StepSpec("logged-step", "runtime", {"operation": "noop"}),),
    )


def pytest_tier2_register(registry):
    registry.add_mission("logged", build_logged)
"""


def logged_suite(file: str) -> str:
    """Two calls of the `logged` mission, and three expectations that read them."""
    return textwrap.dedent(
        """\
        scenarios:
          - name: first
            missions:
              - name: logged
                as: call_a
                params: {{file: {file}, call: a}}
          - name: second
            missions:
              - name: logged
                as: call_b
                params: {{file: {file}, call: b}}
        expectations:
          - id: a_succeeds
            scenario: first
            mission: call_a
            path: success
            op: eq
            expected: true
          - id: b_succeeds
            scenario: second
            mission: call_b
            path: success
            op: eq
            expected: true
          - id: b_has_one_step
            scenario: second
            mission: call_b
            path: executed_steps.1
            op: absent
        """
    ).format(file=file)


LOGGED_FILES = ["north", "south", "east", "west"]


def builds(pytester: pytest.Pytester) -> list[tuple[int, str, str]]:
    """(pid, file, call) for every call of the `logged` mission's builder."""
    log = pytester.path / "builds.log"
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return [(int(pid), file, call) for pid, file, call in (line.split() for line in lines)]


@pytest.fixture
def dist_project(suites: pytest.Pytester) -> pytest.Pytester:
    """SUITES, plus four suites whose `logged` mission logs each build with its pid."""
    suites.makeconftest(LOGGING_CONFTEST)
    for file in LOGGED_FILES:
        suites.makefile(".tier2.yaml", **{file: logged_suite(file)})
    return suites


# SUITES' outcomes, plus the logged suites' 12 passing items.
DIST_OUTCOMES = {**SERIAL_OUTCOMES, "passed": SERIAL_OUTCOMES["passed"] + 12}


@pytest.mark.parametrize("dist", DIST_MODES)
def test_every_dist_mode_gives_the_serial_results_and_runs_a_suite_once_per_worker(
    dist_project: pytest.Pytester, dist: str
) -> None:
    """One `-n 2` run per mode (each starts two workers) serves both checks:
    the serial run's outcomes, hashes and junit, and each suite run once or not at all in
    each worker."""
    serial = run_for_parity(dist_project, "serial")
    serial.assert_outcomes(**DIST_OUTCOMES)
    (dist_project.path / "builds.log").unlink()  # the in-process serial run built them here
    parallel = run_for_parity(dist_project, "parallel", "-n", "2", "--dist", dist)
    parallel.assert_outcomes(**DIST_OUTCOMES)
    output = parallel.stdout.str()
    assert "Different tests were collected" not in output
    assert "INTERNALERROR" not in output
    assert "Traceback" not in output

    # The same suite results and hashes, to the byte.
    serial_report = (dist_project.path / "serial.json").read_text(encoding="utf-8")
    parallel_report = (dist_project.path / "parallel.json").read_text(encoding="utf-8")
    assert len(json.loads(serial_report)["suites"]) == len(SUITES) + len(LOGGED_FILES)
    assert parallel_report == serial_report

    # The same outcome and tier2_* properties on every junit testcase.
    serial_cases = junit_by_case(dist_project.path / "serial.xml")
    assert len(serial_cases) == 10 + 3 * len(LOGGED_FILES)
    assert all(len(case["properties"]) == 4 for case in serial_cases.values())
    assert junit_by_case(dist_project.path / "parallel.xml") == serial_cases

    # Failure reports cross the process boundary whole: the short `file:line:` text.
    for file, eid in [
        ("suites/shop.tier2.yaml", "counter-was-bumped"),
        ("suites/shop.tier2.yaml", "late_echo_fails"),
        ("suites/deep/stock.tier2.yaml", "bins_are_four"),
    ]:
        where = f"{file}:{expectation_line(SUITES[file], eid)}"
        assert re.search(rf"\neq_mismatch at .*\n{re.escape(where)}: expectation '{eid}'\n", output)

    log = builds(dist_project)
    assert {file for _, file, _ in log} == set(LOGGED_FILES)
    # Never in the controller: collecting a suite never runs it.
    assert os.getpid() not in {pid for pid, _, _ in log}
    # A worker that runs any item of a file runs the whole suite, once: each call once.
    for pid, file in {(pid, file) for pid, file, _ in log}:
        assert sorted(c for p, f, c in log if (p, f) == (pid, file)) == ["a", "b"], log
    if dist == "loadfile":
        # All of a file's items go to one worker, so its suite runs in one process only.
        for file in LOGGED_FILES:
            assert len({pid for pid, f, _ in log if f == file}) == 1, (file, log)


def test_collection_order_is_the_same_under_any_hash_seed(
    suites: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = []
    for seed in ("0", "1", "4242"):
        monkeypatch.setenv("PYTHONHASHSEED", seed)
        result = suites.runpytest_subprocess("--collect-only", "-q", "-p", "no:cacheprovider")
        orders.append(node_ids(result))
    assert orders == [NODE_IDS, NODE_IDS, NODE_IDS]


# -- 4. junit ----------------------------------------------------------------------------


@pytest.mark.parametrize("family", ["xunit1", "xunit2"])
def test_each_expectation_is_a_junit_testcase_with_its_tier2_hashes(
    suites: pytest.Pytester, family: str
) -> None:
    result = suites.runpytest(
        "-p", "no:cacheprovider", "-W", "error", "-o", f"junit_family={family}",
        "--junitxml=out.xml", "--tier2-report=report.json",
    )  # fmt: skip
    result.assert_outcomes(**SERIAL_OUTCOMES, warnings=0)
    report = json.loads((suites.path / "report.json").read_text(encoding="utf-8"))
    by_file = {suite["file"]: suite for suite in report["suites"]}

    root = ET.parse(suites.path / "out.xml").getroot()
    cases = list(root.iter("testcase"))
    assert len(cases) == 10
    for case in cases:
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        # classname is "<file as dotted path>", as for a test function in a module.
        dotted_file = case.get("classname", "")
        [file] = [f for f in SUITES if f.replace("/", ".") == dotted_file]
        suite = by_file[file]
        scenario = SCENARIO_OF[file, case.get("name", "")]
        scenario_result = suite["result"]["suite_result"]["scenario_results"][scenario]
        assert props == {
            "tier2_suite": suite["suite_name"],
            "tier2_suite_hash": suite["suite_hash"],
            "tier2_scenario_hash": scenario_result["metadata"]["scenario_hash"],
            "tier2_test_run_hash": suite["test_run_hash"],
        }, case.get("name")
        if family == "xunit1":
            # file and line point at the YAML expectation; line is 0-based, as pytest
            # writes it for Python tests.
            assert case.get("file") == file
            assert case.get("line") == str(expectation_line(SUITES[file], case.get("name")) - 1)
        else:
            assert case.get("file") is None
            assert case.get("line") is None


# -- 6. output ---------------------------------------------------------------------------


def test_collection_prints_nothing_but_the_node_ids_and_the_summary(
    suites: pytest.Pytester,
) -> None:
    result = suites.runpytest("-p", "no:cacheprovider", "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.OK
    assert result.outlines[:-1] == [*NODE_IDS, ""]
    assert re.fullmatch(r"10 tests collected in [0-9.]+s", result.outlines[-1])
    assert result.errlines == []


def tier2_sections(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if re.fullmatch(r"=+ tier2 .* =+", line)]


def test_quiet_run_has_no_tier2_section(suites: pytest.Pytester) -> None:
    result = suites.runpytest("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(**SERIAL_OUTCOMES)
    assert tier2_sections(result) == []
    assert not any(re.search(r"\b[0-9a-f]{64}\b", line) for line in result.outlines)


def test_verbose_run_adds_the_suite_hashes_section(suites: pytest.Pytester) -> None:
    result = suites.runpytest("-p", "no:cacheprovider", "-v", "--tier2-report=report.json")
    result.assert_outcomes(**SERIAL_OUTCOMES)
    assert tier2_sections(result) == [
        line for line in result.outlines if "tier2 suite hashes" in line
    ]
    assert len(tier2_sections(result)) == 1
    report = json.loads((suites.path / "report.json").read_text(encoding="utf-8"))
    start = result.outlines.index(tier2_sections(result)[0]) + 1
    assert result.outlines[start : start + 3] == [
        f"{suite['file']} ({suite['suite_name']}): {suite['suite_hash']}"
        for suite in sorted(report["suites"], key=lambda suite: suite["file"])
    ]
    assert [suite["suite_name"] for suite in report["suites"]] == ["stock", "green", "shop"]


def test_verbose_hashes_section_lines_follow_its_header_as_pytests_own_sections_do(
    pytester: pytest.Pytester,
) -> None:
    """When no FAILURES section comes first, the progress line is still open; the section
    must end it before its header, not after, or a blank line follows the header."""
    pytester.makefile(".tier2.yaml", green=GREEN)
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=2)
    [header] = tier2_sections(result)
    following = result.outlines[result.outlines.index(header) + 1]
    assert re.fullmatch(r"green\.tier2\.yaml \(green\): [0-9a-f]{64}", following), following


# -- pytester, as a user testing a conftest's missions would use it ---------------------

TWO_IN_PROCESS_RUNS = """\
SUITE = '''\\
scenarios:
  - name: only
    missions:
      - name: echo
expectations:
  - id: ok
    scenario: only
    mission: echo
    path: success
    op: eq
    expected: true
'''


def test_first_run(pytester):
    pytester.makefile(".tier2.yaml", s=SUITE)
    pytester.runpytest().assert_outcomes(passed=1)


def test_second_run(pytester):
    pytester.makefile(".tier2.yaml", s=SUITE)
    pytester.runpytest().assert_outcomes(passed=1)
"""


def test_two_in_process_runs_in_a_fresh_interpreter_both_collect(
    pytester: pytest.Pytester,
) -> None:
    """A user's own pytester tests run suites in process, several times.

    The plugin imports PyYAML lazily, inside the first run; pytester then drops `yaml`
    from `sys.modules`; the next run imports a new `yaml`, but the C extension
    `yaml._yaml` is not re-initialised and still emits the first import's event classes.
    The reader must not depend on their identity.
    """
    pytester.makepyfile(test_twice=TWO_IN_PROCESS_RUNS)
    result = pytester.runpytest_subprocess("-p", "pytester", "-p", "no:cacheprovider")
    assert "start_mark" not in result.stdout.str()
    result.assert_outcomes(passed=2)
