"""The JSON Schema for suite files agrees with the loader on the shape of a suite.

The loader is the authority; the schema serves editors (completion, hover, squiggles). So:
every example suite is valid; every corpus file the loader rejects for its shape is invalid;
and on generated variants, valid and invalid, the two say the same. What a schema cannot
see (duplicate keys, unknown missions, references between parts, tags) is out of scope.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from pytest_tier2.core.comparisons import (
    ALL_OPS,
    JSON_TYPES,
    OPS_WITH_EXPECTED,
    OPS_WITHOUT_EXPECTED,
)
from pytest_tier2.core.exceptions import PathSyntaxError
from pytest_tier2.core.paths import parse_path
from pytest_tier2.core.registry import default_registry
from pytest_tier2.format import SuiteFileError, load_suite
from pytest_tier2.format.outlines import VARIABLE_NAME
from pytest_tier2.format.reader import (
    EXPECTATION_KEYS,
    MARK_PATTERN,
    MISSION_KEYS,
    NAME_PATTERN,
    SCENARIO_KEYS,
    SUITE_KEYS,
)

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "pytest_tier2" / "schema" / "tier2.schema.json"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
BAD_DIR = ROOT / "tests" / "bad_inputs"
MANIFEST_PATH = BAD_DIR / "manifest.json"
EXAMPLES = sorted((ROOT / "example_suites").glob("*.tier2.y*ml"))


def schema_accepts(document: Any) -> bool:
    return bool(VALIDATOR.is_valid(document))


def loader_accepts(document: Any) -> bool:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    try:
        load_suite(text.encode("utf-8"), "variant.tier2.yaml", default_registry())
    except SuiteFileError:
        return False
    return True


# ------------------------------------------------------------------ the schema itself


def test_schema_is_valid_draft_2020_12() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"]
    assert SCHEMA["title"]


def properties_of(node: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    """Every (location, subschema) under a `properties` keyword, anywhere in the schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for name, sub in value.items():
                    yield f"{where}/properties/{name}", sub
            yield from properties_of(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from properties_of(value, f"{where}/{index}")


def test_every_property_has_a_description() -> None:
    """Editors show `description` on hover; `if`/`then` branches only constrain."""
    located = list(properties_of(SCHEMA))
    assert len(located) > 15
    for where, sub in located:
        if "/allOf/" in where:
            continue
        assert isinstance(sub, dict) and sub.get("description"), where


@pytest.mark.parametrize(
    ("pointer", "keys"),
    [
        ((), SUITE_KEYS),
        (("$defs", "scenario"), SCENARIO_KEYS),
        (("$defs", "mission"), MISSION_KEYS),
        (("$defs", "expectation"), EXPECTATION_KEYS),
    ],
)
def test_schema_has_the_loaders_keys_and_no_others(
    pointer: tuple[str, ...], keys: tuple[str, ...]
) -> None:
    node = SCHEMA
    for part in pointer:
        node = node[part]
    assert node["additionalProperties"] is False
    assert set(node["properties"]) == set(keys)


def test_schema_uses_the_loaders_ops_and_patterns() -> None:
    expectation = SCHEMA["$defs"]["expectation"]
    assert tuple(expectation["properties"]["op"]["enum"]) == ALL_OPS
    branches = [branch["if"]["properties"]["op"] for branch in expectation["allOf"]]
    assert tuple(branches[0]["enum"]) == OPS_WITHOUT_EXPECTED
    assert tuple(branches[1]["enum"]) == OPS_WITH_EXPECTED
    assert SCHEMA["$defs"]["name"]["pattern"] == f"^{NAME_PATTERN.pattern}$"
    marks = expectation["properties"]["marks"]["items"]["pattern"]
    assert marks == f"^{MARK_PATTERN.pattern}$"
    assert SCHEMA["$defs"]["variable_name"]["pattern"] == f"^{VARIABLE_NAME.pattern}$"


def test_schema_knows_what_each_new_op_expects() -> None:
    branches = SCHEMA["$defs"]["expectation"]["allOf"]
    by_op = {
        branch["if"]["properties"]["op"]["const"]: branch["then"]["properties"]
        for branch in branches
        if "const" in branch["if"]["properties"]["op"]
    }
    template = {"$ref": "#/$defs/template"}
    assert by_op["type"]["expected"]["anyOf"] == [{"enum": list(JSON_TYPES)}, template]
    for op in ("approx", "length", "one_of", "subset"):
        assert by_op[op]["expected"]["anyOf"][1] == template
    (tolerances,) = [
        b for b in branches if b["if"]["properties"]["op"] == {"not": {"const": "approx"}}
    ]
    assert tolerances["then"]["properties"] == {"rel": False, "abs": False}


def test_schema_lists_the_built_in_missions_params() -> None:
    """Editors offer exactly the params the registry declares, with their JSON types."""
    json_types = {int: "integer", str: "string"}
    registry = default_registry()
    declared = {
        name: params
        for name in registry.missions
        if (params := registry.mission_params(name)) is not None
    }
    assert sorted(declared) == ["daily_loop", "run_tests"]  # echo accepts any params
    branches = SCHEMA["$defs"]["mission"]["allOf"]
    for name, params in declared.items():
        [branch] = [b for b in branches if b["if"]["properties"]["name"]["const"] == name]
        # In an outline, params and each value may also be a `${...}` template.
        [reference, template] = branch["then"]["properties"]["params"]["anyOf"]
        assert template == {"$ref": "#/$defs/template"}
        listed = SCHEMA["$defs"][reference["$ref"].removeprefix("#/$defs/")]
        assert listed["additionalProperties"] is False
        assert {key: value["anyOf"][0]["type"] for key, value in listed["properties"].items()} == {
            key: json_types[types[0]] for key, types in params.items()
        }
        assert all(
            value["anyOf"][1] == {"$ref": "#/$defs/template"}
            for value in listed["properties"].values()
        )


def test_the_wheel_ships_the_schema() -> None:
    """pyproject's package data names it (the wheel itself was checked by hand, see report)."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'pytest_tier2 = \[[^\]]*"schema/\*\.json"', pyproject)


# ---------------------------------------------------------------------- the examples


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_schema_accepts_every_example_suite(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [error.message for error in VALIDATOR.iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda path: path.name)
def test_example_modelines_point_at_the_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, first
    assert (path.parent / match[1]).resolve() == SCHEMA_PATH


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 3


# ------------------------------------------------------- the loader's corpus of bad files


def shape_cases() -> list[str]:
    if not MANIFEST_PATH.exists():  # pragma: no cover - the corpus ships with the tests
        return []
    manifest: dict[str, dict[str, Any]] = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    return sorted(name for name, entry in manifest.items() if entry["shape"])


def safe_load_corpus_file(name: str) -> Any:
    """The file as PyYAML reads it; None when PyYAML cannot (then the schema never sees it)."""
    try:
        return yaml.safe_load((BAD_DIR / name).read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError):
        return None


def test_corpus_has_shape_cases() -> None:
    cases = shape_cases()
    assert len(cases) >= 40
    readable = [name for name in cases if safe_load_corpus_file(name) is not None]
    assert len(readable) == len(cases)


@pytest.mark.parametrize("name", shape_cases())
def test_schema_rejects_what_the_loader_rejects_for_its_shape(name: str) -> None:
    document = safe_load_corpus_file(name)
    if document is None:  # pragma: no cover - every shape case parses today
        pytest.skip("PyYAML cannot read it")
    assert not schema_accepts(document), f"the schema accepts {name}"


# --------------------------------------------------- generated variants: both directions

BASE: dict[str, Any] = {
    "suite": "variants",
    "scenarios": [
        {
            "name": "morning",
            "initial_state": {"team": "platform", "counter": 0},
            "missions": [
                {"name": "daily_loop", "params": {"requested_steps": 3}},
                {"name": "echo", "as": "echo_hello-1", "params": {"message": "hi"}},
            ],
        }
    ],
    "expectations": [
        {
            "id": "loop_succeeds",
            "scenario": "morning",
            "mission": "daily_loop",
            "path": "success",
            "op": "eq",
            "expected": True,
        }
    ],
}

Mutation = Callable[[dict[str, Any]], object]


def scenario(doc: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = doc["scenarios"][0]
    return result


def mission(doc: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = doc["scenarios"][0]["missions"][1]
    return result


def expectation(doc: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = doc["expectations"][0]
    return result


def with_op(op: str, expected: Any = ..., mission_key: str = "daily_loop") -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        entry = expectation(doc)
        entry["op"] = op
        entry["mission"] = mission_key
        entry.pop("expected")
        if expected is not ...:
            entry["expected"] = expected

    return mutate


def setting(part: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        part(doc)[key] = value

    return mutate


def removing(part: Callable[[dict[str, Any]], dict[str, Any]], key: str) -> Mutation:
    def mutate(doc: dict[str, Any]) -> None:
        del part(doc)[key]

    return mutate


def top(doc: dict[str, Any]) -> dict[str, Any]:
    return doc


VALID: dict[str, Mutation] = {
    "base": lambda doc: None,
    "no_suite_name": removing(top, "suite"),
    "no_initial_state": removing(scenario, "initial_state"),
    "no_params": removing(mission, "params"),
    "no_alias": lambda doc: (mission(doc).pop("as"), mission(doc).pop("params")),
    "empty_params": setting(mission, "params", {}),
    "nested_state": setting(scenario, "initial_state", {"a": {"b": [1, {"c": None}]}}),
    "no_expectations": setting(top, "expectations", []),
    "no_missions": lambda doc: (scenario(doc).update(missions=[]), doc.update(expectations=[])),
    "names_with_dots_and_dashes": lambda doc: (
        scenario(doc).update(name="0_morning-run_1"),
        expectation(doc).update(id="_x_y-z", scenario="0_morning-run_1"),
    ),
    "alias_as_mission": setting(expectation, "mission", "echo_hello-1"),
    "empty_path": setting(expectation, "path", ""),
    "escaped_path": setting(expectation, "path", "final_state.a\\.b.c\\\\d"),
    "index_path": setting(expectation, "path", "executed_steps.0.id"),
    "marks": setting(expectation, "marks", ["smoke", "_slow2"]),
    "no_marks": setting(expectation, "marks", []),
    "skip": setting(expectation, "skip", "not today"),
    "xfail": setting(expectation, "xfail", "known bug"),
    "expected_null": setting(expectation, "expected", None),
    "daily_loop_both_params": lambda doc: scenario(doc)["missions"][0].update(
        params={"requested_steps": 9, "requested_human_steps": 0}
    ),
    "run_tests_target": lambda doc: scenario(doc)["missions"].append(
        {"name": "run_tests", "params": {"target": "unit"}}
    ),
    "echo_any_params": setting(mission, "params", {"anything": [1, {"goes": True}]}),
    "expected_mapping": setting(expectation, "expected", {"a": [1, 2]}),
    "expected_list": with_op("contains", [1]),
    "matches": with_op("matches", "^wf-"),
    "exists": with_op("exists"),
    "absent": with_op("absent"),
    **{f"op_{op}": with_op(op, 1) for op in ("eq", "ne", "gt", "lt", "ge", "le", "contains")},
    # format 1.1
    "format_1_1": setting(top, "format", 1.1),
    "format_1_1_text": setting(top, "format", "1.1"),
    "format_1": setting(top, "format", 1),
    "outline": lambda doc: (
        scenario(doc).update(
            examples=[{"id": "a", "n": 1, "state": {"x": 1}}, {"id": "b", "n": 2, "state": {}}],
            initial_state="${state}",
        ),
        mission(doc).update({"as": "echo_${id}", "params": {"message": "run-${n}"}}),
        expectation(doc).update(path="executed_steps.${n}.kind", op="eq", expected="${n}"),
    ),
    "outline_params_whole": lambda doc: (
        scenario(doc).update(examples=[{"id": "a", "p": {"message": "x"}}]),
        mission(doc).update(params="${p}"),
    ),
    "approx": with_op("approx", 1.5),
    "approx_tolerances": lambda doc: (
        with_op("approx", 2)(doc),
        expectation(doc).update(rel=0.1, abs=0),
    ),
    "approx_integer_abs": lambda doc: (with_op("approx", 2)(doc), expectation(doc).update(abs=1)),
    **{f"type_{kind}": with_op("type", kind) for kind in JSON_TYPES},
    "length": with_op("length", 0),
    "length_whole_float": with_op("length", 3.0),
    "one_of": with_op("one_of", [1, "a", None, {"b": [2]}]),
    "subset": with_op("subset", {"a": {"b": 1}}),
    "subset_empty": with_op("subset", {}),
}

INVALID: dict[str, Mutation] = {
    "no_scenarios": lambda doc: doc.update(scenarios=[], expectations=[]),
    "top_level_list": lambda doc: None,  # replaced below
    "unknown_top_key": setting(top, "suites", "x"),
    "unknown_scenario_key": setting(scenario, "description", "x"),
    "unknown_mission_key": setting(mission, "param", {}),
    "unknown_expectation_key": setting(expectation, "comment", "x"),
    "missing_scenarios": removing(top, "scenarios"),
    "missing_expectations": removing(top, "expectations"),
    "missing_scenario_name": removing(scenario, "name"),
    "missing_missions": removing(scenario, "missions"),
    "missing_mission_name": removing(mission, "name"),
    **{f"missing_{key}": removing(expectation, key) for key in ("id", "scenario", "path", "op")},
    "missing_expected": removing(expectation, "expected"),
    "suite_empty": setting(top, "suite", ""),
    "suite_number": setting(top, "suite", 3),
    "scenarios_mapping": setting(top, "scenarios", {}),
    "expectations_string": setting(top, "expectations", "none"),
    "scenario_name_space": lambda doc: (
        scenario(doc).update(name="a b"),
        expectation(doc).update(scenario="a b"),
    ),
    "scenario_name_leading_dash": lambda doc: (
        scenario(doc).update(name="-a"),
        expectation(doc).update(scenario="-a"),
    ),
    "initial_state_list": setting(scenario, "initial_state", [1]),
    "initial_state_null": setting(scenario, "initial_state", None),
    "missions_mapping": setting(scenario, "missions", {}),
    "mission_name_empty": setting(mission, "name", ""),
    "mission_name_list": setting(mission, "name", ["echo"]),
    "alias_leading_dot": setting(mission, "as", ".hidden"),
    "alias_empty": setting(mission, "as", ""),
    "alias_number": setting(mission, "as", 7),
    "params_string": setting(mission, "params", "x"),
    "daily_loop_unknown_param": lambda doc: scenario(doc)["missions"][0].update(
        params={"requested_step": 3}
    ),
    "daily_loop_mode_param": lambda doc: scenario(doc)["missions"][0].update(
        params={"mode": "default"}
    ),
    "daily_loop_string_count": lambda doc: scenario(doc)["missions"][0].update(
        params={"requested_steps": "3"}
    ),
    "daily_loop_bool_count": lambda doc: scenario(doc)["missions"][0].update(
        params={"requested_human_steps": True}
    ),
    "run_tests_number_target": lambda doc: scenario(doc)["missions"].append(
        {"name": "run_tests", "params": {"target": 5}}
    ),
    "id_slash": setting(expectation, "id", "a/b"),
    "id_colons": setting(expectation, "id", "a::b"),
    "id_non_ascii": setting(expectation, "id", "café"),
    "id_bool": setting(expectation, "id", True),
    "scenario_ref_number": setting(expectation, "scenario", 1),
    "mission_ref_empty": setting(expectation, "mission", ""),
    "path_number": setting(expectation, "path", 3),
    "path_double_dot": setting(expectation, "path", "a..b"),
    "path_trailing_dot": setting(expectation, "path", "a."),
    "path_bad_escape": setting(expectation, "path", "a\\b"),
    "path_dangling_backslash": setting(expectation, "path", "a\\"),
    "op_unknown": setting(expectation, "op", "equals"),
    "op_upper": setting(expectation, "op", "EQ"),
    "op_null": setting(expectation, "op", None),
    "exists_with_expected": with_op("exists", True),
    "absent_with_null_expected": with_op("absent", None),
    "eq_without_expected": with_op("eq"),
    "matches_without_expected": with_op("matches"),
    "matches_number": with_op("matches", 3),
    "marks_string": setting(expectation, "marks", "smoke"),
    "marks_item_number": setting(expectation, "marks", [1]),
    "marks_item_dash": setting(expectation, "marks", ["not-a-mark"]),
    "marks_item_digit_first": setting(expectation, "marks", ["1st"]),
    "skip_empty": setting(expectation, "skip", ""),
    "skip_bool": setting(expectation, "skip", True),
    "xfail_number": setting(expectation, "xfail", 1),
    "scenario_entry_string": setting(top, "scenarios", ["morning"]),
    "expectation_entry_list": setting(top, "expectations", [[1]]),
    "mission_entry_null": lambda doc: scenario(doc)["missions"].append(None),
    # format 1.1
    "format_newer": setting(top, "format", 1.2),
    "format_two": setting(top, "format", 2),
    "format_text": setting(top, "format", "one"),
    "format_bool": setting(top, "format", True),
    "examples_empty": setting(scenario, "examples", []),
    "examples_mapping": setting(scenario, "examples", {"id": "a"}),
    "examples_row_without_id": setting(scenario, "examples", [{"n": 1}]),
    "examples_row_string": setting(scenario, "examples", ["a"]),
    "examples_row_id_space": setting(scenario, "examples", [{"id": "a b"}]),
    "examples_variable_digit_first": setting(scenario, "examples", [{"id": "a", "1n": 1}]),
    "examples_variable_dash": setting(scenario, "examples", [{"id": "a", "n-1": 1}]),
    "approx_text": with_op("approx", "1.5"),
    "approx_bool": with_op("approx", True),
    "approx_without_expected": with_op("approx"),
    "type_unknown": with_op("type", "integr"),
    "type_number": with_op("type", 1),
    "length_negative": with_op("length", -1),
    "length_fraction": with_op("length", 2.5),
    "length_text": with_op("length", "3"),
    "one_of_scalar": with_op("one_of", "x"),
    "one_of_empty": with_op("one_of", []),
    "subset_list": with_op("subset", [1]),
    "rel_on_eq": setting(expectation, "rel", 0.1),
    "abs_on_type": lambda doc: (with_op("type", "null")(doc), expectation(doc).update(abs=1)),
    "rel_negative": lambda doc: (with_op("approx", 1)(doc), expectation(doc).update(rel=-0.1)),
    "abs_text": lambda doc: (with_op("approx", 1)(doc), expectation(doc).update(abs="0.1")),
}


def variant(mutation: Mutation, name: str) -> Any:
    if name == "top_level_list":
        return [copy.deepcopy(BASE)]
    doc = copy.deepcopy(BASE)
    mutation(doc)
    return doc


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_variants_pass_both(name: str) -> None:
    doc = variant(VALID[name], name)
    assert loader_accepts(doc), "the loader rejects it"
    assert schema_accepts(doc), [error.message for error in VALIDATOR.iter_errors(doc)]


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_variants_fail_both(name: str) -> None:
    doc = variant(INVALID[name], name)
    assert not loader_accepts(doc), "the loader accepts it"
    assert not schema_accepts(doc), "the schema accepts it"


def name_in_schema(value: str) -> bool:
    doc = copy.deepcopy(BASE)
    expectation(doc)["id"] = value
    return schema_accepts(doc)


# The line break matters: Python's `$` also matches before a final one, where the loader
# (fullmatch) and editors (ECMA-262 `$`) do not; the schema's `not` closes that gap.
NAME_TEXT = st.text(alphabet=st.sampled_from("aZ09_.-/ :é\t\n"), max_size=6)
MARK_TEXT = st.text(alphabet=st.sampled_from("aZ0_-.\n"), max_size=5)
PATH_TEXT = st.text(alphabet=st.sampled_from("ab0.\\ \n"), max_size=8)


@given(NAME_TEXT)
def test_name_pattern_agrees_with_the_loader(value: str) -> None:
    assert name_in_schema(value) == bool(NAME_PATTERN.fullmatch(value))


@given(MARK_TEXT)
def test_mark_pattern_agrees_with_the_loader(value: str) -> None:
    doc = copy.deepcopy(BASE)
    expectation(doc)["marks"] = [value]
    assert schema_accepts(doc) == bool(MARK_PATTERN.fullmatch(value))


def test_trailing_line_break_in_a_name_is_refused() -> None:
    assert not name_in_schema("loop_succeeds\n")
    assert not loader_accepts({**BASE, "expectations": [{**BASE["expectations"][0], "id": "a\n"}]})


@given(PATH_TEXT)
def test_path_pattern_agrees_with_the_parser(value: str) -> None:
    try:
        parse_path(value)
        parses = True
    except PathSyntaxError:
        parses = False
    doc = copy.deepcopy(BASE)
    expectation(doc)["path"] = value
    assert schema_accepts(doc) == parses
