"""The suite file format: reading `*.tier2.yaml` files into core definitions.

Layering: this package uses the core and PyYAML, never pytest. `load_file` is the entry point;
every problem it finds is a `SuiteFileError` naming the file and the 1-based line.
"""

from __future__ import annotations

from .errors import SuiteFileError
from .load import load_file, load_suite, read_file
from .spec import ExpectationEntry, SuiteSpec, suite_name_for

__all__ = [
    "ExpectationEntry",
    "SuiteFileError",
    "SuiteSpec",
    "load_file",
    "load_suite",
    "read_file",
    "suite_name_for",
]
