"""Short, traceback-free failure reports for expectations and suites that could not run."""

from __future__ import annotations

import json
import os
import traceback
from typing import TYPE_CHECKING, Any

from .core.exceptions import Tier2Error
from .core.expectations import ExpectationResult, MissionExpectation

if TYPE_CHECKING:
    from .format import SuiteSpec

MAX_VALUE_CHARS = 300


def display_path(path: str | os.PathLike[str], base: str | os.PathLike[str]) -> str:
    """A path as messages name it: relative to `base` (where pytest was started) when below it."""
    try:
        relative = os.path.relpath(path, base)
    except ValueError:  # another drive, on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


class ExpectationFailed(AssertionError):
    """An expectation's verdict was a failure.

    `row` says, for an expectation expanded from an outline, which row of the examples it
    checked: `'one' at file:line`."""

    def __init__(
        self,
        where: str,
        expectation: MissionExpectation,
        result: ExpectationResult,
        row: str | None = None,
    ):
        super().__init__(where)
        self.where = where
        self.expectation = expectation
        self.result = result
        self.row = row


class SuiteRunError(Exception):
    """A suite could not run; every item of its file fails with this."""


class GoldenMismatch(AssertionError):
    """A scenario's results differ from its pins, or it has none."""


def show_value(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 3] + "..."
    return text


def describe_failure(failure: ExpectationFailed) -> str:
    """The few lines a person needs to see why an expectation failed."""
    expectation, details = failure.expectation, failure.result.details
    reason = details.get("reason", "failed")
    lines = [
        f"{failure.where}: expectation '{expectation.id}' failed: {reason}",
        f"  scenario  {expectation.scenario_name}",
        *([f"  row       {failure.row}"] if failure.row else []),
        f"  mission   {expectation.mission_name}",
        f"  path      {expectation.path or '(the whole result)'}",
        f"  op        {expectation.op}",
    ]
    if expectation.op not in ("exists", "absent"):
        lines.append(f"  expected  {show_value(expectation.expected)}")
    if expectation.rel_tol is not None or expectation.abs_tol is not None:
        given = (("rel", expectation.rel_tol), ("abs", expectation.abs_tol))
        shown = [f"{key} {show_value(value)}" for key, value in given if value is not None]
        lines.append(f"  tolerance {', '.join(shown)}")
    if reason == "path_missing":
        lines.append("  actual    (path does not exist)")
        nearest = details.get("nearest") or []
        if nearest:
            lines.append(f"  nearest   {', '.join(nearest)}")
    else:
        lines.append(f"  actual    {show_value(failure.result.actual)}")
    if "message" in details:
        lines.append(f"  because   {details['message']}")
    return "\n".join(lines)


def describe_run_error(shown: str, spec: SuiteSpec, error: BaseException) -> str:
    """One paragraph naming the error that stopped a suite, at the failing mission call."""
    context = getattr(error, "tier2_context", None)
    line = spec.call_lines.get(context, 1) if context else 1
    where, suite_name = f"{shown}:{line}", spec.name
    place = f" in scenario '{context[0]}', mission '{context[1]}'" if context else ""
    text = f"{where}: suite '{suite_name}' could not run{place}: {type(error).__name__}: {error}"
    if not isinstance(error, Tier2Error) and error.__traceback__ is not None:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        text += f"\n  raised at {frame.filename}:{frame.lineno} in {frame.name}"
    return text
