"""The result path grammar.

A path is segments joined by `.`. Inside a segment, `\\.` is a literal dot and `\\\\` a
literal backslash; any other backslash is an error, and so is an empty segment. The empty
path is the result itself. Against a list, a segment must be a canonical non-negative
index (`0`, `7`, `12`; never `01`, `-1`, `+1`, ` 1` or `1_0`); against a mapping, it is a key.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator
from typing import Any

from .exceptions import PathSyntaxError

Path = tuple[str, ...]
_INDEX = re.compile(r"0|[1-9][0-9]*")
_NEEDS_ESCAPE = re.compile(r"[.\\]")


def parse_path(text: str) -> Path:
    """Split a path into its segments, or raise PathSyntaxError saying what is wrong.

    Suites repeat a few paths thousands of times; the segments of each are made once and
    shared (a tuple of strings, immutable).
    """
    if type(text) is not str:
        raise PathSyntaxError(f"a path must be a string, not {type(text).__name__}")
    return _parse(text)


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> Path:
    if text == "":
        return ()
    segments = _split_escaped(text) if "\\" in text else tuple(text.split("."))
    for position, segment in enumerate(segments):
        if segment == "":
            raise PathSyntaxError(f"path {text!r} has an empty segment at position {position}")
    return segments


def _split_escaped(text: str) -> Path:
    segments: list[str] = []
    current: list[str] = []
    chars = iter(text)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if escaped not in (".", "\\"):
                raise PathSyntaxError(f"path {text!r}: a backslash may only escape '.' or '\\\\'")
            current.append(escaped)
        elif char == ".":
            segments.append("".join(current))
            current = []
        else:
            current.append(char)
    segments.append("".join(current))
    return tuple(segments)


def format_path(segments: Path) -> str:
    """The text of a path, escaping dots and backslashes in its segments."""
    return ".".join(_NEEDS_ESCAPE.sub(lambda m: "\\" + m.group(0), s) for s in segments)


def step(value: Any, segment: str) -> tuple[bool, Any]:
    """Follow one segment from `value`: (found, child)."""
    if isinstance(value, dict):
        if segment in value:
            return True, value[segment]
        return False, None
    if isinstance(value, list) and _INDEX.fullmatch(segment):
        index = int(segment)
        if index < len(value):
            return True, value[index]
    return False, None


def resolve(root: Any, segments: Path) -> tuple[bool, Any]:
    """Follow a parsed path from `root`: (found, value)."""
    value = root
    for segment in segments:
        found, value = step(value, segment)
        if not found:
            return False, None
    return True, value


def deepest_prefix(root: Any, segments: Path) -> tuple[Path, Any]:
    """The longest prefix of `segments` that exists, and the value there."""
    value = root
    for depth, segment in enumerate(segments):
        found, child = step(value, segment)
        if not found:
            return segments[:depth], value
        value = child
    return segments, value


def iter_leaves(value: Any, prefix: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every leaf (scalar, or empty container) under `value` with its path, in key order."""
    if isinstance(value, dict) and value:
        for key in sorted(value):
            yield from iter_leaves(value[key], (*prefix, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from iter_leaves(item, (*prefix, str(index)))
    else:
        yield prefix, value


def nearest_paths(root: Any, segments: Path, limit: int = 3) -> list[str]:
    """Paths that do exist and are closest to a missing one, best first."""
    prefix, value = deepest_prefix(root, segments)
    if isinstance(value, dict):
        candidates = [(*prefix, key) for key in sorted(value)]
    elif isinstance(value, list):
        candidates = [(*prefix, str(index)) for index in range(len(value))]
    else:
        candidates = [prefix] if prefix else []
    missing = segments[len(prefix)] if len(prefix) < len(segments) else ""
    by_name = {candidate[-1]: candidate for candidate in candidates if candidate}
    close = difflib.get_close_matches(missing, list(by_name), n=limit, cutoff=0.5)
    ordered = [by_name[name] for name in close]
    ordered += [c for c in candidates if c not in ordered]
    return [format_path(candidate) for candidate in ordered[:limit]]
