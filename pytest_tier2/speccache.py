"""A persistent cache of read suite files, in pytest's cache directory.

Reading a suite file (its YAML, then validating it into core definitions) is most of what
collection costs, and what it gives depends on three things only: the file's bytes, the
missions (and the params they declare) that its directory sees, and pytest-tier2's own code
(with the Python and PyYAML it runs on). Each read suite is stored under a key made of all
three, much as pytest keeps rewritten test modules, and a later session with the same key
loads it instead of reading the file again. A key that differs in any part is a miss: an
edited file, an edited conftest registration or another version of the plugin is always
read afresh. A file that fails to load is never stored, so its error is found again.

An entry holds the key, the SHA-256 of the rest, the suite's index (what collection needs:
its items and scenarios) and the suite. Collection unpickles the index alone; the suite is
read from the entry again when it runs, and dropped once its items have their verdicts.

The cache also remembers which pin files were found consistent (each recorded hash that of
its recorded result): a marker named by the file's SHA-256 and the code's key. A pin file
whose bytes changed in any way is verified again.

Entries are pickles of values this code made, kept beside pytest's own caches: like those,
the directory is trusted as the working tree is. `-p no:cacheprovider` and `--cache-clear`
work on it as on pytest's own caches.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.util
import os
import pickle
import sys
from pathlib import Path

from .atomic import write_atomically
from .core.registry import Registry
from .format import SuiteIndex, SuiteSpec, index_of

CACHE_NAME = "tier2-specs"
"""The cache's folder under pytest's cache directory (`.pytest_cache/d/tier2-specs`)."""
_KEY_BYTES = 32
PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_key(package: Path = PACKAGE) -> bytes:
    """What pytest-tier2 itself contributes to a key: every source file of the package; the
    Python and the PyYAML (whose `__init__` names its version) that read and pickle; and
    Python's limit on an integer's digits, which decides whether a long number reads.
    Computed once per process."""
    digest = hashlib.sha256()
    limit = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    digest.update(f"{sys.implementation.cache_tag}\0{limit}\0".encode())
    yaml = importlib.util.find_spec("yaml")  # found, not imported: a hit never needs PyYAML
    if yaml is not None and yaml.origin is not None:
        digest.update(Path(yaml.origin).read_bytes() + b"\0")  # it names its version
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

    def load(
        self, path: Path, data: bytes, shown: str, registry: Registry
    ) -> tuple[SuiteIndex, SuiteSpec | None, bytes]:
        """The suite in `data` (the bytes of `path`): its index, the suite itself when it was
        read now (None when the cache had it), and the key that `spec` needs to find it.
        Collection needs the index only: a collect-only run, or an xdist worker, never builds
        a suite it does not run, and no process keeps a suite's pickle in memory."""
        key = self.key(data, shown, registry)
        entry = self.entry(path)
        found = _unpack(_read(entry), key, index_only=True)
        if isinstance(found, SuiteIndex):
            self.hits += 1
            return found, None, key
        self.misses += 1
        from .format.load import load_suite

        spec = load_suite(data, shown, registry)
        index = index_of(spec)
        self.store(entry, key + _pack(index, spec))
        return index, spec, key

    def spec(
        self, path: Path, key: bytes, shown: str, registry: Registry, max_bytes: int
    ) -> SuiteSpec:
        """The suite that `load` found under `key`, read again from the cache; or, if another
        session has replaced the entry since, from the file, if it is still what was
        collected. A file edited since its collection is an error, not another suite."""
        found = _unpack(_read(self.entry(path)), key, index_only=False)
        if isinstance(found, SuiteSpec):
            return found
        from .format import SuiteFileError, read_file
        from .format.load import load_suite

        data = read_file(path, shown, max_bytes)
        if self.key(data, shown, registry) != key:
            raise SuiteFileError(shown, 1, "the file changed after it was collected; run again")
        spec = load_suite(data, shown, registry)
        self.store(self.entry(path), key + _pack(index_of(spec), spec))
        return spec

    def entry(self, path: Path) -> str:
        """The entry's file, as a string: a `Path` would intern its 200-odd unique names in
        the interpreter's table of interned strings, for the whole session."""
        name = hashlib.sha256(os.fsencode(path)).hexdigest()[:32] + ".pickle"
        return os.path.join(self.directory, name)

    def pins_verified(self, sha: str) -> bool:
        """Whether a pin file with these bytes (their SHA-256) was found consistent before."""
        return os.path.exists(self._pins_marker(sha))

    def note_pins_verified(self, sha: str) -> None:
        self.store(self._pins_marker(sha), b"")

    def _pins_marker(self, sha: str) -> str:
        name = hashlib.sha256(code_key() + sha.encode()).hexdigest()[:32] + ".pins-verified"
        return os.path.join(self.directory, name)

    def key(self, data: bytes, shown: str, registry: Registry) -> bytes:
        """The file's bytes and shown name, the registry's reading signature, and the code."""
        signature = self._signatures.get(id(registry))
        if signature is None:
            signature = hashlib.sha256(registry.reading_signature().encode()).digest()
            self._signatures[id(registry)] = signature
        digest = hashlib.sha256(code_key() + signature + shown.encode() + b"\0")
        digest.update(data)
        return digest.digest()

    def store(self, entry: str, blob: bytes) -> None:
        """Write an entry whole; a cache that cannot be written is only slower."""
        with contextlib.suppress(OSError):
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(Path(entry), blob)


_LENGTH = 4


def _pack(index: SuiteIndex, spec: SuiteSpec) -> bytes:
    """An entry's body: its SHA-256, then the index's length, the index and the suite."""
    index_blob = pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL)
    body = (
        len(index_blob).to_bytes(_LENGTH, "big")
        + index_blob
        + pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL)
    )
    return hashlib.sha256(body).digest() + body


def _read(entry: str) -> bytes:
    try:
        with open(entry, "rb") as stream:
            return stream.read()
    except OSError:
        return b""


def _unpack(stored: bytes, key: bytes, *, index_only: bool) -> SuiteIndex | SuiteSpec | None:
    """An entry's index, or its suite, if the entry has this key and is whole; otherwise
    None, a miss."""
    if stored[:_KEY_BYTES] != key:
        return None
    body = memoryview(stored)[2 * _KEY_BYTES :]
    if hashlib.sha256(body).digest() != stored[_KEY_BYTES : 2 * _KEY_BYTES]:
        return None
    split = _LENGTH + int.from_bytes(body[:_LENGTH], "big")
    kind = SuiteIndex if index_only else SuiteSpec
    try:
        found = pickle.loads(body[_LENGTH:split] if index_only else body[split:])
    except Exception:
        return None
    return found if isinstance(found, kind) else None
