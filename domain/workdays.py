"""Working days: Monday to Friday, whole days in the bureau's time zone.

"Unrouted for more than one working day" (the attention list) counts only the time that falls
on working days: a case received on Friday at 17:00 has waited one working day on Monday at
17:00; one received on Saturday, on Monday at midnight (Tuesday 00:00). Public holidays (and
the weekend days China works instead of them, 调休) are not known to Tongjie: they count as
the weekdays they fall on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

ONE_WORKING_DAY = timedelta(days=1)
"""24 hours of time on working days."""


def is_working_day(day: date) -> bool:
    return day.weekday() < 5


def _start(day: date, zone: tzinfo) -> datetime:
    """The day's first moment in `zone`, in UTC (so arithmetic holds across DST changes)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def waited_since(now: datetime, zone: tzinfo, span: timedelta = ONE_WORKING_DAY) -> datetime:
    """The moment before which something must have happened to have waited more than `span`
    of working time by `now`: whatever happened at `t` has waited more than `span` by `now`
    exactly when `t` is before the moment returned.

    Walks back from `now` over the days in `zone`, spending `span` on working days only;
    when it is spent at the start of a working day, the non-working days before it are passed
    too (a case received on Sunday has not waited longer than one received on Monday at 00:00).
    """
    end = now.astimezone(UTC)
    day = now.astimezone(zone).date()
    remaining = span
    while True:
        start = _start(day, zone)
        if is_working_day(day):
            spent = end - start
            if spent > remaining:
                return end - remaining
            remaining -= spent
            if not remaining:
                day -= timedelta(days=1)
                while not is_working_day(day):
                    start = _start(day, zone)
                    day -= timedelta(days=1)
                return start
        end, day = start, day - timedelta(days=1)
