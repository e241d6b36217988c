"""End-to-end: scenario outlines (`examples`) and the `format` version, as a user runs them.

An outline is a scenario written once and run over a table of rows, as pytest's
`parametrize` and Gherkin's Scenario Outline do. Each row is its own scenario
`<scenario>-<row id>`, and each expectation naming the outline is one plain item per row,
`<expectation id>-<row id>`, directly under its file.
"""

from __future__ import annotations

import io
import json
import textwrap
import xml.etree.ElementTree as ET
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from tier2_test_support import CollectedTogether, collect_together, error_section

from pytest_tier2 import cli

OUTLINE = """\
scenarios:
  - name: steps
    examples:
      - {id: one, n: 1}
      - {id: three, n: 3}
    missions:
      - name: echo
        params:
          n: ${n}
          label: "run-${n}"
  - name: plain
    missions:
      - name: echo
expectations:
  - {id: carried, scenario: steps, mission: echo, path: executed_steps.0.payload.params.n,
     op: eq, expected: "${n}"}
  - {id: labelled, scenario: steps, mission: echo, path: executed_steps.0.payload.params.label,
     op: eq, expected: "run-${n}"}
  - {id: plain_ok, scenario: plain, mission: echo, path: success, op: eq, expected: true}
"""

OUTLINE_IDS = [
    "o.tier2.yaml::carried-one",
    "o.tier2.yaml::carried-three",
    "o.tier2.yaml::labelled-one",
    "o.tier2.yaml::labelled-three",
    "o.tier2.yaml::plain_ok",
]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based number of the `occurrence`-th line of `text` that contains `needle`."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    return found[occurrence - 1]


def node_ids(result: pytest.RunResult) -> list[str]:
    return [line for line in result.outlines if "::" in line]


def ran(result: pytest.RunResult) -> list[str]:
    """The node ids that a `-v` run reported, in order."""
    return [line.split(" ")[0] for line in result.outlines if "::" in line and line.endswith("%]")]


def report(pytester: pytest.Pytester) -> dict[str, Any]:
    (suite,) = json.loads((pytester.path / "report.json").read_text("utf-8"))["suites"]
    result: dict[str, Any] = suite["result"]
    return result


def params_of(result: dict[str, Any], scenario: str, mission: str = "echo") -> Any:
    scenarios = result["suite_result"]["scenario_results"]
    return scenarios[scenario]["mission_results"][mission]["executed_steps"][0]["payload"]["params"]


def collection_error(pytester: pytest.Pytester, text: str, name: str = "o") -> str:
    """The one `file:line: message` line that collecting a bad suite file prints."""
    pytester.makefile(".tier2.yaml", **{name: text})
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED
    (line,) = {line for line in result.outlines if line.startswith(f"{name}.tier2.yaml:")}
    return line


# ------------------------------------------------------------------ expansion


def test_each_row_is_a_scenario_and_each_expectation_an_item_per_row(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".tier2.yaml", o=OUTLINE)
    collected = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    assert node_ids(collected) == OUTLINE_IDS
    result = pytester.runpytest("-p", "no:cacheprovider", "--tier2-report=report.json")
    result.assert_outcomes(passed=5)
    scenarios = report(pytester)["suite_result"]["scenario_results"]
    assert list(scenarios) == ["plain", "steps-one", "steps-three"]
    # `${n}` and `"${n}"` are both the row's integer; inside a longer string, its text.
    assert params_of(report(pytester), "steps-one") == {"label": "run-1", "n": 1}
    assert params_of(report(pytester), "steps-three") == {"label": "run-3", "n": 3}
    hashes = {name: s["metadata"]["scenario_hash"] for name, s in scenarios.items()}
    assert len(set(hashes.values())) == 3, "each row has a result and hash of its own"


def test_expanded_items_are_plain_items_under_the_file(pytester: pytest.Pytester) -> None:
    """No callspec and no collector per outline: IDE trees see file > item, as for v1."""
    pytester.makefile(".tier2.yaml", o=OUTLINE)
    items, _ = pytester.inline_genitems("-p", "no:cacheprovider")
    assert [item.nodeid for item in items] == OUTLINE_IDS
    for item in items:
        assert not hasattr(item, "callspec")
        assert isinstance(item.parent, pytest.File)
    line = line_of(OUTLINE, "id: carried")
    assert items[1].location == ("o.tier2.yaml", line - 1, "carried-three")


@pytest.mark.parametrize(
    ("keyword", "selected"),
    [
        ("steps", ["carried-one", "carried-three", "labelled-one", "labelled-three"]),
        ("one", ["carried-one", "labelled-one"]),
        ("carried and three", ["carried-three"]),
        ("not steps", ["plain_ok"]),
    ],
)
def test_k_selects_outline_rows_as_users_expect(
    pytester: pytest.Pytester, keyword: str, selected: list[str]
) -> None:
    pytester.makefile(".tier2.yaml", o=OUTLINE)
    result = pytester.runpytest("-v", "-p", "no:cacheprovider", "-k", keyword)
    assert ran(result) == [f"o.tier2.yaml::{name}" for name in selected]
    result.assert_outcomes(passed=len(selected))


def test_a_failing_row_names_the_expectation_and_the_row(pytester: pytest.Pytester) -> None:
    text = OUTLINE.replace('expected: "${n}"}', "expected: 3}")
    pytester.makefile(".tier2.yaml", o=text)
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "--junitxml=junit.xml", "-o", "junit_family=xunit1"
    )
    result.assert_outcomes(passed=4, failed=1)
    expectation, row = line_of(text, "id: carried"), line_of(text, "id: one")
    result.stdout.fnmatch_lines(
        [
            "eq_mismatch at executed_steps.0.payload.params.n: expected 3, got 1",
            f"o.tier2.yaml:{expectation}: expectation 'carried-one'",
            "  scenario  steps-one",
            f"  row       'one' at o.tier2.yaml:{row}",
            "  mission   echo",
            "  path      executed_steps.0.payload.params.n",
            "  op        eq",
            "  expected  3",
            "  actual    1",
        ]
    )
    case = ET.parse(pytester.path / "junit.xml").find(".//testcase[@name='carried-one']")
    assert case is not None
    assert (case.get("file"), case.get("line")) == ("o.tier2.yaml", str(expectation - 1))


def test_values_keep_their_type_whole_and_become_text_inside_strings(
    pytester: pytest.Pytester,
) -> None:
    text = textwrap.dedent(
        """\
        scenarios:
          - name: kinds
            examples:
              - id: all
                number: 1.5
                flag: true
                nothing: null
                word: "007"
                state: {counter: 2}
                items: [a, b]
            initial_state: ${state}
            missions:
              - name: echo
                as: call_${id}
                params:
                  whole:  # a block list: in [ ], YAML needs the quotes, as in "${flag}"
                    - ${number}
                    - "${flag}"
                    - ${nothing}
                    - ${word}
                    - ${items}
                  text: "${number} ${flag} ${nothing} ${word} ${id}"
        expectations:
          - id: kept
            scenario: kinds
            mission: call_${id}
            path: final_state.counter
            op: eq
            expected: 2
        """
    )
    pytester.makefile(".tier2.yaml", o=text)
    result = pytester.runpytest("-p", "no:cacheprovider", "--tier2-report=report.json")
    result.assert_outcomes(passed=1)
    params = params_of(report(pytester), "kinds-all", "call_all")
    assert params == {
        "whole": [1.5, True, None, "007", ["a", "b"]],
        "text": "1.5 true null 007 all",
    }


def test_a_path_and_expected_take_the_rows_values(pytester: pytest.Pytester) -> None:
    text = textwrap.dedent(
        """\
        scenarios:
          - name: loop
            examples:
              - {id: first, index: 0, step: daily-confirm-priorities}
              - {id: last, index: 3, step: daily-log-summary}
            missions:
              - name: daily_loop
        expectations:
          - id: step_at
            scenario: loop
            mission: daily_loop
            path: executed_steps.${index}.id
            op: eq
            expected: ${step}
        """
    )
    pytester.makefile(".tier2.yaml", o=text)
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    assert ran(result) == ["o.tier2.yaml::step_at-first", "o.tier2.yaml::step_at-last"]
    result.assert_outcomes(passed=2)


def test_dollar_dollar_is_a_literal_dollar(pytester: pytest.Pytester) -> None:
    text = textwrap.dedent(
        """\
        scenarios:
          - name: money
            examples:
              - {id: ten, n: 10}
            missions:
              - name: echo
                params:
                  literal: "$${n}"
                  price: "$$${n}"
                  untouched: "$5 and $$ stay"
        expectations: []
        """
    )
    pytester.makefile(".tier2.yaml", o=text)
    result = pytester.runpytest("-p", "no:cacheprovider", "--tier2-golden=update")
    result.assert_outcomes(passed=1)
    pins = json.loads((pytester.path / "o.tier2.golden.json").read_text("utf-8"))
    mission = pins["scenarios"]["money-ten"]["missions"]["echo"]["result"]
    assert mission["executed_steps"][0]["payload"]["params"] == {
        "literal": "${n}",
        "price": "$10",
        "untouched": "$5 and $$ stay",
    }


def test_a_version_1_file_keeps_dollar_text_as_written(pytester: pytest.Pytester) -> None:
    """Without `examples` or `format: 1.1`, `${...}` is text, as it always was."""
    text = textwrap.dedent(
        """\
        scenarios:
          - name: shell
            missions:
              - name: echo
                params: {command: "echo ${HOME} $$"}
        expectations:
          - id: kept
            scenario: shell
            mission: echo
            path: executed_steps.0.payload.params.command
            op: eq
            expected: "echo ${HOME} $$"
        """
    )
    pytester.makefile(".tier2.yaml", o=text)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    declared = "format: 1.1\n" + text
    assert collection_error(pytester, declared) == (
        f"o.tier2.yaml:{line_of(declared, 'params:')}: '${{HOME}}' in scenario 'shell', which "
        "has no examples to give it a value; name an outline, or write $${ for a literal ${"
    )


# ------------------------------------------------------------------ golden and xdist


def test_golden_pins_one_per_row_and_a_row_change_drifts_only_its_pin(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".tier2.yaml", o=OUTLINE)
    update = pytester.runpytest("-v", "-p", "no:cacheprovider", "--tier2-golden=update")
    update.assert_outcomes(passed=8)
    assert [n for n in ran(update) if "@" in n] == [
        "o.tier2.yaml::steps-one@golden",
        "o.tier2.yaml::steps-three@golden",
        "o.tier2.yaml::plain@golden",
    ]
    pins = json.loads((pytester.path / "o.tier2.golden.json").read_text("utf-8"))
    assert sorted(pins["scenarios"]) == ["plain", "steps-one", "steps-three"]
    pytester.runpytest("-p", "no:cacheprovider", "--tier2-golden").assert_outcomes(passed=8)

    pytester.makefile(".tier2.yaml", o=OUTLINE.replace("{id: three, n: 3}", "{id: three, n: 4}"))
    check = pytester.runpytest("-p", "no:cacheprovider", "--tier2-golden")
    check.assert_outcomes(passed=7, failed=1)
    row = line_of(OUTLINE, "id: three")
    check.stdout.fnmatch_lines(
        [
            "golden drift in scenario 'steps-three': mission 'echo' "
            'executed_steps.0.payload.params.label: "run-3" -> "run-4" (and 1 more)',
            f"o.tier2.yaml:{row}: scenario 'steps-three' (pinned in o.tier2.golden.json)",
        ]
    )


def test_xdist_gives_the_serial_outcomes_and_hashes(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".tier2.yaml", o=OUTLINE.replace('expected: "run-${n}"}', 'expected: "run-1"}')
    )
    serial = pytester.runpytest("-p", "no:cacheprovider", "--tier2-report=serial.json", "-rA")
    serial.assert_outcomes(passed=4, failed=1)
    parallel = pytester.runpytest(
        "-p", "no:cacheprovider", "-n", "2", "--tier2-report=parallel.json", "-rA"
    )
    parallel.assert_outcomes(passed=4, failed=1)
    parallel.stdout.fnmatch_lines(["FAILED o.tier2.yaml::labelled-three*"])
    assert (pytester.path / "serial.json").read_bytes() == (
        pytester.path / "parallel.json"
    ).read_bytes()


# ------------------------------------------------------------------ the CLI


def tier2(*args: str) -> tuple[int, list[str]]:
    """`python -m pytest_tier2 ARGS` in this process and (pytester's) directory: the exit code
    and the lines it printed on stdout."""
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        code = cli.main(list(args))
    return code, out.getvalue().splitlines()


def test_show_prints_the_expanded_scenarios_and_validate_knows_outlines(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".tier2.yaml", o=OUTLINE)
    code, shown = tier2("show", "o.tier2.yaml", "-s", "steps")
    assert code == 0
    headers = [line.split("  (")[0] for line in shown if line.startswith("scenario ")]
    assert headers == [
        "scenario steps-one / mission echo",
        "scenario steps-one",
        "scenario steps-three / mission echo",
        "scenario steps-three",
    ]
    assert '  executed_steps.0.payload.params.label = "run-3"' in shown

    pytester.makefile(".tier2.yaml", bad=OUTLINE.replace("- {id: three, n: 3}", "- {n: 3}"))
    code, validated = tier2("validate", ".")
    assert code == 1
    row = line_of(OUTLINE, "id: three")
    assert validated[0] == (
        f"bad.tier2.yaml:{row}: row without an 'id' in the examples of 'steps': each row "
        "needs one, to name its scenario"
    )
    assert validated[1:] == []


# ------------------------------------------------------------------ errors at their line

ERRORS: dict[str, tuple[str, str, str]] = {
    # name: (replace this, with this, the message; `@N` stands for the line of the change)
    "unknown_variable": (
        'label: "run-${n}"',
        'label: "run-${nn}"',
        "unknown variable 'nn' in outline 'steps' (its rows define: id, n); did you mean 'n'?",
    ),
    "row_without_id": (
        "- {id: three, n: 3}",
        "- {n: 3}",
        "row without an 'id' in the examples of 'steps': each row needs one, to name its scenario",
    ),
    "duplicate_row_id": (
        "- {id: three, n: 3}",
        "- {id: one, n: 3}",
        "duplicate row id 'one' in the examples of 'steps' (first at line 4)",
    ),
    "rows_with_other_variables": (
        "- {id: three, n: 3}",
        "- {id: three, m: 3}",
        "row 'three' of outline 'steps' lacks n and adds m: every row defines the variables of "
        "the first row 'one' (line 4): n",
    ),
    "row_id_not_a_name": (
        "- {id: three, n: 3}",
        "- {id: 'three rows', n: 3}",
        "row id 'three rows' is not a valid name: use letters, digits, '_' and '-', "
        "not starting with '-'",
    ),
    "variable_name_not_a_name": (
        "- {id: three, n: 3}",
        "- {id: three, n: 3, 2n: 6}",
        "variable name '2n' in the examples of 'steps' is not valid: use letters, digits and "
        "'_', not starting with a digit",
    ),
    "empty_examples": (
        "    examples:\n      - {id: one, n: 1}\n      - {id: three, n: 3}",
        "    examples: []",
        "'examples' of outline 'steps' must list at least one row",
    ),
    "malformed_reference": (
        'label: "run-${n}"',
        'label: "run-${ n }"',
        "malformed variable in 'run-${ n }': write ${name} with a name of letters, digits and "
        "'_', or write $${ for a literal ${",
    ),
    "variable_in_a_key": (
        'label: "run-${n}"',
        "label_${n}: run",
        "mapping key 'label_${n}' holds '${': variables are not replaced in keys, only in values",
    ),
    "variable_in_the_op": (
        'op: eq, expected: "${n}"',
        'op: "${n}", expected: 1',
        "'op' holds '${': variables are replaced only in initial_state, params and as, and in "
        "an expectation's mission, path, expected, rel and abs",
    ),
    "variable_on_a_plain_scenario": (
        "plain_ok, scenario: plain, mission: echo, path: success, op: eq, expected: true",
        'plain_ok, scenario: plain, mission: echo, path: success, op: eq, expected: "${n}"',
        "'${n}' in expectation 'plain_ok' (scenario 'plain'), which has no examples to give it "
        "a value; name an outline, or write $${ for a literal ${",
    ),
    "generated_scenario_name_is_written": (
        "  - name: plain\n",
        "  - name: steps-one\n",
        "outline 'steps' row 'one' makes the scenario name 'steps-one', which is also written "
        "at line @N; rename one of them",
    ),
    "generated_expectation_id_is_written": (
        "{id: plain_ok,",
        "{id: carried-three,",
        "expectation 'carried' with row 'three' (line 5) makes the id 'carried-three', which is "
        "also written at line @N; rename one of them",
    ),
    "outline_name_is_written_twice": (
        "  - name: plain\n",
        "  - name: steps\n",
        "duplicate scenario name 'steps' (first at line 2)",
    ),
    "unknown_mission_in_an_outline": (
        "      - name: echo\n        params:",
        "      - name: ecco\n        params:",
        "unknown mission 'ecco'; did you mean 'echo'? (available: daily_loop, echo, run_tests) "
        "(in row 'one' of outline 'steps', line 4)",
    ),
}

# Where each message is reported, when it is not the changed line.
ERROR_LINES = {
    "generated_scenario_name_is_written": "id: one",
    "generated_expectation_id_is_written": "id: carried",
    "outline_name_is_written_twice": "name: plain",  # the second 'steps', where 'plain' was
}


@pytest.fixture(scope="session")
def outline_mistakes_collected(tmp_path_factory: pytest.TempPathFactory) -> CollectedTogether:
    """Every case of ERRORS, a file each (named after the case), collected together."""
    files = {
        f"{case}.tier2.yaml": OUTLINE.replace(old, new) for case, (old, new, _) in ERRORS.items()
    }
    return collect_together(tmp_path_factory.mktemp("outline_mistakes"), files)


@pytest.mark.xdist_group("outline_mistakes")
@pytest.mark.parametrize("case", sorted(ERRORS))
def test_outline_mistakes_are_collection_errors_at_their_line(
    outline_mistakes_collected: CollectedTogether, case: str
) -> None:
    old, new, message = ERRORS[case]
    assert OUTLINE.count(old) == 1
    text = OUTLINE.replace(old, new)
    changed = line_of(text, new.strip().splitlines()[0])
    reported = line_of(OUTLINE, ERROR_LINES[case]) if case in ERROR_LINES else changed
    file_name = f"{case}.tier2.yaml"
    expected = f"{file_name}:{reported}: {message.replace('@N', str(changed))}"
    assert outline_mistakes_collected.ret == pytest.ExitCode.INTERRUPTED
    assert outline_mistakes_collected.errors == len(ERRORS)  # one error a file
    assert error_section(outline_mistakes_collected, file_name) == [expected]
    assert outline_mistakes_collected.located_lines(file_name) == [expected]


def test_two_outlines_making_one_name_is_an_error_naming_both_rows(
    pytester: pytest.Pytester,
) -> None:
    text = textwrap.dedent(
        """\
        scenarios:
          - name: a
            examples:
              - {id: b-c}
            missions: []
          - name: a-b
            examples:
              - {id: c}
            missions: []
        expectations: []
        """
    )
    assert collection_error(pytester, text) == (
        "o.tier2.yaml:8: outline 'a-b' row 'c' makes the scenario name 'a-b-c', as outline 'a' "
        "row 'b-c' (line 4) does; rename one of them"
    )


def test_an_unquoted_variable_in_a_flow_mapping_says_to_quote_it(
    pytester: pytest.Pytester,
) -> None:
    text = OUTLINE.replace('expected: "${n}"}', "expected: ${n}}")
    assert collection_error(pytester, text) == (
        f"o.tier2.yaml:{line_of(text, 'expected: ${n}}')}: invalid YAML: expected ',' or "
        "'}', but got '{'; inside { } or [ ], quote a variable: \"${name}\""
    )


def test_a_list_cannot_be_written_into_text(pytester: pytest.Pytester) -> None:
    text = OUTLINE.replace("{id: three, n: 3}", "{id: three, n: [3]}")
    assert collection_error(pytester, text) == (
        f"o.tier2.yaml:{line_of(text, 'label:')}: variable 'n' of row 'three' (line 5) is a "
        "list: only a whole value '${n}' can take a list or mapping"
    )


def test_a_wrong_value_from_a_row_is_reported_at_the_row(pytester: pytest.Pytester) -> None:
    text = textwrap.dedent(
        """\
        scenarios:
          - name: s
            examples:
              - {id: good, state: {a: 1}}
              - {id: bad, state: [1]}
            initial_state: ${state}
            missions: []
        expectations: []
        """
    )
    assert collection_error(pytester, text) == (
        "o.tier2.yaml:5: 'initial_state' must be a mapping, not a list"
    )


def test_an_outline_that_expands_past_the_node_limit_is_refused(
    pytester: pytest.Pytester,
) -> None:
    """Aliases keep the file small; the expansion still counts every node it makes."""
    state = ["x0: &x0 [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]"]
    for level in range(1, 5):
        state.append(f"x{level}: &x{level} [{', '.join([f'*x{level - 1}'] * 10)}]")
    state += ["a: *x4", "b: *x4", "c: *x4"]  # about 450,000 nodes: the file itself is fine
    rows = "\n".join(f"      - {{id: r{i}}}" for i in range(3))
    text = (
        "suite: big\nscenarios:\n  - name: s\n    examples:\n"
        + rows
        + "\n    initial_state:\n"
        + "\n".join(f"      {entry}" for entry in state)
        + "\n    missions: []\nexpectations: []\n"
    )
    assert collection_error(pytester, text) == (
        "o.tier2.yaml:3: outline 's' expands to more than 1,000,000 nodes"
    )


# ------------------------------------------------------------------ the format version


@pytest.mark.parametrize("declared", ["1.1", '"1.1"', "1", "1.0", '"1"', '"1.0"'])
def test_declared_versions_this_plugin_reads(pytester: pytest.Pytester, declared: str) -> None:
    text = f"format: {declared}\n" + textwrap.dedent(
        """\
        scenarios:
          - name: s
            missions: [{name: echo}]
        expectations:
          - {id: ok, scenario: s, mission: echo, path: success, op: eq, expected: true}
        """
    )
    pytester.makefile(".tier2.yaml", o=text)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


NEWER_VERSIONS = ["1.2", "2", '"2.0"', '"1.10"']
MALFORMED_VERSIONS = {
    "true": "'format' must be a version such as 1.1, not a boolean",
    "one": "'format' must be a version such as 1.1, not 'one'",
    "[1, 1]": "'format' must be a version such as 1.1, not a list",
    "0.9": "there is no format 0.9: this plugin reads format 1 and 1.1",
}


def newer_file(declared: str) -> str:
    return f"newer-{NEWER_VERSIONS.index(declared)}.tier2.yaml"


def malformed_file(declared: str) -> str:
    return f"malformed-{list(MALFORMED_VERSIONS).index(declared)}.tier2.yaml"


@pytest.fixture(scope="session")
def versions_collected(tmp_path_factory: pytest.TempPathFactory) -> CollectedTogether:
    """A file for each newer and each malformed version, collected together."""
    files = {
        newer_file(declared): f"suite: s\nformat: {declared}\nscenarios: []\nexpectations: []\n"
        for declared in NEWER_VERSIONS
    }
    for declared in MALFORMED_VERSIONS:
        files[malformed_file(declared)] = f"format: {declared}\nscenarios: []\nexpectations: []\n"
    collected = collect_together(tmp_path_factory.mktemp("versions"), files)
    assert collected.ret == pytest.ExitCode.INTERRUPTED
    assert collected.errors == len(NEWER_VERSIONS) + len(MALFORMED_VERSIONS)  # one a file
    return collected


@pytest.mark.xdist_group("versions")
@pytest.mark.parametrize("declared", NEWER_VERSIONS)
def test_a_newer_version_is_refused_with_a_message_to_upgrade(
    versions_collected: CollectedTogether, declared: str
) -> None:
    shown = declared.strip('"').removesuffix(".0")
    file_name = newer_file(declared)
    (message,) = error_section(versions_collected, file_name)
    assert versions_collected.located_lines(file_name) == [message]
    assert message.startswith(
        f"{file_name}:2: this file is format {shown}, newer than pytest-tier2 "
    )
    assert message.endswith("reads (format 1.1 at most); upgrade it: pip install -U pytest-tier2")


@pytest.mark.xdist_group("versions")
@pytest.mark.parametrize("declared", MALFORMED_VERSIONS)
def test_a_malformed_version_is_an_error(
    versions_collected: CollectedTogether, declared: str
) -> None:
    file_name = malformed_file(declared)
    message = MALFORMED_VERSIONS[declared]
    expected = [f"{file_name}:1: {message}"]
    assert error_section(versions_collected, file_name) == expected
    assert versions_collected.located_lines(file_name) == expected


def test_a_file_declaring_1_may_not_use_examples(pytester: pytest.Pytester) -> None:
    text = "format: 1\n" + OUTLINE
    assert collection_error(pytester, text) == (
        f"o.tier2.yaml:{line_of(text, 'examples:')}: 'examples' needs format 1.1, but this file "
        "declares format 1 (line 1); declare 'format: 1.1'"
    )


def test_declaring_1_1_changes_nothing_for_a_file_that_uses_it_undeclared(
    pytester: pytest.Pytester,
) -> None:
    assert "format" not in OUTLINE
    pytester.makefile(".tier2.yaml", o=OUTLINE)
    pytester.runpytest("-p", "no:cacheprovider", "--tier2-report=report.json")
    undeclared = report(pytester)
    pytester.makefile(".tier2.yaml", o="format: 1.1\n" + OUTLINE)
    pytester.runpytest("-p", "no:cacheprovider", "--tier2-report=report.json")
    assert report(pytester) == undeclared


def test_the_example_suite_with_an_outline_checks_against_its_pins(
    pytester: pytest.Pytester,
) -> None:
    examples = Path(__file__).resolve().parent.parent / "example_suites"
    for name in ("conftest.py", "pytest.ini", "release_matrix.tier2.yaml"):
        (pytester.path / name).write_bytes((examples / name).read_bytes())
    pins = (examples / "release_matrix.tier2.golden.json").read_bytes()
    (pytester.path / "release_matrix.tier2.golden.json").write_bytes(pins)
    result = pytester.runpytest("-p", "no:cacheprovider", "--tier2-golden")
    result.assert_outcomes(passed=26)
    assert (pytester.path / "release_matrix.tier2.golden.json").read_bytes() == pins
    scenarios = json.loads(pins)["scenarios"]
    assert sorted(scenarios) == ["bump-major", "bump-minor", "bump-patch", "drill"]


def test_the_readme_outline_runs_as_the_readme_says(pytester: pytest.Pytester) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = readme.split("## Scenario outlines", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    pytester.makefile(".tier2.yaml", checks=example)
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    assert ran(result) == ["checks.tier2.yaml::carried-one", "checks.tier2.yaml::carried-three"]
    result.assert_outcomes(passed=2)
    failure = section.split("  ```\n", 1)[1].split("  ```", 1)[0]
    shown = [line.strip() for line in failure.splitlines()]
    pytester.makefile(".tier2.yaml", checks=example.replace('expected: "${n}"}', "expected: 3}"))
    failed = pytester.runpytest("-p", "no:cacheprovider")
    failed.assert_outcomes(passed=1, failed=1)
    assert shown == [line.strip() for line in failed.outlines if line.strip() in shown]
    assert len(shown) == 4
