"""Periods [from, to) in the bureau's time zone, cut into the pieces the cells answer.

A period is read as whole months, then whole days at either end, then the hours of at most
two partial days, which come from the per-case facts. A dashboard's year reads twelve month
cells and a few day cells per key, however many cases the year holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from domain.errors import InvalidValueError
from domain.times import TimeBounds
from projections.stats.facts import EPOCH, ONE_US, instant

Range = tuple[int, int]
"""[first, last) of buckets or of microseconds."""


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def week_index(ordinal: int) -> int:
    """The ISO week (Monday to Sunday) a day's ordinal falls in, counted from the first week of
    the proleptic calendar (1 January of the year 1 was a Monday, ordinal 1)."""
    return (ordinal - 1) // 7


def week_column(day_column: str) -> str:
    """`week_index` of a column of day ordinals, in SQL (positive integers: both databases
    divide them as integers)."""
    return f"(({day_column} - 1) / 7)"


@lru_cache(maxsize=4096)
def week_label(index: int) -> str:
    """An ISO week as `YYYY-Www` (its ISO year: the year of its Thursday)."""
    year, week, _ = date.fromordinal(index * 7 + 1).isocalendar()
    return f"{year:04d}-W{week:02d}"


def first_of_month(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def local_date(us: int, zone: tzinfo) -> date:
    return instant(us).astimezone(zone).date()


def midnight(day: date, zone: tzinfo) -> int:
    """The first microsecond of `day` in the bureau's time zone."""
    return (datetime.combine(day, time(0), tzinfo=zone) - EPOCH) // ONE_US


def as_micros(moment: datetime) -> int:
    return (moment - EPOCH) // ONE_US


@dataclass(frozen=True, slots=True)
class Plan:
    """The pieces of one period: month buckets, day buckets, and partial days in microseconds."""

    months: tuple[Range, ...]
    days: tuple[Range, ...]
    partial: tuple[Range, ...]


def plan(start_us: int, end_us: int, zone: tzinfo) -> Plan:
    """Cut [start, end) into whole months, whole days and at most two partial days."""
    if start_us >= end_us:
        return Plan((), (), ())
    first_day = local_date(start_us, zone)
    if midnight(first_day, zone) < start_us:
        first_day += timedelta(days=1)
    last_day = local_date(end_us, zone)  # exclusive: the day `end` falls in is partial or empty
    day_start, day_end = midnight(first_day, zone), midnight(last_day, zone)
    if first_day >= last_day:
        return Plan((), (), ((start_us, end_us),))
    partial = tuple(r for r in ((start_us, day_start), (day_end, end_us)) if r[0] < r[1])
    first_month = month_index(first_day) + (first_day.day != 1)
    last_month = month_index(last_day)
    if first_month >= last_month:
        return Plan((), ((first_day.toordinal(), last_day.toordinal()),), partial)
    head = (first_day.toordinal(), first_of_month(first_month).toordinal())
    tail = (first_of_month(last_month).toordinal(), last_day.toordinal())
    days = tuple(r for r in (head, tail) if r[0] < r[1])
    return Plan(((first_month, last_month),), days, partial)


def spans(months: Range) -> list[tuple[str, Range]]:
    """Whole months cut into whole years, then whole quarters at either end, then months at
    either end: (grain, [first, last) of its buckets); years are `y`, quarters `q`, months `m`."""
    first, last = months
    if first >= last:
        return []
    pieces: list[tuple[str, Range]] = []
    grain = "m"
    for upper, per in (("q", 3), ("y", 4)):
        inner = (-(-first // per), last // per)
        if inner[0] >= inner[1]:
            break
        ends = ((first, inner[0] * per), (inner[1] * per, last))
        pieces += [(grain, r) for r in ends if r[0] < r[1]]
        grain, (first, last) = upper, inner
    pieces.append((grain, (first, last)))
    return pieces


Bound = date | datetime
"""A period's bound as a user gives it: a date (midnight in the bureau's time zone) or a time."""


def moment(bound: Bound, zone: tzinfo) -> datetime:
    """A date as its midnight in the bureau's time zone; a time as it is (it has an offset)."""
    if isinstance(bound, datetime):
        return bound
    return datetime.combine(bound, time(0), tzinfo=zone)


def period(
    start: Bound | None, end: Bound | None, now: datetime, zone: tzinfo
) -> tuple[datetime, datetime]:
    """[from, to): by default this year to date; `from` alone runs to now, `to` alone from the
    first of January of the year it ends in."""
    bounds = TimeBounds(zone)  # the bounds of every time: from 2000-01-01 in the bureau's zone
    stop = bounds.moment("to", now if end is None else moment(end, zone))
    if start is None:
        last = (stop - ONE_US).astimezone(zone)
        begin = datetime(last.year, 1, 1, tzinfo=zone)
    else:
        begin = bounds.moment("from", moment(start, zone))
    if stop <= begin:
        raise InvalidValueError("to", "must be after from ({begin})", {"begin": begin})
    return begin, stop
