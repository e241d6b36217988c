"""Helpers that several test modules run pytest and read results with."""

from __future__ import annotations

import functools
import importlib.metadata
import os
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest

from pytest_tier2.format.yaml_source import Node

OUTCOME_LINE = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+)")


def outcomes(result: pytest.RunResult) -> dict[str, str]:
    """Each node id's outcome, from the `-rA` short summary."""
    found = {}
    for line in result.outlines:
        match = OUTCOME_LINE.match(line)
        if match:
            found[match.group(2)] = match.group(1)
    return found


def shape(node: Node) -> Any:
    """Everything a YAML reader produces: kinds, values with their types, lines, key lines."""
    if isinstance(node.value, dict):
        return (
            "mapping",
            node.line,
            [(key, node.key_lines[key], shape(value)) for key, value in node.value.items()],
        )
    if isinstance(node.value, list):
        return ("sequence", node.line, [shape(item) for item in node.value])
    return ("scalar", node.line, type(node.value).__name__, node.value)


INNER_PLUGINS = ("tier2", "xdist", "xdist.looponfail")
"""The installed plugins that a test's own pytest runs load, unless it is `installed_plugins`."""


@functools.cache
def blocked_plugins() -> str:
    """`-p no:<name>` for every other installed plugin (pytest-randomly's included); read
    from the installed metadata once per process (7 ms a time), not once per test."""
    names = sorted({ep.name for ep in importlib.metadata.entry_points(group="pytest11")})
    return " ".join(f"-p no:{name}" for name in names if name not in INNER_PLUGINS)


INNER_UNSET = ("GITHUB_ACTIONS", "CI", "BUILD_NUMBER", "PYTHONDONTWRITEBYTECODE")
"""What a test's own pytest runs do not inherit: the CI markers that change pytest's output,
and PYTHONDONTWRITEBYTECODE. Without bytecode, every subprocess and xdist worker compiles
the plugin's modules again (0.1 s each, 15 CPU-seconds a test run); with it, they write and
read `__pycache__` as a developer's pytest does, wherever the suite runs."""


class HasOutlines(Protocol):
    @property
    def outlines(self) -> list[str]: ...


def error_section(result: HasOutlines, file_name: str) -> list[str]:
    """The non-blank lines under `ERROR collecting <file_name>`, up to the next header."""
    lines = result.outlines
    header = re.compile(rf"_ ERROR collecting {re.escape(file_name)} _*$")
    starts = [i for i, line in enumerate(lines) if header.search(line)]
    output = "\n".join(lines)
    assert len(starts) == 1, f"no single error section for {file_name}:\n{output}"
    section = []
    for line in lines[starts[0] + 1 :]:
        # The next section, the summary, or (closing the last section) junit's own line.
        if line.startswith(("___", "===")) or re.fullmatch(r"-+ generated xml file: .* -+", line):
            break
        if line.strip():
            section.append(line)
    return section


@dataclass(frozen=True)
class CollectedTogether:
    """What one `pytest --collect-only -q` over many suite files printed.

    Cases that each need a file collected are written side by side and collected in one
    run, as they would sit in a user's repository; each case then reads its own error
    section. One pytest start-up (and one formatted interruption) instead of one a case.
    """

    path: Path
    """The directory the files were written to and collected in."""
    ret: int
    outlines: list[str]

    @property
    def node_ids(self) -> list[str]:
        """The collected node ids: the lines with `::` before the first `===` header."""
        ids = []
        for line in self.outlines:
            if line.startswith("="):
                break
            if "::" in line:
                ids.append(line)
        return ids

    def located_lines(self, file_name: str) -> list[str]:
        """Every line of the output that is a `file_name:line: message`, wherever it is."""
        located = re.compile(rf"{re.escape(file_name)}:\d+: ")
        return [line for line in self.outlines if located.match(line)]

    @property
    def errors(self) -> int:
        """The number of collection errors in pytest's closing line."""
        match = re.search(r"(\d+) errors? in ", self.outlines[-1])
        assert match, self.outlines[-1]
        return int(match.group(1))


def collect_together(directory: Path, files: Mapping[str, str]) -> CollectedTogether:
    """Write `files` into `directory` and collect them in one pytest subprocess, with the
    same plugins and environment as the `pytester` fixture gives a test's own runs."""
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    for variable in (*INNER_UNSET, "PY_COLORS", "FORCE_COLOR"):
        env.pop(variable, None)
    env["PYTEST_ADDOPTS"] = blocked_plugins()
    env["COLUMNS"] = "200"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=directory, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert not proc.stderr, proc.stderr
    return CollectedTogether(directory, proc.returncode, proc.stdout.splitlines())
