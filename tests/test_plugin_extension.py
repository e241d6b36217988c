"""End-to-end: extending pytest-tier2 from a conftest.py, and the example suites.

Every test drives a real pytest session through `pytester`, as a user would.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from tier2_test_support import error_section

EXAMPLES = Path(__file__).resolve().parent.parent / "example_suites"

RELEASE_CONFTEST = """\
from pytest_tier2 import StepSpec, WorkflowDefinition


def build_release(params):
    # A builder gets the call's params, or None when the call gave none.
    bump = 1 if params is None else params["bump"]
    return WorkflowDefinition(
        id="wf-release",
        steps=(
            StepSpec("approve", "human", {"description": "Approve"}),
            StepSpec(
                "bump",
                "runtime",
                {"operation": "bump_version", "by": bump, "had_params": params is not None},
            ),
        ),
    )


def bump_version(state, payload):
    return {**state, "version": state.get("version", 0) + payload["by"]}


def pytest_tier2_register(registry):
    registry.add_mission("release", build_release)  # REGISTER MISSION
    registry.add_operation("bump_version", bump_version)
"""


def uses_release(*, bump: int | None = None, first_id: str = "bumped") -> str:
    """A suite that calls the `release` mission and checks the new version."""
    params = "" if bump is None else f"\n        params: {{bump: {bump}}}"
    expected = 41 + (1 if bump is None else bump)
    return textwrap.dedent(
        """\
        scenarios:
          - name: ship
            initial_state: {{version: 41}}
            missions:
              - name: release{params}
        expectations:
          - id: {first_id}
            scenario: ship
            mission: release
            path: final_state.version
            op: eq
            expected: {expected}
          - id: {first_id}_had_params
            scenario: ship
            mission: release
            path: executed_steps.1.payload.had_params
            op: eq
            expected: {had_params}
        """
    ).format(
        params=params,
        first_id=first_id,
        expected=expected,
        had_params="false" if bump is None else "true",
    )


ECHO_ONLY = """\
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
"""


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of `text` that contains `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def test_public_names_import_from_the_package() -> None:
    from pytest_tier2 import StepSpec, WorkflowDefinition

    workflow = WorkflowDefinition(id="wf", steps=(StepSpec("s", "runtime", {"operation": "noop"}),))
    assert workflow.steps[0].payload == {"operation": "noop"}


def test_public_names_follow_a_core_imported_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """`pytest_tier2.WorkflowDefinition` is the class the registry checks, even after a reload.

    pytester's in-process runs remove the modules a run imported from `sys.modules`, so the
    next run imports the core again, while the `pytest_tier2` package (imported by pytest
    itself) keeps its `core` attribute. A conftest's `from pytest_tier2 import
    WorkflowDefinition`, early in that next run, must not get the previous run's class: the
    fresh registry would refuse its workflows with "builder returned WorkflowDefinition, not
    a WorkflowDefinition".
    """
    import pytest_tier2

    monkeypatch.setattr(pytest_tier2, "core", pytest_tier2.core)  # restored afterwards
    for name in [name for name in sys.modules if name.startswith("pytest_tier2.core")]:
        monkeypatch.delitem(sys.modules, name)  # as pytester leaves it after a run

    public = pytest_tier2.WorkflowDefinition  # a conftest's import, early in the next run
    from pytest_tier2.core.registry import Registry  # the plugin's import, later in it

    registry = Registry.with_builtins()
    registry.add_mission("mine", lambda params: public(id="wf-mine"))
    assert registry.build("mine", None).id == "wf-mine"


def test_register_hook_is_a_declared_hookspec(pytester: pytest.Pytester) -> None:
    config = pytester.parseconfigure()
    hook = config.pluginmanager.hook.pytest_tier2_register
    assert hook.spec is not None
    assert hook.spec.argnames == ("registry",)


def test_a_conftest_registers_a_mission_and_an_operation(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(RELEASE_CONFTEST)
    pytester.makefile(".tier2.yaml", with_params=uses_release(bump=3, first_id="by_three"))
    pytester.makefile(".tier2.yaml", without_params=uses_release(first_id="by_one"))
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=4)


def test_a_misspelt_hook_argument_is_refused_like_any_pytest_hook(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest("def pytest_tier2_register(registry, extra):\n    pass\n")
    pytester.makefile(".tier2.yaml", echo=ECHO_ONLY)
    result = pytester.runpytest()
    assert result.ret != pytest.ExitCode.OK
    output = f"{result.stdout}\n{result.stderr}"
    assert "Argument(s) {'extra'} are declared in the hookimpl but can not be found" in output


def test_a_name_registered_twice_at_two_levels_names_both_places(
    pytester: pytest.Pytester,
) -> None:
    top = pytester.makeconftest(RELEASE_CONFTEST)
    sub = pytester.mkdir("sub")
    again = sub / "conftest.py"
    again.write_text(RELEASE_CONFTEST.replace("bump_version", "bump_again"), encoding="utf-8")
    pytester.makefile(".tier2.yaml", top=uses_release(first_id="top"))
    (sub / "nested.tier2.yaml").write_text(uses_release(first_id="nested"), encoding="utf-8")

    result = pytester.runpytest("--continue-on-collection-errors", "-v")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["top.tier2.yaml::top PASSED*"], consecutive=False)
    line = line_of(RELEASE_CONFTEST, "# REGISTER MISSION")
    [message] = error_section(result, "sub/nested.tier2.yaml")
    assert message.startswith("sub/nested.tier2.yaml:1: "), message
    assert "mission 'release' is registered twice" in message
    assert f"{top}:{line}" in message
    assert f"{again}:{line}" in message
    assert "Traceback" not in str(result.stdout)


def test_re_registering_a_built_in_names_both_places(pytester: pytest.Pytester) -> None:
    conftest = pytester.makeconftest(
        "from pytest_tier2 import StepSpec, WorkflowDefinition\n"
        "\n"
        "def pytest_tier2_register(registry):\n"
        "    registry.add_mission('echo', lambda params: WorkflowDefinition(id='mine'))\n"
    )
    pytester.makefile(".tier2.yaml", echo=ECHO_ONLY)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    [message] = error_section(result, "echo.tier2.yaml")
    assert message.startswith("echo.tier2.yaml:1: "), message
    assert "mission 'echo' is registered twice" in message
    assert "built in" in message
    assert f"{conftest}:4" in message


def test_a_sub_directory_conftest_applies_only_to_suites_under_it(
    pytester: pytest.Pytester,
) -> None:
    shipping = pytester.mkdir("shipping")
    (shipping / "conftest.py").write_text(RELEASE_CONFTEST, encoding="utf-8")
    (shipping / "ships.tier2.yaml").write_text(uses_release(first_id="ships"), encoding="utf-8")
    deeper = shipping / "deeper"
    deeper.mkdir()
    (deeper / "deep.tier2.yaml").write_text(uses_release(first_id="deep"), encoding="utf-8")
    outside = pytester.mkdir("outside")
    stray = uses_release(first_id="stray")
    (outside / "stray.tier2.yaml").write_text(stray, encoding="utf-8")

    result = pytester.runpytest("--continue-on-collection-errors", "-v")
    result.assert_outcomes(passed=4, errors=1)
    [message] = error_section(result, "outside/stray.tier2.yaml")
    line = line_of(stray, "- name: release")
    assert message.startswith(f"outside/stray.tier2.yaml:{line}: unknown mission 'release'")


# -- the example suites ------------------------------------------------------------------


def example_expectations() -> list[dict[str, object]]:
    """The expectations as written: one naming an outline stands for one item per row."""
    expectations = []
    for path in sorted(EXAMPLES.glob("*.tier2.y*ml")):
        expectations.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["expectations"])
    return expectations


def example_items() -> list[dict[str, object]]:
    """The expectation behind each item of the example suites: one per row of an outline."""
    items = []
    for path in sorted(EXAMPLES.glob("*.tier2.y*ml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        rows = {s["name"]: len(s.get("examples", [None])) for s in document["scenarios"]}
        for expectation in document["expectations"]:
            items.extend([expectation] * rows[expectation["scenario"]])
    return items


def test_example_suites_pass(pytester: pytest.Pytester) -> None:
    shutil.copytree(EXAMPLES, pytester.path / "example_suites")
    expectations = example_items()
    xfails = sum(1 for expectation in expectations if "xfail" in expectation)
    assert xfails >= 1
    result = pytester.runpytest("example_suites", "--strict-markers", "-W", "error")
    result.assert_outcomes(passed=len(expectations) - xfails, xfailed=xfails, warnings=0)
    assert result.ret == pytest.ExitCode.OK


def test_example_suites_use_every_op_and_each_built_in_mission() -> None:
    from pytest_tier2.core.comparisons import ALL_OPS
    from pytest_tier2.core.registry import Registry

    documents = [
        yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted(EXAMPLES.glob("*.tier2.y*ml"))
    ]
    assert len(documents) >= 3
    calls = [
        call
        for document in documents
        for scenario in document["scenarios"]
        for call in scenario["missions"]
    ]
    missions = {call["name"] for call in calls}
    assert {expectation["op"] for expectation in example_expectations()} == set(ALL_OPS)
    built_in = set(Registry.with_builtins().missions)
    assert built_in <= missions
    assert missions - built_in, "no custom mission from the conftest"
    assert any("as" in call for call in calls), "no mission alias"
