"""The three YAML readers: bounded time, clean errors, and one verdict whichever reads.

A suite file is read by the fast line reader when it can, else by libyaml, else (where
PyYAML was built without libyaml) by PyYAML's pure-Python reader. Whichever reads it, a file
must load with the same values and lines, or fail with the same message at the same line.
"""

from __future__ import annotations

import contextlib
import random
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from tier2_test_support import shape

from pytest_tier2.core.registry import default_registry
from pytest_tier2.format import SuiteFileError, load_suite, yaml_source
from pytest_tier2.format.yaml_fast import parse_fast
from pytest_tier2.format.yaml_source import (
    Node,
    PythonComposer,
    YamlSourceError,
    decode,
    parse,
)

ROOT = Path(__file__).resolve().parent.parent

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
TIMED: dict[str, Callable[[str], Node | None]] = {
    **READERS,
    "libyaml": partial(parse, composer=yaml_source.COMPOSER),  # without the second reading
}
SHORT = {"fast": 256 * 1024, "libyaml": 256 * 1024, "python": 32 * 1024}
"""The pure-Python reader is about 20 times slower, so it reads shorter lines."""
GROWTH = 8
MAX_RATIO = 32


def cpu_seconds(read: Callable[[str], object], text: str, *, enough: float = 0.0) -> float:
    """The least CPU time of two reads: other processes on the machine do not count.

    A first read that already takes less than `enough` (the bound it is held to) is not read
    again: a second read could only lower the time, never change the verdict."""
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        with contextlib.suppress(YamlSourceError):
            read(text)
        best = min(best, time.process_time() - start)
        if best < enough:
            break
    return best


@pytest.mark.parametrize("reader", TIMED)
@pytest.mark.parametrize("shape", LONG_LINES)
def test_reading_time_grows_linearly_with_the_length_of_a_line(shape: str, reader: str) -> None:
    """A line 8 times as long must take less than 32 times as long to read.

    Linear code measures 8 to 16 (caches make long strings dearer per character); a pattern
    that rescans a run of spaces at each of its characters measures 64, and took over a
    minute on a line of a few hundred kilobytes. The long line is 2 MiB (256 KiB for the
    slower pure-Python reader, which reads again what libyaml finds malformed).
    """
    read = TIMED[reader]
    make = LONG_LINES[shape]
    short = cpu_seconds(read, make(SHORT[reader]))
    bound = MAX_RATIO * max(short, 1e-3)
    long = cpu_seconds(read, make(SHORT[reader] * GROWTH), enough=bound)
    assert long < bound, (short, long)


MALFORMED_LONG_LINES: dict[str, Callable[[int], str]] = {
    "commas in a flow sequence": lambda n: "a: [" + "," * n + "\n",
    "items of an unclosed flow sequence": lambda n: "a: [" + "x, " * (n // 3) + "\n",
    "braces and commas": lambda n: "a: {b: [" + "{,[" * (n // 3) + "\n",
}


@pytest.mark.parametrize("shape", MALFORMED_LONG_LINES)
def test_a_malformed_long_line_is_refused_in_linear_time(shape: str) -> None:
    """The whole way from bytes to a message: the fast reader, libyaml, the pure-Python
    reader that words the error, and the hint for an unquoted `${name}`, whose pattern
    rescanned the line from every '[', '{' and ',' (6 s for 20,000 of them, quadratic).
    A line 8 times as long must take less than 32 times as long."""

    def load(text: str) -> None:
        with pytest.raises(SuiteFileError, match="invalid YAML"):
            load_suite(text.encode(), "long.tier2.yaml", default_registry())

    make = MALFORMED_LONG_LINES[shape]
    short = cpu_seconds(load, make(16 * 1024))
    bound = MAX_RATIO * max(short, 1e-3)
    long = cpu_seconds(load, make(16 * 1024 * GROWTH), enough=bound)
    assert long < bound, (short, long)


# --- one verdict, whichever reader reads --------------------------------------------------


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


def test_a_three_megabyte_number_is_refused_at_once() -> None:
    """PyYAML builds a base-60 int in time that grows with the square of its places: a
    million of them took hours. Its length alone refuses it now."""
    text = "a: 1" + ":00" * 1_000_000 + "\n"
    start = time.process_time()
    with pytest.raises(YamlSourceError, match="is too long for a number"):
        parse_fast(text) or parse(text)
    assert time.process_time() - start < 5


# --- decisions where the readers disagreed -------------------------------------------------


def loads(text: str) -> Any:
    """The plain value every reader reads from a text."""
    result = the_verdict(text)
    assert result[0] != "error", result
    return plain(result)


def plain(shaped: Any) -> Any:
    kind = shaped[0]
    if kind == "mapping":
        return {key: plain(value) for key, _, value in shaped[2]}
    if kind == "sequence":
        return [plain(item) for item in shaped[2]]
    return shaped[3]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: [what?]\n", ["what?"]),
        ("a: [a ?b, c?d]\n", ["a ?b", "c?d"]),
        ("a: {why?: because, x: y?}\n", {"why?": "because", "x": "y?"}),
        ("a: [a:b, a#b, -a, a-b, a -b]\n", ["a:b", "a#b", "-a", "a-b", "a -b"]),
        ("a: [? b]\n", [{"b": None}]),
    ],
)
def test_indicators_inside_flow_scalars_read_alike(text: str, value: Any) -> None:
    """A '?' inside a plain scalar in a flow collection is text, as in libyaml and YAML 1.2;
    PyYAML's pure-Python reader used to stop there and fail."""
    assert loads(text) == {"a": value}


LONG_KEY = "k" * 1025


@pytest.mark.parametrize(
    "text",
    [
        f"{LONG_KEY}: 1\n",
        f"a: &anchor 1\n{LONG_KEY}: 1\n",  # an anchor sends the file past the fast reader
        f"- {LONG_KEY}: 1\n",
        f"'{LONG_KEY}': 1\n",
        f"a: {{{LONG_KEY}: 1}}\n",
    ],
    ids=["block", "with an anchor", "in a sequence", "quoted", "flow"],
)
def test_a_key_longer_than_1024_characters_fails_on_every_reader(text: str) -> None:
    line, message = error_of(text)
    assert line == text.count("\n")
    assert message.startswith("invalid YAML: ")
    assert message.endswith("(a key may be at most 1024 characters long, up to its ':')")


def test_a_key_of_1024_characters_loads_on_every_reader() -> None:
    key = "k" * 1024
    assert loads(f"{key}: 1\nb: &x 2\nc: *x\n") == {key: 1, "b": 2, "c": 2}
    assert loads(f"{key}: 1\n") == {key: 1}


TAB = "invalid YAML: a tab character; YAML allows tabs only inside quoted strings"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\nb: x\ty\n", 2),
        ("a: 1\nb:\tx\n", 2),
        ("a:\n\t- 1\n", 2),
        ("a: [1,\t2]\n", 1),
        ("a: 1\t# comment\n", 1),
        ("a: 1\n\t\nb: 2\n", 2),
    ],
)
def test_a_tab_outside_quotes_block_scalars_and_comments_fails_on_every_reader(
    text: str, line: int
) -> None:
    """libyaml took tabs as spaces in some of these places, PyYAML's own reader in none."""
    found, message = error_of(text)
    assert found == line
    assert message.startswith(TAB), message


def test_tabs_inside_quotes_block_scalars_and_comments_load_on_every_reader() -> None:
    text = "a: 'x\ty'\nb: \"x\ty\"\nc: |\n  x\ty\nd: 1 #\tcomment\n#\tcomment\n"
    assert loads(text) == {"a": "x\ty", "b": "x\ty", "c": "x\ty\n", "d": 1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: |#c\n  x\n", (1, "invalid YAML: expected chomping or indentation indicators")),
        ("a: &x 1\nb: &x 2\n", (2, "duplicate anchor '&x' (first at line 1)")),
        ("a: 1\nb: *x\n", (2, "alias '*x' refers to no anchor before it")),
        ("a: [1, 2\n", (2, "invalid YAML: expected ',' or ']', but got '<stream end>'")),
        ("a: {b: [1}\n", (1, "invalid YAML: expected ',' or ']', but got '}'")),
        ("a:\n  b: 1\n c: 2\n", (3, "invalid YAML: expected <block end>, but found")),
    ],
)
def test_malformed_yaml_fails_with_one_message_on_every_reader(
    text: str, expected: tuple[int, str]
) -> None:
    line, message = error_of(text)
    assert (line, message[: len(expected[1])]) == expected


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a: !\nb: 1\n", {"a": None, "b": 1}),
        ("a: [a:]\n", {"a": [{"a": None}]}),
        ("? a\n", {"a": None}),
    ],
)
def test_corner_values_read_alike(text: str, value: Any) -> None:
    assert loads(text) == value


def test_an_empty_value_in_a_flow_mapping_is_on_its_keys_line() -> None:
    """libyaml put it on the line of the next token, PyYAML on the line of the ':'."""
    assert the_verdict("a: {b:\n\n  }\n") == (
        "mapping",
        1,
        [("a", 1, ("mapping", 1, [("b", 1, ("scalar", 1, "NoneType", None))]))],
    )


def test_an_empty_key_in_a_flow_mapping_fails_at_one_line() -> None:
    assert error_of("a: [b,\n  ? \n  ]\n") == (
        2,
        "mapping key None is a null; keys must be strings",
    )


def test_an_empty_value_at_the_end_of_a_text_without_a_line_break_is_on_the_last_line() -> None:
    """libyaml put it on a line past the end of the file."""
    assert the_verdict("a: 1\n? b") == (
        "mapping",
        1,
        [("a", 1, ("scalar", 1, "int", 1)), ("b", 2, ("scalar", 2, "NoneType", None))],
    )


@pytest.mark.parametrize(
    ("levels", "named_level"), [(101, 100), (300, 100), (1_500, 100), (5_000, 2_000)]
)
@pytest.mark.parametrize("layout", ["one line", "one level a line"])
def test_deep_nesting_fails_at_the_same_line_on_every_reader(
    levels: int, named_level: int, layout: str
) -> None:
    """The error names the line of level 100 below the top; past 2,000 levels reading
    stops at once, at the line where it stopped. PyYAML's pure-Python reader overflowed
    the stack past a few hundred levels, and checked every open level at each '['
    (minutes for 50,000)."""
    separator = "\n" if layout == "one level a line" else ""
    text = "a:\n  " + separator.join("[" * levels) + "]" * levels + "\n"
    line, message = error_of(text)
    assert message == "nested deeper than 100 levels"
    assert line == (2 if layout == "one line" else 1 + named_level)


# --- generated documents: the standing guard -------------------------------------------------

INDICATORS = "?:#-,[]{}"


def flow_scalar(rng: random.Random) -> str:
    """A flow item with an indicator at its start, inside, at its end, or beside a space."""
    word = rng.choice(["a", "what", "b1", "x y", "0x1F", "yes", "1:30"])
    mark = rng.choice(INDICATORS)
    return rng.choice(
        [
            word,
            mark + word,
            word + mark,
            word[:1] + mark + word[1:],
            word + " " + mark,
            word + " " + mark + word,
            word + mark + " " + word,
            f"'{word}{mark}'",
            f'"{mark}{word}"',
        ]
    )


def flow_collection(rng: random.Random, depth: int = 0) -> str:
    """Flow collections, some over several lines, some with values or keys left out."""
    items = [
        flow_collection(rng, depth + 1) if depth < 2 and rng.random() < 0.2 else flow_scalar(rng)
        for _ in range(rng.randint(0, 3))
    ]
    separator = rng.choice([", ", ", ", ",\n    ", " ,\n    "])
    end = rng.choice(["", "", "\n    "])
    if rng.random() < 0.5:
        return "[" + separator.join(items) + end + "]"
    left_out = rng.choice(["", "\n    ", " # c\n    "])  # an empty value, then a line break
    entries = [
        rng.choice([f"{item}: {flow_scalar(rng)}", f"{item}:{left_out}", f"? {left_out}"])
        for item in items
    ]
    return "{" + separator.join(entries) + end + "}"


def key(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:  # about YAML's limit of 1024 characters up to the ':'
        length = rng.choice([1000, 1023, 1024, 1025, 1030])
        if rng.random() < 0.5:
            return "k" + " " * (length - 2) + "k"
        return "k" * length
    if roll < 0.25:
        return "k" + rng.choice(INDICATORS) + "k"
    if roll < 0.3:
        return f"'{'q' * rng.choice([1, 1022, 1030])}'"
    return rng.choice(["a", "b", "c", "key", "my key", "k_1"])


def value(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.35:
        return flow_collection(rng)
    if roll < 0.5:
        return flow_scalar(rng)
    if roll < 0.6:  # a long line
        return "x" + " " * rng.choice([1, 2_000, 70_000]) + rng.choice(["y", "# c", ""])
    if roll < 0.65:
        return rng.choice(["x\ty", "'x\ty'", "1 #\tc", "|#", "&a 1", "*a", "!!str 1", "!"])
    return rng.choice(["1", "two", "yes", "~", "''", '"q"', "1e3", "- x", "a: b"])


def document(rng: random.Random) -> str:
    """A block mapping, some of whose values are block sequences."""
    lines = []
    for number in range(rng.randint(1, 6)):
        if rng.random() < 0.2:
            lines.append(f"s{number}:")
            lines += [f"  - {value(rng)}" for _ in range(rng.randint(1, 3))]
        else:
            lines.append(f"{key(rng)}{number}: {value(rng)}")
    return "\n".join(lines) + rng.choice(["\n", ""])


def test_generated_documents_read_alike_on_every_reader() -> None:
    """Long keys and lines, flow collections with indicators inside their scalars, tabs,
    anchors and tags: whichever reader reads a document, the verdict is the same."""
    rng = random.Random(20_260_512)
    outcomes = {"loaded": 0, "failed": 0, "fast": 0}
    for _ in range(400):
        text = document(rng)
        outcomes["loaded" if the_verdict(text)[0] != "error" else "failed"] += 1
        outcomes["fast"] += parse_fast(text) is not None
    # Without these, readers that refuse everything, or a fast reader that declines
    # everything, would pass.
    assert outcomes["loaded"] >= 80 and outcomes["failed"] >= 80 and outcomes["fast"] >= 40, (
        outcomes
    )


FRAGMENTS = [
    *"ab1 :-?#,[]{}'\"\n\n  &*!|>%@`.\\\t\r",
    *["- ", ": ", "\n  ", "\n- ", "? ", "a: ", "0x1", "yes", "~", "---", "...", "!!str "],
    *["&a ", "*a", "<<: ", "%YAML 1.1\n", "\u2028", "\x85", "\ufeff", "é", "\\x41", "1:30"],
    *["'it''s'", "|\n  x\n", ">-\n  y\n", "\x00", "#c\n", " #c\n", "k" * 1030, " " * 1030],
]


def test_random_fragments_read_alike_on_every_reader() -> None:
    """Malformed YAML of every kind: the same error at the same line, whichever reads."""
    rng = random.Random(20_260_513)
    for _ in range(1_500):
        the_verdict("".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 25))))


CORPUS = sorted(
    [
        *(ROOT / "example_suites").glob("*.tier2.yaml"),
        *(ROOT / "tests" / "bad_inputs").glob("*.y*ml"),
    ]
)


def test_mutated_suites_read_alike_on_every_reader() -> None:
    rng = random.Random(20_260_514)
    texts = []
    for path in CORPUS:
        with contextlib.suppress(YamlSourceError):
            texts.append(decode(path.read_bytes()))
    for _ in range(300):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            cut = rng.choice([0, 0, 1, 3])
            text = text[:at] + rng.choice(FRAGMENTS) + text[at + cut :]
        the_verdict(text)


# --- end to end ------------------------------------------------------------------------------

ANCHORED_SUITE = """\
suite: anchored
scenarios:
  - name: s
    initial_state: &state {counter: 0}
    missions:
      - name: echo
        params: {tags: [why?, a?b], state: *state}
expectations:
  - id: tags_read
    scenario: s
    mission: echo
    path: executed_steps.0.payload.params.tags
    op: eq
    expected: [why?, a?b]
"""


@pytest.mark.parametrize("composer", ["libyaml", "pure Python"])
def test_a_run_reads_alike_whichever_composer_pytest_tier2_uses(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, composer: str
) -> None:
    """An anchor sends both files past the fast reader, to libyaml or, where PyYAML was
    built without it, to PyYAML's pure-Python reader: the outcome is the same."""
    if composer == "pure Python":
        monkeypatch.setattr(yaml_source, "COMPOSER", PythonComposer)
    elif yaml_source.COMPOSER is PythonComposer:
        pytest.skip("PyYAML was built without libyaml")
    pytester.makefile(".tier2.yaml", anchored=ANCHORED_SUITE)
    long_key = ANCHORED_SUITE.replace("  - name: s\n", f"  - name: s\n    {'k' * 1030}: 1\n")
    pytester.makefile(".tier2.yaml", long_key=long_key)

    result = pytester.runpytest("--continue-on-collection-errors", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "long_key.tier2.yaml:4: invalid YAML: could not find expected ':' "
            "(a key may be at most 1024 characters long, up to its ':')"
        ]
    )
