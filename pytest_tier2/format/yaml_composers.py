"""The composers that turn text into PyYAML's node graph: libyaml's, or PyYAML's own.

libyaml is about ten times faster; PyYAML's pure-Python composer is the one every platform
has, and so the one whose verdict stands (see `yaml_source.parse`). Where the two read the
same text differently, the pure-Python one is adjusted, or libyaml is not asked:

* a '?' inside a plain scalar in a flow collection is text, as in libyaml and YAML 1.2
  (`[what?]` is `['what?']`; PyYAML ended the scalar at the '?' and failed);
* nesting costs no Python recursion past MAX_DEPTH: deeper nodes are read and checked but
  not built, since the document is refused at its first too-deep node anyway; and deep
  nesting costs linear time;
* a text with a tab, a byte order mark or a line break other than CR and LF inside it, a
  comment right after a block scalar's indicator (`|#`), or a tag, is read by PyYAML
  alone: libyaml accepts some of these where PyYAML does not, or counts lines otherwise.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .errors import YamlSourceError
from .yaml_scalars import MAP_TAG, SEQ_TAG, STR_TAG, resolve_plain

MAX_DEPTH = 100
_MAX_SCANNED_NESTING = 2_000
"""The pure-Python scanner stops here, past libyaml's own limit of 1,000 levels (so libyaml
has refused any text that this refuses): deeper, its stacks would take gigabytes."""

_BLANK_OR_BREAK = "\0 \t\r\n\x85\u2028\u2029"
_FLOW_INDICATORS = ",[]{}"
_LIBYAML_READS_OTHERWISE = "\t\ufeff\x85\u2028\u2029"
_BEFORE_A_TAG = " \r\n[{,"
_COMMENTED_BLOCK_HEADER = re.compile(r"[|>][-+0-9]{0,2}#")


class _Resolving:
    """Resolves tags through the memoised `resolve_plain`, and collections by kind."""

    def resolve(self, kind: Any, value: str | None, implicit: tuple[bool, bool]) -> str:
        # By name, not class identity: see `yaml_source.parse`.
        if kind.__name__ == "MappingNode":
            return MAP_TAG
        if kind.__name__ == "SequenceNode":
            return SEQ_TAG
        assert value is not None
        # Only a plain scalar is resolved by its text; a quoted one is a string.
        return resolve_plain(value) if implicit[0] else STR_TAG


class PythonComposer(_Resolving, yaml.SafeLoader):
    """PyYAML's pure-Python composer: `[what?]` as libyaml reads it, and deep nesting in
    linear time without deep recursion (see the module)."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self._depth > MAX_DEPTH:
            return self._skip_node()
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _skip_node(self) -> Any:
        """Read a node below MAX_DEPTH without recursion, checking its anchors and aliases
        as `compose_node` does; a placeholder stands for it."""
        start = self.peek_event()  # type: ignore[no-untyped-call]
        placeholder = yaml.ScalarNode(STR_TAG, "", start.start_mark, start.end_mark)
        open_collections = 0
        while True:
            event = self.get_event()  # type: ignore[no-untyped-call]
            kind = type(event).__name__
            if kind == "AliasEvent":
                if event.anchor not in self.anchors:
                    raise yaml.composer.ComposerError(
                        None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                    )
            elif kind in ("ScalarEvent", "SequenceStartEvent", "MappingStartEvent"):
                if event.anchor is not None:
                    if event.anchor in self.anchors:
                        raise yaml.composer.ComposerError(
                            f"found duplicate anchor {event.anchor!r}; first occurrence",
                            self.anchors[event.anchor].start_mark,
                            "second occurrence",
                            event.start_mark,
                        )
                    self.anchors[event.anchor] = placeholder
                if kind != "ScalarEvent":
                    open_collections += 1
            else:  # the end of a sequence or a mapping
                open_collections -= 1
            if open_collections == 0:
                return placeholder

    def fetch_more_tokens(self) -> None:
        if self.flow_level + len(self.indents) > _MAX_SCANNED_NESTING:
            raise YamlSourceError(self.line + 1, f"nested deeper than {MAX_DEPTH} levels")
        super().fetch_more_tokens()

    # PyYAML checks every pending simple key (one per open flow level) at every token:
    # 1,024 of them on a deeply nested line, two milliseconds a token. Keys are added in
    # the order they are found, so the stale ones, the oldest, come first.

    def stale_possible_simple_keys(self) -> None:
        keys = self.possible_simple_keys
        while keys:
            level, key = next(iter(keys.items()))
            if key.line == self.line and self.index - key.index <= 1024:
                return
            if key.required:
                raise yaml.scanner.ScannerError(
                    "while scanning a simple key",
                    key.mark,
                    "could not find expected ':'",
                    self.get_mark(),
                )
            del keys[level]

    def next_possible_simple_key(self) -> int | None:
        keys = self.possible_simple_keys
        return next(iter(keys.values())).token_number if keys else None

    def scan_plain(self) -> Any:
        """A plain scalar: PyYAML's rules, but for the '?' in a flow collection (see the
        module). The one other way it ends in a flow collection is a ':' before a flow
        indicator, as in PyYAML: `[a:]` is `[{a: null}]`."""
        chunks: list[str] = []
        start_mark = self.get_mark()
        end_mark = start_mark
        indent = self.indent + 1
        flow = bool(self.flow_level)
        colon_ends = _BLANK_OR_BREAK + _FLOW_INDICATORS if flow else _BLANK_OR_BREAK
        spaces: list[str] = []
        while self.peek() != "#":
            length = 0
            while True:
                char = self.peek(length)
                if char in _BLANK_OR_BREAK or (flow and char in _FLOW_INDICATORS):
                    break
                if char == ":" and self.peek(length + 1) in colon_ends:
                    break
                length += 1
            if length == 0:
                break
            self.allow_simple_key = False
            chunks.extend(spaces)
            chunks.append(self.prefix(length))
            self.forward(length)
            end_mark = self.get_mark()
            spaces = self.scan_plain_spaces(indent, start_mark) or []
            if not spaces or self.peek() == "#" or (not flow and self.column < indent):
                break
        return yaml.tokens.ScalarToken("".join(chunks), True, start_mark, end_mark)


COMPOSER: Any = PythonComposer
"""The composer to try first: libyaml's when PyYAML was built with it."""
if getattr(yaml, "__with_libyaml__", False):

    class LibyamlComposer(_Resolving, yaml.CSafeLoader):
        """libyaml's composer."""

    COMPOSER = LibyamlComposer


def libyaml_reads_alike(text: str) -> bool:
    """Whether libyaml's verdict on a text that it accepts is PyYAML's too (see the module).

    Found with `in` and `find`, which skip through a text many times faster than a regular
    expression: this runs on every file that the fast reader leaves.
    """
    if any(char in text for char in _LIBYAML_READS_OTHERWISE):
        return False
    position = text.find("!")
    while position >= 0:
        if position == 0 or text[position - 1] in _BEFORE_A_TAG:
            return False  # a tag
        position = text.find("!", position + 1)
    position = text.find("#")
    while position >= 0:
        if _COMMENTED_BLOCK_HEADER.search(text, max(0, position - 3), position + 1):
            return False
        position = text.find("#", position + 1)
    return True
