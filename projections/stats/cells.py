"""Cells: the statistics pre-added per (dimension, value, month or day), and the backlog per value.

A contribution at a business time adds to the month cell of the whole (dimension "") and of
each dimension, and to the day cell of the whole and of the dimensions with few values; the
backlog adds to one cell per dimension (grain "o"). The database adds them up: each batch
writes its contributions (signed) to a delta table and sums them into the cells. The month
cells also keep the sorted durations of the cases resolved in them (packed), merged here, so a
year's medians come from twelve cells per key.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from datetime import tzinfo
from functools import lru_cache

from projections.stats.contributions import Contribution
from projections.stats.facts import DIMENSIONS
from projections.stats.periods import local_date, month_index

WHOLE = ""
"""The dimension of the whole: one cell per month, per day, and for the backlog."""
MONTH, DAY, OPEN = "m", "d", "o"
"""Grains: a month (bucket = year * 12 + month - 1), a day (bucket = ordinal), the backlog."""
DAY_DIMENSIONS = (WHOLE, "category", "street", "channel")
"""The dimensions with day cells: they have few values, so few day cells. An organisation's
or a mediator's part of a month is summed from the facts of that month's days instead."""
MINUTE_US = 60_000_000

DurationKey = tuple[str, int, str]
"""(dimension, month, value) of a month cell whose durations change."""


def pack(durations: Iterable[int]) -> bytes:
    """Durations as little-endian signed 64-bit integers, ascending."""
    values = array("q", durations)
    if sys.byteorder == "big":
        values.byteswap()
    return values.tobytes()


def unpack(blob: bytes | None) -> array[int]:
    values = array("q")
    if blob:
        values.frombytes(blob)
        if sys.byteorder == "big":
            values.byteswap()
    return values


@lru_cache(maxsize=4096)
def buckets(minute: int, zone: tzinfo) -> tuple[int, int]:
    """The month and day buckets of a minute (the bureau's dates change on whole minutes)."""
    day = local_date(minute * MINUTE_US, zone)
    return month_index(day), day.toordinal()


class Deltas:
    """One batch's changes: its contributions, signed, and the durations of month cells."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.rows: list[tuple[object, ...]] = []
        """(month, day, category, street, channel, organisation, mediator, *counts, amount):
        one per contribution taken out (negative) or put in; month and day None: the backlog."""
        self.durations: dict[DurationKey, dict[int, int]] = {}

    def move(self, old: Iterable[Contribution], new: Iterable[Contribution]) -> None:
        """Take the old contributions out and put the new ones in (unchanged ones stay)."""
        before, after = set(old), set(new)
        for contribution in before - after:
            self._add(contribution, -1)
        for contribution in after - before:
            self._add(contribution, 1)

    def _add(self, contribution: Contribution, sign: int) -> None:
        at = contribution.at_us
        month, day = (None, None) if at is None else buckets(at // MINUTE_US, self.zone)
        counts = contribution.counts if sign > 0 else tuple(-n for n in contribution.counts)
        self.rows.append((month, day, *contribution.keys, *counts, sign * contribution.amount))
        duration = contribution.duration_us
        if duration is None or month is None:
            return
        for dimension, value in ((WHOLE, WHOLE), *zip(DIMENSIONS, contribution.keys, strict=True)):
            changes = self.durations.setdefault((dimension, month, value), {})
            changes[duration] = changes.get(duration, 0) + sign


class CorruptCellError(Exception):
    """A change removes a duration the cell does not hold: the view must be rebuilt."""


def merge(blob: bytes, changes: dict[int, int]) -> bytes:
    """The packed durations after adding (positive) or removing (negative) some."""
    if not any(changes.values()):
        return blob
    values = unpack(blob).tolist()
    for value, n in changes.items():
        for _ in range(-n):
            at = bisect_left(values, value)
            if at == len(values) or values[at] != value:
                raise CorruptCellError(f"duration {value} is not in the cell")
            del values[at]
    values.extend(value for value, n in changes.items() for _ in range(n))
    values.sort()
    return pack(values)
