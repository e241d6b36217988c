"""The error every problem in a suite file becomes."""

from __future__ import annotations

from ..core.exceptions import Tier2Error


class SuiteFileError(Tier2Error):
    """A suite file is malformed; the message is `file:line: what is wrong`."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")
