"""The errors of reading a suite file: YAML that cannot be read, and what every problem becomes."""

from __future__ import annotations

from ..core.exceptions import Tier2Error


class SuiteFileError(Tier2Error):
    """A suite file is malformed; the message is `file:line: what is wrong`."""

    def __init__(self, path: str, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}")


class YamlSourceError(Tier2Error):
    """A YAML file cannot be read as a suite; `line` is 1-based."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}")
