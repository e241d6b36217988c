"""`python -m pytest_tier2 show|validate ...`: see `pytest_tier2.cli`."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
