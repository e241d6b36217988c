"""`python -m pytest_tier2 show|validate|schema|accept|reject|review ...`: see `.cli`."""

from __future__ import annotations

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
