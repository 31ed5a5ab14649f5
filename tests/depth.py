"""How hard the property tests look: TONGJIE_EXAMPLES_FACTOR=20 runs twenty times the examples
of the oracle tests (a deeper search before a release; CI runs the default, 1)."""

from __future__ import annotations

import os


def examples(default: int) -> int:
    return default * max(1, int(os.environ.get("TONGJIE_EXAMPLES_FACTOR", "1")))
