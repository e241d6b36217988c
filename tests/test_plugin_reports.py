"""End-to-end: what a user sees when a suite runs: failure reports, hashes, line numbers.

Every test drives a real pytest session through `pytester`.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

HEX64 = re.compile(r"[0-9a-f]{64}")

SUITE = """\
suite: shop
scenarios:
  - name: morning
    initial_state: {counter: 0, team: platform}
    missions:
      - name: daily_loop
      - name: echo
        as: echo_hello
        params: {message: hello}
  - name: evening
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
  - id: counter_is_one
    scenario: morning
    mission: echo_hello
    path: final_state.counter
    op: eq
    expected: 1
  - id: misspelt_path
    scenario: morning
    mission: daily_loop
    path: final_state.countr
    op: eq
    expected: 0
  - id: team_above_a_number
    scenario: morning
    mission: daily_loop
    path: final_state.team
    op: gt
    expected: 3
  - id: evening_counter
    scenario: evening
    mission: echo
    path: final_state.counter
    op: ge
    expected: 5
"""

PASSING = """\
scenarios:
  - name: only
    initial_state: {version: 1}
    missions:
      - name: echo
        params: {message: hi}
expectations:
  - id: echo_succeeds
    scenario: only
    mission: echo
    path: success
    op: eq
    expected: true
  - id: version_kept
    scenario: only
    mission: echo
    path: final_state.version
    op: eq
    expected: 1
"""

FAILING_IDS = ("counter_is_one", "misspelt_path", "team_above_a_number")
SCENARIO_OF = {
    (file, eid): scenario
    for file, text in (("shop.tier2.yaml", SUITE), ("passing.tier2.yaml", PASSING))
    for eid, scenario in re.findall(r"^  - id: (\S+)\n    scenario: (\S+)$", text, re.MULTILINE)
}
"""The scenario each expectation reads, by (file, expectation id)."""


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def sha256_of(value: Any) -> str:
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def without_metadata(mapping: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if key != "metadata"}


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of `text` that contains `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def failure_sections(result: pytest.RunResult) -> dict[str, list[str]]:
    """Each `____ title ____` section of the FAILURES part, by title, as lines."""
    lines = result.outlines
    start = lines.index(next(line for line in lines if "= FAILURES =" in line))
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[start + 1 :]:
        if line.startswith("="):
            break
        if line.startswith("_") and line.endswith("_"):
            current = sections.setdefault(line.strip("_ "), [])
        elif current is not None:
            current.append(line)
    return sections


def junit_cases(path: Any) -> dict[str, ET.Element]:
    """The junit `<testcase>` elements, by test name."""
    root = ET.parse(path).getroot()
    return {case.get("name", ""): case for case in root.iter("testcase")}


def properties(case: ET.Element) -> dict[str, str]:
    return {prop.get("name", ""): prop.get("value", "") for prop in case.iter("property")}


@pytest.fixture
def shop(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makefile(".tier2.yaml", shop=SUITE, passing=PASSING)
    return pytester


# -- failure reports ---------------------------------------------------------------------


def test_a_failed_expectation_is_reported_in_a_few_lines_without_a_traceback(
    shop: pytest.Pytester,
) -> None:
    result = shop.runpytest()
    result.assert_outcomes(passed=4, failed=3)
    sections = failure_sections(result)
    # Each section is headed by the item's name: its expectation id.
    assert sorted(sections) == sorted(FAILING_IDS)
    for eid in FAILING_IDS:
        body = "\n".join(sections[eid])
        assert "Traceback" not in body
        assert "pytest_tier2" not in body
        assert len(sections[eid]) <= 10, body

    result.stdout.fnmatch_lines(
        [
            "eq_mismatch at final_state.counter: expected 1, got 0",
            f"shop.tier2.yaml:{line_of(SUITE, '- id: counter_is_one')}: "
            "expectation 'counter_is_one'",
            "  scenario  morning",
            "  mission   echo_hello",
            "  path      final_state.counter",
            "  op        eq",
            "  expected  1",
            "  actual    0",
        ]
    )


def test_a_missing_path_names_the_nearest_existing_paths(shop: pytest.Pytester) -> None:
    result = shop.runpytest()
    result.stdout.fnmatch_lines(
        [
            "path_missing at final_state.countr: no such path (nearest: final_state.counter*)",
            f"shop.tier2.yaml:{line_of(SUITE, '- id: misspelt_path')}: expectation 'misspelt_path'",
            "  scenario  morning",
            "  mission   daily_loop",
            "  path      final_state.countr",
            "  op        eq",
            "  expected  0",
            "  actual    *does not exist*",
            "  nearest   *final_state.counter*",
        ]
    )


def test_a_type_mismatch_says_which_types_were_compared(shop: pytest.Pytester) -> None:
    result = shop.runpytest()
    result.stdout.fnmatch_lines(
        [
            'type_mismatch at final_state.team: expected > 3, got "platform" '
            "('gt' cannot compare string with number)",
            f"shop.tier2.yaml:{line_of(SUITE, '- id: team_above_a_number')}: "
            "expectation 'team_above_a_number'",
            "  scenario  morning",
            "  mission   daily_loop",
            "  path      final_state.team",
            "  op        gt",
            "  expected  3",
            '  actual    "platform"',
            "*string*number*",
        ]
    )


# -- hashes on every report ------------------------------------------------------------


@pytest.mark.parametrize("family", ["xunit1", "xunit2"])
def test_every_junit_testcase_carries_the_tier2_hashes_without_warnings(
    shop: pytest.Pytester, family: str
) -> None:
    result = shop.runpytest(
        "-W", "error", "-o", f"junit_family={family}", "--junitxml=out.xml",
        "--tier2-report=report.json",
    )  # fmt: skip
    # No warnings: record_property's under xunit2 would be one, and -W error an error.
    result.assert_outcomes(passed=4, failed=3, warnings=0)
    assert "warning" not in result.outlines[-1]
    report = json.loads((shop.path / "report.json").read_text(encoding="utf-8"))
    by_name = {suite["suite_name"]: suite for suite in report["suites"]}

    cases = junit_cases(shop.path / "out.xml")
    assert len(cases) == 7
    for name, case in cases.items():
        props = properties(case)
        hashes = {key: value for key, value in props.items() if key.endswith("_hash")}
        assert set(hashes) == {"tier2_suite_hash", "tier2_scenario_hash", "tier2_test_run_hash"}
        assert all(HEX64.fullmatch(value) for value in hashes.values()), props
        # classname is "<file>", as for a test function in a module.
        file = case.get("classname", "")
        assert file in ("shop.tier2.yaml", "passing.tier2.yaml"), file
        suite = by_name[file.removesuffix(".tier2.yaml")]
        scenario = SCENARIO_OF[file, name]
        assert props["tier2_suite"] == suite["suite_name"]
        assert props["tier2_suite_hash"] == suite["suite_hash"]
        assert props["tier2_test_run_hash"] == suite["test_run_hash"]
        scenario_result = suite["result"]["suite_result"]["scenario_results"][scenario]
        assert props["tier2_scenario_hash"] == scenario_result["metadata"]["scenario_hash"], name

    # Scenarios of one suite hash differently; the suite hash is shared by its items.
    shop_cases = [c for c in cases.values() if c.get("classname") == "shop.tier2.yaml"]
    assert len(shop_cases) == 5
    assert len({properties(c)["tier2_suite_hash"] for c in shop_cases}) == 1
    assert len({properties(c)["tier2_scenario_hash"] for c in shop_cases}) == 2


def test_verbose_run_shows_each_files_suite_hash(shop: pytest.Pytester) -> None:
    result = shop.runpytest("-v", "--tier2-report=report.json")
    report = json.loads((shop.path / "report.json").read_text(encoding="utf-8"))
    hashes = {suite["suite_name"]: suite["suite_hash"] for suite in report["suites"]}
    result.stdout.fnmatch_lines(
        [
            "*= tier2 suite hashes =*",
            f"passing.tier2.yaml (passing): {hashes['passing']}",
            f"shop.tier2.yaml (shop): {hashes['shop']}",
        ]
    )


def test_tier2_report_holds_each_suites_canonical_results_and_true_hashes(
    shop: pytest.Pytester,
) -> None:
    shop.runpytest("--tier2-report=report.json")
    report = json.loads((shop.path / "report.json").read_text(encoding="utf-8"))
    assert sorted(suite["file"] for suite in report["suites"]) == [
        "passing.tier2.yaml",
        "shop.tier2.yaml",
    ]
    for suite in report["suites"]:
        result = suite["result"]
        suite_result = result["suite_result"]
        assert suite_result["suite_name"] == suite["suite_name"]
        # The hashes are those of the canonical JSON of the results, minus their metadata.
        assert suite["suite_hash"] == sha256_of(without_metadata(suite_result))
        assert suite_result["metadata"]["suite_hash"] == suite["suite_hash"]
        assert suite["test_run_hash"] == sha256_of(without_metadata(result))
        for scenario in suite_result["scenario_results"].values():
            assert scenario["metadata"]["scenario_hash"] == sha256_of(without_metadata(scenario))
    shop_result = next(s["result"] for s in report["suites"] if s["suite_name"] == "shop")
    verdicts = shop_result["expectations_result"]["expectation_results"]
    assert {eid for eid, verdict in verdicts.items() if not verdict["passed"]} == set(FAILING_IDS)
    assert shop_result["passed"] is False


def test_tier2_report_is_laid_out_as_indented_sorted_json_with_any_number_of_suites(
    shop: pytest.Pytester,
) -> None:
    """Written a suite at a time, it reads exactly as `json.dumps(indent=2, sort_keys=True)`
    of the whole document would: two suites, one, and none."""
    for name, args in [("two", ()), ("one", ("-k", "evening")), ("none", ("-k", "no_such"))]:
        shop.runpytest(f"--tier2-report={name}.json", *args)
        text = (shop.path / f"{name}.json").read_text(encoding="utf-8")
        document = json.loads(text)
        assert len(document["suites"]) == {"two": 2, "one": 1, "none": 0}[name]
        assert text == json.dumps(document, indent=2, sort_keys=True) + "\n"


def test_tier2_report_creates_its_directory_like_junitxml(shop: pytest.Pytester) -> None:
    # `--junitxml=reports/junit.xml` creates `reports/`; the tier2 report should too,
    # and must never end a run with a Python traceback.
    result = shop.runpytest("--junitxml=junit/out.xml", "--tier2-report=reports/tier2.json")
    assert (shop.path / "junit" / "out.xml").exists()
    result.stdout.fnmatch_lines(["*3 failed, 4 passed*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    report = json.loads((shop.path / "reports" / "tier2.json").read_text(encoding="utf-8"))
    assert len(report["suites"]) == 2


def test_the_same_suite_gives_the_same_hashes_run_after_run(shop: pytest.Pytester) -> None:
    shop.runpytest("--tier2-report=first.json")
    shop.runpytest("-k", "evening", "--tier2-report=second.json")
    first = json.loads((shop.path / "first.json").read_text(encoding="utf-8"))
    second = json.loads((shop.path / "second.json").read_text(encoding="utf-8"))
    pick = {s["suite_name"]: s for s in first["suites"]}["shop"]
    [only] = second["suites"]  # passing.tier2.yaml had nothing selected
    assert (only["suite_hash"], only["test_run_hash"]) == (
        pick["suite_hash"],
        pick["test_run_hash"],
    )


# -- line numbers -------------------------------------------------------------------------


def test_location_and_reportinfo_give_the_0_based_line_of_the_expectation(
    shop: pytest.Pytester,
) -> None:
    items, _ = shop.inline_genitems("shop.tier2.yaml")
    assert len(items) == 5
    for item in items:
        line = line_of(SUITE, f"- id: {item.name}") - 1
        assert item.location[0] == "shop.tier2.yaml"
        assert item.location[1] == line, item.name
        assert item.reportinfo()[1] == line, item.name
        # The name part is the expectation id alone, as the item's node id ends.
        assert item.location[2] == item.reportinfo()[2] == item.name
        assert item.nodeid == f"shop.tier2.yaml::{item.name}"


def test_junit_xunit1_line_attribute_is_the_0_based_line(shop: pytest.Pytester) -> None:
    shop.runpytest("-o", "junit_family=xunit1", "--junitxml=out.xml", "shop.tier2.yaml")
    cases = junit_cases(shop.path / "out.xml")
    assert len(cases) == 5
    for name, case in cases.items():
        assert case.get("file") == "shop.tier2.yaml"
        assert case.get("line") == str(line_of(SUITE, f"- id: {name}") - 1), name


# -- a suite that cannot run ------------------------------------------------------------

BREAKING_CONFTEST = """\
from pytest_tier2 import StepSpec, WorkflowDefinition


def build_too_long(params):
    steps = tuple(
        StepSpec(f"step-{n}", "runtime", {"operation": "noop"}) for n in range(6)
    )
    return WorkflowDefinition(id="wf-too-long", steps=steps)


def build_shell(params):
    return WorkflowDefinition(
        id="wf-shell", steps=(StepSpec("rm-rf", "shell", {"command": "rm -rf /"}),)
    )


def build_buggy(params):
    return 1 / 0  # BUGGY LINE


def explode(state, payload):
    return {"ratio": 1 / 0}


def build_exploding(params):
    return WorkflowDefinition(
        id="wf-exploding", steps=(StepSpec("explode-step", "runtime", {"operation": "explode"}),)
    )


def pytest_tier2_register(registry):
    registry.add_mission("too_long", build_too_long)
    registry.add_mission("shell", build_shell)
    registry.add_mission("buggy", build_buggy)
    registry.add_mission("exploding", build_exploding)
    registry.add_operation("explode", explode)
"""


def broken_suite(mission: str) -> str:
    return f"""\
scenarios:
  - name: doomed
    missions:
      - name: echo
      - name: {mission}
expectations:
  - id: echo_would_pass
    scenario: doomed
    mission: echo
    path: success
    op: eq
    expected: true
  - id: {mission}_succeeds
    scenario: doomed
    mission: {mission}
    path: success
    op: eq
    expected: true
"""


@pytest.mark.parametrize(
    ("mission", "error"),
    [
        ("too_long", "AntiFailureViolation: Workflow has 6 steps, exceeds maximum of 5"),
        ("shell", "EnvelopeViolation: Step 'rm-rf' has disallowed kind 'shell'*"),
        ("buggy", "ZeroDivisionError: division by zero"),
    ],
)
def test_a_mission_that_raises_fails_its_suites_items_and_names_the_error(
    pytester: pytest.Pytester, mission: str, error: str
) -> None:
    pytester.makeconftest(BREAKING_CONFTEST)
    pytester.makefile(".tier2.yaml", broken=broken_suite(mission), passing=PASSING)
    result = pytester.runpytest("-v")
    result.assert_outcomes(failed=2, passed=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "INTERNALERROR" not in str(result.stdout)
    result.stdout.fnmatch_lines(
        [
            "passing.tier2.yaml::echo_succeeds PASSED*",
            "passing.tier2.yaml::version_kept PASSED*",
        ],
        consecutive=False,
    )
    sections = failure_sections(result)
    assert set(sections) == {"echo_would_pass", f"{mission}_succeeds"}
    for lines in sections.values():
        body = "\n".join(lines)
        assert "Traceback" not in body
        assert "pytest_tier2" not in body
        assert f"in scenario 'doomed', mission '{mission}'" in body
    result.stdout.fnmatch_lines(
        [
            f"suite could not run: {error} (scenario 'doomed', mission '{mission}')",
            "broken.tier2.yaml:5: suite 'broken' could not run in scenario 'doomed', "
            f"mission '{mission}'",
        ]
    )


def test_a_bug_in_a_users_builder_names_the_line_that_raised(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(BREAKING_CONFTEST)
    pytester.makefile(".tier2.yaml", broken=broken_suite("buggy"))
    result = pytester.runpytest()
    line = line_of(BREAKING_CONFTEST, "# BUGGY LINE")
    # Relative to where pytest started, as every other path in a report.
    result.stdout.fnmatch_lines([f"  raised at conftest.py:{line} in build_buggy"])


def test_an_operation_handler_that_raises_fails_its_step_not_the_run(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(BREAKING_CONFTEST)
    pytester.makefile(
        ".tier2.yaml",
        exploding="""\
scenarios:
  - name: boom
    missions:
      - name: exploding
expectations:
  - id: step_failed
    scenario: boom
    mission: exploding
    path: success
    op: eq
    expected: false
  - id: failed_step_named
    scenario: boom
    mission: exploding
    path: failed_step_id
    op: eq
    expected: explode-step
  - id: error_named
    scenario: boom
    mission: exploding
    path: error_message
    op: contains
    expected: "ZeroDivisionError: division by zero"
""",
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


COUNTS_SHARED_PROPERTIES = """\
import json

seen = {}


def pytest_runtest_logreport(report):
    if report.when == "call":
        for pair in report.user_properties:
            seen.setdefault(tuple(pair), set()).add(id(pair))


def pytest_sessionfinish(session):
    if not hasattr(session.config, "workerinput"):  # the controller, or a serial run
        with open("shared.json", "w") as out:
            json.dump([[name, len(ids)] for (name, _), ids in sorted(seen.items())], out)
"""


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_items_of_a_scenario_share_their_hash_properties_in_the_process_that_keeps_reports(
    shop: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    """pytest keeps every report to the end: under xdist the controller receives each with
    its own copy of the hashes, and would hold 4 strings of 64 characters per item."""
    shop.makeconftest(COUNTS_SHARED_PROPERTIES)
    shop.runpytest_subprocess(*workers).assert_outcomes(passed=4, failed=3)
    objects = json.loads((shop.path / "shared.json").read_text(encoding="utf-8"))
    # 2 suites and 3 scenarios: one object for each distinct name and value.
    assert sorted(objects) == sorted(
        [["tier2_scenario_hash", 1]] * 3
        + [[name, 1] for name in ("tier2_suite", "tier2_suite_hash", "tier2_test_run_hash")] * 2
    )
