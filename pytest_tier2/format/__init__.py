"""The suite file format: reading `*.tier2.yaml` files into core definitions.

Layering: this package uses the core and PyYAML, never pytest. `load_file` is the entry point;
every problem it finds is a `SuiteFileError` naming the file and the 1-based line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import SuiteFileError
from .files import read_file
from .spec import ExpectationEntry, ItemIndex, SuiteIndex, SuiteSpec, index_of, suite_name_for

if TYPE_CHECKING:
    from .load import load_file, load_suite


def __getattr__(name: str) -> Any:
    """The readers, imported on first use: loading a suite from the parse cache needs neither
    them nor PyYAML."""
    if name in ("load_file", "load_suite"):
        from . import load

        return getattr(load, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ExpectationEntry",
    "ItemIndex",
    "SuiteFileError",
    "SuiteIndex",
    "SuiteSpec",
    "index_of",
    "load_file",
    "load_suite",
    "read_file",
    "suite_name_for",
]
