"""How a tier2 failure or collection error reaches pytest's reports: the reason comes first.

pytest, junit, TeamCity, IDEs and CI annotations each show one line of a failure: the
`reprcrash.message` of its `longrepr` (the `-ra` summary, junit's `message`), or the first
line of its text (TeamCity's details; pytest 9 and GitHub annotations for a plain string).
pytest 8.0 shows nothing at all for a plain string. So an item's failure is a `FailureRepr`,
a string whose first line is the reason and whose `reprcrash` carries that reason alone.
A collection error is a `CollectErrorRepr`: its text is `file:line: message`, as compilers
print errors, so it is not a string, and summaries read the reason from its `reprcrash`.

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


class _Located:
    """Text to print whose `reprcrash` holds the one line that summaries show."""

    reprcrash: Crash
    kind = "failure"

    @property
    def text(self) -> str:
        raise NotImplementedError

    def toterminal(self, tw: _Writer) -> None:
        first, *rest = self.text.split("\n")
        tw.line(first, bold=True, red=True)
        for line in rest:
            tw.line(line)

    def to_json(self) -> dict[str, Any]:
        crash = self.reprcrash
        return {
            "kind": self.kind,
            "text": self.text,
            "message": crash.message,
            "path": crash.path,
            "lineno": crash.lineno,
        }


class FailureRepr(_Located, str):
    """An item's failure: its text, whose first line is the reason."""

    def __new__(cls, text: str, message: str, path: str, lineno: int) -> FailureRepr:
        self = super().__new__(cls, text)
        self.reprcrash = Crash(path, lineno, message)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        crash = self.reprcrash
        return (FailureRepr, (self.text, crash.message, crash.path, crash.lineno))

    @property
    def text(self) -> str:
        return str.__str__(self)


class CollectErrorRepr(_Located):
    """A suite file's collection error: `file:line: message`, with the message alone as the
    reason (`ERROR x.tier2.yaml - unknown key ...`)."""

    kind = "collect_error"

    def __init__(self, text: str, message: str, path: str, lineno: int) -> None:
        self._text = text
        self.reprcrash = Crash(path, lineno, message)

    @property
    def text(self) -> str:
        return self._text

    def __str__(self) -> str:
        return self._text


def from_json(data: dict[str, Any]) -> FailureRepr | CollectErrorRepr:
    """A repr that a worker's report carried across xdist, made again on the controller."""
    kind = CollectErrorRepr if data.get("kind") == "collect_error" else FailureRepr
    return kind(str(data["text"]), str(data["message"]), str(data["path"]), int(data["lineno"]))


SERIAL_KEY = "tier2_failure_repr"
"""Where a serialised report (xdist) carries its repr, beside pytest's own text."""
