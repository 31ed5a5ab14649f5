"""What a statistics query asks: the period, the filters, the grouping, and the clock."""

from __future__ import annotations

from dataclasses import dataclass

from projections.stats.facts import DIMENSIONS

BY = (*DIMENSIONS, "month", "week")
"""What rows can be grouped by."""
DUE_SOON_US = 72 * 3600 * 1_000_000
""""Within 3 days" means 72 hours (api.md)."""

Key = str | None
"""A row's key: a dimension's value, a month as YYYY-MM, an ISO week as YYYY-Www, or None (the
summary; no one yet; no subcategory)."""


@dataclass(frozen=True, slots=True)
class Filters:
    category: str | None = None
    street: str | None = None
    channel: str | None = None
    organisation: str | None = None
    mediator: str | None = None
    subcategory: str | None = None

    def items(self) -> list[tuple[str, str]]:
        """(dimension, value) for each filter given, in the order of DIMENSIONS."""
        return [(d, v) for d in DIMENSIONS if (v := getattr(self, d)) is not None]


@dataclass(frozen=True, slots=True)
class Question:
    """One statistics query: the period in microseconds, the filters, the grouping, the clock."""

    start_us: int
    end_us: int
    now_us: int
    filters: Filters = Filters()
    by: str | None = None
    """None for the summary, else one of BY."""
