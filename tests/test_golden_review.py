"""End-to-end: reviewing golden changes as in a pull request.

Change categories (`--tier2-golden=create|fix|trim`), the `tier2 golden` summary that ends
every golden run, `python -m pytest_tier2 accept|reject|review` on the changes a run left
pending in pytest's cache, and pin files that check themselves (hand edits, merge
conflicts). As in `test_golden.py`, each test drives real pytest sessions through
`pytester`; here the cache provider stays on, since pending changes live in it.
"""

from __future__ import annotations

import io
import json
import os
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from test_golden import (
    NO_CACHE,
    NO_CACHE_LINE,
    failure_text,
    golden_section,
    pins,
    scenario_group,
    suite_yaml,
)
from tier2_test_support import outcomes

from pytest_tier2 import cli
from pytest_tier2.core.canonical import dumps, sha256

ACCEPT_ALL = (
    "accept all without re-running: python -m pytest_tier2 accept  "
    "(one by one: python -m pytest_tier2 review)"
)
NOTHING_PENDING = "nothing pending (a golden run, pytest --tier2-golden, leaves its changes here)"


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """An in-process run with pytest's cache, listing every outcome (`-rA`)."""
    return pytester.runpytest("-rA", *args)


def tier2(*args: str, answers: str = "") -> tuple[int, str, str]:
    """`python -m pytest_tier2 ARGS` in this process and directory: exit code, out, err."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        patch.setattr(sys, "stdin", io.StringIO(answers))
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def pin_bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.tier2.golden.json"))}


def conflicted(text: str, scenario: str) -> tuple[str, int]:
    """`text` as git leaves a pin file whose `scenario` hash was changed on both sides; and
    the line of the `<<<<<<<` marker."""
    lines = text.split("\n")
    start = lines.index(f'    "{scenario}": {{')
    at = next(i for i in range(start, len(lines)) if '"scenario_hash"' in lines[i])
    ours, theirs = lines[at], lines[at].replace('": "', '": "0')
    lines[at : at + 1] = ["<<<<<<< HEAD", ours, "=======", theirs, ">>>>>>> other-branch"]
    return "\n".join(lines), at + 1


def key_line(text: str, *keys: str) -> int:
    """The 1-based line where the nested keys of a pin file start, as a person finds them."""
    lines = text.split("\n")
    at = 0
    for depth, key in enumerate(keys):
        indent = " " * (4 + 4 * depth)
        at = next(i for i in range(at, len(lines)) if lines[i].startswith(f'{indent}"{key}": {{'))
    return at + 1


@pytest.fixture
def changed(pytester: pytest.Pytester) -> Path:
    """`a.tier2.yaml` pinned with scenarios first, second, third; then changed: `first`
    drifts (x: 1 -> 2), `second` still matches, `third` is gone (its pin is stale) and
    `fourth` is new (it has no pin). Returns the pin file."""
    pytester.makefile(".tier2.yaml", a=suite_yaml("alpha", {"first": 1, "second": 1, "third": 1}))
    assert run(pytester, "--tier2-golden=update").ret == pytest.ExitCode.OK
    pytester.makefile(".tier2.yaml", a=suite_yaml("alpha", {"first": 2, "second": 1, "fourth": 1}))
    return pytester.path / "a.tier2.golden.json"


# -- 1. change categories --------------------------------------------------------------


def test_each_category_writes_its_kind_of_change_and_leaves_the_others_byte_for_byte(
    pytester: pytest.Pytester, changed: Path
) -> None:
    before = changed.read_text("utf-8")

    create = run(pytester, "--tier2-golden=create")
    assert outcomes(create) == {
        "a.tier2.yaml::first_succeeds": "PASSED",
        "a.tier2.yaml::second_succeeds": "PASSED",
        "a.tier2.yaml::fourth_succeeds": "PASSED",
        "a.tier2.yaml::first@golden": "FAILED",  # a drift, and `fix` was not asked for
        "a.tier2.yaml::second@golden": "PASSED",
        "a.tier2.yaml::fourth@golden": "PASSED",  # created
    }
    assert create.ret == pytest.ExitCode.TESTS_FAILED
    create.stdout.fnmatch_lines(["*golden drift in scenario 'first'*"])
    assert golden_section(create, "create") == [
        "wrote a.tier2.golden.json",
        "1 drifted, 0 missing, 1 stale left (3 scenarios checked; created 1)",
        "drifted  a.tier2.yaml::first",
        "stale    a.tier2.yaml::third  (suite 'alpha' has no scenario 'third'; pinned in "
        "a.tier2.golden.json)",
        "accept the drifted: pytest --tier2-golden=fix a.tier2.yaml",
        "accept the stale:   pytest --tier2-golden=trim a.tier2.yaml",
        ACCEPT_ALL,
    ]
    created = changed.read_text("utf-8")
    assert sorted(pins(changed)["scenarios"]) == ["first", "fourth", "second", "third"]
    for untouched in ("first", "second", "third"):
        assert scenario_group(created, untouched) == scenario_group(before, untouched)

    fix = run(pytester, "--tier2-golden=fix")
    assert set(outcomes(fix).values()) == {"PASSED"}
    assert fix.ret == pytest.ExitCode.TESTS_FAILED  # the stale pin still fails the run
    fix.stdout.fnmatch_lines(["*= 6 passed, 1 stale pin in *"])
    fixed = changed.read_text("utf-8")
    assert pins(changed)["scenarios"]["first"]["missions"]["greet"]["result"]["final_state"] == {
        "x": 2
    }
    for untouched in ("fourth", "second", "third"):
        assert scenario_group(fixed, untouched) == scenario_group(created, untouched)

    trim = run(pytester, "--tier2-golden=trim")
    assert trim.ret == pytest.ExitCode.OK
    assert golden_section(trim, "trim")[:2] == [
        "wrote a.tier2.golden.json",
        "0 drifted, 0 missing, 0 stale left (3 scenarios checked; trimmed 1)",
    ]
    assert sorted(pins(changed)["scenarios"]) == ["first", "fourth", "second"]
    for untouched in ("first", "fourth"):
        assert scenario_group(changed.read_text("utf-8"), untouched) == scenario_group(
            fixed, untouched
        )
    assert run(pytester, "--tier2-golden").ret == pytest.ExitCode.OK


def test_create_pins_a_new_suite_and_leaves_a_drifted_one_alone_failing_on_it(
    pytester: pytest.Pytester,
) -> None:
    """The issue's example, with the categories given in the ini file."""
    pytester.makefile(".tier2.yaml", a=suite_yaml("alpha", {"first": 1}))
    run(pytester, "--tier2-golden=update")
    drifted = pytester.path / "a.tier2.golden.json"
    before = drifted.read_bytes()
    pytester.makefile(
        ".tier2.yaml", a=suite_yaml("alpha", {"first": 2}), b=suite_yaml("beta", {"new": 1})
    )
    pytester.makeini("[pytest]\ntier2_golden = create\n")

    result = run(pytester)
    assert outcomes(result)["a.tier2.yaml::first@golden"] == "FAILED"
    assert outcomes(result)["b.tier2.yaml::new@golden"] == "PASSED"
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert drifted.read_bytes() == before
    assert sorted(pins(pytester.path / "b.tier2.golden.json")["scenarios"]) == ["new"]


def test_a_category_run_with_a_deselection_writes_only_what_was_selected(
    pytester: pytest.Pytester, changed: Path
) -> None:
    before = changed.read_text("utf-8")
    result = run(pytester, "--tier2-golden=fix,create,trim", "-k", "first or fourth")
    assert result.ret == pytest.ExitCode.OK
    after = changed.read_text("utf-8")
    assert sorted(pins(changed)["scenarios"]) == ["first", "fourth", "second", "third"]
    assert scenario_group(after, "second") == scenario_group(before, "second")
    # `second` did not run: the suite was not run whole, so `third` is not judged stale.
    assert scenario_group(after, "third") == scenario_group(before, "third")
    assert golden_section(result, "update") == [
        "wrote a.tier2.golden.json",
        "0 drifted, 0 missing, 0 stale left (2 scenarios checked; created 1, fixed 1)",
        "not judged: partial selection: kept the pin of scenario 'third' in "
        "a.tier2.golden.json, which suite 'alpha' no longer has; to remove it: "
        "pytest --tier2-golden=trim a.tier2.yaml",
    ]


def test_categories_are_a_comma_separated_set_and_anything_else_is_a_usage_error(
    pytester: pytest.Pytester, changed: Path
) -> None:
    pytester.makeini("[pytest]\ntier2_golden = trim, create\n")
    by_ini = run(pytester, "-q")
    assert any(
        line.startswith("tier2 golden (create,trim): 1 drifted, 0 missing, 0 stale left")
        for line in by_ini.outlines
    )

    mixed = run(pytester, "--tier2-golden=create,update")
    assert mixed.ret == pytest.ExitCode.USAGE_ERROR
    mixed.stderr.fnmatch_lines(
        ["*argument --tier2-golden: 'create,update' is not a golden mode (check, update, off,*"]
    )


# -- 2. the review summary -------------------------------------------------------------


def test_a_check_ends_with_the_counts_each_change_and_the_command_that_accepts_it(
    pytester: pytest.Pytester, changed: Path
) -> None:
    (pytester.path / "gone.tier2.golden.json").write_bytes(changed.read_bytes())

    result = run(pytester, "--tier2-golden")
    assert golden_section(result, "check") == [
        "1 drifted, 1 missing, 2 stale (3 scenarios checked)",
        "drifted  a.tier2.yaml::first",
        "missing  a.tier2.yaml::fourth",
        "stale    a.tier2.yaml::third  (suite 'alpha' has no scenario 'third'; pinned in "
        "a.tier2.golden.json)",
        "stale    gone.tier2.golden.json  (its suite file is gone)",
        "accept the drifted: pytest --tier2-golden=fix a.tier2.yaml",
        "accept the missing: pytest --tier2-golden=create a.tier2.yaml",
        "accept the stale:   pytest --tier2-golden=trim a.tier2.yaml .",
        ACCEPT_ALL,
    ]
    result.stdout.fnmatch_lines(["*= 2 failed, 4 passed, 2 stale pins in *"])

    quiet = run(pytester, "--tier2-golden", "-q")
    mentions = [line for line in quiet.outlines if "tier2 golden" in line]
    assert mentions == [
        "tier2 golden (check): 1 drifted, 1 missing, 2 stale (3 scenarios checked); "
        "accept: python -m pytest_tier2 accept"
    ]
    assert golden_section(quiet, "check") == []  # no section: that one line


# -- 3. accept, reject, review ---------------------------------------------------------


def make_project(directory: Path, x: int) -> None:
    """Suites s0..s3, of scenarios first, second, third (each from {x: x})."""
    directory.mkdir(exist_ok=True)
    for name in ("s0", "s1", "s2", "s3"):
        scenarios = dict.fromkeys(("first", "second", "third"), x)
        (directory / f"{name}.tier2.yaml").write_text(suite_yaml(name, scenarios), "utf-8")


def changed_twins(pytester: pytest.Pytester) -> tuple[Path, Path]:
    """Two identical projects, `work` and `twin`, pinned, then changed alike."""
    work, twin = pytester.path / "work", pytester.path / "twin"
    for directory in (work, twin):
        make_project(directory, 1)
    assert run(pytester, "--tier2-golden=update", "work", "twin").ret == pytest.ExitCode.OK
    for directory in (work, twin):
        change_project(directory)
    return work, twin


def change_project(directory: Path) -> None:
    """Every kind of change: s0 drifts in `first`, s1 loses `third` and gains `fourth`, s2's
    pin file holds a merge conflict, and s3 is gone (its pin file is stale)."""
    (directory / "s0.tier2.yaml").write_text(
        suite_yaml("s0", {"first": 2, "second": 1, "third": 1}), "utf-8"
    )
    (directory / "s1.tier2.yaml").write_text(
        suite_yaml("s1", {"first": 1, "second": 1, "fourth": 1}), "utf-8"
    )
    pin_file = directory / "s2.tier2.golden.json"
    pin_file.write_text(conflicted(pin_file.read_text("utf-8"), "second")[0], "utf-8")
    (directory / "s3.tier2.yaml").unlink()


def test_accept_after_a_check_writes_what_update_would_byte_for_byte_and_check_passes(
    pytester: pytest.Pytester,
) -> None:
    work, twin = changed_twins(pytester)

    check = run(pytester, "--tier2-golden=check", "work")
    assert check.ret == pytest.ExitCode.TESTS_FAILED
    summary = golden_section(check, "check")
    assert summary[0] == "4 drifted, 1 missing, 2 stale (9 scenarios checked)"
    # With no ini file, pytest 8.0 takes `work` for the rootdir (and its cache), later
    # versions the current directory: the summary's command names `work` when needed.
    command = summary[-1].partition("  (")[0].split()
    assert " ".join(command[:8]) == "accept all without re-running: python -m pytest_tier2 accept"
    assert run(pytester, "--tier2-golden=update", "twin").ret == pytest.ExitCode.OK

    code, out, err = tier2(*command[7:])
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "wrote work/s0.tier2.golden.json (fixed first)",
        "wrote work/s1.tier2.golden.json (created fourth, trimmed third)",
        "wrote work/s2.tier2.golden.json (fixed first, fixed second, fixed third)",
        "removed work/s3.tier2.golden.json: its suite file is gone",
    ]
    assert pin_bytes(work) == pin_bytes(twin)
    assert sorted(pin_bytes(work)) == [f"s{i}.tier2.golden.json" for i in range(3)]

    again = run(pytester, "--tier2-golden=check", "work")
    assert again.ret == pytest.ExitCode.OK
    assert tier2("accept", "work") == (0, NOTHING_PENDING + "\n", "")


def test_accept_refuses_a_change_whose_suite_or_pin_file_changed_since_the_check(
    pytester: pytest.Pytester, changed: Path
) -> None:
    pytester.makefile(".tier2.yaml", b=suite_yaml("beta", {"new": 1}))
    assert run(pytester, "--tier2-golden").ret == pytest.ExitCode.TESTS_FAILED
    suite = pytester.path / "a.tier2.yaml"
    suite_text, pin_text = suite.read_bytes(), changed.read_bytes()

    suite.write_bytes(suite_text + b"# edited after the check\n")
    code, out, err = tier2("accept")
    assert code == 1
    assert out == "wrote b.tier2.golden.json (created new)\n"  # the other file is accepted
    assert err == (
        "refused a.tier2.golden.json: a.tier2.yaml changed since the golden run recorded "
        "this change; run pytest --tier2-golden again to see the change as it is now\n"
    )
    assert changed.read_bytes() == pin_text

    suite.write_bytes(suite_text)  # the same content again, with a new modification time
    changed.write_bytes(pin_text + b"\n")
    code, _, err = tier2("accept")
    assert code == 1
    assert err.startswith("refused a.tier2.golden.json: a.tier2.golden.json changed since ")
    assert changed.read_bytes() == pin_text + b"\n"

    changed.write_bytes(pin_text)  # content hashes, not times, decide
    assert tier2("accept")[:2] == (
        0,
        "wrote a.tier2.golden.json (fixed first, created fourth, trimmed third)\n",
    )
    assert run(pytester, "--tier2-golden").ret == pytest.ExitCode.OK


def test_accept_and_reject_take_node_ids_and_paths_and_leave_the_rest_pending(
    pytester: pytest.Pytester, changed: Path
) -> None:
    run(pytester, "--tier2-golden")
    # A later run of part of the suite keeps what the earlier one found elsewhere in it.
    assert run(pytester, "--tier2-golden", "-k", "second").ret == pytest.ExitCode.OK
    before = changed.read_text("utf-8")

    assert tier2("accept", "a.tier2.yaml::fourth@golden")[:2] == (
        0,
        "wrote a.tier2.golden.json (created fourth)\n",
    )
    after = changed.read_text("utf-8")
    assert scenario_group(after, "first") == scenario_group(before, "first")
    assert scenario_group(after, "third") == scenario_group(before, "third")

    assert tier2("reject", "a.tier2.yaml::first") == (0, "dropped 1 pending change\n", "")
    assert changed.read_text("utf-8") == after  # reject never touches a pin file

    code, _, err = tier2("accept", "b.tier2.yaml")
    assert (code, err) == (2, "pytest_tier2: error: nothing pending for b.tier2.yaml\n")

    assert tier2("accept", "a.tier2.golden.json")[:2] == (
        0,
        "wrote a.tier2.golden.json (trimmed third)\n",
    )
    check = run(pytester, "--tier2-golden")
    assert {k: v for k, v in outcomes(check).items() if v != "PASSED"} == {
        "a.tier2.yaml::first@golden": "FAILED"  # rejected: still a drift
    }


def test_review_from_a_pipe_shows_the_check_failures_diff_and_asks_per_scenario(
    pytester: pytest.Pytester, changed: Path
) -> None:
    check = run(pytester, "--tier2-golden")
    drift = failure_text(check, "first@golden").splitlines()

    review = pytester.run(sys.executable, "-m", "pytest_tier2", "review", stdin=b"a\nmaybe\ns\nq\n")
    assert review.ret == 0
    prompt = "accept this change? [a]ccept, [s]kip, [q]uit: "
    lines = review.outlines
    assert lines[0] == "[1/3] a.tier2.yaml::first: drifted (in a.tier2.golden.json)"
    # The check failure's own lines, but for its first two (why, where) and its last (how
    # to re-pin).
    diff = drift[2:-1]
    assert [line for line in diff if "final_state.x: 1 -> 2" in line]
    assert lines[1 : 1 + len(diff)] == diff
    fourth = lines[2 + len(diff) : 5 + len(diff)]
    assert lines[1 + len(diff) :] == [
        prompt + "a",
        *fourth,
        prompt + "maybe",
        "'maybe' is not a choice",
        prompt + "s",
        "[3/3] a.tier2.yaml::third: stale (in a.tier2.golden.json)",
        "  suite 'alpha' has no scenario 'third': accept removes its pin",
        prompt + "q",
        "wrote a.tier2.golden.json (fixed first)",
        "2 changes still pending",
    ]
    assert pins(changed)["scenarios"]["first"]["missions"]["greet"]["result"]["final_state"] == {
        "x": 2
    }
    assert sorted(pins(changed)["scenarios"]) == ["first", "second", "third"]

    assert tier2("accept")[:2] == (
        0,
        "wrote a.tier2.golden.json (created fourth, trimmed third)\n",
    )
    pin = pins(changed)["scenarios"]["fourth"]
    assert fourth == [
        "[2/3] a.tier2.yaml::fourth: missing (in a.tier2.golden.json)",
        f"  new pin: scenario hash {pin['scenario_hash']}",
        f"  mission 'greet' hash {pin['missions']['greet']['hash']}",
    ]


def test_without_the_cache_a_check_says_accept_has_nothing_to_work_from_and_fails_no_more(
    pytester: pytest.Pytester, changed: Path
) -> None:
    without = run(pytester, "--tier2-golden", *NO_CACHE)
    assert golden_section(without, "check")[-1] == NO_CACHE_LINE
    with_cache = run(pytester, "--tier2-golden")
    assert without.ret == with_cache.ret == pytest.ExitCode.TESTS_FAILED  # the items' verdicts
    assert outcomes(without) == outcomes(with_cache)

    pytester.makeini("[pytest]\naddopts = -p no:cacheprovider\n")
    code, out, err = tier2("accept")
    assert (code, out) == (1, "")
    assert "cache provider is disabled here (-p no:cacheprovider)" in err


def test_accept_reads_the_cache_that_a_pytest_run_here_uses(
    pytester: pytest.Pytester, changed: Path
) -> None:
    """pytest resolves the rootdir and `cache_dir`; `--cache-clear` in addopts, which a
    check run obeys before it records, never wipes what `accept` came to read."""
    pytester.makeini("[pytest]\ncache_dir = .caches/tier2\naddopts = --cache-clear\n")
    sub = pytester.mkdir("sub")
    assert run(pytester, "--tier2-golden").ret == pytest.ExitCode.TESTS_FAILED
    assert (pytester.path / ".caches" / "tier2" / "v" / "tier2" / "golden" / "pending").exists()

    os.chdir(sub)  # pytester restores the directory after the test
    code, out, _ = tier2("accept")
    assert code == 0
    assert out == f"wrote {changed} (fixed first, created fourth, trimmed third)\n"
    os.chdir(pytester.path)
    assert run(pytester, "--tier2-golden").ret == pytest.ExitCode.OK


# -- 4. pins that check themselves -----------------------------------------------------


@pytest.fixture
def pinned(pytester: pytest.Pytester) -> Path:
    pytester.makefile(".tier2.yaml", a=suite_yaml("alpha", {"first": 1, "second": 1}))
    assert run(pytester, "--tier2-golden=update").ret == pytest.ExitCode.OK
    return pytester.path / "a.tier2.golden.json"


@pytest.mark.parametrize("edit", ["result", "result-and-its-hash"])
def test_a_hand_edited_pin_fails_naming_file_scenario_and_mission_until_fix_re_pins_it(
    pytester: pytest.Pytester, pinned: Path, edit: str
) -> None:
    good = pinned.read_bytes()
    document = pins(pinned)
    mission = document["scenarios"]["second"]["missions"]["greet"]
    mission["result"]["final_state"]["x"] = 5
    if edit == "result-and-its-hash":
        mission["hash"] = sha256(dumps(mission["result"]))
    pinned.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", "utf-8")
    edited = pinned.read_bytes()
    text = edited.decode()

    check = run(pytester, "--tier2-golden")
    assert outcomes(check)["a.tier2.yaml::first@golden"] == "PASSED"
    assert outcomes(check)["a.tier2.yaml::second@golden"] == "FAILED"
    if edit == "result":
        problem = (
            f"a.tier2.golden.json:{key_line(text, 'second', 'greet')}: scenario 'second', "
            "mission 'greet': recorded result does not match its hash: edited by hand?"
        )
    else:
        problem = (
            f"a.tier2.golden.json:{key_line(text, 'second')}: scenario 'second': its scenario "
            "hash does not follow from its recorded missions: edited by hand?"
        )
    assert failure_text(check, "second@golden").splitlines() == [
        problem,
        "a.tier2.yaml:9: scenario 'second'",
        "  check mode never overwrites it; re-pin it from this run: "
        'pytest --tier2-golden=fix "a.tier2.yaml::second@golden"',
    ]
    assert golden_section(check, "check")[1] == (
        "drifted  a.tier2.yaml::second  (its pin does not match its own hashes: edited by hand?)"
    )

    assert run(pytester, "--tier2-golden=create,trim").ret == pytest.ExitCode.TESTS_FAILED
    assert pinned.read_bytes() == edited
    assert run(pytester, "--tier2-golden=fix").ret == pytest.ExitCode.OK
    assert pinned.read_bytes() == good


def test_git_conflict_markers_are_an_unresolved_merge_conflict_at_their_line(
    pytester: pytest.Pytester, pinned: Path
) -> None:
    good = pinned.read_text("utf-8")
    text, line = conflicted(good, "second")
    pinned.write_text(text, "utf-8")

    check = run(pytester, "--tier2-golden")
    assert [outcomes(check)[f"a.tier2.yaml::{s}@golden"] for s in ("first", "second")] == [
        "FAILED",
        "FAILED",
    ]
    assert failure_text(check, "first@golden").splitlines() == [
        f"a.tier2.golden.json:{line}: unresolved merge conflict (git conflict marker "
        "'<<<<<<<'); resolve it, or regenerate the file with --tier2-golden=fix",
        "a.tier2.yaml:3: scenario 'first'",
        "  check mode never overwrites it; --tier2-golden=fix (or update) regenerates it",
    ]
    assert run(pytester, "--tier2-golden=create").ret == pytest.ExitCode.TESTS_FAILED
    assert pinned.read_text("utf-8") == text

    fix = run(pytester, "--tier2-golden=fix")
    assert fix.ret == pytest.ExitCode.OK
    assert golden_section(fix, "fix")[0] == "replaced unusable pin file a.tier2.golden.json"
    assert pinned.read_text("utf-8") == good


def test_accept_regenerates_a_conflicted_pin_file_from_the_check_and_reject_keeps_it_so(
    pytester: pytest.Pytester, pinned: Path
) -> None:
    pinned.write_text(conflicted(pinned.read_text("utf-8"), "second")[0], "utf-8")
    run(pytester, "--tier2-golden")

    assert tier2("reject", "a.tier2.yaml::first@golden")[:2] == (0, "dropped 1 pending change\n")
    assert tier2("accept")[:2] == (0, "wrote a.tier2.golden.json (fixed second)\n")
    assert sorted(pins(pinned)["scenarios"]) == ["second"]  # regenerated: `first` not pinned
    check = run(pytester, "--tier2-golden")
    assert [outcomes(check)[f"a.tier2.yaml::{s}@golden"] for s in ("first", "second")] == [
        "FAILED",
        "PASSED",
    ]


# -- pytest-xdist ----------------------------------------------------------------------


def test_xdist_with_a_deselection_records_the_same_changes_and_accept_matches_update(
    pytester: pytest.Pytester,
) -> None:
    """Categories, the summary, verification and pending changes, under `-n 2` and `-k`:
    the same as a serial run, and `accept` (the real command) writes what update writes."""
    work, twin = changed_twins(pytester)
    for directory in (work, twin):
        edited = pins(directory / "s1.tier2.golden.json")  # and a hand edit in s1's `first`
        edited["scenarios"]["first"]["missions"]["greet"]["result"]["success"] = False
        (directory / "s1.tier2.golden.json").write_text(json.dumps(edited, indent=2), "utf-8")
    selection = ("--tier2-golden=create", "-k", "not second")

    both = run(pytester, *selection, "-n", "2", "work")
    alone = run(pytester, *selection, "twin")
    assert both.ret == alone.ret == pytest.ExitCode.TESTS_FAILED
    assert {k.replace("twin", "work"): v for k, v in outcomes(alone).items()} == outcomes(both)
    summary = golden_section(both, "create")
    assert summary == [line.replace("twin", "work") for line in golden_section(alone, "create")]
    assert summary[:2] == [
        "wrote work/s1.tier2.golden.json",
        "4 drifted, 0 missing, 0 stale left (6 scenarios checked; created 1)",
    ]

    accept = pytester.run(sys.executable, "-m", "pytest_tier2", "accept", "work")
    assert accept.ret == 0
    assert run(pytester, "--tier2-golden=update", "-k", "not second", "twin").ret == 0
    assert pin_bytes(work) == pin_bytes(twin)
    assert run(pytester, "--tier2-golden=check", "-k", "not second", "work").ret == 0
