"""Monthly reports (月度通报): a month's figures as they were issued to the city, never changed.

One aggregate per month, its id derived from the month, so a month is issued once by
construction (a second issue conflicts in the store). The event holds the figures themselves
and the store position they were computed at: later events (a late entry, a correction of a
resolved case) change the statistics, never the report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValueError, MonthNotEndedError
from domain.reference import derived_id
from domain.times import EARLIEST_DATE
from domain.values import Actor

_MONTH = re.compile(r"(\d{4})-(\d{2})")
LATEST_YEAR = 9998


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month in the bureau's time zone: `2026-03`."""

    year: int
    number: int

    @classmethod
    def parse(cls, text: str, field: str = "month") -> Month:
        found = _MONTH.fullmatch(text.strip()) if isinstance(text, str) else None
        if found is None or not 1 <= int(found[2]) <= 12:
            raise InvalidValueError(field, f"a month as YYYY-MM (2026-03), not {text!r}")
        month = cls(int(found[1]), int(found[2]))
        if not EARLIEST_DATE.year <= month.year <= LATEST_YEAR:
            raise InvalidValueError(field, f"from {EARLIEST_DATE:%Y-%m} to {LATEST_YEAR}-12")
        return month

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"

    def start(self, zone: tzinfo) -> datetime:
        """Midnight of its first day, in the bureau's zone."""
        return datetime.combine(date(self.year, self.number, 1), time(0), tzinfo=zone)

    def end(self, zone: tzinfo) -> datetime:
        """Midnight of the next month's first day (exclusive)."""
        year, number = divmod(self.year * 12 + self.number, 12)
        return Month(year, number + 1).start(zone)


@dataclass(frozen=True, slots=True)
class Figures:
    """What a report records of each dimension: the figures' names (its columns, as they were
    when it was issued) and, per dimension, rows of `[key, value of each name...]`."""

    position: int
    """The store position the statistics had applied when they were computed."""
    names: list[str]
    rows: dict[str, list[list[Any]]]


class MonthlyReport(Aggregate):
    """One month's report (月度通报), as issued."""

    class ReportIssued(Aggregate.Created):
        month: str
        start: datetime
        end: datetime
        position: int
        names: list[str]
        rows: dict[str, list[list[Any]]]
        issued_at: datetime
        actor: Actor

    def __init__(
        self,
        month: str,
        start: datetime,
        end: datetime,
        position: int,
        names: list[str],
        rows: dict[str, list[list[Any]]],
        issued_at: datetime,
        actor: Actor,
    ) -> None:
        self.month = month
        self.start = start
        self.end = end
        self.position = position
        self.names = names
        self.rows = rows
        self.issued_at = issued_at
        self.issued_by = actor

    @staticmethod
    def id_for(month: Month) -> UUID:
        return derived_id("monthly-report", str(month))

    @classmethod
    def issue(
        cls, *, month: Month, zone: tzinfo, figures: Figures, now: datetime, actor: Actor
    ) -> MonthlyReport:
        """The report of a month that has ended by `now` (the time its figures were computed)."""
        start, end = month.start(zone), month.end(zone)
        if end > now:
            raise MonthNotEndedError(str(month), end)
        width = 1 + len(figures.names)
        if any(len(row) != width for rows in figures.rows.values() for row in rows):
            raise InvalidValueError("figures", f"every row holds a key and {width - 1} figures")
        return cls._create(
            cls.ReportIssued,
            id=cls.id_for(month),
            month=str(month),
            start=start,
            end=end,
            position=figures.position,
            names=list(figures.names),
            rows={name: [list(row) for row in rows] for name, rows in figures.rows.items()},
            issued_at=now,
            actor=actor,
        )


class ReportRegister(Aggregate):
    """The months whose reports are issued: saved with each report, so a list never misses one."""

    ID = derived_id("report-register", "monthly")

    class Opened(Aggregate.Created):
        pass

    class Listed(Aggregate.Event):
        month: str

        def apply(self, aggregate: Any) -> None:
            aggregate.months = sorted([*aggregate.months, self.month])

    def __init__(self) -> None:
        self.months: list[str] = []

    @classmethod
    def open(cls) -> ReportRegister:
        return cls._create(cls.Opened, id=cls.ID)

    def add(self, month: Month) -> None:
        if str(month) not in self.months:
            self.trigger_event(self.Listed, month=str(month))
