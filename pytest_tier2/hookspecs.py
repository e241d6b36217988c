"""Hooks that pytest-tier2 adds to pytest (registered through `pytest_addhooks`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .core.registry import Registry


@pytest.hookspec
def pytest_tier2_register(registry: Registry) -> None:
    """Register missions and operations for the suites under this conftest's directory.

    Call `registry.add_mission(name, builder, params={...})` and
    `registry.add_operation(name, handler)`. A builder is
    `(params: Mapping | None) -> WorkflowDefinition`; `params`, if given, declares the
    params it reads and their types, checked at collection. A handler is a pure
    `(state, payload) -> new_state`. Registering a name that is already registered is an
    error that names both places.
    """
