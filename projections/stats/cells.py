"""Cells: the statistics pre-added per (dimension, value, month or day), and the backlog per value.

A contribution at a business time lands in two cells of each dimension (its month and its day)
and in two cells of the whole (dimension ""); the backlog lands in one cell per dimension
(grain "o"). A cell holds the counters, the agreed amount and the sorted durations of the
cases resolved in it, so sums and exact order statistics both come from cells alone.
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import tzinfo
from functools import lru_cache
from itertools import repeat

from projections.stats.contributions import Contribution
from projections.stats.facts import DIMENSIONS
from projections.stats.figures import COUNTERS
from projections.stats.periods import local_date, month_index

WHOLE = ""
"""The dimension of the whole: one cell per month, per day, and for the backlog."""
MONTH, DAY, OPEN = "m", "d", "o"
"""Grains: a month (bucket = year * 12 + month - 1), a day (bucket = ordinal), the backlog."""

MINUTE_US = 60_000_000

CellKey = tuple[str, str, int, str]
"""(dimension, grain, bucket, value)."""


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
def _grains(minute: int, zone: tzinfo) -> tuple[tuple[str, int], tuple[str, int]]:
    """The month and day buckets of a minute (the bureau's dates change on whole minutes)."""
    day = local_date(minute * MINUTE_US, zone)
    return (MONTH, month_index(day)), (DAY, day.toordinal())


def cell_keys(contribution: Contribution, zone: tzinfo) -> list[CellKey]:
    """Every cell one contribution lands in."""
    at = contribution.at_us
    grains = ((OPEN, 0),) if at is None else _grains(at // MINUTE_US, zone)
    keys: list[CellKey] = []
    for grain, bucket in grains:
        keys.append((WHOLE, grain, bucket, WHOLE))
        keys.extend(zip(DIMENSIONS, repeat(grain), repeat(bucket), contribution.keys))
    return keys


@dataclass(slots=True)
class Cell:
    """A stored cell: counters, agreed amount, and its durations packed (see `pack`)."""

    counts: list[int] = field(default_factory=lambda: [0] * len(COUNTERS))
    amount: int = 0
    durations: bytes = b""

    def is_empty(self) -> bool:
        return not any(self.counts)


class Change:
    """What one batch does to a cell (a plain slotted class: one is made per touched cell)."""

    __slots__ = ("amount", "counts", "durations")

    def __init__(self) -> None:
        self.counts = [0] * len(COUNTERS)
        self.amount = 0
        self.durations: dict[int, int] = {}
        """How many of each duration to add (positive) or remove (negative)."""


class Changes:
    """The cell changes of one batch, added up before anything is written."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.cells: dict[CellKey, Change] = {}

    def move(self, old: Iterable[Contribution], new: Iterable[Contribution]) -> None:
        """Take the old contributions out and put the new ones in (unchanged ones stay)."""
        before, after = set(old), set(new)
        for contribution in before - after:
            self._add(contribution, -1)
        for contribution in after - before:
            self._add(contribution, 1)

    def _add(self, contribution: Contribution, sign: int) -> None:
        pairs = [(i, sign * n) for i, n in enumerate(contribution.counts) if n]
        amount = sign * contribution.amount if contribution.amount else None
        duration = contribution.duration_us
        cells = self.cells
        for key in cell_keys(contribution, self.zone):
            change = cells.get(key)
            if change is None:
                change = cells[key] = Change()
            counts = change.counts
            for i, n in pairs:
                counts[i] += n
            if amount is not None:
                change.amount += amount
            if duration is not None:
                durations = change.durations
                durations[duration] = durations.get(duration, 0) + sign


class CorruptCellError(Exception):
    """A change removes a duration the cell does not hold: the view must be rebuilt."""


def apply(cell: Cell, change: Change) -> Cell:
    """The cell after the change."""
    counts = [a + b for a, b in zip(cell.counts, change.counts, strict=True)]
    durations = cell.durations
    if any(change.durations.values()):
        values = unpack(durations).tolist()
        added = [v for v, n in change.durations.items() for _ in range(n)]
        for value, n in change.durations.items():
            for _ in range(-n):
                at = bisect_left(values, value)
                if at == len(values) or values[at] != value:
                    raise CorruptCellError(f"duration {value} is not in the cell")
                del values[at]
        values.extend(added)
        values.sort()
        durations = pack(values)
    return Cell(counts, cell.amount + change.amount, durations)
