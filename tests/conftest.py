"""What every test's pytest runs share.

The test extra installs plugins that act without being asked: pytest-randomly shuffles every
run it is installed in, and pytest-github-actions-annotate-failures writes to stderr when
`GITHUB_ACTIONS` is set; and pytest itself prints short summaries untrimmed when `CI` or
`BUILD_NUMBER` is set. A test's own pytest runs keep pytest's plain behaviour, so that what a
test asserts about order or output does not depend on what is installed or where it runs; the
tests of those plugins and of CI output turn them on themselves.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import pytest_tier2

# What a pytest run with suite files imports besides the plugin module itself (which pytest
# loads through its entry point): every module of the plugin (most are imported lazily, when
# a run needs them), PyYAML, the hypothesis module that hypothesis' pytest plugin imports at
# every terminal summary, and xdist's controller (for `-n 2` runs).
RUN_IMPORTS = (
    "yaml",
    *(
        module.name
        for module in pkgutil.walk_packages(pytest_tier2.__path__, "pytest_tier2.")
        if module.name != "pytest_tier2.__main__"
    ),
    "hypothesis.internal.observability",
    "xdist.dsession",
)


@pytest.fixture(scope="session")
def _run_imports() -> None:
    for name in RUN_IMPORTS:
        importlib.import_module(name)


@pytest.fixture
def pytester(
    _run_imports: None, pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> pytest.Pytester:
    """pytester, with what a run imports already imported in this process, and the plain
    behaviour of pytest whatever plugins are installed.

    An in-process run (`pytester.runpytest`) puts `sys.modules` back as it was, so each run
    would import all of RUN_IMPORTS again, and pytest rewrites the asserts of a plugin's
    modules at every such import (with no cached .pyc under PYTHONDONTWRITEBYTECODE): up to
    a second per run. Imported once, before pytester's snapshot of `sys.modules` (a session
    fixture is set up before any function one), they stay, as in a user's single pytest
    process. What a fresh interpreter does is tested in subprocesses (tests/test_ecosystem.py).
    """
    # pytester clears PYTEST_ADDOPTS when it starts; this sets it after, for in-process and
    # subprocess runs alike.
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:randomly")
    for variable in ("GITHUB_ACTIONS", "CI", "BUILD_NUMBER"):
        monkeypatch.delenv(variable, raising=False)
    return pytester
