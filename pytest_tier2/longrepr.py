"""How a tier2 failure or collection error reaches pytest's reports: the reason comes first.

pytest, junit, TeamCity, IDEs and CI annotations each show one line of a failure: the
`reprcrash.message` of its `longrepr` (the `-ra` summary, junit's `message`), or the first
line of its text (TeamCity's details; pytest 9 for a plain string). pytest 8.0 shows
nothing at all for a plain string. So a failure is a `FailureRepr`: its text starts with
the reason, and its `reprcrash` carries that reason alone.

This module imports nothing of the core: xdist's controller rebuilds these from the
reports it receives, without ever collecting a suite.
"""

from __future__ import annotations

from typing import Any, Protocol


class _Writer(Protocol):
    def line(self, s: str = "", **markup: bool) -> None: ...


class Crash:
    """pytest's `reprcrash`: the file, the 1-based line and the one-line reason."""

    __slots__ = ("lineno", "message", "path")

    def __init__(self, path: str, lineno: int, message: str) -> None:
        self.path = path
        self.lineno = lineno
        self.message = message

    def __str__(self) -> str:  # what `--tb=line` prints
        return f"{self.path}:{self.lineno}: {self.message}"


class FailureRepr:
    """A failure's report: `text` to print, whose first line is the reason."""

    def __init__(self, text: str, message: str, path: str, lineno: int) -> None:
        self.text = text
        self.reprcrash = Crash(path, lineno, message)

    def toterminal(self, tw: _Writer) -> None:
        first, *rest = self.text.split("\n")
        tw.line(first, bold=True, red=True)
        for line in rest:
            tw.line(line)

    def __str__(self) -> str:
        return self.text

    def to_json(self) -> dict[str, Any]:
        crash = self.reprcrash
        return {
            "text": self.text,
            "message": crash.message,
            "path": crash.path,
            "lineno": crash.lineno,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FailureRepr:
        return cls(str(data["text"]), str(data["message"]), str(data["path"]), int(data["lineno"]))


SERIAL_KEY = "tier2_failure_repr"
"""Where a serialised report (xdist) carries its FailureRepr, beside pytest's own text."""
