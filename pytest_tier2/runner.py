"""Runs a suite file's suite: its result, the error that stopped it, or what interrupted it."""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from .core.exceptions import Tier2Error
from .core.registry import Registry
from .core.test_run import TestRunResult, run_test_run
from .format import SuiteSpec


class Interrupted(Tier2Error):
    """A suite's run was stopped midway from outside: pytest-timeout's `pytest.fail`, raised
    by its signal inside the run, or a `sys.exit` in a user's operation. Its message is the
    interruption's own (`Failed: Timeout >1.0s`)."""

    tier2_context: tuple[str, str] | None = None
    """The scenario and result key of the mission call that was running, if known."""
    site: tuple[str, int, str] | None = None
    """The file, line and function the run was stopped in, if known."""


@dataclass(frozen=True)
class SuiteOutcome:
    """Either the test run's result or the error that stopped it."""

    result: TestRunResult | None
    error: BaseException | None
    interruption: BaseException | None = None
    """What interrupted the run, as the item that was running received it."""


def run_spec(spec: SuiteSpec, registry: Registry) -> SuiteOutcome:
    """Run a loaded suite. Any exception (a limit violated, a user's bug) becomes the outcome;
    what is not an `Exception` propagates, for the caller to say what that interruption means."""
    try:
        return SuiteOutcome(run_test_run(spec.suite, spec.expectations, registry=registry), None)
    except Exception as error:
        return SuiteOutcome(None, error)


def interrupted(error: BaseException) -> SuiteOutcome:
    """The outcome of a run that `error` interrupted: the cause, and where it stopped."""
    stand_in = Interrupted(f"{type(error).__name__}: {error}")
    stand_in.tier2_context = getattr(error, "tier2_context", None)
    entry = last_shown_entry(error.__traceback__)
    if entry is not None:
        code = entry.tb_frame.f_code
        stand_in.site = (code.co_filename, entry.tb_lineno, code.co_name)
    return SuiteOutcome(None, stand_in, interruption=error)


def last_shown_entry(entry: TracebackType | None) -> TracebackType | None:
    """The innermost traceback entry that pytest would show: the frames of a signal handler
    that raised (pytest-timeout's) mark themselves `__tracebackhide__`, as pytest's helpers do."""
    shown = None
    while entry is not None:
        if not entry.tb_frame.f_locals.get("__tracebackhide__"):
            shown = entry
        entry = entry.tb_next
    return shown
