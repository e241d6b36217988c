"""Every malformed or hostile suite file is one short, located collection error.

All the cases, the files in `tests/bad_inputs/` and the generated ones (too big, too deep),
are collected together in ONE pytest subprocess beside a good suite file, as they would sit
in a user's repository. The subprocess keeps a crash, a hang or a runaway allocation in the
loader from taking this test run down; sharing it keeps the corpus fast, and proves that one
bad file never hides, or spoils, another. Each case is still a test of its own that reads its
own error section, its own junit testcase and its own collection time from that run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tier2_test_support import error_section

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
GOOD_IDS = ["loop_succeeds", "echo_keeps_state"]

# Duplicate-key messages also name the first occurrence ("first at line N").
DUPLICATE_KEY_FIRST_LINE = {
    "duplicate_key_top_level.tier2.yaml": 2,
    "duplicate_key_in_scenario.tier2.yaml": 4,
    "duplicate_key_in_mission.tier2.yaml": 10,
    "duplicate_key_in_expectation.tier2.yaml": 17,
    "duplicate_key_in_initial_state.tier2.yaml": 5,
    "duplicate_key_in_params.tier2.yaml": 11,
}

# --- generated cases: too big, too deep ----------------------------------------------------

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
BIG_SIZE = 11 * 1024 * 1024  # over the default limit of 10 MiB


def write_big_suite(path: Path, size: int) -> None:
    text = BIG_SUITE_HEAD.replace("{blob}", "x" * size)
    path.write_text(text, encoding="utf-8")


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
# Tens of thousands of levels on one line: every level sits on line 4.
DEEP_ON_ONE_LINE = {
    "flow_sequences": "[" * DEPTH + "]" * DEPTH,
    "flow_mappings": "{a: " * DEPTH + "1" + "}" * DEPTH,
}
DEEP_BLOCK_MAPPING_LEVELS = 1_500  # a line per level; this already overflows a naive loader


def deep_suites() -> dict[str, str]:
    """The generated deep files by name."""
    suites = {
        f"deep_{kind}.tier2.yaml": DEEP_HEAD + "    initial_state: {a: " + value + "}\n" + DEEP_TAIL
        for kind, value in DEEP_ON_ONE_LINE.items()
    }
    # Block sequences nest on one line too, the line after `a:` (line 6).
    suites["deep_block_sequences.tier2.yaml"] = (
        DEEP_HEAD + "    initial_state:\n      a:\n      " + "- " * DEPTH + "x\n" + DEEP_TAIL
    )
    lines = [DEEP_HEAD.rstrip("\n"), "    initial_state:"]
    lines += [" " * (6 + depth) + "a:" for depth in range(DEEP_BLOCK_MAPPING_LEVELS)]
    lines[-1] += " 1"
    suites["deep_block_mappings.tier2.yaml"] = "\n".join(lines) + "\n" + DEEP_TAIL
    return suites


# --- the shared run -------------------------------------------------------------------------

COLLECT_TIMER = """\
\"\"\"Records how long collecting each file took, for tests/test_bad_inputs.py.\"\"\"
import json
import time

import pytest

SECONDS = {}


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(collector):
    start = time.monotonic()
    try:
        return (yield)
    finally:
        if isinstance(collector, pytest.File):
            SECONDS[collector.path.name] = time.monotonic() - start


def pytest_sessionfinish(session):
    out = session.config.rootpath / "collect_seconds.json"
    out.write_text(json.dumps(SECONDS, sort_keys=True), encoding="utf-8")
"""


@dataclass(frozen=True)
class CorpusRun:
    """What one pytest run over the good file and every bad one printed and recorded."""

    ret: int
    outlines: list[str]
    errlines: list[str]
    testcases: list[tuple[str, str, str]]  # junit: (classname, name, outcome)
    seconds: dict[str, float]  # how long collecting each file took

    @property
    def text(self) -> str:
        return "\n".join([*self.outlines, *self.errlines])

    def outcomes_of(self, file_name: str) -> dict[str, str]:
        """The junit outcome of each test case that `file_name` produced, by case name."""
        return {
            name: outcome
            for classname, name, outcome in self.testcases
            if classname == file_name or (classname == "" and name == file_name)
        }


def junit_testcases(path: Path) -> Iterator[tuple[str, str, str]]:
    for case in ET.parse(path).getroot().iter("testcase"):
        kinds = [child.tag for child in case if child.tag in ("failure", "error", "skipped")]
        yield case.get("classname", ""), case.get("name", ""), kinds[0] if kinds else "passed"


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusRun:
    """One pytest subprocess collecting every bad file, generated or not, beside GOOD.

    Session-scoped, not module-scoped: under xdist a worker may run another module's tests
    between two of these, and a module fixture would then run the corpus again.
    """
    root = tmp_path_factory.mktemp("corpus")
    (root / "good.tier2.yaml").write_text(GOOD, encoding="utf-8")
    for name in MANIFEST:
        shutil.copyfile(BAD_DIR / name, root / name)  # bytes as they are
    for name, text in deep_suites().items():
        (root / name).write_text(text, encoding="utf-8")
    write_big_suite(root / "big.tier2.yaml", BIG_SIZE)
    plugins = tmp_path_factory.mktemp("corpus_plugins")
    (plugins / "tier2_collect_timer.py").write_text(COLLECT_TIMER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PY_COLORS"] = "0"
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(plugins), env.get("PYTHONPATH")]))

    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *RUN_ARGS, "-p", "tier2_collect_timer",
         "--junitxml=junit.xml"],
        cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip

    output = proc.stdout + proc.stderr
    assert (root / "junit.xml").is_file(), output
    assert (root / "collect_seconds.json").is_file(), output
    return CorpusRun(
        ret=proc.returncode,
        outlines=proc.stdout.splitlines(),
        errlines=proc.stderr.splitlines(),
        testcases=list(junit_testcases(root / "junit.xml")),
        seconds=json.loads((root / "collect_seconds.json").read_text(encoding="utf-8")),
    )


# Under xdist with `--dist loadgroup`, every test that reads the shared run goes to one
# worker, so the run happens once.
shared_run = pytest.mark.xdist_group("bad_inputs_corpus")


def output_of(result: pytest.RunResult | CorpusRun) -> str:
    return "\n".join([*result.outlines, *result.errlines])


def assert_clean(text: str) -> None:
    assert "Traceback" not in text, text
    assert "INTERNALERROR" not in text, text
    assert "RecursionError" not in text, text
    assert "MemoryError" not in text, text
    # pytest's short traceback style has no "Traceback" line: look for frames and `E   Error`.
    assert not re.search(r"\.py:\d+: in ", text), text
    assert not re.search(r"^E\s+[\w.]*(Error|Exception)\b", text, re.MULTILINE), text


def assert_located_error(
    result: pytest.RunResult | CorpusRun, file_name: str, line: int | None, phrase: str
) -> str:
    """The section for `file_name` is the one line `<...file_name>:<line>: ...phrase...`."""
    section = error_section(result, file_name)
    assert_clean("\n".join(section))
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


def assert_refused_alone(corpus: CorpusRun, file_name: str) -> None:
    """The file is one collection error and no item, and refusing it took under MAX_SECONDS."""
    assert corpus.outcomes_of(file_name) == {file_name: "error"}, corpus.testcases
    seconds = corpus.seconds[file_name]
    assert seconds < MAX_SECONDS, f"collecting {file_name} took {seconds:.1f}s"


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


@shared_run
def test_the_good_file_passes_beside_every_bad_one_and_nothing_crashes(
    corpus: CorpusRun,
) -> None:
    assert_clean(corpus.text)
    assert corpus.ret == pytest.ExitCode.TESTS_FAILED, corpus.text
    bad_files = len(MANIFEST) + len(deep_suites()) + 1  # the big file
    assert pytest.RunResult.parse_summary_nouns(corpus.outlines) == {
        "passed": len(GOOD_IDS),
        "errors": bad_files,
    }, corpus.text
    assert corpus.outcomes_of("good.tier2.yaml") == dict.fromkeys(GOOD_IDS, "passed")
    assert len(corpus.testcases) == len(GOOD_IDS) + bad_files


@shared_run
@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_bad_input(corpus: CorpusRun, name: str) -> None:
    entry = MANIFEST[name]

    assert_located_error(corpus, name, int(entry["line"]), str(entry["message"]))  # type: ignore[call-overload]
    if name in DUPLICATE_KEY_FIRST_LINE:
        section = "\n".join(error_section(corpus, name))
        assert f"first at line {DUPLICATE_KEY_FIRST_LINE[name]}" in section, section
    assert_refused_alone(corpus, name)


# --- generated cases: too big, too deep, BOM ----------------------------------------------


@shared_run
def test_file_over_the_default_limit_is_refused(corpus: CorpusRun) -> None:
    assert_located_error(corpus, "big.tier2.yaml", 1, "larger than")
    assert_refused_alone(corpus, "big.tier2.yaml")


def test_ini_option_raises_the_size_limit(pytester: pytest.Pytester, good_file: Path) -> None:
    big = pytester.path / "big.tier2.yaml"
    write_big_suite(big, BIG_SIZE)
    assert big.stat().st_size > 10 * 1024 * 1024

    # A subprocess: loading 11 MB of YAML takes a few hundred MB, not to be kept by this run.
    result = pytester.runpytest_subprocess(
        *RUN_ARGS, "-o", "tier2_max_file_bytes=50000000", timeout=300
    )

    assert_clean(output_of(result))
    result.assert_outcomes(passed=3)


def test_ini_option_lowers_the_size_limit(pytester: pytest.Pytester, good_file: Path) -> None:
    # good.tier2.yaml is about 450 bytes: a 100-byte limit refuses it too.
    result = pytester.runpytest(*RUN_ARGS, "-o", "tier2_max_file_bytes=100")

    assert_clean(output_of(result))
    assert_located_error(result, "good.tier2.yaml", 1, "larger than")
    result.assert_outcomes(errors=1)


@shared_run
@pytest.mark.parametrize("kind", ["flow_sequences", "flow_mappings", "block_sequences"])
def test_deep_nesting_on_one_line(corpus: CorpusRun, kind: str) -> None:
    """Tens of thousands of levels: a located error, never a RecursionError."""
    name = f"deep_{kind}.tier2.yaml"
    # Every level sits on line 4 (line 6 for the block sequences).
    line = 6 if kind == "block_sequences" else 4

    assert_located_error(corpus, name, line, "nested deeper than")
    assert_refused_alone(corpus, name)


@shared_run
def test_deep_block_mappings(corpus: CorpusRun) -> None:
    """Block mappings need a line per level; 1,500 levels already overflow a naive loader."""
    name = "deep_block_mappings.tier2.yaml"
    assert_located_error(corpus, name, None, "nested deeper than")
    assert_refused_alone(corpus, name)


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

    result = pytester.runpytest(*RUN_ARGS, "--junitxml=junit.xml", "-o", "junit_family=xunit1")

    assert_clean(output_of(result))
    result.assert_outcomes(passed=2, failed=1)
    # Messages a person reads are 1-based: the failure report names the expectation's line.
    assert re.search(r"bom\.tier2\.yaml:23:", result.stdout.str()), result.stdout.str()
    # junit's `line` attribute is 0-based, like pytest's own `location` (xunit2, the default
    # family, leaves `file` and `line` out, hence xunit1 above).
    cases = ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")
    junit_lines = {case.get("name", "").rsplit("::", 1)[-1]: case.get("line") for case in cases}
    assert junit_lines == {eid: str(line - 1) for eid, line in id_lines.items()}, junit_lines
