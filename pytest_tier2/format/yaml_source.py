"""Read a YAML file into line-marked nodes, safely.

A composer (libyaml's, or PyYAML's own: see `yaml_composers` and `parse`) builds the node
graph, and no constructor runs, so no tag can act; this module then walks that graph
itself, without recursion. That is what makes every guarantee below cheap and certain:

* no tag other than the JSON-like standard ones is accepted, so nothing can execute;
* duplicate mapping keys are found (PyYAML silently keeps the last);
* aliases are shared, and their expanded size is bounded (no billion laughs);
* nesting depth is bounded without recursion;
* every value keeps the 1-based line it starts on.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import YamlSourceError
from .yaml_composers import COMPOSER, MAX_DEPTH, PythonComposer, libyaml_reads_alike
from .yaml_scalars import MAP_TAG, MERGE_TAG, SEQ_TAG, scalar, show_tag

__all__ = ["COMPOSER", "MAX_DEPTH", "Node", "PythonComposer", "YamlSourceError", "decode", "parse"]

MAX_EXPANDED_NODES = 1_000_000

_ALIAS = re.compile(r"\*[^\s,\[\]{}]+")
_ANCHOR = re.compile(r"&[^\s,\[\]{}]+")
_MAX_KEY = 1024
_TAB = (
    "invalid YAML: a tab character; YAML allows tabs only inside quoted strings, block "
    "scalars and comments (indent and separate with spaces)"
)
_BOM = b"\xef\xbb\xbf"


class _MarkedOtherwise(YamlSourceError):
    """An error at a node that libyaml and PyYAML place on different lines."""


class Node:
    """A value read from YAML: a scalar, a list of Nodes or a dict of Nodes, with its line."""

    __slots__ = ("key_lines", "line", "size", "value")

    def __init__(self, value: Any, line: int, size: int = 1) -> None:
        self.value = value
        self.line = line
        self.size = size
        self.key_lines: dict[str, int] = {}

    def plain(self) -> Any:
        """The plain Python value (dicts, lists, scalars), expanding shared aliases."""
        value = self.value
        if isinstance(value, dict):
            return {key: node.plain() for key, node in value.items()}
        if isinstance(value, list):
            return [node.plain() for node in value]
        return value

    def type_name(self) -> str:
        return type_name(self.value)


def type_name(value: object) -> str:
    """A reader's name for the JSON-like type of a value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "mapping"


def decode(data: bytes) -> str:
    """UTF-8 text of a file, without a BOM; bad bytes are an error that names their line."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise YamlSourceError(
            line, f"not valid UTF-8: byte 0x{data[error.start]:02x} cannot be decoded"
        ) from None


def parse(text: str, composer: Any = None) -> Node | None:
    """Parse one YAML document into Nodes; None when the text holds no document.

    libyaml, when PyYAML has it, composes the text unless it holds what libyaml reads
    otherwise than PyYAML's pure-Python composer. When libyaml finds the text malformed, or
    an error at a node that the two place on different lines, that composer reads it again
    and decides, in its own words. So a file's verdict (the same values and lines, or the
    same error at the same line) never depends on how PyYAML was built: the pure-Python
    composer is the one every platform has. `composer` forces one composer (for tests).
    """
    if composer is not None:
        return _read(text, composer)
    if COMPOSER is not PythonComposer and libyaml_reads_alike(text):
        try:
            root = _compose(text, COMPOSER)
        except YamlSourceError:
            pass  # malformed: the pure-Python composer finds, and words, the first error
        else:
            try:
                return _converted(root, text)
            except _MarkedOtherwise:
                pass
    return _read(text, PythonComposer)


def _read(text: str, composer: Any) -> Node | None:
    return _converted(_compose(text, composer), text)


def _compose(text: str, composer: Any) -> Any:
    """PyYAML's node graph of a text's one document, or None."""
    loader = None
    try:
        loader = composer(text)  # the pure-Python reader checks characters as it is made
        return loader.get_single_node()
    except Exception as error:
        # Matched by attributes, not classes: libyaml's extension keeps the classes of the
        # first `yaml` import, which differ from a later re-import's (pytester does that).
        raise _source_error(text, error) from None
    finally:
        if loader is not None:
            loader.dispose()


def _converted(root: Any, text: str) -> Node | None:
    # libyaml reads a text without a final line break as if it had one: an empty value at
    # its end would sit on a line past the last.
    return None if root is None else _convert(root, text.count("\n") + 1)


def _source_error(text: str, error: Exception) -> YamlSourceError:
    """A YAML error as one located line, in the pure-Python composer's words (`parse`)."""
    if isinstance(error, YamlSourceError):
        return error
    if isinstance(error, RecursionError):  # a safety net: the composer recurses MAX_DEPTH deep
        return YamlSourceError(1, f"nested deeper than {MAX_DEPTH} levels")
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        problem = " ".join((getattr(error, "problem", None) or str(error)).split())
        line = mark.line + 1
        index = getattr(mark, "index", 0) or 0
        if "found another document" in problem:
            return YamlSourceError(line, "more than one YAML document in the file")
        if "undefined alias" in problem:
            alias = _ALIAS.match(text, index)
            name = f"'{alias.group(0)}'" if alias else "here"
            return YamlSourceError(line, f"alias {name} refers to no anchor before it")
        if problem == "second occurrence":  # a duplicate anchor
            anchor = _ANCHOR.match(text, index)
            name = f" '{anchor.group(0)}'" if anchor else ""
            first = getattr(error, "context_mark", None)
            where = f" (first at line {first.line + 1})" if first is not None else ""
            return YamlSourceError(line, f"duplicate anchor{name}{where}")
        if "'\\t'" in problem:
            return YamlSourceError(line, _TAB)
        if mark.column >= _MAX_KEY and ("':'" in problem or "mapping values" in problem):
            problem += " (a key may be at most 1024 characters long, up to its ':')"
        return YamlSourceError(line, f"invalid YAML: {problem}")
    position = getattr(error, "position", None)
    if isinstance(position, int):  # a reader error: a character YAML refuses, such as NUL
        character = getattr(error, "character", 0)
        code = ord(character) if isinstance(character, str) else character
        reason = getattr(error, "reason", "unacceptable character")
        return YamlSourceError(
            text.count("\n", 0, position) + 1, f"invalid YAML: {reason} (#x{code:04x})"
        )
    return YamlSourceError(1, f"invalid YAML: {' '.join(str(error).split())}")


def _check_collection_tag(tag: str, expected: str, line: int) -> None:
    if tag != expected:
        raise YamlSourceError(line, f"tag '{show_tag(tag)}' is not allowed")


def _convert(root: Any, last_line: int) -> Node:
    """Turn PyYAML's node graph into Nodes without recursion, checking as it goes.

    Aliased nodes are converted once and shared; each Node's `size` counts its expansion,
    so an alias bomb is refused as soon as one container grows past the limit.
    """
    done: dict[int, Node] = {}
    active: set[int] = set()
    stack: list[tuple[Any, int, bool]] = [(root, 0, False)]
    while stack:
        ynode, depth, children_done = stack.pop()
        key = id(ynode)
        line = min(ynode.start_mark.line + 1, last_line)
        kind = type(ynode).__name__  # not the class: see `parse`
        if kind == "ScalarNode":
            if key not in done:
                done[key] = Node(scalar(ynode.tag, ynode.value, line), line)
            continue
        if children_done:
            active.discard(key)
            done[key] = _container(ynode, kind, line, done, last_line)
            continue
        if key in done:
            continue
        if key in active:
            raise YamlSourceError(line, "an alias refers to a node that contains it")
        if depth >= MAX_DEPTH:
            raise YamlSourceError(line, f"nested deeper than {MAX_DEPTH} levels")
        _check_collection_tag(ynode.tag, MAP_TAG if kind == "MappingNode" else SEQ_TAG, line)
        active.add(key)
        stack.append((ynode, depth, True))
        if kind == "MappingNode":
            children = []
            for key_node, value_node in ynode.value:
                if type(key_node).__name__ != "ScalarNode":
                    raise YamlSourceError(
                        min(key_node.start_mark.line + 1, last_line),
                        "a mapping key must be a string, not a collection",
                    )
                children.append(value_node)
        else:
            children = ynode.value
        for child in reversed(children):
            if id(child) not in done:
                stack.append((child, depth + 1, False))
    return done[id(root)]


def _container(ynode: Any, kind: str, line: int, done: dict[int, Node], last_line: int) -> Node:
    if kind == "SequenceNode":
        items = [done[id(child)] for child in ynode.value]
        node = Node(items, line, 1 + sum(item.size for item in items))
    else:
        node = Node({}, line)
        mapping: dict[str, Node] = node.value
        merged: dict[str, Node] = {}
        size = 1
        for key_node, value_node in ynode.value:
            key_line = min(key_node.start_mark.line + 1, last_line)
            key = scalar(key_node.tag, key_node.value, key_line)
            value = done[id(value_node)]
            if ynode.flow_style and _is_empty(value_node):
                # Where an empty value sits: libyaml says at the next token, PyYAML at the
                # ':'. Both agree where its key ends.
                value = Node(value.value, min(key_node.end_mark.line + 1, last_line))
            if key == "<<" and key_node.tag == MERGE_TAG:
                _merge(value, key_line, merged)
                continue
            if not isinstance(key, str):
                # An empty key in a flow mapping: libyaml marks it at the next token,
                # PyYAML after the '?', so PyYAML's reading decides (see `parse`).
                error = (
                    _MarkedOtherwise
                    if ynode.flow_style and _is_empty(key_node)
                    else YamlSourceError
                )
                raise error(
                    key_line, f"mapping key {key!r} is a {type_name(key)}; keys must be strings"
                )
            if key in mapping:
                raise YamlSourceError(
                    key_line, f"duplicate key {key!r} (first at line {node.key_lines[key]})"
                )
            mapping[key] = value
            node.key_lines[key] = key_line
            size += value.size
        for key, value in merged.items():
            if key not in mapping:
                mapping[key] = value
                node.key_lines[key] = value.line
                size += value.size
        node.size = size
    if node.size > MAX_EXPANDED_NODES:
        raise YamlSourceError(line, f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes")
    return node


def _is_empty(ynode: Any) -> bool:
    """Whether a node is an empty plain scalar: a value left out."""
    return type(ynode).__name__ == "ScalarNode" and ynode.value == "" and not ynode.style


def _merge(source: Node, line: int, merged: dict[str, Node]) -> None:
    """`<<: *base` or `<<: [*a, *b]`: keys given explicitly win, earlier merges win over later."""
    sources = source.value if isinstance(source.value, list) else [source]
    for item in sources:
        if not isinstance(item.value, dict):
            raise YamlSourceError(line, "'<<' merges only mappings")
        for key, value in item.value.items():
            merged.setdefault(key, value)
