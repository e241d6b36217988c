"""Read a YAML file into line-marked nodes, safely.

This never calls PyYAML's constructors on mappings or sequences: it builds nodes from the
parser's events itself. That is what makes every guarantee below cheap and certain:

* no tag other than the JSON-like standard ones is accepted, so nothing can execute;
* duplicate mapping keys are found (PyYAML silently keeps the last);
* aliases are shared, and their expanded size is bounded (no billion laughs);
* nesting depth is bounded without recursion;
* every value keeps the 1-based line it starts on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import yaml

from .core.exceptions import Tier2Error

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - libyaml is missing on some platforms
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 100
MAX_EXPANDED_NODES = 1_000_000

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + name for name in ("str", "int", "float", "bool", "null")}
_MAP_TAG = _STD + "map"
_SEQ_TAG = _STD + "seq"
_MERGE_TAG = _STD + "merge"
_RESOLVER = yaml.resolver.Resolver()
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_BOM = b"\xef\xbb\xbf"
_NULL_FORMS = ("", "~", "null", "Null", "NULL")


class YamlSourceError(Tier2Error):
    """A YAML file cannot be read as a suite; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")


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


@dataclass
class _Frame:
    node: Node
    anchor: str | None
    pending_key: tuple[str, int] | None = None
    merged: dict[str, Node] | None = None


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


def _scalar(event: yaml.ScalarEvent, line: int) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
    if tag == _STD + "str":
        return event.value
    if tag == _MERGE_TAG and event.tag is None:
        return "<<"
    if tag not in _SCALAR_TAGS:
        if tag == _STD + "timestamp" and event.tag is None:
            kind = "date" if len(event.value) == 10 else "timestamp"
            raise YamlSourceError(
                line, f"{event.value!r} is a {kind}, not a JSON value; quote it to make it a string"
            )
        raise YamlSourceError(line, f"tag '{show_tag(tag)}' is not allowed")
    if tag == _STD + "null" and event.value not in _NULL_FORMS:
        raise YamlSourceError(line, f"{event.value!r} is not a valid !!null")
    try:
        value = _CONSTRUCTOR.construct_object(yaml.ScalarNode(tag, event.value))
    except (ValueError, KeyError, IndexError, yaml.YAMLError):
        raise YamlSourceError(line, f"{event.value!r} is not a valid {show_tag(tag)}") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise YamlSourceError(
            line, f"{event.value!r} is not a JSON value (NaN and infinity are not)"
        )
    return value


def _check_collection_tag(tag: str | None, expected: str, line: int) -> None:
    if tag is not None and tag not in ("!", expected):
        raise YamlSourceError(line, f"tag '{show_tag(tag)}' is not allowed")


def show_tag(tag: str) -> str:
    """A tag as it is written in a file: `!!python/name:os.system`, not its long form."""
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


def parse(text: str) -> Node | None:
    """Parse one YAML document into Nodes; None when the text holds no document."""
    loader = _Loader(text)
    try:
        return _build(loader)
    except YamlSourceError:
        raise
    except Exception as error:
        # Matched by attributes, not classes: libyaml's extension keeps the classes of the
        # first `yaml` import, which differ from a later re-import's (pytester does that).
        raise _source_error(text, error) from None
    finally:
        loader.dispose()


def _source_error(text: str, error: Exception) -> YamlSourceError:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        problem = getattr(error, "problem", None) or str(error)
        if "maximum nesting depth" in problem:
            return YamlSourceError(mark.line + 1, f"nested deeper than {MAX_DEPTH} levels")
        return YamlSourceError(mark.line + 1, f"invalid YAML: {problem}")
    position = getattr(error, "position", None)
    if isinstance(position, int):  # a reader error: a character YAML refuses, such as NUL
        character = getattr(error, "character", 0)
        code = ord(character) if isinstance(character, str) else character
        reason = getattr(error, "reason", "unacceptable character")
        return YamlSourceError(
            text.count("\n", 0, position) + 1, f"invalid YAML: {reason} (#x{code:04x})"
        )
    return YamlSourceError(1, f"invalid YAML: {' '.join(str(error).split())}")


def _build(loader: Any) -> Node | None:
    anchors: dict[str, Node] = {}
    stack: list[_Frame] = []
    root: Node | None = None
    documents = 0
    while True:
        event = loader.get_event()
        if event is None:  # the stream ended without a StreamEndEvent
            return root
        line = event.start_mark.line + 1
        # By name, not class identity: see `parse`.
        kind = type(event).__name__
        if kind == "ScalarEvent":
            node = Node(_scalar(event, line), line)
            if event.anchor is not None:
                anchors[event.anchor] = node
        elif kind == "AliasEvent":
            aliased = anchors.get(event.anchor)
            if aliased is None:
                raise YamlSourceError(
                    line, f"alias '*{event.anchor}' refers to no complete anchor before it"
                )
            node = aliased
        elif kind == "MappingStartEvent" or kind == "SequenceStartEvent":
            is_map = kind == "MappingStartEvent"
            _check_collection_tag(event.tag, _MAP_TAG if is_map else _SEQ_TAG, line)
            if len(stack) >= MAX_DEPTH:
                raise YamlSourceError(line, f"nested deeper than {MAX_DEPTH} levels")
            stack.append(_Frame(Node({} if is_map else [], line), event.anchor))
            continue
        elif kind == "MappingEndEvent" or kind == "SequenceEndEvent":
            frame = stack.pop()
            node = frame.node
            if frame.merged:
                for key, value in frame.merged.items():
                    if key not in node.value:
                        node.value[key] = value
                        node.key_lines[key] = value.line
                        node.size += value.size
            if frame.anchor is not None:
                anchors[frame.anchor] = node
        elif kind == "DocumentStartEvent":
            documents += 1
            if documents > 1:
                raise YamlSourceError(line, "more than one YAML document in the file")
            continue
        elif kind == "StreamEndEvent":
            return root
        else:
            continue
        if not stack:
            root = node
            continue
        _attach(stack[-1], node)


def _attach(frame: _Frame, node: Node) -> None:
    parent = frame.node
    if isinstance(parent.value, list):
        parent.value.append(node)
    elif frame.pending_key is None:
        key = node.value
        if isinstance(key, (dict, list)):
            raise YamlSourceError(node.line, "a mapping key must be a string, not a collection")
        if not isinstance(key, str):
            raise YamlSourceError(
                node.line, f"mapping key {key!r} is a {type_name(key)}; keys must be strings"
            )
        frame.pending_key = (key, node.line)
        return
    else:
        key, key_line = frame.pending_key
        frame.pending_key = None
        if key == "<<" and node.value is not None:
            _merge(frame, node, key_line)
            return
        if key in parent.value:
            raise YamlSourceError(
                key_line, f"duplicate key {key!r} (first at line {parent.key_lines[key]})"
            )
        parent.value[key] = node
        parent.key_lines[key] = key_line
    parent.size += node.size
    if parent.size > MAX_EXPANDED_NODES:
        raise YamlSourceError(
            node.line, f"aliases expand to more than {MAX_EXPANDED_NODES:,} nodes"
        )


def _merge(frame: _Frame, node: Node, line: int) -> None:
    """`<<: *base` or `<<: [*a, *b]`: keys given explicitly win, earlier merges win over later."""
    sources = node.value if isinstance(node.value, list) else [node]
    merged = frame.merged if frame.merged is not None else {}
    for source in sources:
        if not isinstance(source.value, dict):
            raise YamlSourceError(line, "'<<' merges only mappings")
        for key, value in source.value.items():
            merged.setdefault(key, value)
    frame.merged = merged
