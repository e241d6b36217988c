"""The fast reader either declines or reads exactly what the libyaml reader reads (and
PyYAML's pure-Python reader too).

Values, their types and every line number must agree, since hashes come from the values
and every message and IDE jump from the lines.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from tier2_test_support import shape

from pytest_tier2.format.yaml_fast import parse_fast
from pytest_tier2.format.yaml_source import PythonComposer, YamlSourceError, decode, parse

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "example_suites").glob("*.tier2.yaml"))
BAD_INPUTS = sorted((ROOT / "tests" / "bad_inputs").glob("*.tier2.y*ml"))


def slow_shape(text: str, composer: Any = None) -> Any:
    try:
        root = parse(text, composer)
    except YamlSourceError as error:
        return ("error", error.line, error.message)
    return None if root is None else shape(root)


def assert_agrees(text: str) -> bool:
    """True when the fast reader took the text; then it must equal the libyaml reader,
    which must equal PyYAML's pure-Python one (see also test_readers.py)."""
    slow = slow_shape(text)
    assert slow == slow_shape(text, PythonComposer), text
    fast = parse_fast(text)
    if fast is None:
        return False
    assert shape(fast) == slow, text
    return True


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_example_suites_take_the_fast_path_and_read_the_same(path: Path) -> None:
    assert assert_agrees(decode(path.read_bytes()))


@pytest.mark.parametrize("path", BAD_INPUTS, ids=lambda p: p.name)
def test_a_bad_input_is_declined_or_read_the_same(path: Path) -> None:
    try:
        text = decode(path.read_bytes())
    except YamlSourceError:
        return  # not UTF-8: neither reader sees it
    assert_agrees(text)


TAKEN = {
    "compact sequence under a key": "a:\n- 1\n- two\nb: x\n",
    "nested sequences": "a:\n  - - 1\n    - 2\n  - - 3\n",
    "comments everywhere": "# head\na: 1  # one\n\n# between\nb:   two   # two\n",
    "quotes": "a: 'it''s'\nb: \"x # y\"\nc: '#'\nd: ''\n",
    "plain with inner specials": "a: a#b\nb: x:y\nc: ^wf-[a-z-]+$\nd: a.*b & c\n",
    "yaml 1.1 scalars": "a: yes\nb: Off\nc: 0x1F\nd: 1_000\ne: 1e3\nf: ~\ng: 012\nh: 1:30\n",
    "flow collections": "a: {x: 1, y: [2, 'three', {z: null}]}\nb: []\nc: {}\n",
    "items that are mappings": "- a: 1\n  b: [x]\n- c: 2\n",
    "keys with spaces": "my key: 1\nother  : 2\n",
    "crlf": "a: 1\r\nb:\r\n  c: 2\r\n",
    "deep block": "a:\n  b:\n    c:\n      d: [1, {e: f}]\n",
}


@pytest.mark.parametrize("text", TAKEN.values(), ids=TAKEN.keys())
def test_plain_yaml_takes_the_fast_path_and_reads_the_same(text: str) -> None:
    assert assert_agrees(text)


DECLINED = {
    "anchor": "a: &x 1\nb: *x\n",
    "tag": "a: !!str 1\n",
    "block scalar": "a: |\n  text\n",
    "multi-line plain": "a: one\n  two\n",
    "empty value": "a:\nb: 1\n",
    "document marker": "---\na: 1\n",
    "escape": 'a: "x\\ny"\n',
    "tab": "a:\t1\n",
    "merge key": "a: {x: 1}\nb:\n  <<: {y: 2}\n",
    "duplicate key": "a: 1\na: 2\n",
    "non-string key": "1: a\n",
    "trailing comma": "a: [1, 2, ]\n",
    "unclosed flow": "a: [1, 2\n  , 3]\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
    "date": "a: 2024-01-01\n",
    "next line": "a: 'x\x85y'\nb: 1\n",
    "line separator": "a: x\u2028y\n",
    "paragraph separator": "a: 'x\u2029y'\nb: 1\n",
}


@pytest.mark.parametrize("text", DECLINED.values(), ids=DECLINED.keys())
def test_anything_else_is_left_to_libyaml(text: str) -> None:
    assert parse_fast(text) is None


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["yes", "no", "on", "null", "~", "1_000", "0x1F", "1e3", "12:30", "-", "- a"]),
    st.sampled_from([":", "a: b", "#", "a #b", "'", '"', "[x]", "{y}", "&a", "*b", "!c", "|"]),
    st.text(alphabet=st.sampled_from("ab -_:#'\"[]{},.&*!|>%@`?\\é"), max_size=8),
)
KEYS = st.text(alphabet=st.sampled_from("abc_-. 1:#"), min_size=1, max_size=6)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    document=st.dictionaries(KEYS, DOCUMENTS, min_size=1, max_size=5),
    flow=st.sampled_from([False, None]),
    indent=st.sampled_from([2, 4]),
)
def test_generated_documents_are_declined_or_read_the_same(
    document: dict[str, Any], flow: bool | None, indent: int
) -> None:
    text = yaml.safe_dump(document, default_flow_style=flow, indent=indent, sort_keys=False)
    assert_agrees(text)


def test_the_fast_path_reads_most_generated_plain_documents() -> None:
    """Without this, a reader that declines everything would pass every test above."""
    taken = 0
    for number in range(200):
        document = {
            "scenarios": [{"name": f"s{number}", "initial_state": {"n": number, "tag": "x"}}],
            "expectations": [{"id": f"e{number}", "op": "eq", "expected": number % 3 == 0}],
        }
        text = yaml.safe_dump(document, default_flow_style=None, sort_keys=False)
        taken += assert_agrees(text)
    assert taken == 200


def random_document(rng: random.Random, depth: int = 0) -> Any:
    """Suite-like data: mostly plain words and numbers, some YAML 1.1 words and specials."""
    roll = rng.random()
    if depth < 3 and roll < 0.25:
        return {
            rng.choice(WORDS): random_document(rng, depth + 1) for _ in range(rng.randint(0, 4))
        }
    if depth < 3 and roll < 0.4:
        return [random_document(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return rng.choice(
        [
            rng.randint(-1000, 1000),
            rng.choice([True, False, None]),
            rng.choice([0.5, -2.25, 1e-3, 3.0]),
            rng.choice(WORDS),
            " ".join(rng.sample(WORDS, 2)),
            rng.choice(SPECIAL_TEXTS),
        ]
    )


WORDS = ["alpha", "beta", "daily_loop", "echo", "final_state", "x1", "yes", "no", "null", "on"]
SPECIAL_TEXTS = ["a: b", "#c", "d #e", "it's", '"q"', "f:g", "[h]", "{i}", "- j", "k,l", ""]


def test_seeded_suite_like_documents_mostly_take_the_fast_path_and_read_the_same() -> None:
    rng = random.Random(20261126)
    taken = 0
    for _ in range(1000):
        document = {rng.choice(WORDS): random_document(rng) for _ in range(rng.randint(1, 5))}
        style = rng.choice([False, None])
        text = yaml.safe_dump(document, default_flow_style=style, indent=rng.choice([2, 4]))
        taken += assert_agrees(text)
    assert taken >= 900, taken
