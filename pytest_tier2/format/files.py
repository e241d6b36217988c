"""A suite file's bytes, within the size limit. Apart from the YAML readers: a session that
finds every suite in its parse cache reads bytes only, and never imports PyYAML."""

from __future__ import annotations

from pathlib import Path

from .. import DEFAULT_MAX_FILE_BYTES
from .errors import SuiteFileError


def read_file(path: Path, shown: str, max_bytes: int = DEFAULT_MAX_FILE_BYTES) -> bytes:
    """A suite file's bytes, refusing a file larger than `max_bytes` before reading it."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SuiteFileError(
                shown,
                1,
                f"file is {size:,} bytes, larger than the limit of {max_bytes:,} "
                "(raise it with the ini option tier2_max_file_bytes)",
            )
        return path.read_bytes()
    except OSError as error:
        raise SuiteFileError(shown, 1, f"cannot read file: {error.strerror}") from None
