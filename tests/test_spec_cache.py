"""The parse cache: a suite file read in one session is loaded, not read, in the next, unless
anything it depends on changed: its bytes, the registrations its conftest makes, or the plugin.

`-v` says how many suite files a session read and how many of those came from the cache.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from pytest_tier2 import speccache
from pytest_tier2.golden import pinfile

CONFTEST = """\
from pytest_tier2 import StepSpec, WorkflowDefinition


def bump(state, payload):
    return {**state, "counter": state["counter"] + payload["by"]}

def build_bumper(params):
    return WorkflowDefinition(
        id="wf-bumper",
        steps=(StepSpec("bump", "runtime", {"operation": "bump", "by": params["by"]}),),
    )


def pytest_tier2_register(registry):
    registry.add_mission("bumper", build_bumper, params={"by": int})
    registry.add_operation("bump", bump)
"""


def suite(expected: int = 2) -> str:
    return f"""\
scenarios:
  - name: morning
    initial_state: {{counter: 1}}
    missions:
      - name: bumper
        params: {{by: 1}}
expectations:
  - id: counter
    scenario: morning
    mission: bumper
    path: final_state.counter
    op: eq
    expected: {expected}
"""


def cache_line(result: pytest.RunResult) -> str:
    return next(line for line in result.outlines if line.startswith("tier2: "))


def hashes(result: pytest.RunResult) -> list[str]:
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if "tier2 suite hashes" in line)
    return lines[start + 1 : start + 3]


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makeini("[pytest]\n")
    pytester.makeconftest(CONFTEST)
    pytester.makefile(".tier2.yaml", a=suite(), b=suite())
    return pytester


def test_an_unchanged_file_comes_from_the_cache_with_the_same_results(
    project: pytest.Pytester,
) -> None:
    first = project.runpytest("-v")
    first.assert_outcomes(passed=2)
    assert cache_line(first) == "tier2: 2 suite files read, 0 from the cache"
    second = project.runpytest("-v")
    second.assert_outcomes(passed=2)
    assert cache_line(second) == "tier2: 2 suite files read, 2 from the cache"
    assert hashes(second) == hashes(first)
    assert [line.split(":")[0] for line in hashes(first)] == [
        "a.tier2.yaml (a)",
        "b.tier2.yaml (b)",
    ]


def test_an_edited_file_is_read_again(project: pytest.Pytester) -> None:
    project.runpytest().assert_outcomes(passed=2)
    project.makefile(".tier2.yaml", b=suite(expected=3))
    result = project.runpytest("-v")
    assert cache_line(result) == "tier2: 2 suite files read, 1 from the cache"
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*eq_mismatch at final_state.counter: expected 3, got 2"])


def test_an_edited_conftest_registration_is_read_again(project: pytest.Pytester) -> None:
    project.runpytest().assert_outcomes(passed=2)
    project.makeconftest(CONFTEST.replace('params={"by": int}', 'params={"by": str}'))
    result = project.runpytest("-v")
    assert cache_line(result) == "tier2: 2 suite files read, 0 from the cache"
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(
        ["a.tier2.yaml:6: param 'by' of mission 'bumper' must be a string, not 1"]
    )


def test_another_version_of_the_plugin_reads_every_file_again(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.runpytest().assert_outcomes(passed=2)
    monkeypatch.setattr(speccache, "code_key", lambda: b"another version")
    result = project.runpytest("-v")
    result.assert_outcomes(passed=2)
    assert cache_line(result) == "tier2: 2 suite files read, 0 from the cache"


def test_the_code_key_changes_with_any_source_of_the_package(tmp_path: Path) -> None:
    package = tmp_path / "pytest_tier2"
    shutil.copytree(speccache.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = speccache.code_key.__wrapped__(package)
    assert before == speccache.code_key.__wrapped__(package)
    module = package / "format" / "reader.py"
    module.write_text(module.read_text() + "\n")
    assert speccache.code_key.__wrapped__(package) != before


def test_a_damaged_entry_is_a_miss_and_is_written_again(project: pytest.Pytester) -> None:
    project.runpytest().assert_outcomes(passed=2)
    entries = sorted((project.path / ".pytest_cache" / "d" / speccache.CACHE_NAME).iterdir())
    assert len(entries) == 2
    for entry in entries:
        key = entry.read_bytes()[:32]
        entry.write_bytes(key + b"not a pickle")
    damaged = project.runpytest("-v")
    damaged.assert_outcomes(passed=2)
    assert cache_line(damaged) == "tier2: 2 suite files read, 0 from the cache"
    assert cache_line(project.runpytest("-v")) == "tier2: 2 suite files read, 2 from the cache"


def test_cache_clear_and_no_cacheprovider_read_every_file(project: pytest.Pytester) -> None:
    project.runpytest().assert_outcomes(passed=2)
    cleared = project.runpytest("-v", "--cache-clear")
    assert cache_line(cleared) == "tier2: 2 suite files read, 0 from the cache"
    without = project.runpytest("-v", "-p", "no:cacheprovider")
    without.assert_outcomes(passed=2)
    assert not any(line.startswith("tier2: ") for line in without.outlines)


READS_ENTRY_AFTER_RUN = """
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "call" and hasattr(item, "entry"):  # the suite ran in this call
        report.sections.append(("entry", f"{item.name} at line {item.entry.line}"))
    return report
"""


def test_an_items_entry_is_there_after_its_suite_ran_and_was_released(
    project: pytest.Pytester,
) -> None:
    """A conftest may read `item.entry` after the run: the suite is read from the cache again."""
    project.makeconftest(CONFTEST + READS_ENTRY_AFTER_RUN)
    project.runpytest().assert_outcomes(passed=2)  # fills the cache
    result = project.runpytest("-rA")
    result.assert_outcomes(passed=2)
    assert cache_line(project.runpytest("-v")) == "tier2: 2 suite files read, 2 from the cache"
    result.stdout.fnmatch_lines(["counter at line 8", "counter at line 8"])


EDITS_AFTER_COLLECTION = """
import shutil
from pathlib import Path


def pytest_collection_finish(session):
    if not Path("edit-after-collection").exists():
        return
    # Another session replaces the cache's entry while this file is being edited.
    shutil.rmtree(Path(".pytest_cache") / "d" / "tier2-specs")
    suite = Path("a.tier2.yaml")
    suite.write_text(suite.read_text().replace("expected: 2", "expected: 5"))
"""


def test_a_file_edited_between_collection_and_run_fails_rather_than_run_another_suite(
    project: pytest.Pytester,
) -> None:
    project.makeconftest(CONFTEST + EDITS_AFTER_COLLECTION)
    project.runpytest().assert_outcomes(passed=2)  # the cache has both
    project.path.joinpath("edit-after-collection").touch()
    result = project.runpytest("-v")
    assert cache_line(result) == "tier2: 2 suite files read, 2 from the cache"
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*a.tier2.yaml:1: the file changed after it was collected*"])
    # Without the cache, the suite read at collection runs, as pytest runs the module it
    # imported, whatever the file says by then.
    project.makefile(".tier2.yaml", a=suite())
    project.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_pin_file_is_verified_once_for_its_bytes_and_again_once_they_change(
    project: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verifying a pin re-encodes every recorded result; the cache remembers consistent bytes.
    An edit anywhere in the file, a hand-edited result included, is verified and caught."""
    assert project.runpytest("--tier2-golden=update").ret == pytest.ExitCode.OK
    verified: list[str] = []
    real = pinfile.verify_scenario

    def counted(scenario: str, pin: Mapping[str, Any]) -> str | None:
        verified.append(scenario)
        return real(scenario, pin)

    monkeypatch.setattr(pinfile, "verify_scenario", counted)
    project.runpytest("--tier2-golden=check").assert_outcomes(passed=4)
    assert verified == ["morning", "morning"]  # a.tier2.golden.json, b.tier2.golden.json
    verified.clear()
    project.runpytest("--tier2-golden=check").assert_outcomes(passed=4)
    assert verified == []

    pin = project.path / "a.tier2.golden.json"
    document = json.loads(pin.read_text("utf-8"))
    document["scenarios"]["morning"]["missions"]["bumper"]["result"]["final_state"]["counter"] = 9
    pin.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", "utf-8")
    edited = project.runpytest("--tier2-golden=check")
    edited.assert_outcomes(passed=3, failed=1)
    assert verified == ["morning"]
    edited.stdout.fnmatch_lines(["*a.tier2.golden.json:*mission 'bumper': recorded result*"])
