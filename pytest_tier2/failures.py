"""Short, traceback-free failure reports: the reason and the values first, then where.

Every report's first line is what `-ra`, junit's `message`, TeamCity and IDEs show, so it
says why (`eq_mismatch at final_state.replicas: expected 2, got 1`); the body says where
(`file:line:`, 1-based) and gives the details.
"""

from __future__ import annotations

import json
import os
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .core.exceptions import Tier2Error
from .core.expectations import ExpectationResult, MissionExpectation
from .core.harness import ResultLike, tree_of
from .core.suggest import nearest
from .longrepr import FailureRepr
from .runner import Interrupted

if TYPE_CHECKING:
    from .format import SuiteSpec

MAX_VALUE_CHARS = 300
MAX_HEADLINE_VALUE_CHARS = 60
"""A value on the first line is cut shorter: that line must stay readable at a glance."""


def display_path(path: str | os.PathLike[str], base: str | os.PathLike[str]) -> str:
    """A path as messages name it: relative to `base` (where pytest was started) when below it."""
    try:
        relative = os.path.relpath(path, base)
    except ValueError:  # another drive, on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


class Tier2Failure(Tier2Error):
    """A failure that an item reports without a traceback: `reason` first, then `body`.

    `path` and `line` (1-based) say where in the suite file; the body starts with them.
    """

    def __init__(self, reason: str, path: str, line: int, body: Sequence[str] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path = path
        self.line = line
        self.body = tuple(body)

    @property
    def text(self) -> str:
        return "\n".join((self.reason, *self.body))

    def longrepr(self) -> FailureRepr:
        return FailureRepr(self.text, self.reason, self.path, self.line)


class ExpectationFailed(Tier2Failure, AssertionError):
    """An expectation's verdict was a failure: an assertion, so tools show it as failed."""

    def __init__(
        self,
        path: str,
        line: int,
        expectation: MissionExpectation,
        result: ExpectationResult,
        cause: MissionFailure | None = None,
        row: str | None = None,
    ) -> None:
        reason, body = describe_failure(f"{path}:{line}", expectation, result, cause, row)
        super().__init__(reason, path, line, body)
        self.expectation = expectation
        self.result = result
        self.cause = cause
        self.row = row


class GoldenMismatch(Tier2Failure, AssertionError):
    """A scenario's results differ from its pins, or it has none: an assertion too."""


class SuiteRunError(Tier2Failure):
    """A suite could not run; every item of its file fails with this. Not an assertion:
    tools show it as broken, not as a failed check."""


def show_value(value: Any, limit: int = MAX_VALUE_CHARS) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


@dataclass(frozen=True)
class MissionFailure:
    """Why a mission did not succeed: its failed step, its error, where a handler raised."""

    step: str | None
    error: str | None
    raised_at: str | None
    """`conftest.py:12 in bump`, relative to where pytest started; None unless a handler raised."""
    nearest_operation: str | None = None
    """A registered operation close to the unknown one that the failed step named."""

    @property
    def hint(self) -> str:
        near = self.nearest_operation
        return "" if near is None else f"; did you mean {near!r}?"

    @property
    def summary(self) -> str:
        """One clause for a first line: `step 'bump' failed: ValueError: no`."""
        error = self.error or "no error message"
        if self.step is None:
            return f"mission failed: {error}"
        prefix = f"Step '{self.step}' failed: "
        return f"step '{self.step}' failed: {error.removeprefix(prefix)}{self.hint}"

    def lines(self) -> list[str]:
        """The failed step, the error message as the result holds it, and where it raised."""
        lines = [f"failed step  {self.step}", f"error        {self.error}"]
        if self.nearest_operation is not None:
            lines.append(f"did you mean operation {self.nearest_operation!r}?")
        if self.raised_at is not None:
            lines.append(f"raised at    {self.raised_at}")
        return lines


def mission_failure(
    mission: ResultLike, base: str | os.PathLike[str], operations: Iterable[str] = ()
) -> MissionFailure | None:
    """Why `mission` did not succeed, or None when it did.

    `operations` are the registered ones: a step that named an unknown operation gets a
    suggestion, worked out here because the hashed error message must not change.
    """
    tree = tree_of(mission)
    if not isinstance(tree, dict) or tree.get("success") is not False:
        return None
    step, error = tree.get("failed_step_id"), tree.get("error_message")
    site = getattr(mission, "raised_at", None)
    raised_at = None
    if site is not None:
        raised_at = f"{display_path(site.filename, base)}:{site.lineno} in {site.function}"
    near = None
    executed = tree.get("executed_steps") or []
    payload = executed[-1].get("payload", {}) if executed else {}
    operation = payload.get("operation") if isinstance(payload, dict) else None
    if (
        isinstance(operation, str)
        and error == f"Step '{step}' failed: unknown operation {operation!r}"
    ):
        near = nearest(operation, operations)
    return MissionFailure(
        step if isinstance(step, str) else None,
        error if isinstance(error, str) else None,
        raised_at,
        near,
    )


EXPECTING = {
    "eq": "",
    "ne": "anything but ",
    "gt": "> ",
    "lt": "< ",
    "ge": ">= ",
    "le": "<= ",
    "contains": "to contain ",
    "matches": "to match ",
    "approx": "approx ",
    "type": "type ",
    "length": "length ",
    "one_of": "one of ",
}
"""How a first line states what each op expected, before the expected value."""


def headline(expectation: MissionExpectation, result: ExpectationResult) -> str:
    """The first line: the reason, where in the result, and the values compared."""
    details = result.details
    reason = str(details.get("reason", "failed"))
    where = expectation.path or "(the whole result)"
    if reason == "path_missing":
        nearest = details.get("nearest") or []
        text = f"path_missing at {where}: no such path"
        return text + (f" (nearest: {', '.join(nearest)})" if nearest else "")
    got = show_value(result.actual, MAX_HEADLINE_VALUE_CHARS)
    if expectation.op == "subset" and "message" in details:
        # Two whole objects would crowd out what matters: which key paths differ.
        return f"{reason} at {where}: {details['message']}"
    if expectation.op == "absent":
        text = f"{reason} at {where}: expected no value, got {got}"
    else:
        expected = show_value(expectation.expected, MAX_HEADLINE_VALUE_CHARS)
        expecting = EXPECTING.get(expectation.op, f"{expectation.op} ")
        text = f"{reason} at {where}: expected {expecting}{expected}, got {got}"
    if "message" in details:
        text += f" ({details['message']})"
    return text


def describe_failure(
    where: str,
    expectation: MissionExpectation,
    result: ExpectationResult,
    cause: MissionFailure | None = None,
    row: str | None = None,
) -> tuple[str, list[str]]:
    """The first line and the body of an expectation's failure report.

    `row` says, for an expectation expanded from an outline, which row of the examples it
    checked: `'one' at file:line`."""
    details = result.details
    reason = headline(expectation, result)
    if cause is not None:
        reason += f"; {cause.summary}"
    lines = [
        f"{where}: expectation '{expectation.id}'",
        f"  scenario  {expectation.scenario_name}",
        *([f"  row       {row}"] if row else []),
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
    if details.get("reason") == "path_missing":
        lines.append("  actual    (path does not exist)")
        nearest = details.get("nearest") or []
        if nearest:
            lines.append(f"  nearest   {', '.join(nearest)}")
    else:
        lines.append(f"  actual    {show_value(result.actual)}")
    if "message" in details:
        lines.append(f"  because   {details['message']}")
    if cause is not None:
        lines.append(f"  mission '{expectation.mission_name}' did not succeed:")
        lines.extend(f"    {line}" for line in cause.lines())
    return reason, lines


@dataclass(frozen=True)
class RunErrorReport:
    """What stopped a suite: where (`file:line`), the reason, and where a user's code raised."""

    path: str
    line: int
    place: str
    """` in scenario 's', mission 'm'`, or "" when the error came from no mission call."""
    error: str
    site: str | None
    """`raised at conftest.py:12 in bump`, or `interrupted at ...` for a run stopped from
    outside; None when the error came from pytest-tier2 itself."""

    @property
    def reason(self) -> str:
        """`suite could not run: ZeroDivisionError: ... (scenario 's', mission 'm')`."""
        where = f" ({self.place.removeprefix(' in ')})" if self.place else ""
        return f"suite could not run: {self.error}{where}"

    def pytest_failure(self, suite_name: str) -> SuiteRunError:
        """The failure of each item: the reason first, then where."""
        body = [f"{self.path}:{self.line}: suite '{suite_name}' could not run{self.place}"]
        if self.site is not None:
            body.append(f"  {self.site}")
        return SuiteRunError(self.reason, self.path, self.line, body)

    def compiler_style(self, suite_name: str) -> str:
        """The CLI's form: `file:line: message`, as every other CLI message."""
        text = f"{self.path}:{self.line}: suite '{suite_name}' could not run{self.place}: "
        text += self.error
        if self.site is not None:
            text += f"\n  {self.site}"
        return text


def run_error_report(
    shown: str, spec: SuiteSpec, error: BaseException, base: str | os.PathLike[str]
) -> RunErrorReport:
    """Name the error that stopped a suite, at the failing mission call, and where in the
    user's code it was raised (or, for a run interrupted from outside, where it stopped)."""
    context = getattr(error, "tier2_context", None)
    line = spec.call_lines.get(context, 1) if context else 1
    place = f" in scenario '{context[0]}', mission '{context[1]}'" if context else ""
    frame: tuple[str, int, str] | None = None
    if isinstance(error, Interrupted):
        text, verb, frame = str(error), "interrupted at", error.site
    else:
        text, verb = f"{type(error).__name__}: {error}", "raised at"
        if not isinstance(error, Tier2Error) and error.__traceback__ is not None:
            last = traceback.extract_tb(error.__traceback__)[-1]
            frame = (last.filename, last.lineno or 0, last.name)
    site = None
    if frame is not None:
        site = f"{verb} {display_path(frame[0], base)}:{frame[1]} in {frame[2]}"
    return RunErrorReport(shown, line, place, text, site)
