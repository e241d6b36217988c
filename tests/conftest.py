"""What every test's pytest runs share.

The test extra installs plugins that act without being asked: pytest-randomly shuffles every
run it is installed in, and pytest-github-actions-annotate-failures writes to stderr when
`GITHUB_ACTIONS` is set. A test's own pytest runs keep pytest's plain behaviour, so that what
a test asserts about order or output does not depend on what is installed; the tests of those
plugins (tests/test_plugin_compat.py) turn them on themselves.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    # pytester clears PYTEST_ADDOPTS when it starts; this sets it after, for in-process and
    # subprocess runs alike.
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:randomly")
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return pytester
