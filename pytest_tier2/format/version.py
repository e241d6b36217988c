"""The format version a suite file declares with `format:`, and what each version allows.

Version 1.1 only adds to version 1 (outlines, five ops, `approx`'s tolerances), so a file
that uses them without declaring a version is read as 1.1, and every version-1 file keeps
its meaning. A file that declares `format: 1` promises that a version-1 reader can read it,
so using a 1.1 feature there is an error; a version newer than this plugin reads is refused.

YAML reads an unquoted `1.1` as a float and `1` as an integer; both, and the strings `"1"`,
`"1.0"` and `"1.1"`, mean what they look like. A float cannot tell `1.10` from `1.1`, so
versions with a two-digit minor will need quotes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .errors import SuiteFileError
from .yaml_source import Node

Version = tuple[int, int]

VERSION_1: Version = (1, 0)
VERSION_1_1: Version = (1, 1)
LATEST: Version = VERSION_1_1
"""The newest format this plugin reads."""

OPS_SINCE_1_1 = frozenset(("approx", "type", "length", "one_of", "subset"))
_VERSION_TEXT = re.compile(r"([0-9]+)(?:\.([0-9]+))?")


def show(version: Version) -> str:
    """A version as people write it: `1`, `1.1`."""
    return str(version[0]) if version[1] == 0 else f"{version[0]}.{version[1]}"


@dataclass(frozen=True)
class FormatVersion:
    """What a file declares (None: nothing) and where, and so which features it may use."""

    declared: Version | None
    line: int

    def require(self, feature: str, line: int, fail: Callable[[int, str], SuiteFileError]) -> None:
        """Refuse a 1.1 feature in a file that declares version 1."""
        if self.declared is not None and self.declared < VERSION_1_1:
            raise fail(
                line,
                f"{feature} needs format 1.1, but this file declares format "
                f"{show(self.declared)} (line {self.line}); declare 'format: 1.1'",
            )


def read_version(node: Node | None, fail: Callable[[int, str], SuiteFileError]) -> FormatVersion:
    """The version declared by the top-level `format` node, checked against what we read."""
    if node is None:
        return FormatVersion(None, 0)
    value = node.value
    text: str | None = None
    if isinstance(value, str):
        text = value.strip()
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        text = repr(value)  # the shortest form: 1.1 -> "1.1", 1.0 -> "1.0"
    match = _VERSION_TEXT.fullmatch(text) if text is not None else None
    if match is None:
        raise fail(
            node.line,
            f"'format' must be a version such as 1.1, not {value!r}"
            if isinstance(value, str)
            else f"'format' must be a version such as 1.1, not a {node.type_name()}",
        )
    version = (int(match[1]), int(match[2] or 0))
    if version > LATEST:
        raise fail(
            node.line,
            f"this file is format {show(version)}, newer than pytest-tier2 {_installed()} "
            f"reads (format {show(LATEST)} at most); upgrade it: pip install -U pytest-tier2",
        )
    if version < VERSION_1:
        raise fail(
            node.line,
            f"there is no format {show(version)}: this plugin reads format 1 and 1.1",
        )
    return FormatVersion(version, node.line)


def _installed() -> str:
    from importlib import metadata

    try:
        return metadata.version("pytest-tier2")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "(this copy)"
