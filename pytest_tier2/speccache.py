"""A persistent cache of read suite files, in pytest's cache directory.

Reading a suite file (its YAML, then validating it into core definitions) is most of what
collection costs, and what it gives depends on three things only: the file's bytes, the
missions (and the params they declare) that its directory sees, and pytest-tier2's own code
(with the Python and PyYAML it runs on). Each read suite is stored under a key made of all
three, much as pytest keeps rewritten test modules, and a later session with the same key
loads it instead of reading the file again. A key that differs in any part is a miss: an
edited file, an edited conftest registration or another version of the plugin is always
read afresh. A file that fails to load is never stored, so its error is found again.

Entries are pickles of values this code made, kept beside pytest's own caches: like those,
the directory is trusted as the working tree is. `-p no:cacheprovider` and `--cache-clear`
work on it as on pytest's own caches.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import pickle
import sys
from pathlib import Path

from .atomic import write_atomically
from .core.registry import Registry
from .format import SuiteSpec, load_suite

CACHE_NAME = "tier2-specs"
"""The cache's folder under pytest's cache directory (`.pytest_cache/d/tier2-specs`)."""
_KEY_BYTES = 32
PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_key(package: Path = PACKAGE) -> bytes:
    """What pytest-tier2 itself contributes to a key: every source file of the package, and
        the Python and PyYAML that read and pickle, and Python's limit on an integer's digits (which
    decides whether a long number reads). Computed once per process."""
    import yaml

    digest = hashlib.sha256()
    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    digest.update(f"{sys.implementation.cache_tag}\0{yaml.__version__}\0{limit}\0".encode())
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0")
        digest.update(source.read_bytes() + b"\0")
    return digest.digest()


class SpecCache:
    """Read suites by the path of their file; see the module's docstring."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0
        self._signatures: dict[int, bytes] = {}

    def load(self, path: Path, data: bytes, shown: str, registry: Registry) -> SuiteSpec:
        """The suite in `data` (the bytes of `path`), from the cache when its key matches."""
        key = self.key(data, shown, registry)
        entry = self.directory / (hashlib.sha256(os.fsencode(path)).hexdigest()[:32] + ".pickle")
        try:
            stored = entry.read_bytes()
        except OSError:
            stored = b""
        if stored[:_KEY_BYTES] == key:
            with contextlib.suppress(Exception):  # a damaged entry is a miss
                spec = pickle.loads(memoryview(stored)[_KEY_BYTES:])
                if isinstance(spec, SuiteSpec):
                    self.hits += 1
                    return spec
        self.misses += 1
        spec = load_suite(data, shown, registry)
        self.store(entry, key + pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL))
        return spec

    def key(self, data: bytes, shown: str, registry: Registry) -> bytes:
        """The file's bytes and shown name, the registry's reading signature, and the code."""
        signature = self._signatures.get(id(registry))
        if signature is None:
            signature = hashlib.sha256(registry.reading_signature().encode()).digest()
            self._signatures[id(registry)] = signature
        digest = hashlib.sha256(code_key() + signature + shown.encode() + b"\0")
        digest.update(data)
        return digest.digest()

    def store(self, entry: Path, blob: bytes) -> None:
        """Write an entry whole; a cache that cannot be written is only slower."""
        with contextlib.suppress(OSError):
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(entry, blob)
