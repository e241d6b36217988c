"""Golden pins: each suite's results, pinned beside it in `<stem>.tier2.golden.json`.

- `modes`: the golden modes and change categories (imported when the plugin loads).
- `pinfile`: reading (and verifying), rendering and atomically writing pin files.
- `drift`: judging a scenario against its pin, and the field-level diff.
- `keeper`: the writing process's side: selection rules, writes, what is left pending.
- `pending`: pending changes in pytest's cache, for `accept`, `reject` and `review`.
- `summary`: the `tier2 golden` terminal section.

This module imports nothing, so that loading the plugin stays cheap.
"""

from __future__ import annotations

GOLDEN_ITEM_SUFFIX = "@golden"
"""A pin item is named `<scenario>@golden`: '@' is outside the id grammar, so it never
collides with an expectation id (DECISIONS 20)."""
