"""Edges found in review: suites outside the rootdir, reruns, read-only runs, odd pin files."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SUITE = textwrap.dedent(
    """\
    scenarios:
      - name: morning
        initial_state: {counter: 1}
        missions:
          - name: counted
    expectations:
      - id: counter_is_one
        scenario: morning
        mission: counted
        path: final_state.counter
        op: eq
        expected: 1
      - id: counter_is_two
        scenario: morning
        mission: counted
        path: final_state.counter
        op: eq
        expected: 2
    """
)

COUNTING_CONFTEST = textwrap.dedent(
    """\
    from pathlib import Path

    from pytest_tier2 import StepSpec, WorkflowDefinition

    LOG = Path(__file__).with_name("builds.log")


    def build_counted(params):
        with LOG.open("a") as log:
            log.write("built\\n")
        return WorkflowDefinition(id="wf-counted", steps=(StepSpec("count", "runtime"),))


    def pytest_tier2_register(registry):
        registry.add_mission("counted", build_counted)
    """
)


@pytest.fixture
def counted(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeconftest(COUNTING_CONFTEST)
    pytester.makefile(".tier2.yaml", a=SUITE)
    return pytester


def builds(pytester: pytest.Pytester) -> int:
    log = pytester.path / "builds.log"
    return len(log.read_text().splitlines()) if log.exists() else 0


@pytest.mark.installed_plugins
def test_a_rerun_plugin_does_not_run_the_suite_twice(counted: pytest.Pytester) -> None:
    """pytest-rerunfailures runs a failing item's protocol again; the suite still runs once."""
    result = counted.runpytest("-p", "no:cacheprovider", "--reruns", "2")
    assert result.parseoutcomes() == {"passed": 1, "failed": 1, "rerun": 2}
    assert builds(counted) == 1


def test_pins_of_a_suite_outside_the_rootdir_live_beside_it(pytester: pytest.Pytester) -> None:
    """Reports name such a file only by its name; pins must still go beside the suite."""
    project = pytester.mkdir("project")
    (project / "pytest.ini").write_text("[pytest]\n")
    other = pytester.mkdir("other")
    (other / "conftest.py").write_text(COUNTING_CONFTEST)
    (other / "x.tier2.yaml").write_text(SUITE.replace("expected: 2", "expected: 1"))
    args = ["--rootdir", str(project), "-c", str(project / "pytest.ini"), "-p", "no:cacheprovider"]

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)
        update = pytester.runpytest(*args, "--tier2-golden=update", str(other))
        check = pytester.runpytest(*args, "--tier2-golden=check", str(other / "x.tier2.yaml"))

    update.assert_outcomes(passed=3)
    assert (other / "x.tier2.golden.json").is_file()
    assert not (project / "x.tier2.golden.json").exists()
    check.assert_outcomes(passed=3)


def test_collect_only_never_judges_writes_or_deletes_pins(counted: pytest.Pytester) -> None:
    counted.runpytest("-p", "no:cacheprovider", "--tier2-golden=update").assert_outcomes(
        passed=2, failed=1
    )
    orphan = counted.path / "gone.tier2.golden.json"
    orphan.write_bytes((counted.path / "a.tier2.golden.json").read_bytes())

    update = counted.runpytest("-p", "no:cacheprovider", "--collect-only", "--tier2-golden=update")
    check = counted.runpytest("-p", "no:cacheprovider", "--collect-only", "--tier2-golden")

    assert update.ret == check.ret == pytest.ExitCode.OK
    assert orphan.exists()
    assert "tier2 golden" not in update.stdout.str() + check.stdout.str()


def test_a_pin_file_of_the_wrong_shape_fails_the_check_naming_it(
    counted: pytest.Pytester,
) -> None:
    counted.runpytest("-p", "no:cacheprovider", "--tier2-golden=update")
    pins = counted.path / "a.tier2.golden.json"
    document = json.loads(pins.read_text())
    document["scenarios"]["morning"]["missions"] = ["counted"]
    pins.write_text(json.dumps(document))

    result = counted.runpytest("-p", "no:cacheprovider", "--tier2-golden")

    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines(
        [
            "a.tier2.golden.json:1: not a valid pin file: scenario 'morning' "
            "needs 'missions', each with a 'hash' and a 'result'",
            "a.tier2.yaml:2: scenario 'morning'",
            "  check mode never overwrites it; --tier2-golden=fix (or update) regenerates it",
        ]
    )
    assert "Traceback" not in result.stdout.str()


def test_pin_files_get_the_mode_a_plain_write_would_give(counted: pytest.Pytester) -> None:
    umask = os.umask(0o022)
    try:
        counted.runpytest("-p", "no:cacheprovider", "--tier2-golden=update")
    finally:
        os.umask(umask)
    mode = stat.S_IMODE((counted.path / "a.tier2.golden.json").stat().st_mode)
    assert mode == 0o644


def test_the_repin_hint_works_from_where_pytest_was_started(counted: pytest.Pytester) -> None:
    suites = counted.mkdir("suites")
    (counted.path / "a.tier2.yaml").rename(suites / "a.tier2.yaml")
    (counted.path / "pytest.ini").write_text("[pytest]\n")

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(suites)
        check = counted.runpytest("-p", "no:cacheprovider", "--tier2-golden")
        check.stdout.fnmatch_lines(
            ['*pin it: pytest --tier2-golden=create "a.tier2.yaml::morning@golden"']
        )
        repin = counted.runpytest(
            "-p", "no:cacheprovider", "--tier2-golden=create", "a.tier2.yaml::morning@golden"
        )

    repin.assert_outcomes(passed=1)
    assert (suites / "a.tier2.golden.json").is_file()


def test_a_report_includes_a_suite_whose_only_items_that_ran_were_pins(
    counted: pytest.Pytester,
) -> None:
    report = counted.path / "report.json"
    result = counted.runpytest(
        "-p",
        "no:cacheprovider",
        "--tier2-golden=update",
        "-k",
        "golden",
        f"--tier2-report={report}",
    )
    result.assert_outcomes(passed=1, deselected=2)
    [suite] = json.loads(report.read_text())["suites"]
    assert suite["file"] == "a.tier2.yaml"
    assert suite["result"]["suite_result"]["suite_name"] == "a"


def test_an_unwritable_report_is_one_line_and_fails_the_run(counted: pytest.Pytester) -> None:
    (counted.path / "blocker").write_text("a file, not a directory")
    result = counted.runpytest(
        "-p", "no:cacheprovider", "-k", "one", "--tier2-report=blocker/r.json"
    )
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["could not write --tier2-report blocker/r.json: *"])
    assert "Traceback" not in result.stdout.str()


def test_an_unknown_mark_under_strict_markers_names_the_expectations_line(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(
        ".tier2.yaml",
        marked=textwrap.dedent(
            """\
            scenarios:
              - name: only
                missions:
                  - name: echo
            expectations:
              - id: marked
                scenario: only
                mission: echo
                path: success
                op: eq
                expected: true
                marks: [slwo]
            """
        ),
    )
    strict = pytester.runpytest("-p", "no:cacheprovider", "--strict-markers")
    strict.stdout.fnmatch_lines(["marked.tier2.yaml:6: 'slwo' not found in `markers` *"])
    lenient = pytester.runpytest("-p", "no:cacheprovider")
    lenient.stdout.fnmatch_lines(
        ["*marked.tier2.yaml:6: PytestUnknownMarkWarning: Unknown pytest.mark.slwo*"]
    )


def test_an_unknown_operations_message_does_not_depend_on_what_else_is_registered() -> None:
    """The message is hashed: registering an unrelated operation must not move pins."""
    from pytest_tier2.core import ExecutionContext, Orchestrator, StepSpec, WorkflowDefinition

    workflow = WorkflowDefinition(id="wf", steps=(StepSpec("s", "runtime", {"operation": "nope"}),))
    few = Orchestrator({}).run_workflow(workflow, ExecutionContext())
    many = Orchestrator({"other": lambda s, p: s}).run_workflow(workflow, ExecutionContext())
    assert few.error_message == many.error_message == "Step 's' failed: unknown operation 'nope'"
    assert few.result_hash == many.result_hash


def test_the_schema_command_prints_the_installed_schema(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest_tier2", "schema"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    schema = json.loads(Path(proc.stdout.strip()).read_text("utf-8"))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert "scenarios" in schema["properties"]
