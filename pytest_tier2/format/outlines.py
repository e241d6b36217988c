"""Scenario outlines: a scenario with `examples` runs once per row, with `${var}` replaced.

This works on the Node tree before the reader validates it. Each row of an outline becomes
an ordinary scenario node named `<outline>-<row id>`, and each expectation that names the
outline becomes one node per row, with the id `<expectation id>-<row id>`. The reader then
validates every expansion as if it had been written out, so every error names a real line:
a value replaced whole keeps the line of the row that gave it.

Templates. In a file read as format 1.1 (declared, or using `examples`), the text of
`initial_state` and `params` values and `as`, and of an expectation's `mission` (which names
an `as`), `path`, `expected`, `rel` and `abs`, is a template:
`${name}` is a row's variable (`${id}` is the row's id), `$$` is a literal `$`, and a string
with no `${` in it is never changed. A scalar that is exactly `${name}` takes the row's value
with its type; inside a longer string the value is written as text (numbers, booleans and
null as JSON writes them). Mapping keys are never templates. A version-1 file has no
templates: its text means what it always meant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from ..core.suggest import nearest
from .errors import SuiteFileError
from .spec import Row
from .version import VERSION_1_1, FormatVersion
from .yaml_source import MAX_EXPANDED_NODES, Node, type_name

VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""A row's variable names: `${...}` holds one, and they are what Python allows as names."""
_TOKEN = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\{")
_WHOLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_LITERAL = "write $${ for a literal ${"
_ELSEWHERE = (
    "variables are replaced only in initial_state, params and as, and in an expectation's "
    "mission, path, expected, rel and abs"
)


class Checks(Protocol):
    """What the validating reader lends this module, so messages read the same."""

    def fail(self, line: int, message: str) -> SuiteFileError: ...

    def name(self, node: Node, key: str, what: str) -> str: ...

    def items(self, node: Node, key: str) -> list[Node]: ...


@dataclass
class Expansion:
    """The scenario and expectation nodes to validate, each with the row it came from."""

    scenarios: list[tuple[Node, Row | None]] = field(default_factory=list)
    expectations: list[tuple[Node, Row | None]] = field(default_factory=list)
    outlines: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The scenario names each outline expands into, in row order."""


@dataclass(frozen=True)
class _Outline:
    name: str
    rows: tuple[tuple[Row, dict[str, Node]], ...]
    """Each row, with its variables (`id` among them) by name."""


def expand(
    checks: Checks,
    scenario_nodes: list[Node],
    expectation_nodes: list[Node],
    version: FormatVersion,
) -> Expansion:
    """Expand the outlines of a suite; with none, and no 1.1 declared, nothing changes."""
    outline_nodes = [
        node for node in scenario_nodes if isinstance(node.value, dict) and "examples" in node.value
    ]
    if outline_nodes:
        version.require("'examples'", outline_nodes[0].key_lines["examples"], checks.fail)
    declared = version.declared
    templates = bool(outline_nodes) if declared is None else declared >= VERSION_1_1
    if not templates:
        return Expansion(
            [(node, None) for node in scenario_nodes],
            [(node, None) for node in expectation_nodes],
        )
    return _Expander(checks).run(scenario_nodes, expectation_nodes)


class _Expander:
    def __init__(self, checks: Checks) -> None:
        self.checks = checks
        self.fail = checks.fail
        self.size = 0
        self.written: dict[str, int] = {}
        """Every scenario name as written (outlines' too), at its first line."""

    def run(self, scenario_nodes: list[Node], expectation_nodes: list[Node]) -> Expansion:
        outlines = self.outlines(scenario_nodes)
        expansion = Expansion(outlines={o.name: _names(o) for o in outlines.values()})
        for node in scenario_nodes:
            outline = outlines.get(id(node))
            if outline is None:
                where = _scenario_context(node)
                expansion.scenarios.append((self.scenario(node, {}, where), None))
                continue
            for row, variables in outline.rows:
                where = f"outline '{outline.name}'"
                expanded = self.scenario(node, variables, where, row)
                fields = {k: v for k, v in expanded.value.items() if k != "examples"}
                fields["name"] = Node(f"{outline.name}-{row.id}", node.value["name"].line)
                expansion.scenarios.append((_mapping_like(expanded, fields), row))
        by_name = {outline.name: outline for outline in outlines.values()}
        self.expectation_ids(expectation_nodes, by_name)
        for node in expectation_nodes:
            scenario = _scenario_of(node)
            if scenario in by_name:
                expansion.expectations.extend(self.outline_expectation(node, by_name[scenario]))
            elif scenario in self.written:
                expansion.expectations.append((self.plain_expectation(node), None))
            else:  # no such scenario: the reader says so, with the names there are
                expansion.expectations.append((node, None))
        return expansion

    # ------------------------------------------------------------------ outlines

    def outlines(self, scenario_nodes: list[Node]) -> dict[int, _Outline]:
        """Each outline by its node's identity, after checking its rows and generated names."""
        found: dict[int, _Outline] = {}
        written = self.written
        for node in scenario_nodes:
            fields = node.value if isinstance(node.value, dict) else {}
            name_node = fields.get("name")
            is_outline = "examples" in fields
            if is_outline and name_node is None:
                raise self.fail(node.line, "missing required key 'name' in scenario")
            if name_node is None or not isinstance(name_node.value, str):
                continue
            name = self.checks.name(name_node, "name", "scenario name") if is_outline else ""
            if name_node.value in written:  # an outline's name vanishes in its expansion
                raise self.fail(
                    name_node.line,
                    f"duplicate scenario name '{name_node.value}' "
                    f"(first at line {written[name_node.value]})",
                )
            written[name_node.value] = node.line
            if not is_outline:
                continue
            rows = self.rows(fields["examples"], name)
            self.count(len(rows) * node.size, node.line, f"outline '{name}'")
            found[id(node)] = _Outline(name, rows)
        made: dict[str, Row] = {}
        for outline in found.values():
            for row, _ in outline.rows:
                generated = f"{outline.name}-{row.id}"
                if generated in written:
                    raise self.fail(
                        row.line,
                        f"outline '{outline.name}' row '{row.id}' makes the scenario name "
                        f"'{generated}', which is also written at line {written[generated]}; "
                        "rename one of them",
                    )
                if generated in made:
                    first = made[generated]
                    raise self.fail(
                        row.line,
                        f"outline '{outline.name}' row '{row.id}' makes the scenario name "
                        f"'{generated}', as outline '{first.outline}' row '{first.id}' "
                        f"(line {first.line}) does; rename one of them",
                    )
                made[generated] = row
        return found

    def rows(self, node: Node, outline: str) -> tuple[tuple[Row, dict[str, Node]], ...]:
        items = self.checks.items(node, "examples")
        if not items:
            raise self.fail(
                node.line, f"'examples' of outline '{outline}' must list at least one row"
            )
        rows: list[tuple[Row, dict[str, Node]]] = []
        seen: dict[str, int] = {}
        first: tuple[Row, frozenset[str]] | None = None
        for item in items:
            if not isinstance(item.value, dict):
                raise self.fail(
                    item.line,
                    f"a row of the examples of '{outline}' must be a mapping, "
                    f"not a {item.type_name()}",
                )
            values: dict[str, Node] = item.value
            if "id" not in values:
                raise self.fail(
                    item.line,
                    f"row without an 'id' in the examples of '{outline}': each row needs one, "
                    "to name its scenario",
                )
            row_id = self.checks.name(values["id"], "id", "row id")
            if row_id in seen:
                raise self.fail(
                    values["id"].line,
                    f"duplicate row id '{row_id}' in the examples of '{outline}' "
                    f"(first at line {seen[row_id]})",
                )
            seen[row_id] = item.line
            for key in values:
                if not VARIABLE_NAME.fullmatch(key):
                    raise self.fail(
                        item.key_lines[key],
                        f"variable name {key!r} in the examples of '{outline}' is not valid: "
                        "use letters, digits and '_', not starting with a digit",
                    )
            row = Row(outline, row_id, item.line)
            names = frozenset(values)
            if first is None:
                first = (row, names)
            elif names != first[1]:
                lacks, adds = sorted(first[1] - names), sorted(names - first[1])
                what = [f"lacks {', '.join(lacks)}"] if lacks else []
                what += [f"adds {', '.join(adds)}"] if adds else []
                raise self.fail(
                    item.line,
                    f"row '{row_id}' of outline '{outline}' {' and '.join(what)}: every row "
                    f"defines the variables of the first row '{first[0].id}' "
                    f"(line {first[0].line}): {', '.join(sorted(first[1] - {'id'})) or 'none'}",
                )
            rows.append((row, values))
        return tuple(rows)

    def count(self, size: int, line: int, what: str) -> None:
        self.size += size
        if self.size > MAX_EXPANDED_NODES:
            raise self.fail(line, f"{what} expands to more than {MAX_EXPANDED_NODES:,} nodes")

    # ------------------------------------------------------------------ scenarios

    def scenario(
        self, node: Node, variables: dict[str, Node], where: str, row: Row | None = None
    ) -> Node:
        """The scenario with its templates replaced (the same node when nothing changes)."""
        if not isinstance(node.value, dict):
            return node
        fields: dict[str, Node] = node.value
        template = _Template(self, variables, where, row)
        changed = dict(fields)
        if "initial_state" in fields:
            changed["initial_state"] = template.tree(fields["initial_state"])
        missions = fields.get("missions")
        if missions is not None and isinstance(missions.value, list):
            calls = [self.call(call, template) for call in missions.value]
            if any(new is not old for new, old in zip(calls, missions.value, strict=True)):
                changed["missions"] = Node(calls, missions.line, missions.size)
        if all(changed[key] is fields[key] for key in fields):
            return node
        return _mapping_like(node, changed)

    def call(self, node: Node, template: _Template) -> Node:
        if not isinstance(node.value, dict):
            return node
        fields: dict[str, Node] = node.value
        if template.outline:
            template.not_here(fields.get("name"), "a mission's 'name'")
        changed = dict(fields)
        if "params" in fields:
            changed["params"] = template.tree(fields["params"])
        if "as" in fields:
            changed["as"] = template.scalar(fields["as"])
        if all(changed[key] is fields[key] for key in fields):
            return node
        return _mapping_like(node, changed)

    # ------------------------------------------------------------------ expectations

    def expectation_ids(self, nodes: list[Node], outlines: dict[str, _Outline]) -> None:
        """Written ids are unique, and no id made from a row equals another id."""
        written: dict[str, int] = {}
        for node in nodes:
            fields = node.value if isinstance(node.value, dict) else {}
            id_node = fields.get("id")
            if id_node is None or not isinstance(id_node.value, str):
                continue
            if id_node.value in written:
                raise self.fail(
                    id_node.line,
                    f"duplicate expectation id '{id_node.value}' "
                    f"(first at line {written[id_node.value]})",
                )
            written[id_node.value] = node.line
        made: dict[str, tuple[str, Row, int]] = {}
        for node in nodes:
            outline = outlines.get(_scenario_of(node) or "")
            eid = node.value.get("id") if outline is not None else None
            if outline is None or eid is None or not isinstance(eid.value, str):
                continue
            for row, _ in outline.rows:
                generated = f"{eid.value}-{row.id}"
                maker = f"expectation '{eid.value}' with row '{row.id}' (line {row.line})"
                if generated in written:
                    raise self.fail(
                        node.line,
                        f"{maker} makes the id '{generated}', which is also written at line "
                        f"{written[generated]}; rename one of them",
                    )
                if generated in made:
                    other, other_row, other_line = made[generated]
                    raise self.fail(
                        node.line,
                        f"{maker} makes the id '{generated}', as expectation '{other}' "
                        f"(line {other_line}) with row '{other_row.id}' (line {other_row.line}) "
                        "does; rename one of them",
                    )
                made[generated] = (eid.value, row, node.line)

    def outline_expectation(
        self, node: Node, outline: _Outline
    ) -> Iterable[tuple[Node, Row | None]]:
        fields: dict[str, Node] = node.value
        if "id" not in fields:
            raise self.fail(node.line, "missing required key 'id' in expectation")
        eid = self.checks.name(fields["id"], "id", "expectation id")
        self.count(len(outline.rows) * node.size, node.line, f"expectation '{eid}'")
        for row, variables in outline.rows:
            template = _Template(self, variables, f"expectation '{eid}'", row)
            template.not_here(fields.get("op"), "'op'")
            changed = self.expectation_fields(fields, template)
            changed["id"] = Node(f"{eid}-{row.id}", fields["id"].line)
            changed["scenario"] = Node(f"{outline.name}-{row.id}", fields["scenario"].line)
            yield _mapping_like(node, changed), row

    def plain_expectation(self, node: Node) -> Node:
        if not isinstance(node.value, dict):
            return node
        fields: dict[str, Node] = node.value
        eid = fields.get("id")
        scenario = fields.get("scenario")
        shown_id = f"expectation {eid.value!r}" if eid is not None else "an expectation"
        shown_scenario = f"scenario {scenario.value!r}" if scenario is not None else "its scenario"
        template = _Template(self, {}, f"{shown_id} ({shown_scenario})")
        changed = self.expectation_fields(fields, template)
        if all(changed[key] is fields[key] for key in fields):
            return node
        return _mapping_like(node, changed)

    def expectation_fields(self, fields: dict[str, Node], template: _Template) -> dict[str, Node]:
        changed = dict(fields)
        for key in ("mission", "path", "rel", "abs"):
            if key in fields:
                changed[key] = template.scalar(fields[key])
        if "expected" in fields:
            changed["expected"] = template.tree(fields["expected"])
        return changed


class _Template:
    """Replaces `${name}` in the nodes of one part (a scenario, an expectation) for one row."""

    def __init__(
        self, expander: _Expander, variables: dict[str, Node], where: str, row: Row | None = None
    ) -> None:
        self.fail = expander.fail
        self.variables = variables
        self.where = where
        self.row = row

    @property
    def outline(self) -> bool:
        return self.row is not None

    def tree(self, node: Node) -> Node:
        """A value and everything under it; keys stay as written."""
        value = node.value
        if isinstance(value, str):
            return self.scalar(node)
        if isinstance(value, list):
            items = [self.tree(item) for item in value]
            if all(new is old for new, old in zip(items, value, strict=True)):
                return node
            return Node(items, node.line, 1 + sum(item.size for item in items))
        if isinstance(value, dict):
            mapping: dict[str, Node] = {}
            for key, child in value.items():
                if self.outline and "${" in key:
                    raise self.fail(
                        node.key_lines[key],
                        f"mapping key {key!r} holds '${{': variables are not replaced in keys, "
                        "only in values",
                    )
                mapping[key] = self.tree(child)
            if all(mapping[key] is value[key] for key in value):
                return node
            return _mapping_like(node, mapping)
        return node

    def scalar(self, node: Node) -> Node:
        text = node.value
        if not isinstance(text, str) or "${" not in text:
            return node
        whole = _WHOLE.fullmatch(text)
        if whole is not None:
            return self.variable(whole[1], node.line)
        parts: list[str] = []
        last = 0
        for token in _TOKEN.finditer(text):
            parts.append(text[last : token.start()])
            last = token.end()
            if token[0] == "$$":
                parts.append("$")
            elif token[1] is None:
                raise self.fail(
                    node.line,
                    f"malformed variable in {text!r}: write ${{name}} with a name of letters, "
                    f"digits and '_', or {_LITERAL}",
                )
            else:
                parts.append(self.text_of(token[1], node.line))
        parts.append(text[last:])
        return Node("".join(parts), node.line)

    def variable(self, name: str, line: int) -> Node:
        found = self.variables.get(name)
        if found is not None:
            return found
        if not self.outline:
            raise self.fail(
                line,
                f"'${{{name}}}' in {self.where}, which has no examples to give it a value; "
                f"name an outline, or {_LITERAL}",
            )
        guess = nearest(name, tuple(sorted(self.variables)))
        hint = f"; did you mean '{guess}'?" if guess else ""
        raise self.fail(
            line,
            f"unknown variable '{name}' in {self.where} (its rows define: "
            f"{', '.join(sorted(self.variables))}){hint}",
        )

    def text_of(self, name: str, line: int) -> str:
        value = self.variable(name, line).value
        if isinstance(value, str):
            return value
        if isinstance(value, (dict, list)):
            assert self.row is not None
            raise self.fail(
                line,
                f"variable '{name}' of row '{self.row.id}' (line {self.row.line}) is a "
                f"{type_name(value)}: only a whole value '${{{name}}}' can take a list or mapping",
            )
        return json.dumps(value)

    def not_here(self, node: Node | None, what: str) -> None:
        if node is not None and isinstance(node.value, str) and "${" in node.value:
            raise self.fail(node.line, f"{what} holds '${{': {_ELSEWHERE}")


_FLOW_HINT_TOKENS = re.compile(r"[\"'\[{,]|\$\{")


def flow_hint(data: bytes, line: int, message: str) -> str:
    """Why YAML refused a line such as `params: {n: ${n}}`: in `{ }` and `[ ]`, YAML reads
    `{` as the start of a mapping, so a `${name}` there needs quotes."""
    if not message.startswith("invalid YAML"):
        return ""
    lines = data.split(b"\n")
    text = lines[line - 1].decode("utf-8", "replace") if 0 < line <= len(lines) else ""
    if not _unquoted_in_flow(text):
        return ""
    return '; inside { } or [ ], quote a variable: "${name}"'


def _unquoted_in_flow(line: str) -> bool:
    """Whether a `${` follows a `[`, `{` or `,` with no quote between them. One pass: a
    pattern that tried each `[`, `{` and `,` in turn rescanned the rest of the line each
    time, quadratic on a long line of them."""
    opened = False
    for token in _FLOW_HINT_TOKENS.findall(line):
        if token == "${" and opened:
            return True
        opened = token not in "\"'"  # the `{` of a `${` opens too
    return False


def _mapping_like(node: Node, fields: dict[str, Node]) -> Node:
    """A mapping node with new values, keeping the original's line and key lines."""
    new = Node(fields, node.line, 1 + sum(child.size for child in fields.values()))
    new.key_lines = node.key_lines
    return new


def _names(outline: _Outline) -> tuple[str, ...]:
    return tuple(f"{outline.name}-{row.id}" for row, _ in outline.rows)


def _scenario_of(node: Node) -> str | None:
    """The scenario an expectation node names, when it names one by a string."""
    scenario = node.value.get("scenario") if isinstance(node.value, dict) else None
    return scenario.value if scenario is not None and isinstance(scenario.value, str) else None


def _scenario_context(node: Node) -> str:
    name = node.value.get("name") if isinstance(node.value, dict) else None
    return f"scenario {name.value!r}" if name is not None else "a scenario"
