"""Validate a parsed suite file (format 1 or 1.1) into core definitions, with line numbers.

Outlines are expanded first (`outlines.py`), so every expanded scenario and expectation is
validated here like a written one.

Every problem is a SuiteFileError that names the file and the 1-based line, in one line.
The first problem found is reported.
"""

from __future__ import annotations

import re
from typing import Any

from ..core.comparisons import (
    ALL_OPS,
    OPS_WITHOUT_EXPECTED,
    TOLERANCE_KEYS,
    expected_problem,
    tolerance_problem,
)
from ..core.exceptions import PathSyntaxError
from ..core.expectations import MissionExpectation, SuiteExpectationsDefinition
from ..core.harness import MissionCall, ScenarioDefinition
from ..core.params import param_problem
from ..core.paths import parse_path
from ..core.registry import Registry
from ..core.suggest import did_you_mean
from ..core.suite import ScenarioSuiteDefinition
from .errors import SuiteFileError
from .outlines import expand
from .spec import ExpectationEntry, Row, SuiteSpec, suite_name_for
from .version import OPS_SINCE_1_1, FormatVersion, read_version
from .yaml_source import Node

NAME_PATTERN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]*")
"""Scenario names, expectation ids and result keys. Node ids, `-k`, TeamCity names (which turn
`.` into `_`) and pytest's verbose lines (which turn `.` into `::`) all stay unambiguous."""
MARK_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

SUITE_KEYS = ("format", "suite", "scenarios", "expectations")
SCENARIO_KEYS = ("name", "initial_state", "missions", "examples")
MISSION_KEYS = ("name", "as", "params")
EXPECTATION_KEYS = (
    "id",
    "scenario",
    "mission",
    "path",
    "op",
    "expected",
    "rel",
    "abs",
    "marks",
    "skip",
    "xfail",
)


class SuiteReader:
    def __init__(self, path: str, registry: Registry) -> None:
        self.path = path
        self.registry = registry
        self.version = FormatVersion(None, 0)

    def fail(self, line: int, message: str) -> SuiteFileError:
        return SuiteFileError(self.path, line, message)

    def mapping(
        self, node: Node, what: str, allowed: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, Node]:
        if not isinstance(node.value, dict):
            raise self.fail(node.line, f"{what} must be a mapping, not a {node.type_name()}")
        fields: dict[str, Node] = node.value
        for key in fields:
            if key not in allowed:
                raise self.fail(
                    node.key_lines[key],
                    f"unknown key {key!r} in {what}{did_you_mean(key, allowed)} "
                    f"(allowed: {', '.join(allowed)})",
                )
        for key in required:
            if key not in fields:
                raise self.fail(node.line, f"missing required key '{key}' in {what}")
        return fields

    def typed(self, node: Node, key: str, kind: type, kind_name: str) -> Any:
        value = node.value
        if not isinstance(value, kind) or isinstance(value, bool) != (kind is bool):
            raise self.fail(node.line, f"'{key}' must be a {kind_name}, not a {node.type_name()}")
        return value

    def text(self, node: Node, key: str) -> str:
        value: str = self.typed(node, key, str, "string")
        if not value:
            raise self.fail(node.line, f"'{key}' must not be empty")
        return value

    def name(self, node: Node, key: str, what: str) -> str:
        value = self.text(node, key)
        if not NAME_PATTERN.fullmatch(value):
            raise self.fail(
                node.line,
                f"{what} {value!r} is not a valid name: use letters, digits, '_' and '-', "
                "not starting with '-'",
            )
        return value

    def items(self, node: Node, key: str) -> list[Node]:
        items: list[Node] = self.typed(node, key, list, "list")
        return items

    def optional_mapping(self, node: Node | None, key: str) -> dict[str, Any] | None:
        if node is None:
            return None
        self.typed(node, key, dict, "mapping")
        plain: dict[str, Any] = node.plain()
        return plain

    def read(self, root: Node) -> SuiteSpec:
        if root.value is None:  # an explicit but empty document: `---` alone
            raise self.fail(1, "no suite in file")
        if not isinstance(root.value, dict):
            raise self.fail(root.line, f"the top level must be a mapping, not a {root.type_name()}")
        top = self.mapping(root, "suite", SUITE_KEYS, ("scenarios", "expectations"))
        self.version = read_version(top.get("format"), self.fail)
        name = suite_name_for(self.path)
        if "suite" in top:
            name = self.text(top["suite"], "suite")
        scenarios: list[ScenarioDefinition] = []
        scenario_lines: dict[str, int] = {}
        result_keys: dict[str, dict[str, int]] = {}
        scenario_nodes = self.items(top["scenarios"], "scenarios")
        if not scenario_nodes:
            raise self.fail(top["scenarios"].line, "'scenarios' must list at least one scenario")
        expectation_nodes = self.items(top["expectations"], "expectations")
        expansion = expand(self, scenario_nodes, expectation_nodes, self.version)
        row: Row | None = None
        try:
            for node, row in expansion.scenarios:
                scenario, keys = self.scenario(node, scenario_lines)
                scenarios.append(scenario)
                scenario_lines[scenario.scenario_name] = row.line if row else node.line
                result_keys[scenario.scenario_name] = keys
            entries: list[ExpectationEntry] = []
            seen_ids: dict[str, int] = {}
            for node, row in expansion.expectations:
                entries.append(self.expectation(node, seen_ids, result_keys, row))
        except SuiteFileError as error:
            raise self.in_row(error, row) from None
        return SuiteSpec(
            name=name,
            suite=ScenarioSuiteDefinition(name, tuple(scenarios)),
            expectations=SuiteExpectationsDefinition(tuple(e.expectation for e in entries)),
            entries=tuple(entries),
            scenario_lines=scenario_lines,
            call_lines={
                (scenario, key): line
                for scenario, keys in result_keys.items()
                for key, line in keys.items()
            },
            outlines=expansion.outlines,
        )

    def in_row(self, error: SuiteFileError, row: Row | None) -> SuiteFileError:
        """Name the row in an error found in what it expanded to, unless the line is its own."""
        if row is None or error.line == row.line:
            return error
        return self.fail(
            error.line,
            f"{error.message} (in row '{row.id}' of outline '{row.outline}', line {row.line})",
        )

    def scenario(
        self, node: Node, seen: dict[str, int]
    ) -> tuple[ScenarioDefinition, dict[str, int]]:
        fields = self.mapping(node, "scenario", SCENARIO_KEYS, ("name", "missions"))
        name = self.name(fields["name"], "name", "scenario name")
        if name in seen:
            raise self.fail(
                fields["name"].line,
                f"duplicate scenario name '{name}' (first at line {seen[name]})",
            )
        initial_state = self.optional_mapping(fields.get("initial_state"), "initial_state")
        calls: list[MissionCall] = []
        keys: dict[str, int] = {}
        for call_node in self.items(fields["missions"], "missions"):
            call = self.mission_call(call_node)
            if call.result_key in keys:
                raise self.fail(
                    call_node.line,
                    f"duplicate result key '{call.result_key}' in scenario '{name}' "
                    f"(first at line {keys[call.result_key]}); give one call an 'as' alias",
                )
            keys[call.result_key] = call_node.line
            calls.append(call)
        return ScenarioDefinition(name, initial_state or {}, tuple(calls)), keys

    def mission_call(self, node: Node) -> MissionCall:
        fields = self.mapping(node, "mission", MISSION_KEYS, ("name",))
        name = self.text(fields["name"], "name")
        missions = self.registry.missions
        if name not in missions:
            raise self.fail(
                fields["name"].line,
                f"unknown mission {name!r}{did_you_mean(name, missions)} "
                f"(available: {', '.join(missions)})",
            )
        alias = self.name(fields["as"], "as", "result key") if "as" in fields else None
        params = self.optional_mapping(fields.get("params"), "params")
        declared = self.registry.mission_params(name)
        if params and declared is not None:
            problem = param_problem(name, declared, params)
            if problem is not None:
                node = fields["params"]
                line = node.value[problem.name].line if problem.in_value else None
                raise self.fail(line or node.key_lines[problem.name], problem.message)
        return MissionCall(name, params, alias)

    def expectation(
        self,
        node: Node,
        seen: dict[str, int],
        result_keys: dict[str, dict[str, int]],
        row: Row | None = None,
    ) -> ExpectationEntry:
        fields = self.mapping(
            node, "expectation", EXPECTATION_KEYS, ("id", "scenario", "mission", "path", "op")
        )
        eid = self.name(fields["id"], "id", "expectation id")
        if eid in seen:
            raise self.fail(
                fields["id"].line, f"duplicate expectation id '{eid}' (first at line {seen[eid]})"
            )
        seen[eid] = node.line
        scenario = self.text(fields["scenario"], "scenario")
        if scenario not in result_keys:
            raise self.fail(
                fields["scenario"].line,
                f"unknown scenario {scenario!r} in expectation '{eid}'"
                f"{did_you_mean(scenario, result_keys)} "
                f"(this file has: {', '.join(result_keys) or 'none'})",
            )
        mission = self.text(fields["mission"], "mission")
        if mission not in result_keys[scenario]:
            raise self.fail(
                fields["mission"].line,
                f"unknown mission result {mission!r} in expectation '{eid}'"
                f"{did_you_mean(mission, result_keys[scenario])} (scenario '{scenario}' "
                f"has: {', '.join(result_keys[scenario]) or 'no missions'})",
            )
        path = self.typed(fields["path"], "path", str, "string")
        op = self.text(fields["op"], "op")
        if op not in ALL_OPS:
            raise self.fail(
                fields["op"].line,
                f"unknown op {op!r}{did_you_mean(op, ALL_OPS)} (allowed: {', '.join(ALL_OPS)})",
            )
        if op in OPS_SINCE_1_1:
            self.version.require(f"op {op!r}", fields["op"].line, self.fail)
        tolerances = (
            self.tolerances(fields, op) if "rel" in fields or "abs" in fields else (None, None)
        )
        expected_node = fields.get("expected")
        if op in OPS_WITHOUT_EXPECTED and expected_node is not None:
            raise self.fail(
                expected_node.line,
                f"op {op!r} takes no 'expected' (it would never be checked); remove it",
            )
        if op not in OPS_WITHOUT_EXPECTED and expected_node is None:
            raise self.fail(
                node.line, f"missing required key 'expected' in expectation (op {op!r})"
            )
        try:
            parse_path(path)
        except PathSyntaxError as error:
            raise self.fail(fields["path"].line, f"invalid path: {error}") from None
        expected = expected_node.plain() if expected_node is not None else None
        problem = expected_problem(op, expected) if expected_node is not None else None
        if problem is not None:
            raise self.fail(expected_node.line, problem)  # type: ignore[union-attr]
        expectation = MissionExpectation(eid, scenario, mission, path, op, expected, *tolerances)  # type: ignore[arg-type]
        return ExpectationEntry(
            expectation=expectation,
            line=node.line,
            marks=self.marks(fields.get("marks")),
            skip=self.text(fields["skip"], "skip") if "skip" in fields else None,
            xfail=self.text(fields["xfail"], "xfail") if "xfail" in fields else None,
            row=row,
        )

    def tolerances(self, fields: dict[str, Node], op: str) -> tuple[float | None, float | None]:
        """`approx`'s optional `rel` and `abs`, each checked at its own line."""
        for key in TOLERANCE_KEYS:
            if key in fields:
                problem = tolerance_problem(op, key, fields[key].value)
                if problem is not None:
                    raise self.fail(fields[key].line, problem)
        rel, abs_ = (fields[key].value if key in fields else None for key in TOLERANCE_KEYS)
        return rel, abs_

    def marks(self, node: Node | None) -> tuple[str, ...]:
        if node is None:
            return ()
        marks = []
        for item in self.items(node, "marks"):
            mark = self.text(item, "marks item")
            if not MARK_PATTERN.fullmatch(mark):
                raise self.fail(item.line, f"mark {mark!r} is not a valid pytest mark name")
            marks.append(mark)
        return tuple(marks)
