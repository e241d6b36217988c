"""What every test's pytest runs share.

The test extra installs a dozen plugins, and some act without being asked: pytest-randomly
shuffles every run it is installed in, and pytest-github-actions-annotate-failures writes to
stderr when `GITHUB_ACTIONS` is set; and pytest itself prints short summaries untrimmed when
`CI` or `BUILD_NUMBER` is set. A test's own pytest runs keep pytest's plain behaviour, so that
what a test asserts about order or output does not depend on what is installed or where it
runs: they load tier2 and xdist only. Each other plugin costs every inner pytest process
(and every xdist worker) its import and set-up, 0.7 s a process together.

The tests of those plugins, marked `installed_plugins`, run beside every installed plugin,
as users do; they, and the tests of CI output, turn on what they need themselves.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from tier2_test_support import INNER_UNSET, blocked_plugins

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


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "installed_plugins: the test's own pytest runs load every installed plugin, "
        "as a user's do (pytest-randomly aside: the test turns it on itself)",
    )


@pytest.fixture(scope="session")
def _run_imports() -> None:
    for name in RUN_IMPORTS:
        importlib.import_module(name)


@pytest.fixture
def pytester(
    _run_imports: None,
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
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
    # subprocess runs alike. A `-p <name>` in a test's own arguments comes later, and wins.
    if request.node.get_closest_marker("installed_plugins"):
        monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:randomly")
    else:
        monkeypatch.setenv("PYTEST_ADDOPTS", blocked_plugins())
    for variable in INNER_UNSET:
        monkeypatch.delenv(variable, raising=False)
    return pytester
