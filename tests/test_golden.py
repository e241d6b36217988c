"""End-to-end: `--tier2-golden` pins each suite's result hashes and catches drift.

Every test drives a real pytest session through `pytester`, as a user would type
`pytest --tier2-golden...` in a repository with suite files and their pin files.
A suite `a.tier2.yaml` is pinned in `a.tier2.golden.json` beside it; each scenario gets
one pin item, `a.tier2.yaml::<scenario>@golden`, in check and update modes only.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from tier2_test_support import outcomes

from pytest_tier2 import atomic
from pytest_tier2.core.canonical import dumps, sha256

NO_CACHE = ("-p", "no:cacheprovider")


def suite_yaml(name: str, scenarios: dict[str, int], *, expectations: str | None = None) -> str:
    """A suite whose scenarios each run `echo` (as `greet`) from `initial_state: {x: N}`.

    Each scenario has one expectation, `<scenario>_succeeds`, unless `expectations` is
    given: then it is the whole `expectations:` list, verbatim.
    """
    lines = [f"suite: {name}", "scenarios:"]
    for scenario, x in scenarios.items():
        lines += [
            f"  - name: {scenario}",
            f"    initial_state: {{x: {x}}}",
            "    missions:",
            "      - name: echo",
            "        as: greet",
            "        params: {message: hi}",
        ]
    if expectations is None:
        lines.append("expectations:")
        for scenario in scenarios:
            lines += [
                f"  - id: {scenario}_succeeds",
                f"    scenario: {scenario}",
                "    mission: greet",
                "    path: success",
                "    op: eq",
                "    expected: true",
            ]
    else:
        lines += ["expectations:", expectations.rstrip("\n")]
    return "\n".join(lines) + "\n"


def expectation(eid: str, scenario: str, *, expected: str = "true") -> str:
    return (
        f"  - id: {eid}\n    scenario: {scenario}\n    mission: greet\n"
        f"    path: success\n    op: eq\n    expected: {expected}\n"
    )


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """An in-process run that lists every outcome (`-rA`)."""
    return pytester.runpytest(*NO_CACHE, "-rA", *args)


def collected(result: pytest.RunResult) -> list[str]:
    """The node ids that `--collect-only -q` printed, in order."""
    return [line for line in result.outlines if "::" in line]


ALL_GOOD = "0 drifted, 0 missing, 0 stale (2 scenarios checked)"
NOTHING_WRITTEN = "0 drifted, 0 missing, 0 stale left (2 scenarios checked; nothing written)"
NO_CACHE_LINE = (
    "accept and review have nothing to work from: pytest's cache provider is disabled "
    "(-p no:cacheprovider)"
)


def golden_section(result: pytest.RunResult, mode: str) -> list[str]:
    """The lines of the `tier2 golden (<mode>)` terminal summary section; [] when absent."""
    lines = result.outlines
    title = f" tier2 golden ({mode}) "
    starts = [i for i, line in enumerate(lines) if line.startswith("=") and title in line]
    if not starts:
        return []
    body = []
    for line in lines[starts[0] + 1 :]:
        if line.startswith("="):
            break
        body.append(line)
    return body


def failure_text(result: pytest.RunResult, nodeid_tail: str) -> str:
    """The body of the `____ <scenario>@golden ____` failure section."""
    lines = result.outlines
    start = next(
        i for i, line in enumerate(lines) if line.startswith("_") and f" {nodeid_tail} " in line
    )
    body = []
    for line in lines[start + 1 :]:
        if line.startswith(("_", "=")):
            break
        body.append(line)
    return "\n".join(body)


def pins(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


def scenario_group(text: str, scenario: str) -> list[str]:
    """The lines of one scenario's group in a pin file, from its key to its closing brace."""
    lines = text.split("\n")
    start = lines.index(f'    "{scenario}": {{')
    end = next(i for i in range(start + 1, len(lines)) if lines[i] in ("    }", "    },"))
    return lines[start : end + 1]


def without_group(text: str, scenario: str) -> list[str]:
    lines = text.split("\n")
    group = scenario_group(text, scenario)
    start = lines.index(group[0])
    return lines[:start] + lines[start + len(group) :]


def temp_files(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def backdate(path: Path) -> int:
    """Set the file's mtime a day back, so that any rewrite shows; return it in ns."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 86_400 * 10**9))
    return path.stat().st_mtime_ns


@pytest.fixture
def alpha(pytester: pytest.Pytester) -> Path:
    """`a.tier2.yaml`: suite 'alpha', scenarios `first` (x=1) and `second` (x=1), unpinned."""
    pytester.makefile(".tier2.yaml", a=suite_yaml("alpha", {"first": 1, "second": 1}))
    return pytester.path / "a.tier2.yaml"


@pytest.fixture
def pinned(pytester: pytest.Pytester, alpha: Path) -> Path:
    """`a.tier2.yaml` with its pins written by `--tier2-golden=update`; returns the pin file."""
    result = run(pytester, "--tier2-golden=update")
    assert result.ret == pytest.ExitCode.OK
    pin_file = pytester.path / "a.tier2.golden.json"
    assert pin_file.exists()
    return pin_file


ALPHA_IDS = ["a.tier2.yaml::first_succeeds", "a.tier2.yaml::second_succeeds"]
ALPHA_PIN_IDS = ["a.tier2.yaml::first@golden", "a.tier2.yaml::second@golden"]


# -- 1. modes --------------------------------------------------------------------------


def test_golden_off_by_default_collects_exactly_one_item_per_expectation(
    pytester: pytest.Pytester, alpha: Path
) -> None:
    for args in ([], ["--tier2-golden=off"]):
        result = pytester.runpytest(*NO_CACHE, "--collect-only", "-q", *args)
        assert collected(result) == ALPHA_IDS, args
        result.stdout.fnmatch_lines(["2 tests collected*"])


def test_golden_modes_add_one_pin_item_per_scenario(pytester: pytest.Pytester, alpha: Path) -> None:
    for mode in ("check", "update"):
        result = pytester.runpytest(*NO_CACHE, "--collect-only", "-q", f"--tier2-golden={mode}")
        # The pin items, in scenario order, follow all of the file's expectation items.
        assert collected(result) == [*ALPHA_IDS, *ALPHA_PIN_IDS]
        result.stdout.fnmatch_lines(["4 tests collected*"])
    assert not (pytester.path / "a.tier2.golden.json").exists()  # collection writes nothing


def test_a_scenario_without_expectations_still_gets_its_pin_item(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(
        ".tier2.yaml",
        a=suite_yaml("alpha", {"first": 1, "bare": 2}, expectations=expectation("ok", "first")),
    )
    result = pytester.runpytest(*NO_CACHE, "--collect-only", "-q", "--tier2-golden")
    assert collected(result) == [
        "a.tier2.yaml::ok",
        "a.tier2.yaml::first@golden",
        "a.tier2.yaml::bare@golden",
    ]


def test_bare_flag_means_check(pytester: pytest.Pytester, alpha: Path) -> None:
    bare = run(pytester, "--tier2-golden")
    explicit = run(pytester, "--tier2-golden=check")
    for result in (bare, explicit):
        assert outcomes(result) == {
            ALPHA_IDS[0]: "PASSED",
            ALPHA_PIN_IDS[0]: "FAILED",
            ALPHA_IDS[1]: "PASSED",
            ALPHA_PIN_IDS[1]: "FAILED",
        }
        assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert not (pytester.path / "a.tier2.golden.json").exists()  # check mode never writes


def test_update_writes_the_pins_then_check_passes(pytester: pytest.Pytester, alpha: Path) -> None:
    update = run(pytester, "--tier2-golden=update")
    assert update.ret == pytest.ExitCode.OK
    assert golden_section(update, "update") == [
        "wrote a.tier2.golden.json",
        "0 drifted, 0 missing, 0 stale left (2 scenarios checked; created 2)",
    ]
    assert sorted(pins(pytester.path / "a.tier2.golden.json")["scenarios"]) == ["first", "second"]

    check = run(pytester, "--tier2-golden")
    assert check.ret == pytest.ExitCode.OK
    assert set(outcomes(check).values()) == {"PASSED"}
    assert len(outcomes(check)) == 4
    assert golden_section(check, "check") == [ALL_GOOD]  # the counts alone when all is well


def test_ini_makes_checking_the_default_and_the_command_line_overrides_it(
    pytester: pytest.Pytester, alpha: Path
) -> None:
    pytester.makeini("[pytest]\ntier2_golden = check\n")

    by_ini = run(pytester)
    assert outcomes(by_ini)[ALPHA_PIN_IDS[0]] == "FAILED"
    by_ini.stdout.fnmatch_lines(["*no golden pinned*; run --tier2-golden=create*"])

    off = pytester.runpytest(*NO_CACHE, "--collect-only", "-q", "--tier2-golden=off")
    assert collected(off) == ALPHA_IDS

    update = run(pytester, "--tier2-golden=update")
    assert golden_section(update, "update")[0] == "wrote a.tier2.golden.json"
    assert run(pytester).ret == pytest.ExitCode.OK  # the ini's check mode, now pinned


def test_ini_update_mode_writes_pins(pytester: pytest.Pytester, alpha: Path) -> None:
    pytester.makeini("[pytest]\ntier2_golden = update\n")
    result = run(pytester)
    assert golden_section(result, "update")[0] == "wrote a.tier2.golden.json"


def test_an_unknown_ini_mode_is_a_usage_error(pytester: pytest.Pytester, alpha: Path) -> None:
    pytester.makeini("[pytest]\ntier2_golden = sometimes\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*tier2_golden must be check, update, off, or a comma-separated set of "
            "create, fix, trim, not 'sometimes'"
        ]
    )


def test_a_bare_flag_followed_by_a_path_is_refused_naming_the_flag(
    pytester: pytest.Pytester, alpha: Path
) -> None:
    result = run(pytester, "--tier2-golden", "a.tier2.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        [
            "*argument --tier2-golden: 'a.tier2.yaml' is not a golden mode (check, update, "
            "off, or a comma-separated set of create, fix, trim); to check the pins of a "
            "path, write --tier2-golden=check a.tier2.yaml"
        ]
    )
    assert outcomes(result) == {}  # nothing ran, in any mode
    assert not (pytester.path / "a.tier2.golden.json").exists()


def test_a_bare_flag_before_another_option_means_check(
    pytester: pytest.Pytester, alpha: Path
) -> None:
    result = pytester.runpytest(*NO_CACHE, "--tier2-golden", "--collect-only", "-q")
    assert ALPHA_PIN_IDS[0] in collected(result)


# -- 2. what is pinned -----------------------------------------------------------------


def test_pins_record_format_version_suite_hash_and_each_scenario_and_mission(
    pytester: pytest.Pytester, alpha: Path
) -> None:
    run(pytester, "--tier2-golden=update", "--tier2-report", "report.json")
    document = pins(pytester.path / "a.tier2.golden.json")
    (report,) = json.loads((pytester.path / "report.json").read_text("utf-8"))["suites"]
    suite_result = report["result"]["suite_result"]

    assert sorted(document) == ["format", "scenarios", "suite", "suite_hash", "version"]
    assert document["format"] == "pytest-tier2-golden"
    assert document["version"] == 1
    assert document["suite"] == "alpha"
    assert document["suite_hash"] == report["suite_hash"]
    for name in ("first", "second"):
        scenario = suite_result["scenario_results"][name]
        pin = document["scenarios"][name]
        assert sorted(pin) == ["missions", "scenario_hash"]
        assert pin["scenario_hash"] == scenario["metadata"]["scenario_hash"]
        assert sorted(pin["missions"]) == ["greet"]
        mission = pin["missions"]["greet"]
        assert mission["result"] == scenario["mission_results"]["greet"]
        assert mission["hash"] == sha256(dumps(mission["result"]))  # the hash of that result
        assert mission["result"]["final_state"] == {"x": 1}


def test_editing_adding_and_removing_expectations_invalidates_no_pin(
    pytester: pytest.Pytester,
) -> None:
    both = expectation("first_ok", "first") + expectation("second_ok", "second")
    pytester.makefile(
        ".tier2.yaml", a=suite_yaml("alpha", {"first": 1, "second": 1}, expectations=both)
    )
    run(pytester, "--tier2-golden=update")
    pin_file = pytester.path / "a.tier2.golden.json"
    before = pin_file.read_bytes()

    edited = (
        expectation("first_ok", "first", expected="false")  # edited: now fails
        + expectation("first_new", "first")  # added
    )  # second_ok removed
    pytester.makefile(
        ".tier2.yaml", a=suite_yaml("alpha", {"first": 1, "second": 1}, expectations=edited)
    )
    check = run(pytester, "--tier2-golden")
    assert outcomes(check) == {
        "a.tier2.yaml::first_ok": "FAILED",
        "a.tier2.yaml::first_new": "PASSED",
        "a.tier2.yaml::first@golden": "PASSED",
        "a.tier2.yaml::second@golden": "PASSED",
    }
    assert golden_section(check, "check") == [ALL_GOOD]

    update = run(pytester, "--tier2-golden=update")
    assert golden_section(update, "update") == [NOTHING_WRITTEN]  # nothing to re-pin
    assert pin_file.read_bytes() == before


@pytest.mark.parametrize("eid", ["golden", "_golden", "golden_", "first_golden", "first"])
def test_pin_items_never_collide_with_an_expectation_id(
    pytester: pytest.Pytester, eid: str
) -> None:
    pytester.makefile(
        ".tier2.yaml", a=suite_yaml("alpha", {"first": 1}, expectations=expectation(eid, "first"))
    )
    listed = pytester.runpytest(*NO_CACHE, "--collect-only", "-q", "--tier2-golden")
    assert collected(listed) == [f"a.tier2.yaml::{eid}", "a.tier2.yaml::first@golden"]

    run(pytester, "--tier2-golden=update")
    check = run(pytester, "--tier2-golden")
    assert outcomes(check) == {
        f"a.tier2.yaml::{eid}": "PASSED",
        "a.tier2.yaml::first@golden": "PASSED",
    }


@pytest.mark.parametrize("eid", ["'@golden'", "'first@golden'"])
def test_the_pin_item_name_is_outside_the_expectation_id_grammar(
    pytester: pytest.Pytester, eid: str
) -> None:
    pytester.makefile(
        ".tier2.yaml",
        a=suite_yaml("alpha", {"first": 1}, expectations=expectation(eid, "first")),
    )
    result = run(pytester, "--tier2-golden")
    result.stdout.fnmatch_lines(["*ERROR collecting a.tier2.yaml*", "*a.tier2.yaml:*@golden*"])
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert outcomes(result) == {"a.tier2.yaml": "ERROR"}


def test_pins_of_another_format_version_are_reported_as_such(
    pytester: pytest.Pytester, pinned: Path
) -> None:
    document = pins(pinned)
    document["version"] = 2
    pinned.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", "utf-8")
    before = pinned.read_bytes()

    result = run(pytester, "--tier2-golden")
    assert outcomes(result)[ALPHA_PIN_IDS[0]] == "FAILED"
    text = failure_text(result, "first@golden")
    assert "a.tier2.golden.json:1: pins were written in format version 2" in text
    assert "this pytest-tier2 reads version 1: upgrade pytest-tier2" in text
    assert "drift" not in text
    assert pinned.read_bytes() == before


# -- 3. pin files ----------------------------------------------------------------------


def test_pin_file_has_sorted_keys_two_space_indents_and_lf_line_endings(
    pytester: pytest.Pytester, pinned: Path
) -> None:
    data = pinned.read_bytes()
    assert b"\r" not in data
    assert data.endswith(b"}\n")
    text = data.decode("ascii")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_a_behaviour_change_moves_only_its_scenario_group_and_the_suite_hash(
    pytester: pytest.Pytester, pinned: Path
) -> None:
    """So that a diff in review shows which scenario moved."""
    before = pinned.read_text("utf-8")
    pytester.makefile(".tier2.yaml", a=suite_yaml("alpha", {"first": 1, "second": 2}))
    run(pytester, "--tier2-golden=update")
    after = pinned.read_text("utf-8")

    assert scenario_group(after, "first") == scenario_group(before, "first")
    assert scenario_group(after, "second") != scenario_group(before, "second")
    rest_before, rest_after = without_group(before, "second"), without_group(after, "second")
    changed = [(old, new) for old, new in zip(rest_before, rest_after, strict=True) if old != new]
    assert len(rest_before) == len(rest_after)
    assert [old.split(":")[0] for old, _ in changed] == ['  "suite_hash"']


def test_re_pinning_is_byte_identical_and_leaves_the_file_alone(
    pytester: pytest.Pytester, pinned: Path
) -> None:
    before = pinned.read_bytes()
    mtime = backdate(pinned)

    again = run(pytester, "--tier2-golden=update")
    assert again.ret == pytest.ExitCode.OK
    assert golden_section(again, "update") == [NOTHING_WRITTEN]  # no "wrote"
    assert pinned.read_bytes() == before
    assert pinned.stat().st_mtime_ns == mtime
    assert temp_files(pytester.path) == []


def test_pin_files_turned_to_crlf_by_git_still_check(
    pytester: pytest.Pytester, pinned: Path
) -> None:
    crlf = pinned.read_bytes().replace(b"\n", b"\r\n")
    pinned.write_bytes(crlf)

    check = run(pytester, "--tier2-golden")
    assert check.ret == pytest.ExitCode.OK
    assert set(outcomes(check).values()) == {"PASSED"}
    assert pinned.read_bytes() == crlf  # check mode never rewrites

    nothing = run(pytester, "--tier2-golden=update")  # nothing changed: the checkout stays
    assert golden_section(nothing, "update") == [NOTHING_WRITTEN]
    assert pinned.read_bytes() == crlf

    pytester.makefile(".tier2.yaml", a=suite_yaml("alpha", {"first": 1, "second": 2}))
    update = run(pytester, "--tier2-golden=update")  # a change writes `\n` again
    assert golden_section(update, "update")[0] == "wrote a.tier2.golden.json"
    assert b"\r" not in pinned.read_bytes()


def test_crlf_in_the_suite_file_changes_no_hash(
    pytester: pytest.Pytester, alpha: Path, pinned: Path
) -> None:
    before = pinned.read_bytes()
    alpha.write_bytes(alpha.read_bytes().replace(b"\n", b"\r\n"))

    check = run(pytester, "--tier2-golden")
    assert check.ret == pytest.ExitCode.OK
    assert set(outcomes(check).values()) == {"PASSED"}

    update = run(pytester, "--tier2-golden=update")
    assert golden_section(update, "update") == [NOTHING_WRITTEN]
    assert pinned.read_bytes() == before


# -- 4. drift --------------------------------------------------------------------------


def test_drift_fails_the_pin_item_with_hashes_a_field_diff_and_the_re_pin_command(
    pytester: pytest.Pytester, pinned: Path
) -> None:
    old = pins(pinned)["scenarios"]["second"]
    pytester.makefile(".tier2.yaml", a=suite_yaml("alpha", {"first": 1, "second": 2}))

    result = run(pytester, "--tier2-golden")
    assert outcomes(result) == {
        ALPHA_IDS[0]: "PASSED",
        ALPHA_PIN_IDS[0]: "PASSED",
        ALPHA_IDS[1]: "PASSED",  # the expectation still holds: only the pin sees the change
        ALPHA_PIN_IDS[1]: "FAILED",
    }
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    drift = pinned.read_bytes()

    run(pytester, "--tier2-golden=update")
    new = pins(pinned)["scenarios"]["second"]
    old_hash, new_hash = old["missions"]["greet"]["hash"], new["missions"]["greet"]["hash"]
    assert old_hash != new_hash
    scenario_line = 9  # `  - name: second`
    assert failure_text(result, "second@golden").splitlines() == [
        "golden drift in scenario 'second': mission 'greet' final_state.x: 1 -> 2",
        f"a.tier2.yaml:{scenario_line}: scenario 'second' (pinned in a.tier2.golden.json)",
        f"  scenario hash  {old['scenario_hash']} -> {new['scenario_hash']}",
        f"  mission 'greet' hash  {old_hash} -> {new_hash}",
        "      final_state.x: 1 -> 2",
        "  if the change is intended, re-pin: pytest --tier2-golden=fix "
        '"a.tier2.yaml::second@golden"',
    ]
    assert drift != pinned.read_bytes()  # check mode had left the old pins in place


def test_a_suite_without_pins_fails_every_pin_item_in_check_mode(
    pytester: pytest.Pytester, alpha: Path
) -> None:
    result = run(pytester, "--tier2-golden")
    assert [outcomes(result)[nodeid] for nodeid in ALPHA_PIN_IDS] == ["FAILED", "FAILED"]
    assert failure_text(result, "first@golden").splitlines() == [
        "no golden pinned for scenario 'first'; run --tier2-golden=create",
        "a.tier2.yaml:3: scenario 'first'",
        '  pin it: pytest --tier2-golden=create "a.tier2.yaml::first@golden"',
    ]
    assert not (pytester.path / "a.tier2.golden.json").exists()


def test_a_new_scenario_without_a_pin_fails_while_the_others_pass(
    pytester: pytest.Pytester, pinned: Path
) -> None:
    pytester.makefile(".tier2.yaml", a=suite_yaml("alpha", {"first": 1, "second": 1, "third": 1}))
    result = run(pytester, "--tier2-golden")
    assert outcomes(result)[ALPHA_PIN_IDS[0]] == "PASSED"
    assert outcomes(result)["a.tier2.yaml::third@golden"] == "FAILED"
    result.stdout.fnmatch_lines(["*no golden pinned for scenario 'third'*"])


# -- 5. stale pins ---------------------------------------------------------------------


def test_a_removed_scenario_leaves_a_stale_pin_that_fails_check_mode(
    pytester: pytest.Pytester, pinned: Path
) -> None:
    before = pinned.read_bytes()
    pytester.makefile(".tier2.yaml", a=suite_yaml("alpha", {"first": 1}))

    result = run(pytester, "--tier2-golden")
    result.assert_outcomes(passed=2)  # every item passed ...
    assert result.ret == pytest.ExitCode.TESTS_FAILED  # ... yet the stale pin fails the run
    assert golden_section(result, "check") == [
        "0 drifted, 0 missing, 1 stale (1 scenario checked)",
        "stale    a.tier2.yaml::second  (suite 'alpha' has no scenario 'second'; pinned in "
        "a.tier2.golden.json)",
        "accept the stale:   pytest --tier2-golden=trim a.tier2.yaml",
        NO_CACHE_LINE,
    ]
    assert pinned.read_bytes() == before


def test_update_removes_a_stale_scenario_pin_when_the_whole_suite_ran(
    pytester: pytest.Pytester, pinned: Path
) -> None:
    first = scenario_group(pinned.read_text("utf-8"), "first")
    pytester.makefile(".tier2.yaml", a=suite_yaml("alpha", {"first": 1}))

    update = run(pytester, "--tier2-golden=update")
    assert golden_section(update, "update") == [
        "wrote a.tier2.golden.json",
        "0 drifted, 0 missing, 0 stale left (1 scenario checked; trimmed 1)",
    ]
    assert sorted(pins(pinned)["scenarios"]) == ["first"]
    # `first` became the last group: only its closing brace lost the comma.
    assert scenario_group(pinned.read_text("utf-8"), "first")[:-1] == first[:-1]
    assert run(pytester, "--tier2-golden").ret == pytest.ExitCode.OK


@pytest.mark.parametrize(
    "selection",
    [
        ("-k", "first"),
        ("a.tier2.yaml::first_succeeds", "a.tier2.yaml::first@golden"),
        ("a.tier2.yaml::first@golden",),
    ],
    ids=["-k-scenario", "scenario-items-node-ids", "pin-item-node-id"],
)
def test_a_subset_update_rewrites_only_the_selected_scenario_and_never_other_files(
    pytester: pytest.Pytester, selection: tuple[str, ...]
) -> None:
    pytester.makefile(
        ".tier2.yaml",
        a=suite_yaml("alpha", {"first": 1, "second": 1, "third": 1}),
        b=suite_yaml("beta", {"other": 1}),
    )
    run(pytester, "--tier2-golden=update")
    a_pins, b_pins = pytester.path / "a.tier2.golden.json", pytester.path / "b.tier2.golden.json"
    a_before, b_before = a_pins.read_text("utf-8"), b_pins.read_bytes()
    b_mtime = backdate(b_pins)

    # Every scenario changes behaviour, and `third` is removed: its pin is now stale.
    pytester.makefile(
        ".tier2.yaml",
        a=suite_yaml("alpha", {"first": 2, "second": 2}),
        b=suite_yaml("beta", {"other": 2}),
    )
    result = run(pytester, "--tier2-golden=update", *selection)
    assert result.ret == pytest.ExitCode.OK
    assert golden_section(result, "update") == [
        "wrote a.tier2.golden.json",
        "0 drifted, 0 missing, 0 stale left (1 scenario checked; fixed 1)",
        # Not silently kept: the selection was partial, so the stale pin was not judged.
        "not judged: partial selection: kept the pin of scenario 'third' in "
        "a.tier2.golden.json, which suite 'alpha' no longer has; to remove it: "
        "pytest --tier2-golden=trim a.tier2.yaml",
    ]
    assert outcomes(result)["a.tier2.yaml::first@golden"] == "PASSED"
    assert "a.tier2.yaml::second@golden" not in outcomes(result)
    a_after = a_pins.read_text("utf-8")

    # `first` is re-pinned; `second` and the stale `third` keep their old pins byte for byte.
    assert pins(a_pins)["scenarios"]["first"]["missions"]["greet"]["result"]["final_state"] == {
        "x": 2
    }
    assert scenario_group(a_after, "second") == scenario_group(a_before, "second")
    assert scenario_group(a_after, "third") == scenario_group(a_before, "third")
    rest_before, rest_after = without_group(a_before, "first"), without_group(a_after, "first")
    assert len(rest_before) == len(rest_after)
    changed = [
        old.split(":")[0] for old, new in zip(rest_before, rest_after, strict=True) if old != new
    ]
    assert changed == ['  "suite_hash"']  # the suite ran in full: its hash is the new one
    # The other suite was not selected: its pin file is not touched at all.
    assert b_pins.read_bytes() == b_before
    assert b_pins.stat().st_mtime_ns == b_mtime


def test_a_pin_file_whose_suite_file_is_gone_fails_check_mode(
    pytester: pytest.Pytester, alpha: Path
) -> None:
    pytester.makefile(".tier2.yaml", b=suite_yaml("beta", {"other": 1}))
    run(pytester, "--tier2-golden=update")
    orphan = pytester.path / "b.tier2.golden.json"
    (pytester.path / "b.tier2.yaml").unlink()

    result = run(pytester, "--tier2-golden")
    result.assert_outcomes(passed=4)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert golden_section(result, "check") == [
        "0 drifted, 0 missing, 1 stale (2 scenarios checked)",
        "stale    b.tier2.golden.json  (its suite file is gone)",
        "accept the stale:   pytest --tier2-golden=trim .",
        NO_CACHE_LINE,
    ]
    assert orphan.exists()


def test_update_deletes_an_orphan_pin_file_only_when_its_whole_directory_ran(
    pytester: pytest.Pytester, alpha: Path
) -> None:
    pytester.makefile(".tier2.yaml", b=suite_yaml("beta", {"other": 1}))
    run(pytester, "--tier2-golden=update")
    orphan = pytester.path / "b.tier2.golden.json"
    (pytester.path / "b.tier2.yaml").unlink()

    # Every pin item runs, but an expectation was deselected: not the whole directory.
    subset = run(pytester, "--tier2-golden=update", "-k", "not first_succeeds")
    assert subset.ret == pytest.ExitCode.OK
    assert orphan.exists()
    assert (
        "not judged: partial selection: kept pin file b.tier2.golden.json, whose suite file "
        "is gone; to remove it: pytest --tier2-golden=trim ."
    ) in golden_section(subset, "update")

    whole = run(pytester, "--tier2-golden=update")
    assert golden_section(whole, "update") == [
        "removed b.tier2.golden.json: its suite file is gone",
        "0 drifted, 0 missing, 0 stale left (2 scenarios checked; trimmed 1)",
    ]
    assert not orphan.exists()
    assert (pytester.path / "a.tier2.golden.json").exists()


def test_a_node_id_subset_update_never_deletes_an_orphan_pin_file(
    pytester: pytest.Pytester, alpha: Path
) -> None:
    """`pytest a.tier2.yaml` collects one file, not its directory (DECISIONS 10)."""
    pytester.makefile(".tier2.yaml", b=suite_yaml("beta", {"other": 1}))
    run(pytester, "--tier2-golden=update")
    orphan = pytester.path / "b.tier2.golden.json"
    (pytester.path / "b.tier2.yaml").unlink()

    result = run(pytester, "--tier2-golden=update", "a.tier2.yaml")
    assert result.ret == pytest.ExitCode.OK
    assert orphan.exists()


def test_an_orphan_pin_file_alone_in_its_directory_is_still_reported(
    pytester: pytest.Pytester, alpha: Path
) -> None:
    """A stale pin is never silently ignored, even when no suite is left beside it."""
    sub = pytester.mkdir("sub")
    (sub / "c.tier2.yaml").write_text(suite_yaml("gamma", {"only": 1}), "utf-8")
    run(pytester, "--tier2-golden=update")
    orphan = sub / "c.tier2.golden.json"
    assert orphan.exists()
    (sub / "c.tier2.yaml").unlink()

    check = run(pytester, "--tier2-golden")
    assert check.ret == pytest.ExitCode.TESTS_FAILED
    assert any("sub/c.tier2.golden.json" in line for line in golden_section(check, "check"))

    update = run(pytester, "--tier2-golden=update")
    assert golden_section(update, "update")[0] == (
        "removed sub/c.tier2.golden.json: its suite file is gone"
    )
    assert not orphan.exists()


# -- 6. safety -------------------------------------------------------------------------


class _HalfWrite:
    """A binary stream that writes half of what it is given, then fails like a full disk."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def __enter__(self) -> _HalfWrite:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stream.close()

    def write(self, data: bytes) -> int:
        self.stream.write(data[: len(data) // 2])
        self.stream.flush()
        raise OSError(28, "No space left on device")


class _FailingOs:
    """`os` as `pytest_tier2.atomic` (which writes pin files) sees it, with one function made
    to fail."""

    def __init__(self, failing: str) -> None:
        self.failing = failing

    def __getattr__(self, name: str) -> Any:
        real = getattr(os, name)
        if name != self.failing:
            return real
        if name == "fdopen":
            return lambda *args, **kwargs: _HalfWrite(real(*args, **kwargs))

        def fail(*args: object, **kwargs: object) -> None:
            raise OSError(5, "Input/output error")

        return fail


@pytest.mark.parametrize("failing", ["fdopen", "replace"], ids=["half-written", "replace-fails"])
def test_an_interrupted_update_leaves_the_old_pins_intact_and_no_temp_files(
    pytester: pytest.Pytester, pinned: Path, failing: str
) -> None:
    before = pinned.read_bytes()
    pytester.makefile(".tier2.yaml", a=suite_yaml("alpha", {"first": 2, "second": 2}))
    with pytest.MonkeyPatch.context() as patch:  # not `monkeypatch`: pytester's chdir uses it
        patch.setattr(atomic, "os", _FailingOs(failing))
        result = pytester.runpytest_inprocess(*NO_CACHE, "--tier2-golden=update")
    assert result.ret != pytest.ExitCode.OK
    assert pinned.read_bytes() == before
    assert temp_files(pytester.path) == []
    assert sorted(p.name for p in pytester.path.iterdir()) == [
        "a.tier2.golden.json",
        "a.tier2.yaml",
    ]

    assert run(pytester, "--tier2-golden=update").ret == pytest.ExitCode.OK  # and it recovers
    assert pins(pinned)["scenarios"]["first"]["missions"]["greet"]["result"]["final_state"] == {
        "x": 2
    }


def _truncated(pin_file: Path) -> bytes:
    data = pin_file.read_bytes()
    return data[: len(data) // 2]


CORRUPTIONS = {
    "truncated": (_truncated, "a.tier2.golden.json:*: not a valid pin file: *"),
    "empty": (lambda _: b"", "a.tier2.golden.json:1: not a valid pin file: *"),
    "not-a-pin-file": (
        lambda _: b'{"scenarios": {}}\n',
        'a.tier2.golden.json:1: not a pytest-tier2 pin file (no "format": *',
    ),
    "not-utf-8": (lambda _: b"\xff\xfe{", "a.tier2.golden.json: cannot be read: *"),
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_corrupt_pin_file_fails_check_mode_naming_it_and_is_never_overwritten(
    pytester: pytest.Pytester, pinned: Path, corruption: str
) -> None:
    corrupt, message = CORRUPTIONS[corruption]
    data = corrupt(pinned)
    pinned.write_bytes(data)

    result = run(pytester, "--tier2-golden")
    assert [outcomes(result)[nodeid] for nodeid in ALPHA_PIN_IDS] == ["FAILED", "FAILED"]
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # The reason first (the pin file and what is wrong with it), then where the scenario is.
    assert failure_text(result, "first@golden").startswith("a.tier2.golden.json")
    result.stdout.fnmatch_lines(
        [
            message,
            "a.tier2.yaml:3: scenario 'first'",
            "  check mode never overwrites it; --tier2-golden=fix (or update) regenerates it",
        ]
    )
    assert pinned.read_bytes() == data


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_update_replaces_a_corrupt_pin_file_and_says_so(
    pytester: pytest.Pytester, pinned: Path, corruption: str
) -> None:
    good = pinned.read_bytes()
    pinned.write_bytes(CORRUPTIONS[corruption][0](pinned))

    result = run(pytester, "--tier2-golden=update")
    assert result.ret == pytest.ExitCode.OK
    assert golden_section(result, "update") == [
        "replaced unusable pin file a.tier2.golden.json",
        "0 drifted, 0 missing, 0 stale left (2 scenarios checked; fixed 2)",
    ]
    assert pinned.read_bytes() == good


# -- 7. pytest-xdist -------------------------------------------------------------------

SUITES = [f"s{i}" for i in range(6)]
SCENARIOS = ["first", "second", "third"]


def write_suites(directory: Path, x: int = 1) -> None:
    directory.mkdir(exist_ok=True)
    for name in SUITES:
        text = suite_yaml(name, dict.fromkeys(SCENARIOS, x))
        (directory / f"{name}.tier2.yaml").write_text(text, "utf-8")


def pin_bytes(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.tier2.golden.json"))}


def workers_used(result: pytest.RunResult) -> set[str]:
    return set(re.findall(r"\[(gw\d+)\]", result.stdout.str()))


@pytest.fixture
def serial_pins(pytester: pytest.Pytester) -> dict[str, bytes]:
    """Six suites of three scenarios in `serial/`, pinned by a serial update."""
    write_suites(pytester.path / "serial")
    result = run(pytester, "--tier2-golden=update", "serial")
    assert result.ret == pytest.ExitCode.OK
    written = pin_bytes(pytester.path / "serial")
    assert sorted(written) == [f"{name}.tier2.golden.json" for name in SUITES]
    return written


WRITE_LOGGER = """
import os
from pytest_tier2.golden import pinfile

_write = pinfile.write_atomically

def _logged(path, data):
    with open("writes.log", "a") as log:
        log.write(f"{os.getpid()} {path.name}\\n")
    _write(path, data)

def pytest_configure(config):
    pinfile.write_atomically = _logged

def pytest_unconfigure(config):
    pinfile.write_atomically = _write
"""


@pytest.mark.parametrize("dist", ["load", "loadfile", "loadscope"])
def test_xdist_update_writes_every_pin_exactly_once_and_loses_none(
    pytester: pytest.Pytester, serial_pins: dict[str, bytes], dist: str
) -> None:
    parallel = pytester.path / "parallel"
    write_suites(parallel)
    pytester.makeconftest(WRITE_LOGGER)  # loaded by the controller and by each worker
    result = run(pytester, "--tier2-golden=update", "-n", "2", "--dist", dist, "-v", "parallel")
    assert result.ret == pytest.ExitCode.OK
    assert workers_used(result) == {"gw0", "gw1"}
    result.assert_outcomes(passed=len(SUITES) * len(SCENARIOS) * 2)
    assert golden_section(result, "update") == [
        *(f"wrote parallel/{name}.tier2.golden.json" for name in SUITES),
        "0 drifted, 0 missing, 0 stale left (18 scenarios checked; created 18)",
    ]
    assert pin_bytes(parallel) == serial_pins
    assert temp_files(parallel) == []
    writes = (pytester.path / "writes.log").read_text("utf-8").splitlines()
    assert sorted(line.split()[1] for line in writes) == sorted(serial_pins)  # each once
    assert len({line.split()[0] for line in writes}) == 1  # all by one process

    again = run(pytester, "--tier2-golden=update", "-n", "2", "--dist", dist, "parallel")
    assert golden_section(again, "update") == [
        "0 drifted, 0 missing, 0 stale left (18 scenarios checked; nothing written)"
    ]
    assert pin_bytes(parallel) == serial_pins


def break_pins(directory: Path) -> None:
    """s1 drifts in `second`; s2 loses `third`, whose pin goes stale; a corrupt s3 pin."""
    (directory / "s1.tier2.yaml").write_text(
        suite_yaml("s1", {"first": 1, "second": 2, "third": 1}), "utf-8"
    )
    (directory / "s2.tier2.yaml").write_text(suite_yaml("s2", {"first": 1, "second": 1}), "utf-8")
    (directory / "s3.tier2.golden.json").write_text("{", "utf-8")


@pytest.mark.parametrize("dist", ["load", "loadfile", "loadscope"])
def test_xdist_check_gives_the_same_verdicts_as_a_serial_run(
    pytester: pytest.Pytester, serial_pins: dict[str, bytes], dist: str
) -> None:
    serial = pytester.path / "serial"
    break_pins(serial)

    alone = run(pytester, "--tier2-golden=check", "serial")
    both = run(pytester, "--tier2-golden=check", "-n", "2", "--dist", dist, "serial")

    verdicts = outcomes(alone)
    assert {nodeid for nodeid, verdict in verdicts.items() if verdict != "PASSED"} == {
        "serial/s1.tier2.yaml::second@golden",
        "serial/s3.tier2.yaml::first@golden",
        "serial/s3.tier2.yaml::second@golden",
        "serial/s3.tier2.yaml::third@golden",
    }
    assert outcomes(both) == verdicts
    assert both.ret == alone.ret == pytest.ExitCode.TESTS_FAILED
    unusable = "  (unusable pin file serial/s3.tier2.golden.json)"
    summary = [
        "4 drifted, 0 missing, 1 stale (17 scenarios checked)",
        "drifted  serial/s1.tier2.yaml::second",
        *(f"drifted  serial/s3.tier2.yaml::{name}{unusable}" for name in SCENARIOS),
        "stale    serial/s2.tier2.yaml::third  (suite 's2' has no scenario 'third'; pinned in "
        "serial/s2.tier2.golden.json)",
        "accept the drifted: pytest --tier2-golden=fix serial/s1.tier2.yaml serial/s3.tier2.yaml",
        "accept the stale:   pytest --tier2-golden=trim serial/s2.tier2.yaml",
        NO_CACHE_LINE,
    ]
    assert golden_section(alone, "check") == golden_section(both, "check") == summary
    for result in (alone, both):
        result.stdout.fnmatch_lines(["*mission 'greet' hash*", "*final_state.x: 1 -> 2"])


def test_xdist_subset_updates_keep_stale_and_orphan_pins_and_a_full_one_removes_them(
    pytester: pytest.Pytester, serial_pins: dict[str, bytes]
) -> None:
    serial = pytester.path / "serial"
    (serial / "s5.tier2.yaml").unlink()  # s5's pin file is now an orphan
    (serial / "s2.tier2.yaml").write_text(suite_yaml("s2", {"first": 1, "second": 1}), "utf-8")
    orphan = serial / "s5.tier2.golden.json"

    # Only the `first` pin items run: s2 did not run in full, so its stale `third` stays.
    some_pins = run(pytester, "--tier2-golden=update", "-n", "2", "-k", "first", "serial")
    assert some_pins.ret == pytest.ExitCode.OK
    assert "third" in pins(serial / "s2.tier2.golden.json")["scenarios"]
    assert orphan.read_bytes() == serial_pins["s5.tier2.golden.json"]

    # Every pin item runs, so s2's stale pin goes; but the workers deselected expectations,
    # so the directory was not run whole and the orphan stays.
    all_pins = run(
        pytester, "--tier2-golden=update", "-n", "2", "-k", "not first_succeeds", "serial"
    )
    assert all_pins.ret == pytest.ExitCode.OK
    assert sorted(pins(serial / "s2.tier2.golden.json")["scenarios"]) == ["first", "second"]
    assert orphan.read_bytes() == serial_pins["s5.tier2.golden.json"]

    full = run(pytester, "--tier2-golden=update", "-n", "2", "serial")
    assert golden_section(full, "update") == [
        "removed serial/s5.tier2.golden.json: its suite file is gone",
        "0 drifted, 0 missing, 0 stale left (14 scenarios checked; trimmed 1)",
    ]
    assert not orphan.exists()
