"""Golden modes: `off`, `check`, `update`, or a set of the change categories.

A category names one kind of change a run may write: `create` pins scenarios that have
no pin, `fix` re-pins drifted ones (and regenerates an unusable pin file), `trim`
removes stale pins. `update` is all three; `check` is none. What a run does not write
fails it, as in check mode.

Imported when the plugin loads (it parses the option), so it imports nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = ("create", "fix", "trim")
CATEGORY_OF = {"missing": "create", "drifted": "fix", "stale": "trim"}
"""The category that accepts each kind of change."""
MODE_HELP = "check, update, off, or a comma-separated set of create, fix, trim"


@dataclass(frozen=True)
class GoldenMode:
    categories: frozenset[str]
    """The categories this run writes; none in check mode."""

    @property
    def name(self) -> str:
        if not self.categories:
            return "check"
        if self.categories == frozenset(CATEGORIES):
            return "update"
        return ",".join(c for c in CATEGORIES if c in self.categories)

    def writes(self, kind: str) -> bool:
        """Whether this run writes a change of this kind (missing, drifted, stale)."""
        return CATEGORY_OF[kind] in self.categories


def parse_mode(text: str) -> GoldenMode | None:
    """The mode a `--tier2-golden` or `tier2_golden` value names; None for `off`.

    Raises ValueError, naming the value, for anything else.
    """
    value = text.strip()
    if value == "off":
        return None
    if value == "check":
        return GoldenMode(frozenset())
    if value == "update":
        return GoldenMode(frozenset(CATEGORIES))
    parts = [part.strip() for part in value.split(",")]
    if not all(part in CATEGORIES for part in parts):
        raise ValueError(f"{text!r} is not a golden mode ({MODE_HELP})")
    return GoldenMode(frozenset(parts))
