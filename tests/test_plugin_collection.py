"""End-to-end: how pytest collects and selects `*.tier2.yaml` suites, as a user runs it.

Every test here drives a real pytest session through `pytester`, the way a user types
`pytest ...` in a repository with suite files in it.
"""

from __future__ import annotations

import collections
import textwrap
from pathlib import Path

import pytest

ORDERS = """\
suite: orders
scenarios:
  - name: morning
    initial_state: {counter: 0}
    missions:
      - name: daily_loop
      - name: echo
        as: echo_hello
        params: {message: hello}
  - name: evening
    missions:
      - name: echo
expectations:
  - id: loop_succeeds
    scenario: morning
    mission: daily_loop
    path: success
    op: eq
    expected: true
    marks: [slow]
  - id: echo_keeps_counter
    scenario: morning
    mission: echo_hello
    path: final_state.counter
    op: eq
    expected: 0
  - id: hello_is_carried
    scenario: morning
    mission: echo_hello
    path: executed_steps.0.payload.params.message
    op: eq
    expected: hello
  - id: late_echo_succeeds
    scenario: evening
    mission: echo
    path: success
    op: eq
    expected: true
"""

NOTES = """\
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

ORDERS_IDS = [
    "orders.tier2.yaml::loop_succeeds",
    "orders.tier2.yaml::echo_keeps_counter",
    "orders.tier2.yaml::hello_is_carried",
    "orders.tier2.yaml::late_echo_succeeds",
]


def one_expectation(eid: str, *, expected: object = "true", extra: str = "") -> str:
    """A one-scenario suite whose single expectation checks that `echo` succeeded."""
    return textwrap.dedent(
        f"""\
        scenarios:
          - name: only
            missions:
              - name: echo
        expectations:
          - id: {eid}
            scenario: only
            mission: echo
            path: success
            op: eq
            expected: {expected}
        """
    ) + textwrap.indent(textwrap.dedent(extra), "    ")


def node_ids(result: pytest.RunResult) -> list[str]:
    """The node ids that `--collect-only -q` printed, in order."""
    return [line for line in result.outlines if "::" in line]


def ran(result: pytest.RunResult) -> list[str]:
    """The node ids that a `-v` run reported, in order."""
    return [line.split(" ")[0] for line in result.outlines if "::" in line and line.endswith("%]")]


def section_body(result: pytest.RunResult, title: str) -> list[str]:
    """The lines under the `____ title ____` header, up to the next header or rule."""
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if title in line and line.startswith("_"))
    body = []
    for line in lines[start + 1 :]:
        if line.startswith(("_", "=")):
            break
        body.append(line)
    return body


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of `text` that contains `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


@pytest.fixture
def orders(pytester: pytest.Pytester) -> pytest.Pytester:
    """A repository with two suite files, one `.yaml` and one `.yml`, and a plain YAML file."""
    pytester.makefile(".tier2.yaml", orders=ORDERS)
    pytester.makefile(".tier2.yml", notes=NOTES)
    pytester.makefile(".yaml", ignored=NOTES)  # not a suite: must not be collected
    pytester.makeini("[pytest]\nmarkers =\n    slow: takes a while\n")
    return pytester


# -- collection tree and node ids ------------------------------------------------------


def test_collect_only_lists_one_node_id_per_expectation(orders: pytest.Pytester) -> None:
    result = orders.runpytest("--collect-only", "-q")
    assert node_ids(result) == ["notes.tier2.yml::echo_succeeds", *ORDERS_IDS]
    result.stdout.fnmatch_lines(["5 tests collected*"])
    assert result.ret == pytest.ExitCode.OK


def test_one_file_node_per_suite_file_with_its_items_directly_under_it(
    orders: pytest.Pytester,
) -> None:
    items, _ = orders.inline_genitems()
    files = collections.Counter(item.parent for item in items)  # file > item: no level between
    assert all(isinstance(node, pytest.File) for node in files)
    assert all(item.nodeid == f"{item.parent.nodeid}::{item.name}" for item in items)
    assert {node.name: count for node, count in files.items()} == {
        "orders.tier2.yaml": 4,
        "notes.tier2.yml": 1,
    }
    assert [item.name for item in items if item.path.name == "orders.tier2.yaml"] == [
        nodeid.rsplit("::", 1)[1] for nodeid in ORDERS_IDS
    ]
    assert all(isinstance(item, pytest.Item) for item in items)


# -- selection: -k, -m, --deselect, node ids ------------------------------------------


def test_k_selects_by_expectation_id(orders: pytest.Pytester) -> None:
    result = orders.runpytest("-v", "-k", "hello_is_carried")
    assert ran(result) == ["orders.tier2.yaml::hello_is_carried"]
    result.assert_outcomes(passed=1, deselected=4)


def test_k_selects_by_scenario_name(orders: pytest.Pytester) -> None:
    result = orders.runpytest("-v", "-k", "morning")
    assert ran(result) == ORDERS_IDS[:3]
    result.assert_outcomes(passed=3, deselected=2)


def test_m_selects_by_the_marks_key(orders: pytest.Pytester) -> None:
    slow = orders.runpytest("-v", "--strict-markers", "-m", "slow")
    assert ran(slow) == ["orders.tier2.yaml::loop_succeeds"]
    slow.assert_outcomes(passed=1, deselected=4)

    fast = orders.runpytest("-v", "--strict-markers", "-m", "not slow")
    assert "orders.tier2.yaml::loop_succeeds" not in ran(fast)
    fast.assert_outcomes(passed=4, deselected=1)


def test_strict_markers_refuses_an_unregistered_mark_as_for_python_tests(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".tier2.yaml", marked=one_expectation("a", extra="marks: [nightly]\n"))
    result = pytester.runpytest("--strict-markers")
    result.stdout.fnmatch_lines(
        ["*ERROR collecting marked.tier2.yaml*", "*'nightly' not found in `markers`*"]
    )
    assert result.ret == pytest.ExitCode.INTERRUPTED
    # Without --strict-markers an unknown mark is only a warning, as for Python tests.
    lenient = pytester.runpytest()
    lenient.assert_outcomes(passed=1, warnings=1)


def test_deselect_one_node_id(orders: pytest.Pytester) -> None:
    result = orders.runpytest("-v", "--deselect", ORDERS_IDS[1])
    assert ORDERS_IDS[1] not in ran(result)
    result.assert_outcomes(passed=4, deselected=1)


def test_running_one_node_id(orders: pytest.Pytester) -> None:
    result = orders.runpytest("-v", ORDERS_IDS[2])
    assert ran(result) == [ORDERS_IDS[2]]
    result.assert_outcomes(passed=1)


def test_k_with_a_scenario_name_runs_exactly_its_expectations(orders: pytest.Pytester) -> None:
    result = orders.runpytest("-v", "-k", "evening")
    assert ran(result) == [ORDERS_IDS[3]]
    result.assert_outcomes(passed=1, deselected=4)
    # A scenario is no node of its own: `-k <scenario>` is how to run one.
    gone = orders.runpytest("orders.tier2.yaml::evening")
    assert gone.ret == pytest.ExitCode.USAGE_ERROR
    gone.stderr.fnmatch_lines(["ERROR: not found: *orders.tier2.yaml::evening"])


# -- after a failure: --lf and -x -------------------------------------------------------


def test_lf_reruns_only_the_failed_expectation(orders: pytest.Pytester) -> None:
    broken = ORDERS.replace("expected: hello", "expected: goodbye")
    (orders.path / "orders.tier2.yaml").write_text(broken, encoding="utf-8")
    first = orders.runpytest("-v")
    first.assert_outcomes(passed=4, failed=1)

    # Items sit directly under their file, so --lf drops the others while collecting the
    # file (as for test functions in a module): one item collected, none deselected.
    again = orders.runpytest("-v", "--lf")
    again.stdout.fnmatch_lines(
        [
            "collecting ... collected 1 item",
            "*run-last-failure: rerun previous 1 failure (skipped 1 file)*",
        ]
    )
    assert ran(again) == [ORDERS_IDS[2]]
    again.assert_outcomes(failed=1)

    (orders.path / "orders.tier2.yaml").write_text(ORDERS, encoding="utf-8")
    fixed = orders.runpytest("-v", "--lf")
    fixed.stdout.fnmatch_lines(
        [
            "collecting ... collected 1 item",
            "*run-last-failure: rerun previous 1 failure (skipped 1 file)*",
        ]
    )
    assert ran(fixed) == [ORDERS_IDS[2]]
    fixed.assert_outcomes(passed=1)


def test_x_stops_after_the_first_failing_expectation(pytester: pytest.Pytester) -> None:
    pytester.makefile(".tier2.yaml", a_broken=one_expectation("first_fails", expected="false"))
    pytester.makefile(".tier2.yaml", b_fine=one_expectation("never_runs"))
    result = pytester.runpytest("-x")
    result.stdout.fnmatch_lines(["*stopping after 1 failures*"])
    result.assert_outcomes(failed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED


# -- skip: and xfail: -------------------------------------------------------------------


def test_skip_and_xfail_keys_give_skipped_and_xfailed_outcomes(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".tier2.yaml",
        flaky=textwrap.dedent(
            """\
            scenarios:
              - name: only
                missions:
                  - name: echo
            expectations:
              - id: plain
                scenario: only
                mission: echo
                path: success
                op: eq
                expected: true
              - id: skipped_one
                scenario: only
                mission: echo
                path: success
                op: eq
                expected: false
                skip: "not on Tuesdays"
              - id: known_broken
                scenario: only
                mission: echo
                path: success
                op: eq
                expected: false
                xfail: "echo cannot fail yet"
              - id: fixed_already
                scenario: only
                mission: echo
                path: success
                op: eq
                expected: true
                xfail: "thought to be broken"
            """
        ),
    )
    result = pytester.runpytest("-rsxX")
    result.assert_outcomes(passed=1, skipped=1, xfailed=1, xpassed=1)
    result.stdout.fnmatch_lines(
        [
            "SKIPPED [[]1[]] flaky.tier2.yaml*not on Tuesdays",
            "XFAIL flaky.tier2.yaml::known_broken - echo cannot fail yet",
            "XPASS flaky.tier2.yaml::fixed_already*thought to be broken",
        ],
        consecutive=False,
    )
    # xfail_strict turns the unexpected pass into a failure, as for Python tests.
    strict = pytester.runpytest("-o", "xfail_strict=true")
    strict.assert_outcomes(passed=1, skipped=1, xfailed=1, failed=1)


# -- file format details ----------------------------------------------------------------


def test_suite_name_defaults_to_the_file_name(pytester: pytest.Pytester) -> None:
    pytester.makefile(".tier2.yaml", nightly_checks=one_expectation("a"))
    pytester.makefile(".tier2.yml", weekly=one_expectation("b"))
    pytester.makefile(".tier2.yaml", named=f"suite: custom_name\n{one_expectation('c')}")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        [
            "*tier2 suite hashes*",
            "named.tier2.yaml (custom_name): *",
            "nightly_checks.tier2.yaml (nightly_checks): *",
            "weekly.tier2.yml (weekly): *",
        ]
    )


def test_a_file_with_a_utf8_bom_collects_runs_and_keeps_its_line_numbers(
    pytester: pytest.Pytester,
) -> None:
    text = one_expectation("with_bom")
    (pytester.path / "bom.tier2.yaml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    items, _ = pytester.inline_genitems()
    assert [item.location[1] for item in items] == [line_of(text, "- id: with_bom") - 1]
    pytester.runpytest().assert_outcomes(passed=1)


# -- a suite runs once per file, only when selected, and never during collection --------

COUNTING_CONFTEST = """\
import os
from pathlib import Path

from pytest_tier2 import StepSpec, WorkflowDefinition

LOG = Path(__file__).parent / "calls.log"


def log(what):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with LOG.open("a", encoding="utf-8") as stream:
        stream.write(f"{worker} {what}\\n")


def build_counted(params):
    tag = (params or {}).get("tag", "none")
    log(f"build {tag}")
    return WorkflowDefinition(
        id="wf-counted",
        steps=(
            StepSpec("count-1", "runtime", {"operation": "count_call", "tag": tag}),
            StepSpec("count-2", "runtime", {"operation": "count_call", "tag": tag}),
        ),
    )


def count_call(state, payload):
    log(f"op {payload['tag']}")
    return {**state, "calls": state.get("calls", 0) + 1}


def pytest_tier2_register(registry):
    registry.add_mission("counted", build_counted)
    registry.add_operation("count_call", count_call)
"""

COUNTED = """\
scenarios:
  - name: twice
    initial_state: {calls: 0}
    missions:
      - name: counted
        as: first
        params: {tag: a}
      - name: counted
        as: second
        params: {tag: b}
expectations:
  - id: first_counts_two_calls
    scenario: twice
    mission: first
    path: final_state.calls
    op: eq
    expected: 2
  - id: second_counts_two_calls
    scenario: twice
    mission: second
    path: final_state.calls
    op: eq
    expected: 2
  - id: first_succeeds
    scenario: twice
    mission: first
    path: success
    op: eq
    expected: true
  - id: second_succeeds
    scenario: twice
    mission: second
    path: success
    op: eq
    expected: true
  - id: first_ran_both_steps
    scenario: twice
    mission: first
    path: executed_steps.1.id
    op: eq
    expected: count-2
"""


@pytest.fixture
def counting(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A conftest mission that logs every builder and handler call to `calls.log`."""
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)  # when this file runs under -n
    pytester.makeconftest(COUNTING_CONFTEST)
    pytester.makefile(".tier2.yaml", counted=COUNTED)
    pytester.makefile(".tier2.yaml", other=one_expectation("other_echo_succeeds"))
    return pytester


def calls(pytester: pytest.Pytester) -> list[str]:
    log = pytester.path / "calls.log"
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []


def test_collection_never_builds_a_mission_or_calls_an_operation(
    counting: pytest.Pytester,
) -> None:
    result = counting.runpytest("--collect-only", "-q")
    assert len(node_ids(result)) == 6
    assert calls(counting) == []


def test_a_full_run_runs_each_mission_call_once_not_once_per_item(
    counting: pytest.Pytester,
) -> None:
    result = counting.runpytest()
    result.assert_outcomes(passed=6)
    # Two mission calls in the file, each with two steps: 2 builds and 4 handler calls,
    # however many of the file's 5 items read them.
    assert calls(counting) == [
        "main build a",
        "main op a",
        "main op a",
        "main build b",
        "main op b",
        "main op b",
    ]


def test_a_suite_with_no_selected_item_never_runs(counting: pytest.Pytester) -> None:
    result = counting.runpytest("-k", "other_echo_succeeds")
    result.assert_outcomes(passed=1, deselected=5)
    assert calls(counting) == []


def test_a_suite_with_one_selected_item_runs_in_full_once(counting: pytest.Pytester) -> None:
    result = counting.runpytest("-k", "second_succeeds")
    result.assert_outcomes(passed=1, deselected=5)
    assert [line for line in calls(counting) if " build " in line] == [
        "main build a",
        "main build b",
    ]


def test_under_xdist_each_worker_runs_a_suite_at_most_once(counting: pytest.Pytester) -> None:
    result = counting.runpytest("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
    builds = collections.Counter(line for line in calls(counting) if " build " in line)
    assert builds, "the suite never ran"
    assert set(builds.values()) == {1}, builds
    workers = {line.split()[0] for line in builds}
    assert {f"{worker} build {tag}" for worker in workers for tag in "ab"} == set(builds)


# -- bad files: one short located collection error; the other files still run ------------

GOOD = one_expectation("good_one_passes")

BAD_FILES = {
    "unknown_key": (
        one_expectation("a", extra="colour: red  # HERE\n"),
        "unknown key 'colour' in expectation",
    ),
    "duplicate_id": (
        one_expectation("twin")
        + "  - id: twin  # HERE\n"
        + "    scenario: only\n    mission: echo\n    path: success\n    op: eq\n"
        + "    expected: true\n",
        "duplicate expectation id 'twin' (first at line {first})",
    ),
    "python_tag": (
        one_expectation("a").replace(
            "  - name: only\n",
            "  - name: only\n"
            '    initial_state: !!python/object/apply:os.system ["echo pwned > pwned.txt"]'
            "  # HERE\n",
        ),
        "tag '!!python/object/apply:os.system' is not allowed",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_a_bad_file_is_one_located_collection_error_and_others_still_run(
    pytester: pytest.Pytester, case: str
) -> None:
    text, message = BAD_FILES[case]
    line = line_of(text, "# HERE")
    if "{first}" in message:
        message = message.format(first=line_of(text, "- id: twin"))
    pytester.makefile(".tier2.yaml", bad=text, good=GOOD)

    stopped = pytester.runpytest()
    stopped.assert_outcomes(errors=1)
    assert stopped.ret == pytest.ExitCode.INTERRUPTED
    stopped.stdout.fnmatch_lines(
        [
            "collected 1 item / 1 error",  # the good file beside it still collects
            "*ERROR collecting bad.tier2.yaml*",
            f"bad.tier2.yaml:{line}: {message}*",
            "*Interrupted: 1 error during collection*",
        ]
    )
    # The whole report is that one line: no traceback, no frame of the plugin.
    [report] = section_body(stopped, "ERROR collecting bad.tier2.yaml")
    assert report.startswith(f"bad.tier2.yaml:{line}: {message}")

    carried_on = pytester.runpytest("--continue-on-collection-errors", "-v")
    carried_on.assert_outcomes(passed=1, errors=1)
    carried_on.stdout.fnmatch_lines(["good.tier2.yaml::good_one_passes PASSED*"])
    assert carried_on.ret == pytest.ExitCode.TESTS_FAILED
    assert not Path(pytester.path, "pwned.txt").exists()
