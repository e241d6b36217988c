"""The files here are a corpus for tests/test_bad_inputs.py, not suites to run."""

from __future__ import annotations

collect_ignore_glob = ["*.tier2.yaml", "*.tier2.yml"]
