"""End-to-end: the ops of format 1.1 (`approx`, `type`, `length`, `one_of`, `subset`).

Each case puts a value in an `echo` mission's params and checks it with one expectation;
one pytest run gives every verdict, and `--tier2-report` shows the details each carries
in canonical JSON (they are hashed, so they are pinned here exactly).
"""

from __future__ import annotations

import json
import textwrap
from typing import Any

import pytest
import yaml
from tier2_test_support import CollectedTogether, collect_together, error_section

# id: (the value, op, expected, other keys, passes, details)
CASES: dict[str, tuple[Any, str, Any, dict[str, Any], bool, dict[str, Any]]] = {
    "approx_float_sum": (0.1 + 0.2, "approx", 0.3, {}, True, {}),
    "approx_too_far": (
        1.0,
        "approx",
        1.1,
        {},
        False,
        {
            "reason": "approx_mismatch",
            "difference": abs(1.0 - 1.1),
            "tolerance": 1e-6 * 1.1,
            "message": f"differs by {abs(1.0 - 1.1)!r}, more than the tolerance {1e-6 * 1.1!r}",
        },
    ),
    "approx_rel": (100, "approx", 101, {"rel": 0.02}, True, {}),
    # As pytest.approx: `abs` alone is the only tolerance (rel 1e-6 would allow 1.0 here).
    "approx_abs_alone": (
        1000000.5,
        "approx",
        1000000.0,
        {"abs": 0.1},
        False,
        {
            "reason": "approx_mismatch",
            "difference": 0.5,
            "tolerance": 0.1,
            "message": "differs by 0.5, more than the tolerance 0.1",
        },
    ),
    "approx_both": (1000000.5, "approx", 1000000.0, {"abs": 0.1, "rel": 1e-6}, True, {}),
    "approx_integer": (1, "approx", 1.0000001, {}, True, {}),
    "approx_bool": (
        True,
        "approx",
        1,
        {},
        False,
        {"reason": "type_mismatch", "message": "'approx' cannot compare boolean with number"},
    ),
    "approx_text": (
        "1",
        "approx",
        1,
        {},
        False,
        {"reason": "type_mismatch", "message": "'approx' cannot compare string with number"},
    ),
    "type_integer": (2, "type", "integer", {}, True, {}),
    "type_whole_float_is_integer": (2.0, "type", "integer", {}, True, {}),
    "type_fraction": (
        2.5,
        "type",
        "integer",
        {},
        False,
        {
            "reason": "type_mismatch",
            "actual_type": "number",
            "message": "the value is a number, not an integer",
        },
    ),
    "type_integer_is_number": (3, "type", "number", {}, True, {}),
    "type_bool_is_no_number": (
        True,
        "type",
        "number",
        {},
        False,
        {
            "reason": "type_mismatch",
            "actual_type": "boolean",
            "message": "the value is a boolean, not a number",
        },
    ),
    "type_null": (None, "type", "null", {}, True, {}),
    "type_string": ("x", "type", "string", {}, True, {}),
    "type_array": ([], "type", "array", {}, True, {}),
    "type_object": ({}, "type", "object", {}, True, {}),
    "length_characters": ("héllo", "length", 5, {}, True, {}),
    "length_items": (
        [1, 2, 3],
        "length",
        2,
        {},
        False,
        {"reason": "length_mismatch", "actual_length": 3, "message": "has 3 items, not 2"},
    ),
    "length_keys": ({"a": 1, "b": 2}, "length", 2, {}, True, {}),
    "length_of_a_number": (
        5,
        "length",
        1,
        {},
        False,
        {
            "reason": "type_mismatch",
            "message": "'length' needs a string, array or object, not a number",
        },
    ),
    "one_of_hit": ("b", "one_of", ["a", "b"], {}, True, {}),
    "one_of_is_type_strict": (
        1,
        "one_of",
        [True, "1"],
        {},
        False,
        {"reason": "one_of_mismatch", "message": "equals none of the 2 values"},
    ),
    "one_of_deep": ({"a": [1]}, "one_of", [{"a": [1.0]}], {}, True, {}),
    "subset_holds": (
        {"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2]},
        "subset",
        {"b": {"c": 2}, "e": [1, 2]},
        {},
        True,
        {},
    ),
    "subset_lists_each_path": (
        {"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2], "k": 1},
        "subset",
        {"b": {"c": 3, "x": 1}, "e": [1], "f": None, "g.h": 1, "k": {"m": 1}},
        {},
        False,
        {
            "reason": "subset_mismatch",
            "missing": ["b.x", "f", "g\\.h"],
            "differing": ["b.c", "e", "k"],
            "message": "missing b.x, f, g\\.h; differing b.c, e, k",
        },
    ),
    "subset_of_a_list": (
        [1],
        "subset",
        {},
        {},
        False,
        {"reason": "type_mismatch", "message": "'subset' needs an object, not an array"},
    ),
}


def suite(cases: dict[str, tuple[Any, str, Any, dict[str, Any], bool, dict[str, Any]]]) -> str:
    document = {
        "scenarios": [
            {
                "name": "values",
                "missions": [
                    {"name": "echo", "params": {key: case[0] for key, case in cases.items()}}
                ],
            }
        ],
        "expectations": [
            {
                "id": key,
                "scenario": "values",
                "mission": "echo",
                "path": f"executed_steps.0.payload.params.{key}",
                "op": op,
                "expected": expected,
                **extra,
            }
            for key, (_, op, expected, extra, _, _) in cases.items()
        ],
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)


def test_each_op_passes_and_fails_with_details_that_name_what_differed(
    pytester: pytest.Pytester,
) -> None:
    """No `format` declared: a file using the new ops is read as 1.1."""
    pytester.makefile(".tier2.yaml", ops=suite(CASES))
    result = pytester.runpytest("-p", "no:cacheprovider", "--tier2-report=report.json")
    failing = sum(1 for case in CASES.values() if not case[4])
    result.assert_outcomes(passed=len(CASES) - failing, failed=failing)
    (reported,) = json.loads((pytester.path / "report.json").read_text("utf-8"))["suites"]
    results = reported["result"]["expectations_result"]["expectation_results"]
    verdicts = {key: (r["passed"], r["details"]) for key, r in results.items()}
    assert verdicts == {key: (case[4], case[5]) for key, case in CASES.items()}


def test_failures_read_well(pytester: pytest.Pytester) -> None:
    chosen = {key: CASES[key] for key in ("subset_lists_each_path", "approx_abs_alone")}
    text = suite(chosen)
    pytester.makefile(".tier2.yaml", ops=text)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(
        [
            "subset_mismatch at executed_steps.0.payload.params.subset_lists_each_path: "
            "missing b.x, f, g\\.h; differing b.c, e, k",
            "ops.tier2.yaml:*: expectation 'subset_lists_each_path'",
            "  scenario  values",
            "  mission   echo",
            "  path      executed_steps.0.payload.params.subset_lists_each_path",
            "  op        subset",
            '  expected  {"b": {"c": 3, "x": 1}, "e": [1], "f": null, "g.h": 1, "k": {"m": 1}}',
            '  actual    {"a": 1, "b": {"c": 2, "d": 3}, "e": [1, 2], "k": 1}',
            "  because   missing b.x, f, g\\.h; differing b.c, e, k",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "approx_mismatch at executed_steps.0.payload.params.approx_abs_alone: expected approx "
            "1000000.0, got 1000000.5 (differs by 0.5, more than the tolerance 0.1)",
            "ops.tier2.yaml:*: expectation 'approx_abs_alone'",
            "  scenario  values",
            "  mission   echo",
            "  path      executed_steps.0.payload.params.approx_abs_alone",
            "  op        approx",
            "  expected  1000000.0",
            "  tolerance abs 0.1",
            "  actual    1000000.5",
            "  because   differs by 0.5, more than the tolerance 0.1",
        ]
    )


ONE = """\
scenarios:
  - name: s
    missions:
      - name: echo
expectations:
  - id: check
    scenario: s
    mission: echo
    path: success
"""


# An `expected` (or a tolerance) that its op cannot use, and the message at its line.
UNUSABLE_EXPECTED: list[tuple[str, str]] = [
    (
        "op: type\nexpected: integr",
        "unknown type 'integr' for 'type' (one of: null, boolean, integer, number, string, "
        "array, object); did you mean 'integer'?",
    ),
    (
        "op: type\nexpected: list",
        "unknown type 'list' for 'type' (one of: null, boolean, integer, number, string, "
        "array, object); did you mean 'array'?",
    ),
    (
        "op: length\nexpected: -1",
        "'length' needs a whole number of at least 0, not -1; did you mean 1?",
    ),
    (
        "op: length\nexpected: '3'",
        "'length' needs a whole number of at least 0, not a string; did you mean the "
        "number 3? Write it without quotes",
    ),
    (
        "op: one_of\nexpected: x",
        "'one_of' needs a list of values, not a string; did you mean [\"x\"]?",
    ),
    (
        "op: one_of\nexpected: []",
        "'one_of' needs at least one value: with none, it could never pass",
    ),
    (
        "op: subset\nexpected: [1]",
        "'subset' needs a mapping of the keys to check, not an array",
    ),
    (
        "op: approx\nexpected: '1.5'",
        "'approx' needs a number, not a string; did you mean the number 1.5? Write it "
        "without quotes",
    ),
    (
        "op: approx\nexpected: true",
        "'approx' needs a number, not a boolean (a boolean is never a number)",
    ),
    (
        "op: approx\nexpected: 1\nrel: 1e-5",
        "'rel' must be a number of at least 0, not a string; did you mean the number 1e-05? "
        "Write it with a dot: 1.0e-5, not 1e-5",
    ),
    (
        "op: approx\nexpected: 1\nabs: -0.5",
        "'abs' must be a number of at least 0, not -0.5; did you mean 0.5?",
    ),
    ("op: eq\nexpected: 1\nrel: 0.1", "'rel' is a tolerance of op 'approx' only, not of 'eq'"),
]


def unusable_file(lines: str, message: str) -> str:
    return f"ops-{UNUSABLE_EXPECTED.index((lines, message))}.tier2.yaml"


def unusable_suite(lines: str) -> str:
    return ONE + textwrap.indent(lines + "\n", "    ")


@pytest.fixture(scope="session")
def unusable_collected(tmp_path_factory: pytest.TempPathFactory) -> CollectedTogether:
    """Every case of UNUSABLE_EXPECTED, a file each, collected together."""
    files = {
        unusable_file(lines, message): unusable_suite(lines) for lines, message in UNUSABLE_EXPECTED
    }
    return collect_together(tmp_path_factory.mktemp("unusable_expected"), files)


@pytest.mark.xdist_group("unusable_expected")
@pytest.mark.parametrize(("lines", "message"), UNUSABLE_EXPECTED)
def test_an_expected_the_op_cannot_use_is_an_error_at_its_line(
    unusable_collected: CollectedTogether, lines: str, message: str
) -> None:
    file_name = unusable_file(lines, message)
    assert unusable_collected.ret == pytest.ExitCode.INTERRUPTED
    assert unusable_collected.errors == len(UNUSABLE_EXPECTED)  # one error a file
    line = len(unusable_suite(lines).splitlines())  # the last line: the value it is about
    assert error_section(unusable_collected, file_name) == [f"{file_name}:{line}: {message}"]


def test_a_file_declaring_format_1_may_not_use_the_new_ops(pytester: pytest.Pytester) -> None:
    text = "format: 1\n" + ONE + "    op: approx\n    expected: 1\n"
    pytester.makefile(".tier2.yaml", ops=text)
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    line = len(text.splitlines()) - 1
    assert (
        f"ops.tier2.yaml:{line}: op 'approx' needs format 1.1, but this file declares format 1 "
        "(line 1); declare 'format: 1.1'"
    ) in result.outlines


def test_xdist_gives_the_same_verdicts_and_details(pytester: pytest.Pytester) -> None:
    pytester.makefile(".tier2.yaml", ops=suite(CASES))
    pytester.runpytest("-p", "no:cacheprovider", "--tier2-report=serial.json")
    result = pytester.runpytest("-p", "no:cacheprovider", "-n", "2", "--tier2-report=parallel.json")
    failing = sum(1 for case in CASES.values() if not case[4])
    result.assert_outcomes(passed=len(CASES) - failing, failed=failing)
    serial = (pytester.path / "serial.json").read_bytes()
    assert serial == (pytester.path / "parallel.json").read_bytes()
