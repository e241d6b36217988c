"""Runtime step operations: pure `(state, payload) -> new_state` handlers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

OperationHandler = Callable[[dict[str, Any], dict[str, Any]], Mapping[str, Any]]
"""A pure handler: gets private copies of the state and the step payload, returns the new state."""


class StepFailed(Exception):
    """Raised by a handler to fail its step with `reason` as the message."""


def noop(state: dict[str, Any], payload: dict[str, Any]) -> Mapping[str, Any]:
    """Leave the state unchanged."""
    return state


def fail(state: dict[str, Any], payload: dict[str, Any]) -> Mapping[str, Any]:
    """Halt the run: the step fails with the payload's `reason`."""
    raise StepFailed(payload.get("reason", "unspecified"))


def set_values(state: dict[str, Any], payload: dict[str, Any]) -> Mapping[str, Any]:
    """Merge `payload["values"]` into the state shallowly, as `dict.update` does."""
    values = payload.get("values")
    if not isinstance(values, dict):
        raise StepFailed(f"'set' needs a mapping in payload['values'], not {values!r}")
    return {**state, **values}


BUILTIN_OPERATIONS: Mapping[str, OperationHandler] = {
    "fail": fail,
    "noop": noop,
    "set": set_values,
}
