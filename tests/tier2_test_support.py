"""Helpers that several test modules read results with."""

from __future__ import annotations

import re
from typing import Any

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
