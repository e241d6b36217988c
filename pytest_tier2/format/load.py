"""Parse a suite file's YAML with the fastest reader that accepts it, and validate it into a
SuiteSpec."""

from __future__ import annotations

from pathlib import Path

from .. import DEFAULT_MAX_FILE_BYTES
from ..core.registry import Registry
from .errors import SuiteFileError
from .files import read_file
from .outlines import flow_hint
from .reader import SuiteReader
from .spec import SuiteSpec
from .yaml_fast import parse_fast
from .yaml_source import YamlSourceError, decode, parse


def load_file(
    path: Path,
    registry: Registry,
    *,
    shown_as: str | None = None,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> SuiteSpec:
    """Read and load a suite file, refusing one larger than `max_bytes` before reading it."""
    shown = shown_as or str(path)
    return load_suite(read_file(path, shown, max_bytes), shown, registry)


def load_suite(data: bytes, path: str, registry: Registry) -> SuiteSpec:
    """Load a suite from the bytes of a file; `path` is how messages name the file."""
    try:
        text = decode(data)
        root = parse_fast(text) or parse(text)
    except YamlSourceError as error:
        message = error.message + flow_hint(data, error.line, error.message)
        raise SuiteFileError(path, error.line, message) from None
    if root is None:
        raise SuiteFileError(path, 1, "no suite in file")
    return SuiteReader(path, registry).read(root)
