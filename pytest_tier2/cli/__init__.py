"""`python -m pytest_tier2`: author suites without guessing paths, check files quickly, and
accept reviewed pin changes without running anything again (`golden.py`).

* `show FILE [--scenario NAME]` runs a suite and prints, for each mission result, every
  path an expectation can name, with the value found there, then the hashes.
* `validate PATH...` checks suite files (and the suite files under directories) without
  running them, printing the same `file:line: message` lines as collection.

Both build a real pytest configuration through `pytest.main([... "--collect-only" ...])`,
so they load the same `conftest.py` files and plugins, and call the same
`pytest_tier2_register` hooks, as a pytest run started in the same directory
(DECISIONS 12). Collection only reads files; `show` then runs the suite through the core.

Exit codes: 0 all is well, 1 an invalid suite (or one that could not run), 2 a usage error
(a missing file, a name that is not a suite file, pytest that could not start).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import pytest

from .. import SUITE_SUFFIXES

if TYPE_CHECKING:
    from ..core.registry import Registry
    from ..core.test_run import TestRunResult
    from ..format import SuiteSpec

PROG = "python -m pytest_tier2"
ERROR_PREFIX = "pytest_tier2: error: "

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


class UsageProblem(Exception):
    """A command line that cannot be carried out; its message is one line for the user."""


@dataclass
class Collection:
    """What a collect-only pytest run found: suites, their errors, and any other error."""

    suites: dict[str, tuple[SuiteSpec, Registry]] = field(default_factory=dict)
    """Loaded suites by file key (see `file_key`), with the registry their directory sees."""
    file_errors: dict[str, str] = field(default_factory=dict)
    """One `file:line: message` line by file key, for suite files that failed to load."""
    other_errors: list[str] = field(default_factory=list)
    """One line for each other node that failed to collect (a broken conftest, say)."""
    shown: dict[str, str] = field(default_factory=dict)
    """How messages name each collected suite file, by file key."""


def file_key(path: str | os.PathLike[str]) -> str:
    """A file's identity for matching command-line paths with collected nodes."""
    return os.path.normcase(os.path.abspath(path))


def shown_path(path: str | os.PathLike[str]) -> str:
    """A path as messages name it: relative to the current directory when below it."""
    from ..failures import display_path

    return display_path(path, os.getcwd())


def one_line(text: str, fallback: str = "unknown error") -> str:
    """The line of a (possibly multi-line) pytest message that says what went wrong."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return fallback
    internal = [line for line in lines if line.startswith("INTERNALERROR>")]
    if internal:
        return "internal error: " + internal[-1][len("INTERNALERROR>") :].strip()
    head = next((line for line in lines if "while loading conftest" in line), None)
    head = head.removesuffix(".") if head is not None else None
    details = [line[1:].strip() for line in lines if line.startswith("E ")]
    if details:
        return f"{head}: {details[-1]}" if head is not None else details[-1]
    if head is not None:
        return head
    for line in lines:
        if line.startswith("ERROR: ") and not line.startswith("ERROR: usage:"):
            return line[len("ERROR: ") :]
    for line in lines:
        if "error:" in line:
            return line.split("error:", 1)[1].strip() or line
    return lines[-1]


class _Collector:
    """A pytest plugin that keeps what collection of suite files produced."""

    def __init__(self, only_suite_files: bool) -> None:
        self.only_suite_files = only_suite_files
        self.result = Collection()

    @pytest.hookimpl(tryfirst=True)
    def pytest_ignore_collect(self, collection_path: Path) -> bool | None:
        """Walking a directory, look at suite files only: never import test modules.

        Directories are left to pytest's own rules (norecursedirs, collect_ignore, ...).
        Paths given on the command line never reach this hook.
        """
        if not self.only_suite_files or collection_path.name.endswith(SUITE_SUFFIXES):
            return None
        if collection_path.is_dir():
            return None
        return True

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(
        self, collector: pytest.Collector
    ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
        report = yield
        from ..nodes import Tier2File

        if isinstance(collector, Tier2File):
            key = file_key(collector.path)
            shown = collector.shown_path
            self.result.shown[key] = shown
            if report.failed:
                text = report.longreprtext.strip()
                first = text.splitlines()[0] if text else ""
                # The loader's `file:line: message` line; anything else (an exception in a
                # plugin's hook, say) is summed up in one line at line 1.
                loader_line = first.startswith(f"{shown}:")
                self.result.file_errors[key] = (
                    first if loader_line else f"{shown}:1: {one_line(text)}"
                )
            else:
                self.result.suites[key] = (collector.spec, collector.registry)
        elif report.failed:
            where = shown_path(collector.path)
            self.result.other_errors.append(f"{where}: {one_line(report.longreprtext)}")
        return report


def collect(paths: Sequence[Path], *, only_suite_files: bool) -> Collection:
    """Collect `paths` with pytest, silently, the way `pytest --collect-only` would."""
    collector = _Collector(only_suite_files)
    args = [
        "--collect-only",
        "-q",
        "--capture=sys",
        "-p",
        "no:cacheprovider",
        "--maxfail=0",
        "--tier2-golden=off",  # reading files must never judge, write or delete pins
        "--tier2-report=",
        *(os.path.abspath(path) for path in paths),
    ]
    output = io.StringIO()
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            exit_code = pytest.main(args, plugins=[collector])
    except Exception as error:
        lines = str(error).strip().splitlines() or ["no message"]
        detail = lines[0] if len(lines[0]) <= 300 else lines[0][:297] + "..."
        raise UsageProblem(f"pytest could not start: {type(error).__name__}: {detail}") from None
    result = collector.result
    nothing = not (result.suites or result.file_errors or result.other_errors)
    if exit_code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR) or (
        nothing and exit_code == pytest.ExitCode.INTERRUPTED
    ):
        raise UsageProblem(f"pytest could not collect: {one_line(output.getvalue())}")
    return result


def check_file(text: str) -> Path:
    """A command-line suite file that exists, can be read, and has a suite file's name."""
    path = Path(text)
    if not path.exists():
        raise UsageProblem(f"no such file: {text}")
    if path.is_dir():
        raise UsageProblem(f"{text} is a directory, not a suite file")
    if not path.name.endswith(SUITE_SUFFIXES):
        raise UsageProblem(
            f"{text} is not a suite file: its name must end in .tier2.yaml or .tier2.yml"
        )
    try:
        with path.open("rb") as stream:
            stream.read(1)
    except OSError as error:
        raise UsageProblem(f"cannot read {text}: {error.strerror or error}") from None
    return path


def check_path(text: str) -> Path:
    """A command-line path for `validate`: a suite file, or a directory to search."""
    path = Path(text)
    if path.is_dir():
        if not os.access(path, os.R_OK | os.X_OK):
            raise UsageProblem(f"cannot read directory {text}")
        return path
    return check_file(text)


# ---------------------------------------------------------------------------- show


def show_value(value: Any) -> str:
    """A value as compact JSON, keys sorted: `{}` and `[]` for empty containers."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def params_lines(spec: SuiteSpec, registry: Registry, scenarios: Sequence[str]) -> list[str]:
    """What params each mission called in `scenarios` accepts, once per mission, in call order."""
    from ..core.params import describe

    chosen = set(scenarios)
    names = [
        call.name
        for scenario in spec.suite.scenarios
        if scenario.scenario_name in chosen
        for call in scenario.missions
    ]
    lines = []
    for name in dict.fromkeys(names):
        declared = registry.mission_params(name)
        if declared is None:
            lines.append(f"mission {name} accepts any params")
        elif not declared:
            lines.append(f"mission {name} accepts no params")
        else:
            accepted = ", ".join(
                f"{param} ({describe(types)})" for param, types in declared.items()
            )
            lines.append(f"mission {name} accepts params {accepted}")
    return [*lines, ""] if lines else []


def render(
    result: TestRunResult,
    scenarios: Sequence[str],
    base: str = ".",
    operations: Sequence[str] = (),
) -> list[str]:
    """The lines `show` prints for a suite's result, restricted to `scenarios`."""
    from ..core.harness import result_hash_of
    from ..core.paths import format_path, iter_leaves
    from ..failures import mission_failure

    suite_result = result.suite_result
    lines: list[str] = []
    for scenario_name in scenarios:  # in file order, as the missions below are in call order
        scenario = suite_result.scenario_results[scenario_name]
        for key in scenario.mission_results:
            mission = scenario.mission_results[key]
            mission_hash = result_hash_of(mission)
            lines.append(f"scenario {scenario_name} / mission {key}  (hash {mission_hash})")
            for path, value in iter_leaves(mission.to_dict()):
                lines.append(f"  {format_path(path)} = {show_value(value)}")
            cause = mission_failure(mission, base, operations)
            if cause is not None:
                lines.append(f"mission {key} did not succeed:")
                lines.extend(f"  {line}" for line in cause.lines())
            lines.append("")
        lines.append(f"scenario {scenario_name}  (hash {scenario.scenario_hash})")
        lines.append("")
    lines.append(f"suite {suite_result.suite_name}  (hash {suite_result.suite_hash})")
    return lines


def command_show(file: str, scenarios: Sequence[str] | None, out: TextIO, err: TextIO) -> int:
    from ..core.suggest import did_you_mean
    from ..failures import run_error_report
    from ..runner import run_spec

    path = check_file(file)
    collection = collect([path], only_suite_files=False)
    key = file_key(path)
    problems = ([collection.file_errors[key]] if key in collection.file_errors else []) + list(
        collection.other_errors
    )
    if problems:
        for problem in problems:
            print(problem, file=err)
        return EXIT_INVALID
    if key not in collection.suites:
        raise UsageProblem(f"pytest did not collect {file} (is the tier2 plugin disabled?)")
    spec, registry = collection.suites[key]
    names = [scenario.scenario_name for scenario in spec.suite.scenarios]
    unknown = [name for name in scenarios or () if name not in names and name not in spec.outlines]
    if unknown:
        known = [*names, *(f"{name} (an outline)" for name in spec.outlines)]
        raise UsageProblem(
            f"no scenario '{unknown[0]}' in {file}"
            f"{did_you_mean(unknown[0], [*names, *spec.outlines])} (it has: {', '.join(known)})"
        )
    # An outline's name stands for all its rows.
    chosen = (
        list(dict.fromkeys(n for name in scenarios for n in spec.outlines.get(name, (name,))))
        if scenarios
        else names
    )
    outcome = run_spec(spec, registry)
    if outcome.result is None:
        assert outcome.error is not None
        shown = collection.shown.get(key, file)
        report = run_error_report(shown, spec, outcome.error, os.getcwd())
        print(report.compiler_style(spec.name), file=err)
        return EXIT_INVALID
    operations = list(registry.operations)
    lines = params_lines(spec, registry, chosen)
    lines += render(outcome.result, chosen, os.getcwd(), operations)
    out.write("\n".join(lines) + "\n")
    return EXIT_OK


# ------------------------------------------------------------------------ validate


def command_validate(paths: Sequence[str], out: TextIO, err: TextIO) -> int:
    checked: list[Path] = []
    problems: list[str] = []
    for text in paths:
        try:
            checked.append(check_path(text))
        except UsageProblem as error:
            problems.append(str(error))
    if problems:
        for problem in problems:
            print(ERROR_PREFIX + problem, file=err)
        return EXIT_USAGE
    unique = list({file_key(path): path for path in checked}.values())
    directories = [path for path in unique if path.is_dir()]
    # Give pytest no path inside another: pytest 8 then loses files of the outer directory.
    outermost = [
        path for path in unique if not any(is_inside(path, directory) for directory in directories)
    ]
    collection = collect(outermost, only_suite_files=True)
    for path in unique:
        if path.is_dir():
            if not any(is_inside(key, path) for key in collection.shown):
                raise UsageProblem(
                    f"no suite files under {path} "
                    "(none there, or pytest's configuration ignores them)"
                )
        elif file_key(path) not in collection.shown:
            raise UsageProblem(f"pytest did not collect {path} (is the tier2 plugin disabled?)")
    for key in sorted(collection.file_errors, key=lambda k: collection.shown[k]):
        print(collection.file_errors[key], file=out)
    for line in collection.other_errors:
        print(line, file=out)
    total = len(collection.shown)
    bad = len(collection.file_errors)
    if bad or collection.other_errors:
        summary = f"{bad} of {total} {_files(total)} invalid"
        if collection.other_errors:
            summary += f", {len(collection.other_errors)} other collection error(s)"
        print(summary, file=err)
        return EXIT_INVALID
    print(f"{total} {_files(total)} OK", file=out)
    return EXIT_OK


def is_inside(path: str | os.PathLike[str], directory: str | os.PathLike[str]) -> bool:
    """Whether `path` lies strictly below `directory`."""
    return file_key(path).startswith(os.path.join(file_key(directory), ""))


def _files(count: int) -> str:
    return "file" if count == 1 else "files"


# ---------------------------------------------------------------------------- main


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Show and validate pytest-tier2 suite files (*.tier2.yaml). Both commands load "
            "the conftest.py files and plugins that a pytest run in the same directory loads."
        ),
        epilog="Exit codes: 0 ok, 1 invalid suite (or a pin change refused), 2 usage error.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    show = commands.add_parser(
        "show",
        help="run a suite and print every path an expectation can use, with its value",
        description=(
            "Run a suite and print, for each scenario and mission result, every path an "
            "expectation can name (one per line, as `path = value` in compact JSON), then "
            "the mission, scenario and suite hashes."
        ),
    )
    show.add_argument("file", metavar="FILE", help="a *.tier2.yaml or *.tier2.yml file")
    show.add_argument(
        "--scenario",
        "-s",
        action="append",
        metavar="NAME",
        help="show only this scenario (repeat for several)",
    )
    validate = commands.add_parser(
        "validate",
        help="check suite files without running them",
        description=(
            "Check suite files without running them. Print one `file:line: message` line "
            "per invalid file, as collection does, or `N files OK`. A directory is "
            "searched for suite files the way pytest walks it."
        ),
    )
    validate.add_argument(
        "paths", metavar="PATH", nargs="+", help="suite files, or directories to search"
    )
    commands.add_parser(
        "schema",
        help="print the path of the installed JSON Schema, for editors",
        description="Print the path of the JSON Schema of the suite format, as installed.",
    )
    pending = (
        "the pin changes (drifted, missing, stale) that the last golden run left pending "
        "in pytest's cache, for the cache that a pytest run here uses"
    )
    accept = commands.add_parser(
        "accept",
        help="write pending pin changes without running anything",
        description=f"Write {pending}, exactly as --tier2-golden=update would. A change "
        "whose suite file or pin file changed since it was recorded is refused.",
    )
    add_targets(accept)
    reject = commands.add_parser(
        "reject",
        help="drop pending pin changes",
        description=f"Drop {pending}; the pin files are left as they are.",
    )
    add_targets(reject)
    review = commands.add_parser(
        "review",
        help="show each pending pin change and accept or skip it",
        description=f"Show {pending}, one at a time with its field-level diff, and ask: "
        "accept, skip or quit. Answers are read from the terminal, or from a pipe.",
    )
    add_targets(review)
    return parser


def add_targets(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "targets",
        metavar="PATH or NODE ID",
        nargs="*",
        help="suite files, pin files, directories, or pin items (x.tier2.yaml::scenario@golden);"
        " all pending changes when none is given",
    )


def schema_path() -> Path:
    return Path(__file__).resolve().parent.parent / "schema" / "tier2.schema.json"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    args = build_parser().parse_args(argv)
    try:
        if args.command == "show":
            code = command_show(args.file, args.scenario, sys.stdout, sys.stderr)
        elif args.command == "schema":
            print(schema_path())
            code = EXIT_OK
        elif args.command in ("accept", "reject", "review"):
            from . import golden

            if args.command == "accept":
                code = golden.command_accept(args.targets, sys.stdout, sys.stderr)
            elif args.command == "reject":
                code = golden.command_reject(args.targets, sys.stdout, sys.stderr)
            else:
                code = golden.command_review(args.targets, sys.stdout, sys.stderr, sys.stdin)
        else:
            code = command_validate(args.paths, sys.stdout, sys.stderr)
        sys.stdout.flush()
        return code
    except UsageProblem as problem:
        print(ERROR_PREFIX + str(problem), file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # `show FILE | head`: the reader has gone. Python's own advice: point stdout at
        # devnull, so that the flush at exit does not complain, and exit 1.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_INVALID
    except KeyboardInterrupt:
        print(ERROR_PREFIX + "interrupted", file=sys.stderr)
        return 130
