"""End-to-end: every failure says why at first glance, and typos fail at collection (issue 11).

A user writing suites lives in one loop: write, run, read the failure, fix. These tests
run pytest as that user does and read what each tool shows of a failure: the `-ra` line at
a fixed width, junit's `message`, TeamCity's `testFailed`, collection errors, the report.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
import xml.etree.ElementTree as ET
from contextlib import redirect_stderr, redirect_stdout
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
from tier2_test_support import CollectedTogether, collect_together, error_section

from pytest_tier2 import cli

NO_CACHE = ("-p", "no:cacheprovider")

CONFTEST = """\
from pytest_tier2 import StepSpec, WorkflowDefinition


def bump(state, payload):
    return {**state, "counter": state["counter"] + payload["by"]}  # BUMP LINE


def build_bumper(params):
    by = (params or {}).get("by", 1)
    return WorkflowDefinition(
        id="wf-bumper",
        steps=(StepSpec("bump-step", "runtime", {"operation": "bump", "by": by}),),
    )


def build_typo(params):
    return WorkflowDefinition(
        id="wf-typo", steps=(StepSpec("typo-step", "runtime", {"operation": "bumpp"}),)
    )


def build_doomed(params):
    raise RuntimeError("cannot plan today")


def pytest_tier2_register(registry):
    registry.add_mission("bumper", build_bumper)
    registry.add_mission("typo", build_typo)
    registry.add_mission("doomed", build_doomed)
    registry.add_operation("bump", bump)
"""
DECLARING_CONFTEST = CONFTEST.replace(
    '"bumper", build_bumper)', '"bumper", build_bumper, params={"by": int})'
).replace('"typo", build_typo)', '"typo", build_typo, params={})')

BUMP_LINE = next(n for n, line in enumerate(CONFTEST.splitlines(), 1) if "# BUMP LINE" in line)


def suite(*, state: str = "{counter: 1}", mission: str = "bumper", params: str = "") -> str:
    """One scenario calling `mission`, and one expectation on its `final_state.counter`."""
    params_line = f"\n        params: {params}" if params else ""
    return f"""\
scenarios:
  - name: morning
    initial_state: {state}
    missions:
      - name: {mission}{params_line}
expectations:
  - id: counter_is_two
    scenario: morning
    mission: {mission}
    path: final_state.counter
    op: eq
    expected: 2
"""


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def failure_section(result: pytest.RunResult, title: str) -> list[str]:
    """The lines of the `____ title ____` section of FAILURES."""
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if re.fullmatch(rf"_+ {title} _+", line))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith(("_", "=", "-" * 10)))
    return lines[start + 1 : end]


def junit_properties(path: Path) -> dict[str, dict[str, str]]:
    root = ET.parse(path).getroot()
    return {
        case.get("name", ""): {p.get("name", ""): p.get("value", "") for p in case.iter("property")}
        for case in root.iter("testcase")
    }


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A project with the conftest above, at a fixed terminal width."""
    monkeypatch.setenv("COLUMNS", "80")
    pytester.makeini("[pytest]\n")
    pytester.makeconftest(CONFTEST)
    return pytester


# -- 1. a failed mission says what failed -----------------------------------------------


def test_a_handler_that_raised_is_named_with_its_step_error_and_line(
    project: pytest.Pytester,
) -> None:
    # `counter` is a string: `bump` raises a TypeError, so the step fails and the count stays.
    project.makefile(".tier2.yaml", bump=suite(state='{counter: "1"}'))
    result = project.runpytest(*NO_CACHE, "-ra", "--tier2-report=report.json")
    result.assert_outcomes(failed=1)
    error = 'TypeError: can only concatenate str (not "int") to str'
    assert failure_section(result, "counter_is_two") == [
        f"eq_mismatch at final_state.counter: expected 2, got \"1\"; step 'bump-step' "
        f"failed: {error}",
        "bump.tier2.yaml:7: expectation 'counter_is_two'",
        "  scenario  morning",
        "  mission   bumper",
        "  path      final_state.counter",
        "  op        eq",
        "  expected  2",
        '  actual    "1"',
        "  mission 'bumper' did not succeed:",
        "    failed step  bump-step",
        f"    error        Step 'bump-step' failed: {error}",
        # Relative to where pytest started, as every path a report names.
        f"    raised at    conftest.py:{BUMP_LINE} in bump",
    ]
    # Where it raised is for people only: no path reaches the report or any hash.
    report = (project.path / "report.json").read_text(encoding="utf-8")
    assert "conftest.py" not in report
    assert str(project.path) not in report


def test_an_unknown_operation_names_the_failed_step_and_the_nearest_operation(
    project: pytest.Pytester,
) -> None:
    project.makefile(".tier2.yaml", typo=suite(mission="typo"))
    result = project.runpytest(*NO_CACHE)
    section = failure_section(result, "counter_is_two")
    assert section[0] == (
        "eq_mismatch at final_state.counter: expected 2, got 1; "
        "step 'typo-step' failed: unknown operation 'bumpp'; did you mean 'bump'?"
    )
    # The result's error message is hashed: it stays as it was, the suggestion is beside it.
    assert section[-4:] == [
        "  mission 'typo' did not succeed:",
        "    failed step  typo-step",
        "    error        Step 'typo-step' failed: unknown operation 'bumpp'",
        "    did you mean operation 'bump'?",
    ]


def test_a_mission_that_succeeded_adds_nothing_to_the_failure(project: pytest.Pytester) -> None:
    project.makefile(".tier2.yaml", bump=suite(state="{counter: 5}"))
    result = project.runpytest(*NO_CACHE)
    section = failure_section(result, "counter_is_two")
    assert section[0] == "eq_mismatch at final_state.counter: expected 2, got 6"
    assert not any("did not succeed" in line for line in section)


def test_golden_drift_says_why_a_mission_that_now_fails_failed(project: pytest.Pytester) -> None:
    project.makefile(".tier2.yaml", bump=suite())
    assert project.runpytest(*NO_CACHE, "--tier2-golden=update").ret == pytest.ExitCode.OK
    project.makefile(".tier2.yaml", bump=suite(state='{counter: "1"}'))
    result = project.runpytest(*NO_CACHE, "--tier2-golden", "-k", "golden")
    result.assert_outcomes(failed=1)
    section = failure_section(result, "morning@golden")
    # The first change is the mission's new error: the reason, on the first line.
    assert section[0].startswith(
        "golden drift in scenario 'morning': mission 'bumper' error_message: null -> "
        "\"Step 'bump-step' failed: TypeError"
    ), section[0]
    assert section[0].endswith("more)"), section[0]
    assert section[1] == "bump.tier2.yaml:2: scenario 'morning' (pinned in bump.tier2.golden.json)"
    start = section.index("  mission 'bumper' did not succeed:")
    assert section[start + 1 : start + 4] == [
        "    failed step  bump-step",
        "    error        Step 'bump-step' failed: TypeError: can only concatenate str "
        '(not "int") to str',
        f"    raised at    conftest.py:{BUMP_LINE} in bump",
    ]


def test_a_renamed_suite_is_the_first_line_of_its_drift(project: pytest.Pytester) -> None:
    project.makefile(".tier2.yaml", bump=suite())
    project.runpytest(*NO_CACHE, "--tier2-golden=update")
    project.makefile(".tier2.yaml", bump="suite: renamed\n" + suite())
    result = project.runpytest(*NO_CACHE, "--tier2-golden", "-k", "golden")
    result.assert_outcomes(failed=1)
    assert failure_section(result, "morning@golden")[:3] == [
        "golden drift in scenario 'morning': suite renamed 'bump' -> 'renamed'",
        "bump.tier2.yaml:3: scenario 'morning' (pinned in bump.tier2.golden.json)",
        "  suite renamed  'bump' -> 'renamed'",
    ]


# -- 2. the first line carries the reason -------------------------------------------------


def test_short_summary_lines_at_80_columns_start_with_the_reason(
    project: pytest.Pytester,
) -> None:
    project.makefile(
        ".tier2.yaml", a=suite(), b=suite(mission="doomed"), c=suite(state="{counter: 7}")
    )
    result = project.runpytest(*NO_CACHE, "-ra")
    result.assert_outcomes(passed=1, failed=2)
    summary = result.outlines[result.outlines.index(next(
        line for line in result.outlines if "short test summary info" in line
    )) + 1 : -1]  # fmt: skip
    assert summary == [
        "FAILED b.tier2.yaml::counter_is_two - suite could not run: RuntimeError: cann...",
        "FAILED c.tier2.yaml::counter_is_two - eq_mismatch at final_state.counter: exp...",
    ]
    assert all(len(line) <= 80 for line in summary)
    # --tb=line: one line per failure, the place then the reason.
    line = project.runpytest(*NO_CACHE, "--tb=line", "c.tier2.yaml")
    line.stdout.fnmatch_lines(
        ["c.tier2.yaml:7: eq_mismatch at final_state.counter: expected 2, got 8"]
    )


def test_on_ci_the_untrimmed_summary_line_still_starts_with_the_reason(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With `CI` set, pytest trims no `-ra` line: the whole reason is on the FAILED line."""
    monkeypatch.setenv("CI", "true")
    project.makefile(".tier2.yaml", c=suite(state="{counter: 7}"))
    result = project.runpytest(*NO_CACHE, "-ra")
    result.assert_outcomes(failed=1)
    summary = result.outlines.index(
        next(line for line in result.outlines if "short test summary info" in line)
    )
    assert result.outlines[summary + 1] == (
        "FAILED c.tier2.yaml::counter_is_two - eq_mismatch at final_state.counter: "
        "expected 2, got 8"
    )


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_junit_message_is_the_reason_line_for_every_kind_of_failure(
    project: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    project.makefile(
        ".tier2.yaml", a=suite(state="{counter: 7}"), b=suite(mission="doomed"), c=suite()
    )
    project.runpytest(*NO_CACHE, "--tier2-golden=update", "a.tier2.yaml")
    assert (project.path / "a.tier2.golden.json").exists()
    project.makefile(".tier2.yaml", a=suite(state="{counter: 8}"))
    result = project.runpytest(*NO_CACHE, "--tier2-golden", "--junitxml=out.xml", *workers)
    result.assert_outcomes(passed=1, failed=5)
    could_not_run = (
        "suite could not run: RuntimeError: cannot plan today "
        "(scenario 'morning', mission 'doomed')"
    )
    messages = sorted(
        (case.get("classname", ""), case.get("name", ""), failure.get("message", ""))
        for case in ET.parse(project.path / "out.xml").getroot().iter("testcase")
        for failure in case.iter("failure")
    )
    assert messages == [
        ("a.tier2.yaml", "counter_is_two", "eq_mismatch at final_state.counter: expected 2, got 9"),
        (
            "a.tier2.yaml",
            "morning@golden",
            "golden drift in scenario 'morning': mission 'bumper' final_state.counter: 8 -> 9",
        ),
        ("b.tier2.yaml", "counter_is_two", could_not_run),
        ("b.tier2.yaml", "morning@golden", could_not_run),
        (
            "c.tier2.yaml",
            "morning@golden",
            "no golden pinned for scenario 'morning'; run --tier2-golden=create",
        ),
    ]


@pytest.mark.installed_plugins
def test_teamcity_details_start_with_the_reason(project: pytest.Pytester) -> None:
    project.makefile(".tier2.yaml", a=suite(state="{counter: 7}"))
    result = project.runpytest_subprocess(*NO_CACHE, "--teamcity")
    # TeamCity escapes `'` as `|'` and a line break as `|n`; its `message` is the location.
    failed = re.findall(
        r"##teamcity\[testFailed .*? details='((?:[^'|]|\|.)*)'", result.stdout.str()
    )
    assert len(failed) == 1
    details = re.sub(r"\|(.)", lambda m: {"n": "\n"}.get(m[1], m[1]), failed[0])
    assert details.splitlines()[:2] == [
        "eq_mismatch at final_state.counter: expected 2, got 8",
        "a.tier2.yaml:7: expectation 'counter_is_two'",
    ]


CLASSIFYING_CONFTEST = """
import json, pathlib

def pytest_exception_interact(node, call, report):
    from pytest_tier2 import Tier2Error
    error = call.excinfo.value
    seen = pathlib.Path(__file__).parent / "kinds.json"
    kinds = json.loads(seen.read_text()) if seen.exists() else {}
    kinds[node.nodeid] = [isinstance(error, AssertionError), isinstance(error, Tier2Error)]
    seen.write_text(json.dumps(kinds))
"""


def test_failures_are_assertions_and_a_suite_that_could_not_run_is_not(
    project: pytest.Pytester,
) -> None:
    """DECISIONS 19: tools show a failed check as failed, a crash as broken."""
    (project.path / "conftest.py").write_text(CONFTEST + CLASSIFYING_CONFTEST, "utf-8")
    project.makefile(".tier2.yaml", a=suite(state="{counter: 7}"), b=suite(mission="doomed"))
    project.runpytest(*NO_CACHE, "--tier2-golden=update", "a.tier2.yaml")
    project.makefile(".tier2.yaml", a=suite(state="{counter: 8}"))
    (project.path / "kinds.json").unlink()
    project.runpytest(*NO_CACHE, "--tier2-golden").assert_outcomes(failed=4)
    # [an AssertionError, a Tier2Error], by item.
    assert json.loads((project.path / "kinds.json").read_text("utf-8")) == {
        "a.tier2.yaml::counter_is_two": [True, True],  # an expectation that does not hold
        "a.tier2.yaml::morning@golden": [True, True],  # a golden drift
        "b.tier2.yaml::counter_is_two": [False, True],  # the suite could not run
        "b.tier2.yaml::morning@golden": [False, True],
    }


def test_a_collection_errors_summary_line_carries_its_reason(project: pytest.Pytester) -> None:
    bad = suite().replace("    scenario: morning", "    scenaro: morning")
    project.makefile(".tier2.yaml", bad=bad)
    result = project.runpytest(*NO_CACHE, "-ra")
    line = line_of(bad, "scenaro:")
    result.stdout.fnmatch_lines(
        [
            f"bad.tier2.yaml:{line}: unknown key 'scenaro' in expectation; "
            "did you mean 'scenario'? (allowed: *)",
            "ERROR bad.tier2.yaml - unknown key 'scenaro' in expectation; did you mean 'sc...",
        ]
    )


# -- 3. mission params are declared and checked at collection ---------------------------

DAILY = """\
scenarios:
  - name: morning
    missions:
      - name: daily_loop
        params:
          requested_steps: 2
          {param}
expectations: []
"""


# A built-in mission's param, and the message at its line (line 7).
BUILT_IN_PARAMS: dict[str, tuple[str, str]] = {
    "typo": (
        "requested_step: 2",
        "unknown param 'requested_step' for mission 'daily_loop'; did you mean "
        "'requested_steps'? (accepted: requested_human_steps, requested_steps)",
    ),
    "ignored-before": (
        "mode: default",
        "unknown param 'mode' for mission 'daily_loop' "
        "(accepted: requested_human_steps, requested_steps)",
    ),
    "string": (
        'requested_human_steps: "1"',
        "param 'requested_human_steps' of mission 'daily_loop' must be an integer, not \"1\"",
    ),
    "bool-is-not-int": (
        "requested_human_steps: true",
        "param 'requested_human_steps' of mission 'daily_loop' must be an integer, not true",
    ),
}


@pytest.fixture(scope="session")
def built_in_params_collected(tmp_path_factory: pytest.TempPathFactory) -> CollectedTogether:
    """Every case of BUILT_IN_PARAMS, a file each, collected together in the project."""
    files = {"tox.ini": "[pytest]\n", "conftest.py": CONFTEST}
    for case, (param, _) in BUILT_IN_PARAMS.items():
        files[f"daily-{case}.tier2.yaml"] = DAILY.format(param=param)
    return collect_together(tmp_path_factory.mktemp("built_in_params"), files)


@pytest.mark.xdist_group("built_in_params")
@pytest.mark.parametrize("case", BUILT_IN_PARAMS)
def test_a_built_in_missions_params_are_checked_at_their_line(
    built_in_params_collected: CollectedTogether, case: str
) -> None:
    message = BUILT_IN_PARAMS[case][1]
    file_name = f"daily-{case}.tier2.yaml"
    assert built_in_params_collected.ret == pytest.ExitCode.INTERRUPTED
    assert built_in_params_collected.errors == len(BUILT_IN_PARAMS)  # one error a file
    assert error_section(built_in_params_collected, file_name) == [f"{file_name}:7: {message}"]


CUSTOM_PARAMS_CONFTEST = """\
from pytest_tier2 import StepSpec, WorkflowDefinition


def build_counter(params):
    return WorkflowDefinition(id="wf-counter", steps=(StepSpec("count", "runtime", {}),))


def pytest_tier2_register(registry):
    registry.add_mission(
        "counter", build_counter, params={"start": int, "ratio": float, "label": (str, type(None))}
    )
    registry.add_mission("anything", build_counter)
"""


def custom_call(params: str, mission: str = "counter") -> str:
    return (
        f"scenarios:\n  - name: s\n    missions:\n      - name: {mission}\n"
        f"        params: {params}\nexpectations: []\n"
    )


# Params for the conftest's `counter`, and the problem at their line (None: accepted).
CUSTOM_PARAMS: list[tuple[str, str | None]] = [
    ("{start: 1, ratio: 2, label: null}", None),  # an int where a float is declared
    ("{ratio: 0.5, label: x}", None),
    ("{start: 1.0}", "param 'start' of mission 'counter' must be an integer, not 1.0"),
    ("{start: false}", "param 'start' of mission 'counter' must be an integer, not false"),
    ("{ratio: true}", "param 'ratio' of mission 'counter' must be a number, not true"),
    ("{label: 3}", "param 'label' of mission 'counter' must be a string or null, not 3"),
    ("{lable: x}", "unknown param 'lable' for mission 'counter'; did you mean 'label'? *"),
]


@pytest.fixture(scope="session")
def custom_params_collected(tmp_path_factory: pytest.TempPathFactory) -> CollectedTogether:
    """Every case of CUSTOM_PARAMS, a file each, collected together beside the conftest."""
    files = {"conftest.py": CUSTOM_PARAMS_CONFTEST}
    for number, (params, _) in enumerate(CUSTOM_PARAMS):
        files[f"custom-{number}.tier2.yaml"] = custom_call(params)
    return collect_together(tmp_path_factory.mktemp("custom_params"), files)


@pytest.mark.xdist_group("custom_params")
@pytest.mark.parametrize(("params", "problem"), CUSTOM_PARAMS)
def test_a_custom_mission_declares_its_params_with_types(
    custom_params_collected: CollectedTogether, params: str, problem: str | None
) -> None:
    collected = custom_params_collected
    file_name = f"custom-{CUSTOM_PARAMS.index((params, problem))}.tier2.yaml"
    assert collected.ret == pytest.ExitCode.INTERRUPTED  # the files with a problem
    assert collected.errors == sum(problem is not None for _, problem in CUSTOM_PARAMS)
    if problem is None:  # accepted: no error, and no item (the suite has no expectation)
        assert (collected.path / file_name).is_file()
        assert not [line for line in collected.outlines if line.startswith(f"{file_name}:")]
    else:
        (message,) = error_section(collected, file_name)
        assert fnmatch(message, f"{file_name}:5: {problem}"), message


def test_a_mission_registered_without_params_accepts_any(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(CUSTOM_PARAMS_CONFTEST)
    pytester.makefile(".tier2.yaml", custom=custom_call("{whatever: [1, 2]}", "anything"))
    result = pytester.runpytest(*NO_CACHE, "--collect-only", "-q")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED, result.stdout.str()


def test_a_bad_declaration_is_a_collection_error_naming_the_mission(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(CUSTOM_PARAMS_CONFTEST.replace('"start": int', '"start": "int"'))
    pytester.makefile(".tier2.yaml", custom=custom_call("{start: 1}"))
    result = pytester.runpytest(*NO_CACHE, "--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "custom.tier2.yaml:1: pytest_tier2_register failed: mission 'counter' param "
            "'start' must be declared with a type or a tuple of types, not 'int'"
        ]
    )


SUGGESTING = """\
scenarios:
  - name: morning
    missions:
      - name: echo
        as: said
expectations:
  - id: e
    scenario: morning
    mission: said
    path: success
    op: eq
    expected: true
"""


# A name in SUGGESTING, a misspelling of it, and the message at the misspelt line.
MISSPELT: list[tuple[str, str, str]] = [
    (
        "      - name: echo",
        "      - name: ecoh",
        "unknown mission 'ecoh'; did you mean 'echo'?",
    ),
    ("    op: eq", "    op: EQ", "unknown op 'EQ'; did you mean 'eq'?"),
    ("    op: eq", "    op: conatins", "unknown op 'conatins'; did you mean 'contains'?"),
    (
        "    scenario: morning",
        "    scenario: mornin",
        "unknown scenario 'mornin' in expectation 'e'; did you mean 'morning'?",
    ),
    (
        "    mission: said",
        "    mission: sad",
        "unknown mission result 'sad' in expectation 'e'; did you mean 'said'?",
    ),
    (
        "    path: success",
        "    pth: success",
        "unknown key 'pth' in expectation; did you mean 'path'?",
    ),
]


@pytest.fixture(scope="session")
def misspelt_collected(tmp_path_factory: pytest.TempPathFactory) -> CollectedTogether:
    """Every case of MISSPELT, a file each, collected together."""
    files = {
        f"s-{number}.tier2.yaml": SUGGESTING.replace(old, new)
        for number, (old, new, _) in enumerate(MISSPELT)
    }
    return collect_together(tmp_path_factory.mktemp("misspelt"), files)


@pytest.mark.xdist_group("misspelt")
@pytest.mark.parametrize(("old", "new", "message"), MISSPELT)
def test_every_unknown_name_suggests_the_nearest_valid_one(
    misspelt_collected: CollectedTogether, old: str, new: str, message: str
) -> None:
    file_name = f"s-{MISSPELT.index((old, new, message))}.tier2.yaml"
    line = line_of(SUGGESTING.replace(old, new), new)
    assert misspelt_collected.errors == len(MISSPELT)  # one error a file
    (found,) = error_section(misspelt_collected, file_name)
    assert fnmatch(found, f"{file_name}:{line}: {message}*"), found


def test_nothing_close_suggests_nothing(pytester: pytest.Pytester) -> None:
    text = SUGGESTING.replace("    op: eq", "    op: equals")
    pytester.makefile(".tier2.yaml", s=text)
    result = pytester.runpytest(*NO_CACHE, "--collect-only")
    result.stdout.fnmatch_lines(["s.tier2.yaml:11: unknown op 'equals' (allowed: *)"])
    assert "did you mean" not in result.stdout.str()


# -- 4. the report agrees with pytest -------------------------------------------------------

REPORTED = """\
scenarios:
  - name: only
    initial_state: {n: 1}
    missions:
      - name: echo
expectations:
  - id: skipped_first
    scenario: only
    mission: echo
    path: success
    op: eq
    expected: true
    skip: not today
  - id: passes
    scenario: only
    mission: echo
    path: final_state.n
    op: eq
    expected: 1
  - id: fails
    scenario: only
    mission: echo
    path: final_state.n
    op: eq
    expected: 2
  - id: known_gap
    scenario: only
    mission: echo
    path: final_state.n
    op: eq
    expected: 3
    xfail: not fixed yet
  - id: fixed_gap
    scenario: only
    mission: echo
    path: final_state.n
    op: eq
    expected: 1
    xfail: fixed, it seems
  - id: left_out
    scenario: only
    mission: echo
    path: final_state.n
    op: eq
    expected: 4
"""

ALL_SKIPPED = """\
scenarios:
  - name: only
    missions:
      - name: logged
expectations:
  - id: a
    scenario: only
    mission: logged
    path: success
    op: eq
    expected: true
    skip: not today
  - id: b
    scenario: only
    mission: logged
    path: success
    op: eq
    expected: true
    marks: [skip]
"""

LOGGING_CONFTEST = """\
from pathlib import Path

from pytest_tier2 import StepSpec, WorkflowDefinition


def build_logged(params):
    with (Path(__file__).parent / "builds.log").open("a") as log:
        log.write("built\\n")
    return WorkflowDefinition(id="wf-logged", steps=(StepSpec("s", "runtime", {}),))


def pytest_tier2_register(registry):
    registry.add_mission("logged", build_logged)
"""

EXPECTED_OUTCOMES = {
    "fails": "failed",
    "fixed_gap": "xpassed",
    "known_gap": "xfailed",
    "left_out": "not_selected",
    "passes": "passed",
    "skipped_first": "skipped",
}


@pytest.fixture
def reported(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\n")
    pytester.makeconftest(LOGGING_CONFTEST)
    pytester.makefile(".tier2.yaml", reported=REPORTED, skipped=ALL_SKIPPED)
    return pytester


def read_report(pytester: pytest.Pytester, name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((pytester.path / name).read_text(encoding="utf-8"))
    return document


DIST = [(), ("-n", "2", "--dist", "load"), ("-n", "2", "--dist", "loadfile")]


@pytest.mark.parametrize("dist", DIST, ids=["serial", "load", "loadfile"])
def test_the_report_gives_pytests_outcome_of_every_expectation_and_skips_carry_hashes(
    reported: pytest.Pytester, dist: tuple[str, ...]
) -> None:
    result = reported.runpytest(
        *NO_CACHE, "-k", "not left_out", "--tier2-report=report.json", "--junitxml=out.xml", *dist
    )
    result.assert_outcomes(passed=1, failed=1, skipped=3, xfailed=1, xpassed=1)
    [entry] = read_report(reported, "report.json")["suites"]
    assert entry["file"] == "reported.tier2.yaml"
    assert entry["outcomes"] == EXPECTED_OUTCOMES
    assert entry["pytest_verdict"] == "failed"
    # The core's own verdict, over every expectation whatever pytest selected or skipped.
    assert entry["core_verdict"] == "failed"
    assert entry["result"]["passed"] is False

    # 5. The skipped item carries the hashes too, though it came first; the suite whose
    # items are all skipped never ran, and its items carry none.
    properties = junit_properties(reported.path / "out.xml")
    hashes = {key: value for key, value in properties["skipped_first"].items()}
    assert hashes == properties["passes"]
    assert hashes["tier2_suite_hash"] == entry["suite_hash"]
    assert properties["a"] == properties["b"] == {}
    assert not (reported.path / "builds.log").exists()


def test_the_report_is_green_where_pytest_is_and_names_the_cores_red_verdict(
    reported: pytest.Pytester,
) -> None:
    result = reported.runpytest(*NO_CACHE, "-k", "passes", "--tier2-report=report.json")
    assert result.ret == pytest.ExitCode.OK
    [entry] = read_report(reported, "report.json")["suites"]
    assert entry["pytest_verdict"] == "passed"
    assert entry["core_verdict"] == "failed"  # `fails` and `left_out` fail in the core
    assert entry["outcomes"]["passes"] == "passed"
    assert {entry["outcomes"][eid] for eid in EXPECTED_OUTCOMES if eid != "passes"} == {
        "not_selected"
    }


def test_an_expectation_selected_but_never_run_is_not_run(reported: pytest.Pytester) -> None:
    result = reported.runpytest(
        *NO_CACHE, "-x", "--tier2-report=report.json", "reported.tier2.yaml"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    [entry] = read_report(reported, "report.json")["suites"]
    not_run = dict.fromkeys(("known_gap", "fixed_gap", "left_out"), "not_run")
    assert entry["outcomes"] == {**EXPECTED_OUTCOMES, **not_run}


# -- 5. promises match behaviour: stale pins under a partial selection --------------------


def scenarios_yaml(*names: str) -> str:
    lines = ["scenarios:"]
    for name in names:
        lines += [f"  - name: {name}", "    missions:", "      - name: echo"]
    return "\n".join([*lines, "expectations: []"]) + "\n"


def golden_section(result: pytest.RunResult) -> list[str]:
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if "tier2 golden" in line)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("="))
    return lines[start + 1 : end]


def test_a_stale_pin_kept_from_judging_by_a_partial_selection_says_so(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".tier2.yaml", a=scenarios_yaml("first", "second", "third"))
    pytester.runpytest(*NO_CACHE, "--tier2-golden=update")
    pytester.makefile(".tier2.yaml", a=scenarios_yaml("first", "second"))  # `third`: stale

    partial = pytester.runpytest(*NO_CACHE, "--tier2-golden", "-k", "first")
    assert partial.ret == pytest.ExitCode.OK
    assert golden_section(partial) == [
        "0 drifted, 0 missing, 0 stale (1 scenario checked)",
        "not judged: partial selection: a.tier2.golden.json pins scenario 'third', which "
        "suite 'a' no longer has; to judge it, select all of its pin items: "
        "pytest --tier2-golden=check a.tier2.yaml",
    ]
    assert "stale pin" not in partial.outlines[-1]

    whole = pytester.runpytest(*NO_CACHE, "--tier2-golden")
    assert whole.ret == pytest.ExitCode.TESTS_FAILED
    assert golden_section(whole)[:3] == [
        "0 drifted, 0 missing, 1 stale (2 scenarios checked)",
        "stale    a.tier2.yaml::third  (suite 'a' has no scenario 'third'; pinned in "
        "a.tier2.golden.json)",
        "accept the stale:   pytest --tier2-golden=trim a.tier2.yaml",
    ]
    assert "1 stale pin" in whole.outlines[-1]


def test_an_orphan_pin_file_under_a_deselection_is_not_judged_in_words_that_say_so(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".tier2.yaml", a=scenarios_yaml("first", "second"), b=scenarios_yaml("other"))
    pytester.runpytest(*NO_CACHE, "--tier2-golden=update")
    (pytester.path / "b.tier2.yaml").unlink()

    check = pytester.runpytest(*NO_CACHE, "--tier2-golden", "-k", "first")
    assert check.ret == pytest.ExitCode.OK
    assert golden_section(check) == [
        "0 drifted, 0 missing, 0 stale (1 scenario checked)",
        "not judged: partial selection: pin file b.tier2.golden.json has no suite file; to "
        "judge it, run its whole directory: pytest --tier2-golden=check .",
    ]
    update = pytester.runpytest(*NO_CACHE, "--tier2-golden=update", "-k", "first")
    assert update.ret == pytest.ExitCode.OK
    assert golden_section(update) == [
        "0 drifted, 0 missing, 0 stale left (1 scenario checked; nothing written)",
        "not judged: partial selection: kept pin file b.tier2.golden.json, whose suite file "
        "is gone; to remove it: pytest --tier2-golden=trim .",
    ]
    assert (pytester.path / "b.tier2.golden.json").exists()


# -- show ---------------------------------------------------------------------------------


def show(cwd: Path, *args: str) -> tuple[int, str, str]:
    """`python -m pytest_tier2 show ARGS` in `cwd`, in this process: exit code, out, err.

    `cwd` is a pytester directory: pytester forgets the conftest modules the run imports."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        patch.chdir(cwd)
        patch.delenv("PYTEST_ADDOPTS", raising=False)
        code = cli.main(["show", *args])
    return code, out.getvalue(), err.getvalue()


def test_show_lists_the_params_each_mission_accepts_and_why_a_mission_failed(
    project: pytest.Pytester,
) -> None:
    text = textwrap.dedent(
        """\
        scenarios:
          - name: morning
            initial_state: {counter: "1"}
            missions:
              - name: daily_loop
              - name: bumper
              - name: echo
              - name: typo
        expectations: []
        """
    )
    project.makeconftest(DECLARING_CONFTEST)
    project.makefile(".tier2.yaml", shown=text)
    code, out, err = show(project.path, "shown.tier2.yaml")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:5] == [
        "mission daily_loop accepts params requested_steps (an integer), "
        "requested_human_steps (an integer)",
        "mission bumper accepts params by (an integer)",
        "mission echo accepts any params",
        "mission typo accepts no params",
        "",
    ]
    start = lines.index("mission bumper did not succeed:")
    assert lines[start + 1 : start + 4] == [
        "  failed step  bump-step",
        "  error        Step 'bump-step' failed: TypeError: can only concatenate str "
        '(not "int") to str',
        f"  raised at    conftest.py:{BUMP_LINE} in bump",
    ]
    assert "mission typo did not succeed:" in lines
    assert "mission daily_loop did not succeed:" not in lines
