"""Hostile input: fuzzed files, code-executing tags, and hash stability under stress."""

from __future__ import annotations

import copy
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_tier2.core.exceptions import Tier2Error
from pytest_tier2.core.registry import Registry

FUZZ_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FUZZ_PATH = "fuzz.tier2.yaml"


def valid_suite() -> dict[str, Any]:
    """A fresh valid suite using every optional key at least once."""
    return {
        "suite": "fuzzed",
        "scenarios": [
            {
                "name": "morning",
                "initial_state": {"counter": 0, "tags": ["a", "b"], "nested": {"x": 1.5}},
                "missions": [
                    {"name": "daily_loop", "params": {"requested_steps": 3}},
                    {"name": "echo", "as": "echo_hello", "params": {"message": "hello"}},
                ],
            },
            {"name": "evening", "missions": [{"name": "run_tests"}]},
        ],
        "expectations": [
            {
                "id": "loop_succeeds",
                "scenario": "morning",
                "mission": "daily_loop",
                "path": "success",
                "op": "eq",
                "expected": True,
            },
            {
                "id": "counter_kept",
                "scenario": "morning",
                "mission": "echo_hello",
                "path": "final_state.counter",
                "op": "le",
                "expected": 1,
                "marks": ["slow"],
            },
            {
                "id": "tests_ran",
                "scenario": "evening",
                "mission": "run_tests",
                "path": "executed_steps",
                "op": "exists",
                "skip": "not today",
            },
            {
                "id": "message_echoed",
                "scenario": "morning",
                "mission": "echo_hello",
                "path": "executed_steps.0.payload.params.message",
                "op": "matches",
                "expected": "^bye$",
                "xfail": "says hello, not bye",
            },
        ],
    }


def outline_suite() -> dict[str, Any]:
    """A fresh valid suite of format 1.1: an outline, templates and every new op."""
    return {
        "format": 1.1,
        "scenarios": [
            {
                "name": "steps",
                "examples": [
                    {"id": "one", "n": 1, "state": {"k": "v"}},
                    {"id": "two", "n": 2, "state": {}},
                ],
                "initial_state": "${state}",
                "missions": [{"name": "echo", "as": "call_${id}", "params": {"n": "${n}"}}],
            },
            {"name": "plain", "missions": [{"name": "echo", "params": {"p": "$${x}"}}]},
        ],
        "expectations": [
            {
                "id": "n_kept",
                "scenario": "steps",
                "mission": "call_${id}",
                "path": "executed_steps.0.payload.params.n",
                "op": "approx",
                "expected": "${n}",
                "rel": 0.1,
            },
            {
                "id": "typed",
                "scenario": "steps",
                "mission": "call_${id}",
                "path": "final_state",
                "op": "subset",
                "expected": "${state}",
            },
            {
                "id": "kind",
                "scenario": "plain",
                "mission": "echo",
                "path": "",
                "op": "type",
                "expected": "object",
            },
            {
                "id": "few",
                "scenario": "plain",
                "mission": "echo",
                "path": "executed_steps",
                "op": "length",
                "expected": 1,
            },
            {
                "id": "which",
                "scenario": "plain",
                "mission": "echo",
                "path": "success",
                "op": "one_of",
                "expected": [True, None],
            },
        ],
    }


def load(data: bytes) -> Any:
    """Load through the public API: a SuiteSpec, or a Tier2Error and nothing else."""
    from pytest_tier2.format import SuiteFileError, load_suite

    assert issubclass(SuiteFileError, Tier2Error)
    return load_suite(data, FUZZ_PATH, Registry.with_builtins())


def load_or_refuse(data: bytes) -> Any | None:
    try:
        return load(data)
    except Tier2Error as error:
        message = str(error)
        assert message, "an empty error message"
        assert "\n" not in message, f"a multi-line error message: {message!r}"
        return None


def run_to_verdict(spec: Any) -> None:
    """A loaded suite runs to a TestRunResult (or a Tier2Error), the same way twice."""
    from pytest_tier2.core.test_run import TestRunResult, run_test_run

    outcomes = []
    for _ in range(2):
        try:
            result = run_test_run(spec.suite, spec.expectations, registry=Registry.with_builtins())
        except Tier2Error as error:
            outcomes.append(("error", type(error).__name__, str(error)))
        else:
            assert isinstance(result, TestRunResult)
            outcomes.append(("result", result.test_run_hash, result.canonical_json))
    assert outcomes[0] == outcomes[1]


# --- (a) random YAML-able structures -----------------------------------------------------

KEYS = st.sampled_from(
    [
        "suite",
        "scenarios",
        "expectations",
        "name",
        "initial_state",
        "missions",
        "params",
        "as",
        "id",
        "scenario",
        "mission",
        "path",
        "op",
        "expected",
        "marks",
        "skip",
        "xfail",
        "format",
        "examples",
        "rel",
        "abs",
        "daily_loop",
        "echo",
        "eq",
        "exists",
        "",
        "a b",
        "x::y",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["daily_loop", "echo", "run_tests", "eq", "absent", "success", "morning"])
)
TREES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(KEYS | st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=30,
)
TOP_LEVELS = TREES | st.fixed_dictionaries(
    {},
    optional={"suite": TREES, "scenarios": TREES, "expectations": TREES, "extra": TREES},
)


@FUZZ_SETTINGS
@given(TOP_LEVELS)
def test_random_structures_load_or_raise_tier2error(tree: Any) -> None:
    text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False)
    spec = load_or_refuse(text.encode("utf-8"))
    if spec is not None:
        run_to_verdict(spec)


@FUZZ_SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_load_or_raise_tier2error(data: bytes) -> None:
    spec = load_or_refuse(data)
    if spec is not None:
        run_to_verdict(spec)


# --- (b) mutations of a valid suite ------------------------------------------------------


def containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every mapping and list inside `value`, the root included."""
    found = []
    if isinstance(value, (dict, list)):
        found.append(path)
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            found.extend(containers(child, (*path, key)))
    return found


def at(value: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        value = value[key]
    return value


REPLACEMENTS = st.sampled_from(
    [
        *(None, True, 0, -1, 2.5, "", "x", "a b", "::", [], [1], {}, {"k": "v"}, "daily_loop"),
        *("${n}", "a${id}b", "${", "$${n}", "${zz}", 1.1, "approx", [{"id": "x"}]),
    ]
)


JUNK = [
    b"\t",
    b"\xff",
    b"\x00",
    b": ",
    b"- ",
    b"&a ",
    b"*a",
    b"!!x ",
    b"!!python/name:os.system ",
    b"{",
    b"]",
    b"'",
    b'"',
    b"\n---\n",
    b"\xef\xbb\xbf",
    b"%YAML 1.1\n",
    b"? ",
    b"<<: ",
    b"!!bool ",
    b"!!int ",
    b"!!float ",
    b"!!null ",
]


@st.composite
def mutated_suites(draw: st.DrawFn, base: Any = valid_suite) -> bytes:
    suite = base()
    for _ in range(draw(st.integers(1, 3))):
        target = at(suite, draw(st.sampled_from(containers(suite))))
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        action = draw(st.sampled_from(["delete", "retype", "duplicate", "add_key"]))
        if not keys or action == "add_key":
            if isinstance(target, dict):
                target[draw(KEYS)] = copy.deepcopy(draw(REPLACEMENTS))
            else:
                target.append(copy.deepcopy(draw(REPLACEMENTS)))
            continue
        key = draw(st.sampled_from(keys))
        if action == "delete":
            del target[key]
        elif action == "retype":
            target[key] = copy.deepcopy(draw(REPLACEMENTS))
        elif isinstance(target, list):
            target.insert(key, json.loads(json.dumps(target[key])))
        else:
            target[key] = json.loads(json.dumps(target[key])) if draw(st.booleans()) else key
    text = yaml.safe_dump(suite, sort_keys=draw(st.booleans()), allow_unicode=True)
    data = text.encode("utf-8")
    for _ in range(draw(st.integers(0, 2))):
        edit = draw(st.sampled_from(["junk", "truncate", "dup_line", "drop_line", "tab"]))
        if not data:
            break
        position = draw(st.integers(0, len(data)))
        if edit == "junk":
            junk = draw(st.binary(min_size=1, max_size=6) | st.sampled_from(JUNK))
            data = data[:position] + junk + data[position:]
        elif edit == "truncate":
            data = data[:position]
        else:
            lines = data.split(b"\n")
            index = position % len(lines)
            if edit == "dup_line":
                lines.insert(index, lines[index])
            elif edit == "drop_line":
                del lines[index]
            else:
                lines[index] = b"\t" + lines[index]
            data = b"\n".join(lines)
    return data


def test_the_unmutated_suite_loads_and_passes() -> None:
    """The fuzzing baseline is itself valid, so the mutations start from a real suite."""
    from pytest_tier2.core.test_run import run_test_run

    spec = load(yaml.safe_dump(valid_suite(), sort_keys=False).encode("utf-8"))
    result = run_test_run(spec.suite, spec.expectations, registry=Registry.with_builtins())
    verdicts = {
        eid: outcome["passed"]
        for eid, outcome in result.to_dict()["expectations_result"]["expectation_results"].items()
    }
    # message_echoed fails on purpose (it is marked xfail in the file).
    assert verdicts == {
        "loop_succeeds": True,
        "counter_kept": True,
        "tests_ran": True,
        "message_echoed": False,
    }


@FUZZ_SETTINGS
@given(mutated_suites())
def test_mutated_suites_load_or_raise_tier2error(data: bytes) -> None:
    spec = load_or_refuse(data)
    if spec is not None:
        run_to_verdict(spec)


def test_the_unmutated_outline_suite_loads_and_passes() -> None:
    from pytest_tier2.core.test_run import run_test_run

    spec = load(yaml.safe_dump(outline_suite(), sort_keys=False).encode("utf-8"))
    result = run_test_run(spec.suite, spec.expectations, registry=Registry.with_builtins())
    assert result.passed
    assert len(spec.entries) == 7


@FUZZ_SETTINGS
@given(mutated_suites(outline_suite))
def test_mutated_outline_suites_load_or_raise_tier2error(data: bytes) -> None:
    spec = load_or_refuse(data)
    if spec is not None:
        run_to_verdict(spec)


# --- nothing in a suite file executes ----------------------------------------------------

CANARY = '''
"""Imported, called or instantiated only if a suite file's tags are obeyed."""
from pathlib import Path

Path("marker_import").write_text("imported")


def boom(*args, **kwargs):
    Path("marker_call").write_text("called")


class Boom:
    def __new__(cls, *args, **kwargs):
        Path("marker_new").write_text("instantiated")
        return super().__new__(cls)

    def __setstate__(self, state):
        Path("marker_setstate").write_text("state set")
'''

HOSTILE_VALUES = {
    "os_system": '!!python/object/apply:os.system ["touch marker_system"]',
    "subprocess": "!!python/object/apply:subprocess.check_call [[touch, marker_subprocess]]",
    "builtins_open": '!!python/object/apply:builtins.open ["marker_open", "w"]',
    "exec": "!!python/object/apply:builtins.exec [\"open('marker_exec', 'w').close()\"]",
    "canary_call": "!!python/object/apply:tier2_canary.boom []",
    "canary_new": "!!python/object/new:tier2_canary.Boom []",
    "canary_object": "!!python/object:tier2_canary.Boom {a: 1}",
    "canary_name": "!!python/name:tier2_canary.boom ''",
    "canary_module": "!!python/module:tier2_canary ''",
    "os_module": "!!python/module:os ''",
    "os_system_name": "!!python/name:os.system ''",
}


def hostile_suite(value: str, where: str) -> str:
    initial = value if where == "initial_state" else "{counter: 0}"
    params = "{message: hello}" if where != "params" else "{message: " + value + "}"
    expected = value if where == "expected" else "true"
    return (
        "suite: hostile\n"
        "scenarios:\n"
        "  - name: morning\n"
        f"    initial_state: {initial}\n"
        "    missions:\n"
        "      - name: echo\n"
        f"        params: {params}\n"
        "expectations:\n"
        "  - id: echoed\n"
        "    scenario: morning\n"
        "    mission: echo\n"
        "    path: success\n"
        "    op: eq\n"
        f"    expected: {expected}\n"
    )


# Payloads that leave a marker file when an unsafe loader obeys them.
LEAVES_MARKER = {
    "os_system",
    "subprocess",
    "builtins_open",
    "exec",
    "canary_call",
    "canary_new",
    "canary_object",
    "canary_name",
    "canary_module",
}


def markers_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith("marker"))


UNSAFE_LOAD_EACH = """\
import json, pathlib, sys, yaml

left = {}
for name in sys.argv[1:]:
    sys.modules.pop("tier2_canary", None)  # each payload imports it afresh, as if alone
    try:
        yaml.unsafe_load(pathlib.Path(name).read_text())
    except Exception:
        pass
    left[name] = sorted(p.name for p in pathlib.Path().iterdir() if p.name.startswith("marker"))
    for marker in left[name]:
        pathlib.Path(marker).unlink()
print(json.dumps(left))
"""


def test_python_tags_never_execute(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(tier2_canary=CANARY)
    monkeypatch.setenv("PYTHONPATH", str(pytester.path))
    names = []
    places = ("initial_state", "params", "expected")
    for index, (label, value) in enumerate(sorted(HOSTILE_VALUES.items())):
        where = places[index % len(places)]
        name = f"hostile_{label}.tier2.yaml"
        (pytester.path / name).write_text(hostile_suite(value, where), encoding="utf-8")
        names.append((name, 4 if where == "initial_state" else 7 if where == "params" else 14))

    # Control: an unsafe loader does run each payload that should leave a marker, and
    # leaves one. One interpreter loads them all, in turn, clearing the markers each time.
    controls = [f"hostile_{label}.tier2.yaml" for label in sorted(LEAVES_MARKER)]
    control = subprocess.run(
        [sys.executable, "-c", UNSAFE_LOAD_EACH, *controls],
        cwd=pytester.path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    left = json.loads(control.stdout)
    for name in controls:
        assert left[name], f"the {name} payload is not a working control"
    assert markers_in(pytester.path) == []

    result = pytester.runpytest_subprocess(
        "--continue-on-collection-errors", "-p", "no:cacheprovider", timeout=60
    )

    markers = markers_in(pytester.path)
    assert markers == [], f"suite files executed code: {markers}"
    text = "\n".join([*result.outlines, *result.errlines])
    assert "Traceback" not in text, text
    assert "INTERNALERROR" not in text, text
    result.assert_outcomes(errors=len(HOSTILE_VALUES))
    for name, line in names:
        assert f"{name}:{line}: " in text, f"no located error for {name}:\n{text}"
    assert text.count("is not allowed") >= len(HOSTILE_VALUES), text


# --- determinism under stress ------------------------------------------------------------

STRESS_SUITES = {
    "alpha": {**valid_suite(), "suite": "alpha"},
    "beta": {
        "suite": "beta",
        "scenarios": [
            {
                "name": "busy",
                "initial_state": {"z": 1, "a": {"y": [3, 2, 1], "b": None}, "m": "ü"},
                "missions": [
                    {"name": "echo", "as": "first", "params": {"k2": 2, "k1": 1, "k3": [1, 2]}},
                    {"name": "echo", "as": "second", "params": {"b": True, "a": False}},
                    {"name": "daily_loop", "params": {"requested_steps": 2}},
                ],
            }
        ],
        "expectations": [
            {
                "id": "first_ok",
                "scenario": "busy",
                "mission": "first",
                "path": "success",
                "op": "eq",
                "expected": True,
            },
            {
                "id": "state_kept",
                "scenario": "busy",
                "mission": "second",
                "path": "final_state.a.y",
                "op": "eq",
                "expected": [3, 2, 1],
            },
            {
                "id": "fails_on_purpose",
                "scenario": "busy",
                "mission": "daily_loop",
                "path": "final_state.z",
                "op": "gt",
                "expected": 5,
            },
        ],
    },
}


def permuted(value: Any, rng: random.Random) -> Any:
    """The same value with every mapping's keys in a shuffled order (lists keep theirs)."""
    if isinstance(value, dict):
        keys = list(value)
        rng.shuffle(keys)
        return {key: permuted(value[key], rng) for key in keys}
    if isinstance(value, list):
        return [permuted(item, rng) for item in value]
    return value


def hashes_of(
    pytester: pytest.Pytester, *args: str, fresh_interpreter: bool = False
) -> dict[str, tuple[str, str, str]]:
    """Each suite's hashes and result from a run; in a new interpreter to change its hash seed."""
    report = pytester.path / "report.json"
    if report.exists():
        report.unlink()
    args = ("-p", "no:cacheprovider", f"--tier2-report={report}", *args)
    if fresh_interpreter:
        result = pytester.runpytest_subprocess(*args, timeout=120)
    else:
        result = pytester.runpytest(*args)
    # beta's "fails_on_purpose" fails; everything else passes, is skipped or xfails.
    result.assert_outcomes(passed=4, failed=1, skipped=1, xfailed=1)
    document = json.loads(report.read_text(encoding="utf-8"))
    found = {}
    for suite in document["suites"]:
        found[suite["suite_name"]] = (
            suite["suite_hash"],
            suite["test_run_hash"],
            json.dumps(suite["result"], sort_keys=True),
        )
    assert sorted(found) == sorted(STRESS_SUITES), document
    return found


def test_hashes_are_identical_across_seeds_workers_and_key_orders(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    def write(rng: random.Random | None) -> None:
        for name, suite in STRESS_SUITES.items():
            tree = suite if rng is None else permuted(suite, rng)
            text = yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
            (pytester.path / f"{name}.tier2.yaml").write_text(text, encoding="utf-8")

    write(None)
    runs: dict[str, dict[str, tuple[str, str, str]]] = {}
    for seed in ("0", "1", "12345"):
        monkeypatch.setenv("PYTHONHASHSEED", seed)
        runs[f"seed {seed}"] = hashes_of(pytester, fresh_interpreter=True)
    # The workers of the in-process `-n 2` runs start with random hash seeds.
    monkeypatch.setenv("PYTHONHASHSEED", "random")
    runs["-n 2"] = hashes_of(pytester, "-n", "2")
    runs["-n 2 loadfile"] = hashes_of(pytester, "-n", "2", "--dist", "loadfile")
    rng = random.Random(20240101)
    for number in range(3):
        write(rng)
        runs[f"permutation {number}"] = hashes_of(pytester)
    # The permutations really reorder keys: the file text differs from the first one written.
    assert (pytester.path / "beta.tier2.yaml").read_text(encoding="utf-8") != yaml.safe_dump(
        STRESS_SUITES["beta"], sort_keys=False, allow_unicode=True
    )

    reference = runs["seed 0"]
    for label, found in runs.items():
        assert found == reference, f"{label} differs from seed 0"
    assert reference["alpha"][0] != reference["beta"][0]
