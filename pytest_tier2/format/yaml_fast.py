"""A fast reader for the plain YAML that suite files are made of, or no answer at all.

libyaml through PyYAML reads about 3 MB/s, which made YAML most of collection's cost. Most
suites use a small part of YAML: block mappings and sequences, plain and quoted one-line
scalars, and one-line flow collections. This reader handles exactly that part and returns
None for anything else (anchors, tags, block scalars, multi-line scalars, escapes, empty
values, documents markers, odd indentation, any problem at all), so that the careful
libyaml reader in `yaml_source` decides. Its Nodes equal that reader's, values and lines
alike: the tests compare the two on every suite they have and on generated ones.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import YamlSourceError
from .yaml_composers import MAX_DEPTH
from .yaml_scalars import plain_value
from .yaml_source import Node

_KEY = re.compile(r"([A-Za-z0-9_][^:#'\"\[\]{},]*):(?: +|$)")
"""A plain key, with any spaces before its ':' (strip them). Greedy up to the first
indicator, so a long run of spaces is read once: a lazy key followed by `[ ]*:` rescanned
the run at every character, quadratic in its length."""
_MAX_KEY_LENGTH = 1000
"""YAML limits a key without '?' to 1024 characters up to its ':'; keys near that are left
to the composers, which refuse longer ones."""
_PLAIN_START_FORBIDDEN = frozenset("&*!|>%@`?'\"[]{},#")
_FLOW_PLAIN_END = re.compile(r"[,\[\]{}:#]")
_CONTENT_LINE = re.compile(r"^( *)([^ #\n](?:[^\n]*[^ \n])?) *$", re.MULTILINE)
_DOCUMENT_MARKERS = re.compile(r"^(?:---|\.\.\.|%)", re.MULTILINE)
_AFTER_QUOTED_KEY = re.compile(r"[ ]*:(?: +|$)")
_MAX_FLOW_DEPTH = 20
_NOT_PRINTABLE = re.compile(
    "[^\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
"""Characters YAML refuses, the BOM, and the line breaks \x85, \u2028 and \u2029 that
libyaml counts as lines: all left to libyaml."""


_SCALAR_LINES: dict[str, tuple[str, Any]] = {}
"""`key: scalar` lines already read, with their key and (immutable) value."""


class _Decline(Exception):
    """The text holds something this reader leaves to libyaml."""


def parse_fast(text: str) -> Node | None:
    """The document's root Node, or None when the text is not in the plain subset."""
    try:
        lines = _content_lines(text)
        if not lines:
            return None
        reader = _Reader(lines)
        number, _, content = lines[0]
        if content[0] in "[{":  # a one-line flow document
            return reader.inline(content, number, 0) if len(lines) == 1 else None
        node, end = reader.block(0, lines[0][1], 0)
        return node if end == len(lines) else None
    except (_Decline, YamlSourceError, IndexError, ValueError):
        return None


def _content_lines(text: str) -> list[tuple[int, int, str]]:
    """(1-based line, indent, content) of every line that is not blank or a comment."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            raise _Decline
    if "\t" in text or _NOT_PRINTABLE.search(text) or _DOCUMENT_MARKERS.search(text):
        raise _Decline
    result = []
    number, last = 1, 0
    count = text.count
    for match in _CONTENT_LINE.finditer(text):
        start = match.start()
        number += count("\n", last, start)
        last = start
        result.append((number, match.end(1) - start, match.group(2)))
    return result


class _Reader:
    def __init__(self, lines: list[tuple[int, int, str]]) -> None:
        self.lines = lines

    def block(self, index: int, indent: int, depth: int) -> tuple[Node, int]:
        """The block node whose first line is `index`, at `indent`; and the next line."""
        if depth >= MAX_DEPTH:
            raise _Decline
        content = self.lines[index][2]
        if content == "-" or content.startswith("- "):
            return self.sequence(index, indent, depth)
        return self.mapping(index, indent, depth)

    def sequence(self, index: int, indent: int, depth: int) -> tuple[Node, int]:
        node = Node([], self.lines[index][0])
        items: list[Node] = node.value
        while index < len(self.lines):
            number, line_indent, content = self.lines[index]
            if line_indent != indent or not (content == "-" or content.startswith("- ")):
                break
            rest = content[1:].lstrip(" ")
            if not rest:
                raise _Decline  # an item on the following lines, or an empty one
            column = indent + len(content) - len(rest)
            if _starts_block(rest):
                self.lines[index] = (number, column, rest)
                item, index = self.block(index, column, depth + 1)
            else:
                item = self.inline(rest, number, depth + 1)
                index = self.after_inline(index + 1, indent)
            items.append(item)
        return node, index

    def mapping(self, index: int, indent: int, depth: int) -> tuple[Node, int]:
        node = Node({}, self.lines[index][0])
        fields: dict[str, Node] = node.value
        while index < len(self.lines):
            number, line_indent, content = self.lines[index]
            if line_indent != indent:
                if line_indent > indent:
                    raise _Decline
                break
            known = _SCALAR_LINES.get(content)
            if known is not None:  # a `key: scalar` line seen before: suites repeat them
                key, scalar = known
                if key in fields:
                    raise _Decline
                value = Node(scalar, number)
                index = self.after_inline(index + 1, indent)
                fields[key] = value
                node.key_lines[key] = number
                continue
            key, rest = _block_key(content, number)
            if key in fields:
                raise _Decline  # libyaml's reader words the error
            if rest and not rest.startswith("#"):
                value = self.inline(rest, number, depth + 1)
                index = self.after_inline(index + 1, indent)
                if rest[0] not in "[{" and len(_SCALAR_LINES) < 20_000 and len(content) <= 80:
                    _SCALAR_LINES[content] = (key, value.value)
            else:
                index += 1
                if index == len(self.lines):
                    raise _Decline  # an empty value
                next_indent, next_content = self.lines[index][1], self.lines[index][2]
                nested_sequence = next_indent == indent and (
                    next_content == "-" or next_content.startswith("- ")
                )
                if next_indent <= indent and not nested_sequence:
                    raise _Decline  # an empty value
                value, index = self.block(index, next_indent, depth + 1)
            fields[key] = value
            node.key_lines[key] = number
        return node, index

    def after_inline(self, index: int, indent: int) -> int:
        """The next line after an inline value; a deeper one would continue it: declined."""
        if index < len(self.lines) and self.lines[index][1] > indent:
            raise _Decline
        return index

    def inline(self, text: str, line: int, depth: int) -> Node:
        """A value written on its key's or dash's line, with nothing after it but a comment."""
        if text[0] in "[{":
            node, end = _Flow(text, line).value(0, depth)
            rest = text[end:].lstrip(" ")
            if rest and not rest.startswith("#"):
                raise _Decline
            return node
        if text[0] in "'\"":
            value, end = _quoted(text, 0)
            rest = text[end:].lstrip(" ")
            if rest and not rest.startswith("#"):
                raise _Decline
            return Node(value, line)
        if text[0] in _PLAIN_START_FORBIDDEN or text.startswith(("- ", "-\n")) or text == "-":
            raise _Decline
        comment = text.find(" #")
        plain = (text if comment < 0 else text[:comment]).rstrip(" ")
        if ": " in plain or plain.endswith(":") or "\\" in plain:
            raise _Decline
        return Node(plain_value(plain, line), line)


def _block_key(content: str, line: int) -> tuple[str, str]:
    """A block mapping line's key, and what follows its ': '."""
    if content[0] in "'\"":
        key, end = _quoted(content, 0)
        after = _AFTER_QUOTED_KEY.match(content, end)
        if after is None or after.end() > _MAX_KEY_LENGTH:
            raise _Decline
        return key, content[after.end() :]
    match = _KEY.match(content)
    if match is None or match.end() > _MAX_KEY_LENGTH:
        raise _Decline
    key = plain_value(match.group(1).rstrip(" "), line)
    if not isinstance(key, str):
        raise _Decline  # libyaml's reader words the error
    return key, content[match.end() :]


def _starts_block(text: str) -> bool:
    """Whether a sequence item's text opens a block (a mapping or a nested sequence)."""
    if text == "-" or text.startswith("- ") or _KEY.match(text):
        return True
    if text[0] in "'\"":
        try:
            _, end = _quoted(text, 0)
        except _Decline:
            return False
        return _AFTER_QUOTED_KEY.match(text, end) is not None
    return False


def _quoted(text: str, start: int) -> tuple[str, int]:
    """A one-line quoted scalar without escapes; its value and where it ends."""
    quote = text[start]
    if quote == '"':
        end = text.find('"', start + 1)
        if end < 0 or "\\" in text[start:end]:
            raise _Decline
        return text[start + 1 : end], end + 1
    parts = []
    position = start + 1
    while True:
        end = text.find("'", position)
        if end < 0:
            raise _Decline
        parts.append(text[position:end])
        if text.startswith("''", end):
            parts.append("'")
            position = end + 2
            continue
        return "".join(parts), end + 1


class _Flow:
    """One-line flow collections: `[a, 'b', {c: 1}]`, `{x: 1, y: [2, 3]}`."""

    def __init__(self, text: str, line: int) -> None:
        self.text = text
        self.line = line

    def skip(self, position: int) -> int:
        while position < len(self.text) and self.text[position] == " ":
            position += 1
        return position

    def value(self, position: int, depth: int) -> tuple[Node, int]:
        if depth >= min(MAX_DEPTH, _MAX_FLOW_DEPTH):
            raise _Decline
        char = self.text[position]
        if char == "[":
            return self.sequence(position, depth)
        if char == "{":
            return self.mapping(position, depth)
        if char in "'\"":
            value, end = _quoted(self.text, position)
            return Node(value, self.line), end
        plain, end = self.plain(position)
        return Node(plain_value(plain, self.line), self.line), end

    def plain(self, position: int) -> tuple[str, int]:
        if self.text[position] in _PLAIN_START_FORBIDDEN or (
            self.text[position] == "-"
            and (position + 1 >= len(self.text) or self.text[position + 1] == " ")
        ):
            raise _Decline
        stop = _FLOW_PLAIN_END.search(self.text, position)
        end = len(self.text) if stop is None else stop.start()
        if stop is not None and stop.group() in ":#":
            raise _Decline  # keys end at ':', but plain values with ':' or '#' are declined
        value = self.text[position:end].rstrip(" ")
        if not value or "\\" in value:
            raise _Decline
        return value, end

    def sequence(self, position: int, depth: int) -> tuple[Node, int]:
        node = Node([], self.line)
        position = self.skip(position + 1)
        if self.text[position] == "]":
            return node, position + 1
        while True:
            item, position = self.value(position, depth + 1)
            node.value.append(item)
            position = self.skip(position)
            if self.text[position] == "]":
                return node, position + 1
            if self.text[position] != ",":
                raise _Decline
            position = self.skip(position + 1)
            if self.text[position] == "]":
                raise _Decline  # a trailing comma

    def mapping(self, position: int, depth: int) -> tuple[Node, int]:
        node = Node({}, self.line)
        position = self.skip(position + 1)
        if self.text[position] == "}":
            return node, position + 1
        while True:
            key: Any
            if self.text[position] in "'\"":
                key, end = _quoted(self.text, position)
                after = _AFTER_QUOTED_KEY.match(self.text, end)
            else:
                after = _KEY.match(self.text, position)
                key = plain_value(after.group(1).rstrip(" "), self.line) if after else None
            if (
                after is None
                or self.text[after.end() - 1] != " "
                or after.end() - position > _MAX_KEY_LENGTH
                or not isinstance(key, str)
            ):
                raise _Decline
            if key in node.value:
                raise _Decline
            value, position = self.value(self.skip(after.end()), depth + 1)
            node.value[key] = value
            node.key_lines[key] = self.line
            position = self.skip(position)
            if self.text[position] == "}":
                return node, position + 1
            if self.text[position] != ",":
                raise _Decline
            position = self.skip(position + 1)
            if self.text[position] == "}":
                raise _Decline  # a trailing comma
