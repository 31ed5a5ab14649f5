"""Business times: when a step happened, as the mediator reports it; deadlines; their bounds.

Every time a command or a query takes is bounded here, and only here (docs/domain.md):

- it carries a UTC offset that a real time zone has, from -12:00 to +14:00;
- it is not before 2000-01-01T00:00:00 in the bureau's time zone (`EARLIEST_DATE`): the bureau
  loads its earlier paper records, but not the last century's, and nothing older than the
  bound can then reach the views or the statistics, whose periods start there too;
- a business time (`received_at`, `held_at`, ...) is not in the future, `CLOCK_SKEW` allowed;
- a deadline (`due_at`, `new_due_at`) is at most `DEADLINE_HORIZON` after the routing;
- a planned time (a mediator's absence) is at most `PLANNING_HORIZON` after now;
- a query's moment (a period's bound, a replay's `as_of`) is before `LATEST_QUERY_DATE`.

Comparisons of aware datetimes never overflow, conversions to another offset may (a time of
the year 9999 at -12:00 is the year 10000 in UTC), so the checks only compare.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from domain.errors import FutureTimeError, NaiveTimeError, TimeOutOfRangeError

CLOCK_SKEW = timedelta(minutes=5)
MEDIATION_PERIOD = timedelta(days=30)  # 一个月内调结 (rules Art. 33)
MAX_EXTENSION = timedelta(days=30)
JUDICIAL_CONFIRMATION_PERIOD = timedelta(days=30)  # Law Art. 33

EARLIEST_DATE = date(2000, 1, 1)
"""No time before this day's midnight in the bureau's time zone."""
DEADLINE_HORIZON = timedelta(days=365)
"""A deadline lies at most 365 × 24 hours after the routing that sets it."""
PLANNING_HORIZON = timedelta(days=365)
"""A time planned ahead (a mediator's absence) lies at most 365 × 24 hours after now."""
LATEST_QUERY_DATE = date(9999, 1, 1)
"""A query's moment lies before this day: far beyond any case, short of datetime's limits."""
OFFSETS = (timedelta(hours=-12), timedelta(hours=14))
"""The UTC offsets real time zones have (Baker Island to Kiribati's Line Islands)."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def business_time(field: str, at: datetime | None, now: datetime) -> datetime:
    """The time a step happened: `at` if given (aware, not in the future), else now."""
    if at is None:
        return now
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveTimeError(field)
    if at > now + CLOCK_SKEW:
        raise FutureTimeError(field)
    return at


def aware(field: str, at: datetime) -> datetime:
    """A time that may lie in the future (a deadline), but must carry an offset."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveTimeError(field)
    return at


def latest_due(routed_at: datetime) -> datetime:
    """The latest deadline a routing at `routed_at` may set, or an extension reach."""
    return routed_at + DEADLINE_HORIZON


def within_horizon(field: str, due: datetime, routed_at: datetime) -> datetime:
    """`due`, if it lies at most `DEADLINE_HORIZON` after `routed_at`."""
    latest = latest_due(routed_at)
    if due > latest:
        raise TimeOutOfRangeError(
            field,
            "must be at most 365 days after the routing, not after {latest}",
            {"latest": latest},
        )
    return due


@dataclass(frozen=True)
class TimeBounds:
    """The bounds of the times Tongjie takes, in the bureau's time zone `zone`."""

    zone: tzinfo

    @property
    def earliest(self) -> datetime:
        return datetime.combine(EARLIEST_DATE, time(0), tzinfo=self.zone)

    def business_time(self, field: str, at: datetime, now: datetime) -> datetime:
        """A business time: from the earliest to now (with the clock skew allowed)."""
        self._from_earliest(field, at)
        if at > now + CLOCK_SKEW:
            raise FutureTimeError(field)
        return at

    def deadline(self, field: str, at: datetime, now: datetime) -> datetime:
        """A deadline: from the earliest to a horizon after now (the case checks it against
        its routing, `within_horizon`)."""
        self._from_earliest(field, at)
        return within_horizon(field, at, now + CLOCK_SKEW)

    def planned(self, field: str, at: datetime, now: datetime) -> datetime:
        """A time planned ahead (an absence's `from` and `to`): from the earliest to
        `PLANNING_HORIZON` after now."""
        self._from_earliest(field, at)
        latest = now + CLOCK_SKEW + PLANNING_HORIZON
        if at > latest:
            raise TimeOutOfRangeError(
                field, "must be at most 365 days ahead, not after {latest}", {"latest": latest}
            )
        return at

    def moment(self, field: str, at: datetime) -> datetime:
        """A query's moment (a period's bound, a replay's `as_of`): the earliest to the latest."""
        self._from_earliest(field, at)
        if at >= datetime.combine(LATEST_QUERY_DATE, time(0), tzinfo=UTC):
            raise TimeOutOfRangeError(field, f"must be before {LATEST_QUERY_DATE.isoformat()}")
        return at

    def _from_earliest(self, field: str, at: datetime) -> None:
        offset = at.utcoffset()
        if offset is None:
            raise NaiveTimeError(field)
        if not OFFSETS[0] <= offset <= OFFSETS[1]:
            raise TimeOutOfRangeError(field, "its UTC offset must lie between -12:00 and +14:00")
        earliest = self.earliest
        if at < earliest:
            raise TimeOutOfRangeError(
                field,
                f"must not be before {earliest.isoformat()} "
                f"({EARLIEST_DATE.isoformat()} in the bureau's time zone)",
            )


def in_zone(at: datetime, zone: tzinfo) -> datetime:
    """`at` in the bureau's time zone, or as it was given when that zone cannot show it (a
    time near the year 1 or 9999, stored before the bounds existed): a read never fails."""
    try:
        return at.astimezone(zone)
    except (OverflowError, ValueError):
        return at
