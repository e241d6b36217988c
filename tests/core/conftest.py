"""Shared helpers for the core tests: an independent canonical JSON and its SHA-256."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest


def canonical_text(obj: Any) -> str:
    """Canonical JSON as the design defines it, computed without the core's help."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def sha256_of(obj: Any) -> str:
    """SHA-256 hex digest of the canonical JSON of `obj`."""
    return hashlib.sha256(canonical_text(obj).encode("utf-8")).hexdigest()


@pytest.fixture(scope="session")
def stable_hash() -> Callable[[Any], str]:
    """Deterministic hash for asserting byte-identical behaviour."""
    return sha256_of


@pytest.fixture(scope="session")
def canonical() -> Callable[[Any], str]:
    """Canonical JSON text, independent of the core's own serialiser."""
    return canonical_text
