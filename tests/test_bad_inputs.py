"""Every malformed or hostile suite file is one short, located collection error.

Each case in `tests/bad_inputs/` runs in a pytest subprocess beside a good suite file, so a
crash, a hang or a runaway allocation in the loader cannot take this test run down with it.
The good file's items must still pass: one bad file never hides the others.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
BAD_DIR = HERE / "bad_inputs"
MANIFEST: dict[str, dict[str, object]] = json.loads(
    (BAD_DIR / "manifest.json").read_text(encoding="utf-8")
)
RUN_ARGS = ("--continue-on-collection-errors", "-p", "no:cacheprovider")
MAX_SECONDS = 10.0
MAX_SECTION_LINES = 6

GOOD = """\
suite: good
scenarios:
  - name: morning
    initial_state: {counter: 0}
    missions:
      - name: daily_loop
      - name: echo
        as: echo_hello
        params: {message: hello}
expectations:
  - id: loop_succeeds
    scenario: morning
    mission: daily_loop
    path: success
    op: eq
    expected: true
  - id: echo_keeps_state
    scenario: morning
    mission: echo_hello
    path: final_state.counter
    op: eq
    expected: 0
"""

# Duplicate-key messages also name the first occurrence ("first at line N").
DUPLICATE_KEY_FIRST_LINE = {
    "duplicate_key_top_level.tier2.yaml": 2,
    "duplicate_key_in_scenario.tier2.yaml": 4,
    "duplicate_key_in_mission.tier2.yaml": 10,
    "duplicate_key_in_expectation.tier2.yaml": 17,
    "duplicate_key_in_initial_state.tier2.yaml": 5,
    "duplicate_key_in_params.tier2.yaml": 11,
}


def run_timed(pytester: pytest.Pytester, *args: str) -> tuple[pytest.RunResult, float]:
    start = time.monotonic()
    result = pytester.runpytest_subprocess(*RUN_ARGS, *args, timeout=60)
    return result, time.monotonic() - start


def output_of(result: pytest.RunResult) -> str:
    return "\n".join([*result.outlines, *result.errlines])


def error_section(result: pytest.RunResult, file_name: str) -> list[str]:
    """The non-blank lines under `ERROR collecting <file_name>`, up to the next header."""
    lines = result.outlines
    starts = [
        i
        for i, line in enumerate(lines)
        if "ERROR collecting" in line and line.rstrip(" _").endswith(file_name)
    ]
    assert len(starts) == 1, f"no single error section for {file_name}:\n{output_of(result)}"
    section = []
    for line in lines[starts[0] + 1 :]:
        if line.startswith(("___", "===")):
            break
        if line.strip():
            section.append(line)
    return section


def assert_clean(result: pytest.RunResult) -> None:
    text = output_of(result)
    assert "Traceback" not in text, text
    assert "INTERNALERROR" not in text, text
    assert "RecursionError" not in text, text
    assert "MemoryError" not in text, text
    # pytest's short traceback style has no "Traceback" line: look for frames and `E   Error`.
    assert not re.search(r"\.py:\d+: in ", text), text
    assert not re.search(r"^E\s+[\w.]*(Error|Exception)\b", text, re.MULTILINE), text


def assert_located_error(
    result: pytest.RunResult, file_name: str, line: int | None, phrase: str
) -> str:
    """The section for `file_name` is the one line `<...file_name>:<line>: ...phrase...`."""
    section = error_section(result, file_name)
    assert len(section) <= MAX_SECTION_LINES, "\n".join(section)
    line_pattern = str(line) if line is not None else r"\d+"
    located = re.compile(rf"{re.escape(file_name)}:{line_pattern}: ")
    matching = [text for text in section if located.search(text) and phrase in text]
    assert matching, (
        f"expected a line with '{file_name}:{line}: ' and {phrase!r} in:\n" + "\n".join(section)
    )
    # The contract: the message is ONE line, so that `file:line: message` greps and links.
    assert section == matching[:1], "a message of more than one line:\n" + "\n".join(section)
    return matching[0]


@pytest.fixture
def good_file(pytester: pytest.Pytester) -> Path:
    path = pytester.path / "good.tier2.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


# --- the corpus ----------------------------------------------------------------------------


def test_manifest_lists_every_corpus_file() -> None:
    on_disk = {p.name for p in BAD_DIR.iterdir() if p.name.endswith((".tier2.yaml", ".tier2.yml"))}
    assert on_disk == set(MANIFEST)
    assert len(MANIFEST) >= 45
    for name, entry in MANIFEST.items():
        assert set(entry) == {"line", "message", "shape"}, name
        assert isinstance(entry["line"], int) and entry["line"] >= 1, name
        assert isinstance(entry["message"], str) and entry["message"], name
        assert isinstance(entry["shape"], bool), name


def test_corpus_is_not_collected_by_the_projects_own_run() -> None:
    """tests/bad_inputs/conftest.py keeps the corpus out of a normal run, without errors."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            str(BAD_DIR),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=HERE.parent,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, output
    assert "error" not in output.lower(), output
    assert "Traceback" not in output, output


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_bad_input(pytester: pytest.Pytester, good_file: Path, name: str) -> None:
    entry = MANIFEST[name]
    shutil.copyfile(BAD_DIR / name, pytester.path / name)  # bytes as they are

    result, seconds = run_timed(pytester)

    assert_clean(result)
    assert_located_error(result, name, int(entry["line"]), str(entry["message"]))  # type: ignore[call-overload]
    if name in DUPLICATE_KEY_FIRST_LINE:
        section = "\n".join(error_section(result, name))
        assert f"first at line {DUPLICATE_KEY_FIRST_LINE[name]}" in section, section
    result.assert_outcomes(passed=2, errors=1)
    assert seconds < MAX_SECONDS, f"{name} took {seconds:.1f}s"


# --- generated cases: too big, too deep, BOM ----------------------------------------------

BIG_SUITE_HEAD = """\
suite: big
scenarios:
  - name: big
    initial_state:
      blob: "{blob}"
    missions:
      - name: echo
expectations:
  - id: big_loaded
    scenario: big
    mission: echo
    path: final_state.blob
    op: matches
    expected: "^x+$"
"""


def write_big_suite(path: Path, size: int) -> None:
    text = BIG_SUITE_HEAD.replace("{blob}", "x" * size)
    path.write_text(text, encoding="utf-8")


def test_file_over_the_default_limit_is_refused(pytester: pytest.Pytester, good_file: Path) -> None:
    big = pytester.path / "big.tier2.yaml"
    write_big_suite(big, 11 * 1024 * 1024)
    assert big.stat().st_size > 10 * 1024 * 1024

    result, seconds = run_timed(pytester)

    assert_clean(result)
    assert_located_error(result, "big.tier2.yaml", 1, "larger than")
    result.assert_outcomes(passed=2, errors=1)
    assert seconds < MAX_SECONDS, f"refusing a big file took {seconds:.1f}s"


def test_ini_option_raises_the_size_limit(pytester: pytest.Pytester, good_file: Path) -> None:
    big = pytester.path / "big.tier2.yaml"
    write_big_suite(big, 11 * 1024 * 1024)

    result = pytester.runpytest_subprocess(
        *RUN_ARGS, "-o", "tier2_max_file_bytes=50000000", timeout=300
    )

    assert_clean(result)
    result.assert_outcomes(passed=3)


def test_ini_option_lowers_the_size_limit(pytester: pytest.Pytester, good_file: Path) -> None:
    # good.tier2.yaml is about 450 bytes: a 100-byte limit refuses it too.
    result, _ = run_timed(pytester, "-o", "tier2_max_file_bytes=100")

    assert_clean(result)
    assert_located_error(result, "good.tier2.yaml", 1, "larger than")
    result.assert_outcomes(errors=1)


DEPTH = 50_000
DEEP_HEAD = "suite: deep\nscenarios:\n  - name: deep\n"
DEEP_TAIL = """\
    missions:
      - name: echo
expectations:
  - id: deep_loaded
    scenario: deep
    mission: echo
    path: success
    op: eq
    expected: true
"""


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("flow_sequences", "[" * DEPTH + "]" * DEPTH),
        ("flow_mappings", "{a: " * DEPTH + "1" + "}" * DEPTH),
        ("block_sequences", "\n      " + "- " * DEPTH + "x"),
    ],
)
def test_deep_nesting_on_one_line(
    pytester: pytest.Pytester, good_file: Path, kind: str, value: str
) -> None:
    """Tens of thousands of levels: a located error, never a RecursionError."""
    name = f"deep_{kind}.tier2.yaml"
    text = DEEP_HEAD + "    initial_state: {a: " + value + "}\n" + DEEP_TAIL
    if kind == "block_sequences":
        text = DEEP_HEAD + "    initial_state:\n      a:" + value + "\n" + DEEP_TAIL
    (pytester.path / name).write_text(text, encoding="utf-8")
    # Every level sits on line 4 (line 6 for the block sequences).
    line = 6 if kind == "block_sequences" else 4

    result, seconds = run_timed(pytester)

    assert_clean(result)
    assert_located_error(result, name, line, "nested deeper than")
    result.assert_outcomes(passed=2, errors=1)
    assert seconds < MAX_SECONDS, f"{name} took {seconds:.1f}s"


def test_deep_block_mappings(pytester: pytest.Pytester, good_file: Path) -> None:
    """Block mappings need a line per level; 1,500 levels already overflow a naive loader."""
    levels = 1_500
    lines = [DEEP_HEAD.rstrip("\n"), "    initial_state:"]
    lines += [" " * (6 + depth) + "a:" for depth in range(levels)]
    lines[-1] += " 1"
    text = "\n".join(lines) + "\n" + DEEP_TAIL
    (pytester.path / "deep_block_mappings.tier2.yaml").write_text(text, encoding="utf-8")

    result, seconds = run_timed(pytester)

    assert_clean(result)
    assert_located_error(result, "deep_block_mappings.tier2.yaml", None, "nested deeper than")
    result.assert_outcomes(passed=2, errors=1)
    assert seconds < MAX_SECONDS, f"took {seconds:.1f}s"


def test_bom_file_collects_runs_and_counts_lines_without_the_bom(
    pytester: pytest.Pytester,
) -> None:
    failing = GOOD + (
        "  - id: counter_is_one\n"
        "    scenario: morning\n"
        "    mission: echo_hello\n"
        "    path: final_state.counter\n"
        "    op: eq\n"
        "    expected: 1\n"
    )
    (pytester.path / "bom.tier2.yaml").write_bytes(b"\xef\xbb\xbf" + failing.encode("utf-8"))
    lines = failing.splitlines()
    id_lines = {
        line.split("id: ")[1]: number
        for number, line in enumerate(lines, start=1)
        if line.startswith("  - id: ")
    }
    assert id_lines == {"loop_succeeds": 11, "echo_keeps_state": 17, "counter_is_one": 23}

    result = pytester.runpytest_subprocess(
        *RUN_ARGS, "--junitxml=junit.xml", "-o", "junit_family=xunit1", timeout=60
    )

    assert_clean(result)
    result.assert_outcomes(passed=2, failed=1)
    # Messages a person reads are 1-based: the failure report names the expectation's line.
    assert re.search(r"bom\.tier2\.yaml:23:", result.stdout.str()), result.stdout.str()
    # junit's `line` attribute is 0-based, like pytest's own `location` (xunit2, the default
    # family, leaves `file` and `line` out, hence xunit1 above).
    cases = ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")
    junit_lines = {case.get("name", "").rsplit("::", 1)[-1]: case.get("line") for case in cases}
    assert junit_lines == {eid: str(line - 1) for eid, line in id_lines.items()}, junit_lines
