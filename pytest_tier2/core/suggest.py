"""Nearest-name suggestions for "unknown ..." messages: a typo should name its fix."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

CUTOFF = 0.6
"""difflib's similarity ratio a name needs to be suggested (its own default)."""


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The valid name closest to `name`, or None when none is close enough to suggest.

    A match that differs only in case wins; otherwise difflib's best match above CUTOFF.
    """
    names = list(dict.fromkeys(candidates))
    folded = [candidate for candidate in names if candidate.casefold() == name.casefold()]
    if folded:
        return folded[0]
    close = difflib.get_close_matches(name, names, n=1, cutoff=CUTOFF)
    return close[0] if close else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`; did you mean 'x'?` to append to a message, or "" when nothing is close."""
    match = nearest(name, candidates)
    return f"; did you mean {match!r}?" if match is not None and match != name else ""
