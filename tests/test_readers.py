"""The three YAML readers: bounded time, clean errors, and one verdict whichever reads.

A suite file is read by the fast line reader when it can, else by libyaml, else (where
PyYAML was built without libyaml) by PyYAML's pure-Python reader. Whichever reads it, a file
must load with the same values and lines, or fail with the same message at the same line.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest

from pytest_tier2.format import yaml_source
from pytest_tier2.format.yaml_fast import parse_fast
from pytest_tier2.format.yaml_source import Node, PythonComposer, YamlSourceError, parse

READERS: dict[str, Callable[[str], Node | None]] = {
    "fast": parse_fast,
    "libyaml": parse,
    "python": partial(parse, composer=PythonComposer),
}
needs_libyaml = pytest.mark.skipif(
    yaml_source.COMPOSER is PythonComposer, reason="PyYAML was built without libyaml"
)


# --- time: linear in the length of a line ----------------------------------------------------


def spaces(n: int) -> str:
    return " " * n


LONG_LINES: dict[str, Callable[[int], str]] = {
    "spaces inside a key": lambda n: f"k{spaces(n)}k: 1\n",
    "spaces inside a sequence item": lambda n: f"- a{spaces(n)}b\n",
    "spaces inside a flow mapping key": lambda n: f"a: {{k{spaces(n)}k: 1}}\n",
    "spaces inside a value": lambda n: f"a: x{spaces(n)}y\n",
    "spaces after a value": lambda n: f"a: x{spaces(n)}\n",
    "spaces around a comment": lambda n: f"a: 1{spaces(n)}# c{spaces(n)}c\n",
    "spaces in a flow sequence": lambda n: f"a: [x,{spaces(n)}y]\n",
    "spaces before a missing ':'": lambda n: f"- k{spaces(n)}k\n  : 1\n",
}
SHORT = {"fast": 256 * 1024, "libyaml": 256 * 1024, "python": 32 * 1024}
"""The pure-Python reader is about 20 times slower, so it reads shorter lines."""
GROWTH = 8
MAX_RATIO = 32


def cpu_seconds(read: Callable[[str], object], text: str) -> float:
    """The least CPU time of two reads: other processes on the machine do not count."""
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        with contextlib.suppress(YamlSourceError):
            read(text)
        best = min(best, time.process_time() - start)
    return best


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("shape", LONG_LINES)
def test_reading_time_grows_linearly_with_the_length_of_a_line(shape: str, reader: str) -> None:
    """A line 8 times as long must take less than 32 times as long to read.

    Linear code measures 8 to 16 (caches make long strings dearer per character); a pattern
    that rescans a run of spaces at each of its characters measures 64, and took over a
    minute on a line of a few hundred kilobytes. The long line is 2 MiB (256 KiB for the
    slower pure-Python reader).
    """
    read = READERS[reader]
    make = LONG_LINES[shape]
    short = cpu_seconds(read, make(SHORT[reader]))
    long = cpu_seconds(read, make(SHORT[reader] * GROWTH))
    assert long < MAX_RATIO * max(short, 1e-3), (short, long)


# --- one verdict, whichever reader reads --------------------------------------------------


def shape(node: Node) -> Any:
    """Everything a reader produces: kinds, values with their types, lines, key lines."""
    if isinstance(node.value, dict):
        return (
            "mapping",
            node.line,
            [(key, node.key_lines[key], shape(value)) for key, value in node.value.items()],
        )
    if isinstance(node.value, list):
        return ("sequence", node.line, [shape(item) for item in node.value])
    return ("scalar", node.line, type(node.value).__name__, node.value)


def verdict(reader: str, text: str) -> Any:
    """What a reader makes of a text: its shape, an error's line and message, or None when
    the fast reader leaves the text to the others."""
    try:
        root = READERS[reader](text)
    except YamlSourceError as error:
        return ("error", error.line, error.message)
    return None if root is None else shape(root)


def the_verdict(text: str) -> Any:
    """The one verdict that every reader gives (the fast reader may leave the text)."""
    verdicts = {reader: verdict(reader, text) for reader in READERS}
    if verdicts["fast"] is None:
        del verdicts["fast"]
    assert len(set(map(repr, verdicts.values()))) == 1, verdicts
    return verdicts["python"]


def error_of(text: str) -> tuple[int, str]:
    result = the_verdict(text)
    assert result[0] == "error", result
    return result[1], result[2]


BASE_60 = "1" + ":00" * 400 + ".5"  # 60**400: far past the largest float, about 60**173


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (BASE_60, "is not a JSON value: it is beyond the range of a float"),
        (f"[{BASE_60}]", "is not a JSON value: it is beyond the range of a float"),
        ("-1" + ":00" * 400 + ".5", "is not a JSON value: it is beyond the range of a float"),
        ("1.0e+400", "is not a JSON value: it is beyond the range of a float"),
        ("9" * 400 + ".0", "is not a JSON value: it is beyond the range of a float"),
        ("-.inf", "is not a JSON value: NaN and infinity are not"),
        ("1" + ":00" * 3000, "is not a JSON value: an integer of more than 4,300 digits"),
        ("1" * 4301, "is not a JSON value: an integer of more than 4,300 digits"),
        ("0x" + "f" * 4000, "is not a JSON value: an integer of more than 4,300 digits"),
        ("1" + ":00" * 10_000, "is too long for a number (at most 20,000 characters)"),
    ],
    ids=[
        "base-60 float",
        "base-60 float in a flow sequence",
        "negative base-60 float",
        "exponent",
        "400 digits",
        "infinity",
        "base-60 int",
        "decimal int",
        "hex int",
        "too long",
    ],
)
def test_a_number_out_of_range_is_one_located_error_on_every_reader(
    value: str, message: str
) -> None:
    text = f"a: 1\nb:\n  c: {value}\n"
    line, said = error_of(text)
    assert line == 3
    assert said.endswith(message), said
    scalar = value.strip("[]")
    if len(scalar) > 60:  # a long scalar is shown by its start and its length
        assert said.startswith(f"{scalar[:40]!r}... ({len(scalar):,} characters) "), said


@pytest.mark.skipif(
    getattr(sys, "get_int_max_str_digits", lambda: 0)() != 4300, reason="no default digit limit"
)
def test_the_largest_integer_canonical_json_writes_loads() -> None:
    largest = int("9" * 4300)
    text = f"a: {largest}\nb: 0x{largest:x}\n"
    assert the_verdict(text) == (
        "mapping",
        1,
        [("a", 1, ("scalar", 1, "int", largest)), ("b", 2, ("scalar", 2, "int", largest))],
    )


def test_a_nine_megabyte_number_is_refused_at_once() -> None:
    """PyYAML builds a base-60 int in time that grows with the square of its places: three
    million of them took hours. Its length alone refuses it now."""
    text = "a: 1" + ":00" * 3_000_000 + "\n"
    start = time.process_time()
    with pytest.raises(YamlSourceError, match="is too long for a number"):
        parse_fast(text) or parse(text)
    assert time.process_time() - start < 5
