"""Cells: the statistics pre-added per (dimension, value, year, quarter, month or day), and the
backlog per value.

A contribution at a business time adds to the year, quarter and month cells of the whole
(dimension "") and of each dimension, and to the day cell of the whole and of the dimensions
with few values; the backlog adds to one cell per dimension (grain "o"). The database adds
them up (sums.py). The year, quarter and month cells also keep the sorted durations of the
cases resolved in them (packed), merged here, so a year's medians come from one cell per key;
and those of the cases received in them that are resolved by now (the cohort's), for the
cohort's median.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, insort
from collections.abc import Iterable
from datetime import date, tzinfo
from functools import lru_cache

from projections.stats.contributions import RECEIVED, Contribution
from projections.stats.facts import DIMENSIONS, ONE_US, instant
from projections.stats.periods import local_date, month_index, week_index

WHOLE = ""
"""The dimension of the whole: one cell per year, quarter, month, day, and for the backlog."""
YEAR, QUARTER, MONTH, WEEK, DAY, OPEN = "y", "q", "m", "w", "d", "o"
"""Grains: a year (bucket = year), a quarter (year * 4 + quarter - 1), a month (year * 12 +
month - 1), an ISO week (bucket = `periods.week_index` of its days), a day (bucket = ordinal),
the backlog (bucket 0)."""
SPANS = (YEAR, QUARTER, MONTH)
"""The grains every dimension has, with the durations of the cases resolved in them."""
PER_MONTH = {YEAR: 12, QUARTER: 3, MONTH: 1}
"""A span's bucket is the month's index divided by this."""
DAY_DIMENSIONS = (WHOLE, "category", "street", "channel")
"""The dimensions with day and week cells: they have few values, so few day cells. An
organisation's or a mediator's part of a month is summed from the facts of that month's days
instead. Week cells keep durations, as the spans do: weeks do not nest in months, and a week's
medians would otherwise read its cases."""
_DAY_INDEXES = tuple(DIMENSIONS.index(d) for d in DAY_DIMENSIONS if d)

DurationKey = tuple[str, str, int, str]
"""(dimension, grain, bucket, value) of a cell whose durations change."""


def pack(durations: Iterable[int]) -> bytes:
    """Durations as big-endian signed 64-bit integers (PostgreSQL's `int8send`), ascending."""
    values = array("q", durations)
    if _LITTLE:
        values.byteswap()
    return values.tobytes()


def unpack(blob: bytes | None) -> array[int]:
    values = array("q")
    if blob:
        values.frombytes(blob)
        if _LITTLE:
            values.byteswap()
    return values


_LITTLE = array("q", [1]).tobytes()[0] == 1


HOUR_US = 3_600_000_000
DAY_US = 86_400_000_000
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def buckets(us: int, zone: tzinfo) -> tuple[int, int]:
    """The month and day buckets (in the bureau's time zone) of a time in microseconds."""
    offset = _offset(us // HOUR_US, zone)
    if offset is None:  # the zone's offset changes within this hour
        day = local_date(us, zone).toordinal()
    else:
        day = (us + offset) // DAY_US + EPOCH_ORDINAL
    return _month(day), day


@lru_cache(maxsize=65536)
def _offset(hour: int, zone: tzinfo) -> int | None:
    """The zone's offset from UTC (microseconds) throughout this UTC hour, if it has one."""
    first, last = hour * HOUR_US, (hour + 1) * HOUR_US - 1
    offsets = {instant(us).astimezone(zone).utcoffset() for us in (first, last)}
    if len(offsets) != 1:
        return None
    offset = offsets.pop()
    return None if offset is None else offset // ONE_US


@lru_cache(maxsize=65536)
def _month(ordinal: int) -> int:
    return month_index(date.fromordinal(ordinal))


class Deltas:
    """One batch's changes: its contributions, signed, and the durations of span cells."""

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        self.rows: list[tuple[object, ...]] = []
        """(month, day, category, street, channel, organisation, mediator, *counts, amount):
        one per contribution taken out (negative) or put in; month and day None: the backlog."""
        self.durations: dict[DurationKey, dict[int, int]] = {}
        """Of the resolutions, by the cells of their resolution's time."""
        self.cohort: dict[DurationKey, dict[int, int]] = {}
        """Of the resolved cases' receipts, by the cells of their receipt's time."""

    def move(self, old: Iterable[Contribution], new: Iterable[Contribution]) -> None:
        """Take the old contributions out and put the new ones in (unchanged ones stay)."""
        before, after = set(old), set(new)
        for contribution in before - after:
            self._add(contribution, -1)
        for contribution in after - before:
            self._add(contribution, 1)

    def _add(self, contribution: Contribution, sign: int) -> None:
        at = contribution.at_us
        month, day = (None, None) if at is None else buckets(at, self.zone)
        counts = contribution.counts if sign > 0 else tuple(-n for n in contribution.counts)
        self.rows.append((month, day, *contribution.keys, *counts, sign * contribution.amount))
        duration = contribution.duration_us
        if duration is None or month is None or day is None:
            return
        pairs = ((WHOLE, WHOLE), *zip(DIMENSIONS, contribution.keys, strict=True))
        kept = self.cohort if contribution.kind == RECEIVED else self.durations
        for grain in SPANS:
            bucket = month // PER_MONTH[grain]
            for dimension, value in pairs:
                changes = kept.setdefault((dimension, grain, bucket, value), {})
                changes[duration] = changes.get(duration, 0) + sign
        week = week_index(day)
        keys = contribution.keys
        for dimension, value in ((WHOLE, WHOLE), *((DIMENSIONS[i], keys[i]) for i in _DAY_INDEXES)):
            changes = kept.setdefault((dimension, WEEK, week, value), {})
            changes[duration] = changes.get(duration, 0) + sign


class CorruptCellError(Exception):
    """A change removes a duration the cell does not hold: the view must be rebuilt."""


def merge(blob: bytes, changes: dict[int, int]) -> bytes:
    """The packed durations after adding (positive) or removing (negative) some."""
    if not any(changes.values()):
        return blob
    values = unpack(blob)
    for value, n in changes.items():
        for _ in range(-n):
            at = bisect_left(values, value)
            if at == len(values) or values[at] != value:
                raise CorruptCellError(f"duration {value} is not in the cell")
            del values[at]
        for _ in range(n):
            insort(values, value)
    return pack(values)
