"""Read a YAML file into line-marked nodes, safely.

libyaml composes the node graph (no constructor runs, so no tag can act); this module then
walks that graph itself, without recursion. That is what makes every guarantee below cheap
and certain:

* no tag other than the JSON-like standard ones is accepted, so nothing can execute;
* duplicate mapping keys are found (PyYAML silently keeps the last);
* aliases are shared, and their expanded size is bounded (no billion laughs);
* nesting depth is bounded without recursion;
* every value keeps the 1-based line it starts on.
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any

import yaml

from ..core.exceptions import Tier2Error

MAX_DEPTH = 100
MAX_EXPANDED_NODES = 1_000_000

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + name for name in ("str", "int", "float", "bool", "null")}
_MAP_TAG = _STD + "map"
_SEQ_TAG = _STD + "seq"
_MERGE_TAG = _STD + "merge"
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_STR_TAG = _STD + "str"
_INT_TAG = _STD + "int"
_NUMBER_TAGS = {_INT_TAG, _STD + "float"}
MAX_NUMBER_CHARACTERS = 20_000
"""Longer numbers are refused before they are built: building a base-60 or a decimal
number takes time that grows faster than its length. A binary integer of 4,300 decimal
digits, the most canonical JSON writes, needs about 14,300 characters."""
_INT_BITS_ALWAYS_WRITTEN = 2_000  # 603 decimal digits: below any digit limit Python allows
_TOO_BIG_FLOAT = "it is beyond the range of a float"
_ALIAS = re.compile(r"\*[^\s,\[\]{}]+")
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


def show_tag(tag: str) -> str:
    """A tag as it is written in a file: `!!python/name:os.system`, not its long form."""
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


class _Resolving:
    """A composer mixin resolving tags through the memoised `resolve_plain`."""

    def resolve(self, kind: Any, value: str | None, implicit: tuple[bool, bool]) -> str:
        # By name, not class identity: see `parse`.
        if kind.__name__ == "MappingNode":
            return _MAP_TAG
        if kind.__name__ == "SequenceNode":
            return _SEQ_TAG
        assert value is not None
        # Only a plain scalar is resolved by its text; a quoted one is a string.
        return resolve_plain(value) if implicit[0] else _STR_TAG


class PythonComposer(_Resolving, yaml.SafeLoader):
    """PyYAML's pure-Python composer: the fallback where libyaml is missing."""


COMPOSER: Any = PythonComposer
"""The composer `parse` uses: libyaml's when PyYAML was built with it."""
if getattr(yaml, "__with_libyaml__", False):

    class LibyamlComposer(_Resolving, yaml.CSafeLoader):
        """libyaml's composer, about ten times faster than the pure-Python one."""

    COMPOSER = LibyamlComposer


def parse(text: str, composer: Any = None) -> Node | None:
    """Parse one YAML document into Nodes; None when the text holds no document.

    `composer` defaults to `COMPOSER`; the tests pass `PythonComposer` to check that both
    composers give every file the same verdict.
    """
    loader = None
    try:
        # The pure-Python reader checks every character as it is made.
        loader = (composer or COMPOSER)(text)
        root = loader.get_single_node()
    except Exception as error:
        # Matched by attributes, not classes: libyaml's extension keeps the classes of the
        # first `yaml` import, which differ from a later re-import's (pytester does that).
        raise _source_error(text, error) from None
    finally:
        if loader is not None:
            loader.dispose()
    return None if root is None else _convert(root)


def _source_error(text: str, error: Exception) -> YamlSourceError:
    if isinstance(error, RecursionError):  # only the pure-Python composer recurses
        return YamlSourceError(1, f"nested deeper than {MAX_DEPTH} levels")
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is not None:
        problem = getattr(error, "problem", None) or str(error)
        line = mark.line + 1
        if "maximum nesting depth" in problem:
            return YamlSourceError(line, f"nested deeper than {MAX_DEPTH} levels")
        if "found another document" in problem:
            return YamlSourceError(line, "more than one YAML document in the file")
        if "undefined alias" in problem:
            alias = _ALIAS.match(text, getattr(mark, "index", 0) or 0)
            name = f"'{alias.group(0)}'" if alias else "here"
            return YamlSourceError(line, f"alias {name} refers to no anchor before it")
        return YamlSourceError(line, f"invalid YAML: {' '.join(problem.split())}")
    position = getattr(error, "position", None)
    if isinstance(position, int):  # a reader error: a character YAML refuses, such as NUL
        character = getattr(error, "character", 0)
        code = ord(character) if isinstance(character, str) else character
        reason = getattr(error, "reason", "unacceptable character")
        return YamlSourceError(
            text.count("\n", 0, position) + 1, f"invalid YAML: {reason} (#x{code:04x})"
        )
    return YamlSourceError(1, f"invalid YAML: {' '.join(str(error).split())}")


_PLAIN_RESOLVER = yaml.resolver.Resolver()
_PLAIN_TAGS: dict[str, str] = {}


def resolve_plain(value: str) -> str:
    """The tag PyYAML's resolver gives a plain (unquoted) scalar, memoised for short ones."""
    tag = _PLAIN_TAGS.get(value)
    if tag is None:
        tag = str(_PLAIN_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)))  # type: ignore[no-untyped-call]
        if len(value) <= 40 and len(_PLAIN_TAGS) < 20_000:
            _PLAIN_TAGS[value] = tag
    return tag


_PLAIN_VALUES: dict[str, tuple[Any]] = {}


def plain_value(text: str, line: int) -> Any:
    """The value of a plain (unquoted) scalar, memoised for the short ones suites repeat."""
    cached = _PLAIN_VALUES.get(text)
    if cached is not None:
        return cached[0]
    value = _scalar(resolve_plain(text), text, line)
    if len(text) <= 40 and len(_PLAIN_VALUES) < 20_000:
        _PLAIN_VALUES[text] = (value,)
    return value


def _scalar(tag: str, value: str, line: int) -> Any:
    if tag == _STR_TAG:
        return value
    if tag == _MERGE_TAG:
        return "<<"
    if tag not in _SCALAR_TAGS:
        if tag == _STD + "timestamp":
            kind = "date" if len(value) == 10 else "timestamp"
            raise YamlSourceError(
                line,
                f"tag '!!timestamp' is not allowed: {shown(value)} is a {kind}, not a JSON "
                "value; quote it to make it a string",
            )
        raise YamlSourceError(line, f"tag '{show_tag(tag)}' is not allowed")
    if tag == _STD + "null" and value not in _NULL_FORMS:
        raise YamlSourceError(line, f"{shown(value)} is not a valid !!null")
    if tag in _NUMBER_TAGS and len(value) > MAX_NUMBER_CHARACTERS:
        raise YamlSourceError(
            line,
            f"{shown(value)} is too long for a number (at most "
            f"{MAX_NUMBER_CHARACTERS:,} characters)",
        )
    try:
        result = _CONSTRUCTOR.construct_object(yaml.ScalarNode(tag, value))
    except OverflowError:  # a base-60 float: PyYAML sums it with an int place value
        raise YamlSourceError(
            line, f"{shown(value)} is not a JSON value: {_TOO_BIG_FLOAT}"
        ) from None
    except (ValueError, KeyError, IndexError, yaml.YAMLError):
        if tag == _INT_TAG and _int_digit_limit() < sum(map(str.isdigit, value)):
            raise YamlSourceError(line, _too_many_digits(value)) from None
        raise YamlSourceError(line, f"{shown(value)} is not a valid {show_tag(tag)}") from None
    if isinstance(result, float) and not math.isfinite(result):
        if value.lstrip("+-").lower() in (".inf", ".nan"):
            problem = "NaN and infinity are not"
        else:
            problem = _TOO_BIG_FLOAT
        raise YamlSourceError(line, f"{shown(value)} is not a JSON value: {problem}")
    if type(result) is int and result.bit_length() > _INT_BITS_ALWAYS_WRITTEN:
        try:
            str(result)  # what canonical JSON does; Python refuses ints past its digit limit
        except ValueError:
            raise YamlSourceError(line, _too_many_digits(value)) from None
    return result


def _int_digit_limit() -> int:
    """Python's limit on the digits of an int written as text (0, or absent, is none)."""
    limit: int = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    return limit or sys.maxsize


def _too_many_digits(value: str) -> str:
    return (
        f"{shown(value)} is not a JSON value: an integer of more than {_int_digit_limit():,} digits"
    )


def shown(value: str) -> str:
    """A scalar as a message quotes it: whole when short, else its start and its length."""
    if len(value) <= 60:
        return repr(value)
    return f"{value[:40]!r}... ({len(value):,} characters)"


def _check_collection_tag(tag: str, expected: str, line: int) -> None:
    if tag != expected:
        raise YamlSourceError(line, f"tag '{show_tag(tag)}' is not allowed")


def _convert(root: Any) -> Node:
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
        line = ynode.start_mark.line + 1
        kind = type(ynode).__name__  # not the class: see `parse`
        if kind == "ScalarNode":
            if key not in done:
                done[key] = Node(_scalar(ynode.tag, ynode.value, line), line)
            continue
        if children_done:
            active.discard(key)
            done[key] = _container(ynode, kind, line, done)
            continue
        if key in done:
            continue
        if key in active:
            raise YamlSourceError(line, "an alias refers to a node that contains it")
        if depth >= MAX_DEPTH:
            raise YamlSourceError(line, f"nested deeper than {MAX_DEPTH} levels")
        _check_collection_tag(ynode.tag, _MAP_TAG if kind == "MappingNode" else _SEQ_TAG, line)
        active.add(key)
        stack.append((ynode, depth, True))
        if kind == "MappingNode":
            children = []
            for key_node, value_node in ynode.value:
                if type(key_node).__name__ != "ScalarNode":
                    raise YamlSourceError(
                        key_node.start_mark.line + 1,
                        "a mapping key must be a string, not a collection",
                    )
                children.append(value_node)
        else:
            children = ynode.value
        for child in reversed(children):
            if id(child) not in done:
                stack.append((child, depth + 1, False))
    return done[id(root)]


def _container(ynode: Any, kind: str, line: int, done: dict[int, Node]) -> Node:
    if kind == "SequenceNode":
        items = [done[id(child)] for child in ynode.value]
        node = Node(items, line, 1 + sum(item.size for item in items))
    else:
        node = Node({}, line)
        mapping: dict[str, Node] = node.value
        merged: dict[str, Node] = {}
        size = 1
        for key_node, value_node in ynode.value:
            key_line = key_node.start_mark.line + 1
            key = _scalar(key_node.tag, key_node.value, key_line)
            value = done[id(value_node)]
            if key == "<<" and key_node.tag == _MERGE_TAG:
                _merge(value, key_line, merged)
                continue
            if not isinstance(key, str):
                raise YamlSourceError(
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


def _merge(source: Node, line: int, merged: dict[str, Node]) -> None:
    """`<<: *base` or `<<: [*a, *b]`: keys given explicitly win, earlier merges win over later."""
    sources = source.value if isinstance(source.value, list) else [source]
    for item in sources:
        if not isinstance(item.value, dict):
            raise YamlSourceError(line, "'<<' merges only mappings")
        for key, value in item.value.items():
            merged.setdefault(key, value)
