"""How a statement of the statistics names a group's sums for the figures' SQL forms.

A query of the cells (from_cells.py) and one of the facts (from_facts.computed) both end in a
row per group of these names: `s_n_<counter>` for each counter, `s_amount` (cents, numeric),
`blob0` and `blob1` (the group's durations and the cohort's, packed as cells.pack packs them:
one sorted list each, or NULL). Over that row the server computes figures.DEFINITIONS'
SQL forms; `tests/integration/stats/test_formulas.py` holds them equal to the Python forms.
"""

from __future__ import annotations

from typing import ClassVar


class _CellTerms:
    """A tally's parts as a group's row names them (above)."""

    KINDS: ClassVar[dict[str, int]] = {"durations": 0, "cohort": 1}
    """The formulas' duration kinds, as indexes into BLOBS."""

    def count(self, counter: str) -> str:
        return f"s_n_{counter}"

    def amount(self) -> str:
        return "s_amount"

    def length(self, kind: str) -> str:
        return f"(coalesce(length(blob{self.KINDS[kind]}), 0) / 8)"

    def at(self, kind: str, rank: str) -> str:
        """Big-endian 64-bit integers, as cells.pack makes them."""
        at = f"substring(blob{self.KINDS[kind]} FROM (8 * {rank} + 1)::int FOR 8)"
        return f"('x' || encode({at}, 'hex'))::bit(64)::bigint"


CELL_TERMS = _CellTerms()
