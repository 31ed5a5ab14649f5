"""The bureau's working calendar: when people come to a mediation room, in its time zone.

Intake and mediation happen on working days (Monday to Friday, outside the national holidays
that fall on fixed dates or on the Spring Festival) and in office hours. Business times are
returned in UTC; the working day is the bureau's.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache

SPRING_FESTIVAL = {
    2019: date(2019, 2, 5), 2020: date(2020, 1, 25), 2021: date(2021, 2, 12),
    2022: date(2022, 2, 1), 2023: date(2023, 1, 22), 2024: date(2024, 2, 10),
    2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3),
    2031: date(2031, 1, 23), 2032: date(2032, 2, 11), 2033: date(2033, 1, 31),
    2034: date(2034, 2, 19), 2035: date(2035, 2, 8),
}  # fmt: skip
"""春节 (lunar new year's day); the holiday runs from its eve for a week."""

OFFICE = ((8 * 60 + 30, 210), (13 * 60 + 30, 240))
"""Office hours as (first minute of the day, length in minutes): 8:30-12:00, 13:30-17:30."""
CLOSING = timedelta(hours=17, minutes=30)
DAY = timedelta(days=1)


@cache
def is_holiday(day: date) -> bool:
    """元旦, 春节, 劳动节 and 国庆: the holidays every bureau closes for."""
    if (day.month, day.day) == (1, 1) or (day.month == 5 and day.day <= 5):
        return True
    if day.month == 10 and day.day <= 7:
        return True
    festival = SPRING_FESTIVAL.get(day.year)
    return festival is not None and festival - DAY <= day <= festival + 5 * DAY


@cache
def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def working_days(start: date, end: date) -> list[date]:
    """The working days in [start, end)."""
    days = []
    day = start
    while day < end:
        if is_working_day(day):
            days.append(day)
        day += DAY
    return days


class Clock:
    """Picks business times in one time zone with one random stream."""

    def __init__(self, zone: tzinfo, rng: random.Random) -> None:
        self.zone = zone
        self.rng = rng
        self._days: dict[date, datetime] = {}

    def midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.zone).astimezone(UTC)

    def local_date(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()

    def office_time(self, day: date) -> datetime:
        """A moment of office hours on `day`: mornings are a little busier."""
        start, length = OFFICE[0] if self.rng.random() < 0.55 else OFFICE[1]
        minutes = start + self.rng.randrange(length)
        return self._start_of(day) + timedelta(minutes=minutes)

    def _start_of(self, day: date) -> datetime:
        """The UTC moment the local day begins, for office hours (no time zone moves its
        clocks in office hours, so minutes after this are local minutes)."""
        start = self._days.get(day)
        if start is None:
            noon = datetime.combine(day, time(12), self.zone)
            start = noon.astimezone(UTC) - timedelta(hours=12)
            self._days[day] = start
        return start

    def after(self, earlier: datetime, working_days_later: int) -> datetime:
        """Office hours `working_days_later` working days after `earlier` (0: the same day,
        later than `earlier`, or the next working day when the day is over)."""
        day = self.local_date(earlier)
        for _ in range(working_days_later):
            day = _next_working_day(day)
        if working_days_later == 0:
            left = self._start_of(day) + CLOSING - earlier
            if left > timedelta(minutes=20):
                minutes = 5 + self.rng.randrange(int(left.total_seconds()) // 60 - 5)
                return earlier + timedelta(minutes=minutes)
            day = _next_working_day(day)
        return self.office_time(day)

    def within(self, earlier: datetime, limit: datetime) -> datetime:
        """A moment between `earlier` and `limit` (a case squeezed before a deadline)."""
        span = (limit - earlier).total_seconds()
        offset = span * self.rng.uniform(0.15, 0.6)
        if span > 4:
            offset = max(1, int(offset))  # whole seconds, as people report times
        return earlier + timedelta(seconds=offset)


@cache
def _next_working_day(day: date) -> date:
    day += DAY
    while not is_working_day(day):
        day += DAY
    return day
