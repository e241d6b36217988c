"""`python -m pytest_tier2 show|validate`, run as a user runs it, in a project.

The command's `main()` runs in this process, in the project's directory, with its output
captured (it reads the project's conftest files through `pytest.main`, as the command does);
a subprocess runs `python -m pytest_tier2` itself where the process is what is tested: its
entry point and usage errors, and that nothing pytest prints reaches the terminal. Every run
here also checks that no output holds a traceback.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from pytest_tier2.cli import main

HASH = r"[0-9a-f]{64}"

CONFTEST = """
from __future__ import annotations

from pytest_tier2 import StepSpec, WorkflowDefinition


def stamp(state, payload):
    return {**state, "stamped": payload["by"], "stamps": state.get("stamps", 0) + 1}


def build_greet(params):
    who = (params or {}).get("who", "world")
    return WorkflowDefinition(
        id="wf-greet",
        steps=(
            StepSpec("greet-stamp", "runtime", {"operation": "stamp", "by": who}),
            StepSpec("greet-wave", "runtime", {"operation": "noop"}),
        ),
        metadata={"mission_type": "greet"},
    )


def build_broken(params):
    raise ValueError("the broken mission cannot be built")


def pytest_tier2_register(registry):
    registry.add_mission("greet", build_greet)
    registry.add_mission("broken", build_broken)
    registry.add_operation("stamp", stamp)
"""

GREETINGS = """\
suite: greetings
scenarios:
  - name: hello
    initial_state: {team: blue, "dotted.key": 1, "back\\\\slash": 2, empty_map: {}, empty_list: []}
    missions:
      - name: greet
        params: {who: alice}
      - name: echo
        as: echo_hi
        params: {message: hi}
  - name: bye
    missions:
      - name: greet
        params: {who: bob}
expectations:
  - id: greeted_alice
    scenario: hello
    mission: greet
    path: final_state.stamped
    op: eq
    expected: alice
  - id: bob_waves
    scenario: bye
    mission: greet
    path: executed_steps.1.id
    op: eq
    expected: greet-wave
"""

BAD_OP = """\
scenarios:
  - name: s
    missions:
      - name: echo
expectations:
  - id: e
    scenario: s
    mission: echo
    path: success
    op: equals
    expected: true
"""


@dataclass
class Ran:
    """What a run of the command gave: its exit code and its output."""

    returncode: int
    stdout: str
    stderr: str


def run(cwd: Path, *args: str) -> Ran:
    """Run the command's `main(ARGS)` in `cwd`, in this process; no output may hold a traceback.

    What the run imported from the project (its conftest modules) is forgotten afterwards,
    as it would be when a process ends.
    """
    stdout, stderr = io.StringIO(), io.StringIO()
    modules_before = set(sys.modules)
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)
        patch.delenv("PYTEST_ADDOPTS", raising=False)
        patch.setattr(sys, "path", list(sys.path))
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                returncode = main(list(args))
            except SystemExit as exit_:  # argparse: --help, usage errors
                assert isinstance(exit_.code, int), exit_.code
                returncode = exit_.code
    for name in set(sys.modules) - modules_before:
        if Path(getattr(sys.modules[name], "__file__", None) or "/").is_relative_to(cwd):
            del sys.modules[name]
    output = stdout.getvalue() + stderr.getvalue()
    assert "Traceback" not in output, output
    return Ran(returncode, stdout.getvalue(), stderr.getvalue())


def run_subprocess(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `python -m pytest_tier2 ARGS` in `cwd`; no output may hold a traceback."""
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_ADDOPTS"}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest_tier2", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    return proc


def run_pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTEST_ADDOPTS"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project: a pytest.ini, a conftest with custom missions, a suite that uses them."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (tmp_path / "greetings.tier2.yaml").write_text(GREETINGS, encoding="utf-8")
    return tmp_path


def leaf_lines(stdout: str) -> dict[tuple[str, str], dict[str, str]]:
    """The `path = value` lines of `show`, by (scenario, mission)."""
    sections: dict[tuple[str, str], dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in stdout.splitlines():
        header = re.fullmatch(rf"scenario (\S+) / mission (\S+)  \(hash {HASH}\)", line)
        if header:
            current = sections.setdefault((header[1], header[2]), {})
        elif line.startswith("  "):
            assert current is not None, line
            path, value = line[2:].split(" = ", 1)
            current[path] = value
        else:
            current = None
    return sections


# ------------------------------------------------------------------------------ help


def test_help_lists_both_commands(tmp_path: Path) -> None:
    proc = run_subprocess(tmp_path, "--help")
    assert proc.returncode == 0
    assert "show" in proc.stdout and "validate" in proc.stdout
    for command in ("show", "validate"):
        sub = run_subprocess(tmp_path, command, "--help")
        assert sub.returncode == 0, sub.stderr
        assert "usage:" in sub.stdout


def test_no_command_is_a_usage_error(tmp_path: Path) -> None:
    proc = run_subprocess(tmp_path)
    assert proc.returncode == 2
    assert "usage:" in proc.stderr


# ------------------------------------------------------------------------------ show


def test_show_uses_the_conftests_missions_and_matches_a_pytest_run(project: Path) -> None:
    proc = run(project, "show", "greetings.tier2.yaml")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    out = proc.stdout
    sections = leaf_lines(out)
    # As in the file: scenarios in file order, mission results in call order.
    assert list(sections) == [("hello", "greet"), ("hello", "echo_hi"), ("bye", "greet")]
    hello = sections[("hello", "greet")]
    # The custom mission ran the custom operation from conftest.py.
    assert hello["final_state.stamped"] == '"alice"'
    assert hello["final_state.stamps"] == "1"
    assert hello["executed_steps.0.id"] == '"greet-stamp"'
    assert hello["success"] == "true"
    assert hello["error_message"] == "null"
    # Dots and backslashes in keys are escaped; empty containers are shown.
    assert hello["final_state.dotted\\.key"] == "1"
    assert hello["final_state.back\\\\slash"] == "2"
    assert hello["final_state.empty_map"] == "{}"
    assert hello["final_state.empty_list"] == "[]"
    assert sections[("bye", "greet")]["final_state.stamped"] == '"bob"'

    lines = [line for line in out.splitlines() if line]
    scenario_lines = [
        line for line in lines if re.fullmatch(rf"scenario \S+  \(hash {HASH}\)", line)
    ]
    assert [line.split()[1] for line in scenario_lines] == ["hello", "bye"]
    assert re.fullmatch(rf"suite greetings  \(hash {HASH}\)", lines[-1]), lines[-1]

    # The same hashes as a pytest run of the same file reports.
    pytest_run = run_pytest(project, "--tier2-report=report.json", "greetings.tier2.yaml")
    assert pytest_run.returncode == 0, pytest_run.stdout
    report = json.loads((project / "report.json").read_text(encoding="utf-8"))["suites"][0]
    assert lines[-1].endswith(f"(hash {report['suite_hash']})")
    scenario_results = report["result"]["suite_result"]["scenario_results"]
    for line in scenario_lines:
        name = line.split()[1]
        assert line.endswith(f"(hash {scenario_results[name]['metadata']['scenario_hash']})")


def test_show_is_deterministic(project: Path) -> None:
    first = run(project, "show", "greetings.tier2.yaml")
    second = run(project, "show", str(project / "greetings.tier2.yaml"))
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout


def test_show_one_scenario(project: Path) -> None:
    proc = run(project, "show", "greetings.tier2.yaml", "--scenario", "bye")
    assert proc.returncode == 0, proc.stderr
    assert list(leaf_lines(proc.stdout)) == [("bye", "greet")]
    assert "scenario hello" not in proc.stdout
    assert re.search(rf"^scenario bye  \(hash {HASH}\)$", proc.stdout, re.M)
    assert re.search(rf"^suite greetings  \(hash {HASH}\)$", proc.stdout, re.M)

    both = run(project, "show", "greetings.tier2.yaml", "-s", "hello", "-s", "bye")
    assert both.returncode == 0
    assert both.stdout == run(project, "show", "greetings.tier2.yaml").stdout


def test_show_unknown_scenario_is_a_usage_error(project: Path) -> None:
    proc = run(project, "show", "greetings.tier2.yaml", "--scenario", "evening")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "pytest_tier2: error: no scenario 'evening' in greetings.tier2.yaml (it has: hello, bye)"
    ]


def test_printed_paths_resolve_in_a_pytest_run(project: Path) -> None:
    """Every printed path exists, and every printed scalar value is what `eq` finds there."""
    proc = run(project, "show", "greetings.tier2.yaml")
    assert proc.returncode == 0, proc.stderr
    sections = leaf_lines(proc.stdout)
    expectations = []
    for (scenario, mission), leaves in sections.items():
        for number, (path, value) in enumerate(leaves.items()):
            base = f"{scenario}_{mission}_{number}"
            # JSON text is valid YAML in flow context: paths and values go in as written.
            common = (
                f"    scenario: {scenario}\n    mission: {mission}\n    path: {json.dumps(path)}\n"
            )
            expectations.append(f"  - id: {base}_exists\n{common}    op: exists\n")
            expectations.append(f"  - id: {base}_eq\n{common}    op: eq\n    expected: {value}\n")
    assert len(expectations) > 60
    suite = GREETINGS.split("expectations:")[0] + "expectations:\n" + "".join(expectations)
    (project / "greetings.tier2.yaml").write_text(suite, encoding="utf-8")

    result = run_pytest(project, "-q", "greetings.tier2.yaml")
    assert result.returncode == 0, result.stdout
    assert f"{len(expectations)} passed" in result.stdout


def test_show_missing_file(tmp_path: Path) -> None:
    proc = run(tmp_path, "show", "x.tier2.yaml")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "pytest_tier2: error: no such file: x.tier2.yaml\n"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("notes.yaml", "notes.yaml is not a suite file"),
        ("subdir", "subdir is a directory, not a suite file"),
    ],
)
def test_show_refuses_what_is_not_a_suite_file(tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / "notes.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "subdir").mkdir()
    proc = run(tmp_path, "show", name)
    assert proc.returncode == 2
    assert len(proc.stderr.splitlines()) == 1
    assert proc.stderr.startswith(f"pytest_tier2: error: {message}")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads any file")
def test_show_unreadable_file(project: Path) -> None:
    suite = project / "greetings.tier2.yaml"
    suite.chmod(0)
    try:
        proc = run(project, "show", "greetings.tier2.yaml")
    finally:
        suite.chmod(0o644)
    assert proc.returncode == 2
    assert proc.stderr.startswith("pytest_tier2: error: cannot read greetings.tier2.yaml")


def test_show_invalid_suite_prints_the_collection_error(project: Path) -> None:
    (project / "bad.tier2.yaml").write_text(BAD_OP, encoding="utf-8")
    proc = run(project, "show", "bad.tier2.yaml")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        "bad.tier2.yaml:10: unknown op 'equals' "
        "(allowed: eq, ne, gt, lt, ge, le, contains, matches, approx, type, length, one_of, "
        "subset, exists, absent)"
    ]


def test_show_a_suite_that_cannot_run(project: Path) -> None:
    (project / "broken.tier2.yaml").write_text(
        "scenarios:\n  - name: s\n    missions:\n      - name: broken\nexpectations: []\n",
        encoding="utf-8",
    )
    proc = run(project, "show", "broken.tier2.yaml")
    assert proc.returncode == 1
    assert proc.stdout == ""
    assert proc.stderr.startswith(
        "broken.tier2.yaml:4: suite 'broken' could not run in scenario 's', mission 'broken': "
        "ValueError: the broken mission cannot be built"
    ), proc.stderr


def test_show_reports_a_broken_conftest_in_one_line(project: Path) -> None:
    (project / "conftest.py").write_text("import no_such_module_here\n", encoding="utf-8")
    proc = run(project, "show", "greetings.tier2.yaml")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1
    assert proc.stderr.startswith("pytest_tier2: error: ")
    assert "No module named 'no_such_module_here'" in proc.stderr


# -------------------------------------------------------------------------- validate


def test_validate_ok(project: Path) -> None:
    (project / "other.tier2.yml").write_text(
        "scenarios: [{name: only, missions: [{name: echo}]}]\nexpectations: []\n", encoding="utf-8"
    )
    proc = run(project, "validate", "greetings.tier2.yaml", "other.tier2.yml")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "2 files OK\n"


def test_validate_needs_the_conftest_for_custom_missions(project: Path) -> None:
    """The conftest is what makes `greet` known: without it the same file is invalid."""
    assert run(project, "validate", "greetings.tier2.yaml").returncode == 0
    (project / "conftest.py").unlink()
    proc = run(project, "validate", "greetings.tier2.yaml")
    assert proc.returncode == 1
    assert proc.stdout.startswith("greetings.tier2.yaml:6: unknown mission 'greet'")


def test_validate_bad_file_prints_the_collection_line(project: Path) -> None:
    (project / "bad.tier2.yaml").write_text(BAD_OP, encoding="utf-8")
    proc = run(project, "validate", "greetings.tier2.yaml", "bad.tier2.yaml")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines == [
        "bad.tier2.yaml:10: unknown op 'equals' "
        "(allowed: eq, ne, gt, lt, ge, le, contains, matches, approx, type, length, one_of, "
        "subset, exists, absent)"
    ]
    assert proc.stderr == "1 of 2 files invalid\n"
    collection = run_pytest(project, "--collect-only", "bad.tier2.yaml")
    assert lines[0] in collection.stdout.splitlines()


def test_validate_one_line_per_bad_file(project: Path) -> None:
    (project / "a.tier2.yaml").write_text(BAD_OP, encoding="utf-8")
    (project / "b.tier2.yaml").write_text("scenarios: {}\nexpectations: []\n", encoding="utf-8")
    (project / "c.tier2.yaml").write_text("", encoding="utf-8")
    (project / "d.tier2.yaml").write_text("a: [1,\n", encoding="utf-8")
    proc = run(project, "validate", ".")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "a.tier2.yaml",
        "b.tier2.yaml",
        "c.tier2.yaml",
        "d.tier2.yaml",
    ]
    assert lines[1] == "b.tier2.yaml:1: 'scenarios' must be a list, not a mapping"
    assert lines[2] == "c.tier2.yaml:1: no suite in file"
    assert re.match(r"d\.tier2\.yaml:\d+: invalid YAML", lines[3])
    assert proc.stderr == "4 of 5 files invalid\n"


def test_validate_register_hook_that_raises(project: Path) -> None:
    (project / "conftest.py").write_text(
        "def pytest_tier2_register(registry):\n    raise RuntimeError('no registry today')\n",
        encoding="utf-8",
    )
    proc = run(project, "validate", "greetings.tier2.yaml")
    assert proc.returncode == 1
    assert proc.stdout == (
        "greetings.tier2.yaml:1: pytest_tier2_register failed: no registry today\n"
    )


def test_validate_missing_file(project: Path) -> None:
    proc = run(project, "validate", "greetings.tier2.yaml", "x.tier2.yaml")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr == "pytest_tier2: error: no such file: x.tier2.yaml\n"


def test_validate_not_a_suite_file(project: Path) -> None:
    proc = run(project, "validate", "conftest.py")
    assert proc.returncode == 2
    assert proc.stderr.startswith("pytest_tier2: error: conftest.py is not a suite file")


def test_validate_directory(project: Path) -> None:
    """A directory is walked as pytest walks it, with each level's conftest, importing no tests."""
    nested = project / "suites" / "deeper"
    nested.mkdir(parents=True)
    (project / "suites" / "conftest.py").write_text(
        textwrap.dedent(
            """
            from pytest_tier2 import StepSpec, WorkflowDefinition

            def pytest_tier2_register(registry):
                registry.add_mission(
                    "nested_only",
                    lambda params: WorkflowDefinition(
                        id="wf-nested", steps=(StepSpec("n", "runtime", {"operation": "noop"}),)
                    ),
                )
            """
        ),
        encoding="utf-8",
    )
    (nested / "n.tier2.yml").write_text(
        "scenarios:\n  - name: s\n    missions:\n      - name: nested_only\n"
        "      - name: greet\nexpectations: []\n",
        encoding="utf-8",
    )
    (nested / "test_boom.py").write_text("raise SystemExit('imported a test module')\n")
    (project / "node_modules").mkdir()
    (project / "node_modules" / "x.tier2.yaml").write_text("broken: [", encoding="utf-8")

    proc = run(project, "validate", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "2 files OK\n"
    proc = run(project, "validate", "suites")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "1 file OK\n"
    # A file and the directory that holds it count once, and overlapping paths lose nothing
    # (pytest 8, given a directory and a path inside it, drops the outer directory's files).
    for paths in (("suites", "suites/deeper/n.tier2.yml", "."), (".", "suites")):
        proc = run(project, "validate", *paths)
        assert proc.stdout == "2 files OK\n", paths


def test_validate_directory_without_suites(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    proc = run(tmp_path, "validate", "empty")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("pytest_tier2: error: no suite files under empty")


def test_validate_reports_a_broken_conftest_below_a_directory(project: Path) -> None:
    sub = project / "sub"
    sub.mkdir()
    (sub / "conftest.py").write_text("import no_such_module_here\n", encoding="utf-8")
    (sub / "s.tier2.yaml").write_text(
        "scenarios: [{name: only, missions: [{name: echo}]}]\nexpectations: []\n", encoding="utf-8"
    )
    proc = run(project, "validate", ".")
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "sub: ModuleNotFoundError: No module named 'no_such_module_here'"
    ]


def test_pytest_output_never_leaks(project: Path) -> None:
    (project / "conftest.py").write_text(
        CONFTEST + "\nprint('conftest says hi')\n", encoding="utf-8"
    )
    proc = run_subprocess(project, "validate", "greetings.tier2.yaml")
    assert proc.stdout == "1 file OK\n"
    assert proc.stderr == ""
    show = run_subprocess(project, "show", "greetings.tier2.yaml")
    assert "conftest says hi" not in show.stdout + show.stderr
    assert "collected" not in show.stdout
