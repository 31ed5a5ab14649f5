"""Monthly reports (月度通报): issue a month's figures once, read them as issued, and what changed.

The figures come from the statistics view through a port (`MonthFigures`, filled by the
composition root): the application layer knows no view, only what it is handed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, Protocol

from application.ports import VersionConflictError, WriteConditions
from application.store import TongjieStore
from domain.errors import ReportIssuedError, ReportNotFoundError
from domain.report import Figures, Month, MonthlyReport, ReportRegister
from domain.values import Actor

DIMENSIONS = ("summary", "category", "street", "organisation", "mediator")
"""What a report holds, in order: the whole district (one row, key None), then per category,
street, organisation and mediator."""
RETRIES = 5


class MonthFigures(Protocol):
    """The statistics of a period per dimension of DIMENSIONS, read in one snapshot."""

    @property
    def as_of_now(self) -> frozenset[str]:
        """The figures that are the backlog at the moment they are read, whatever the period
        (open, overdue, ...): never compared with a later reading."""
        ...

    @property
    def blank(self) -> Mapping[str, Any]:
        """Every figure of a row with no case (what a row that is gone now counts)."""
        ...

    def month_figures(self, start: datetime, end: datetime, now: datetime) -> Figures: ...


@dataclass(frozen=True)
class IssuedReport:
    month: str
    start: datetime
    end: datetime
    position: int
    issued_at: datetime
    issued_by: Actor
    names: list[str]
    rows: dict[str, list[list[Any]]]


@dataclass(frozen=True)
class Difference:
    """One figure of one row that reads otherwise now than it was reported."""

    dimension: str
    key: str | None
    figure: str
    reported: Any
    now: Any


@dataclass(frozen=True)
class ReportNow:
    """A report as issued, the position the figures of now were read at, and what differs."""

    report: IssuedReport
    position_now: int
    differences: list[Difference]


class Reports:
    def __init__(self, store: TongjieStore, figures: MonthFigures, zone: tzinfo) -> None:
        self.store = store
        self.figures = figures
        self.zone = zone

    def issue(
        self, month: str, *, actor: Actor, conditions: WriteConditions[IssuedReport] | None = None
    ) -> IssuedReport:
        """Compute the month's figures now and record them; a month is issued once."""
        which = Month.parse(month)
        for _ in range(RETRIES):
            if self.store.load_or_none(MonthlyReport.id_for(which)) is not None:
                raise ReportIssuedError(str(which))
            now = datetime.now(UTC)
            figures = self.figures.month_figures(which.start(self.zone), which.end(self.zone), now)
            report = MonthlyReport.issue(
                month=which, zone=self.zone, figures=figures, now=now, actor=actor
            )
            register = self._register()
            register.add(which)
            issued = _issued(report)
            try:
                self.store.save_with(conditions, issued, report, register)
            except VersionConflictError:
                continue  # this month issued meanwhile (409 above), or another month listed
            return issued
        raise ReportIssuedError(str(which))

    def get(self, month: str) -> IssuedReport:
        which = Month.parse(month)
        found = self.store.load(MonthlyReport.id_for(which), ReportNotFoundError(str(which)))
        return _issued(found)

    def with_changes(self, month: str) -> ReportNow:
        """The report as issued, and each figure of its month that reads otherwise now."""
        report = self.get(month)
        now = self.figures.month_figures(report.start, report.end, datetime.now(UTC))
        found = differences(report, now, self.figures.as_of_now, self.figures.blank)
        return ReportNow(report, now.position, found)

    def issued(self) -> list[IssuedReport]:
        """Every report issued, the latest month first."""
        return [self.get(month) for month in reversed(self._register().months)]

    def _register(self) -> ReportRegister:
        found = self.store.load_or_none(ReportRegister.ID)
        return found if isinstance(found, ReportRegister) else ReportRegister.open()


def differences(
    report: IssuedReport, now: Figures, as_of_now: frozenset[str], blank: Mapping[str, Any]
) -> list[Difference]:
    """Each (dimension, key, figure) of the month whose value now is not the one reported, in
    the report's order (rows that appeared since after it); a row gone counts as `blank`."""
    names = [n for n in report.names if n in now.names and n not in as_of_now]
    found: list[Difference] = []
    for dimension, reported_rows in report.rows.items():
        then = _by_key(report.names, reported_rows)
        current = _by_key(now.names, now.rows.get(dimension, []))
        keys = list(then) + [key for key in current if key not in then]
        for key in keys:
            before, after = then.get(key, blank), current.get(key, blank)
            found.extend(
                Difference(dimension, key, name, before[name], after[name])
                for name in names
                if before[name] != after[name]
            )
    return found


def _by_key(names: list[str], rows: list[list[Any]]) -> dict[str | None, dict[str, Any]]:
    return {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}


def _issued(report: MonthlyReport) -> IssuedReport:
    return IssuedReport(
        month=report.month,
        start=report.start,
        end=report.end,
        position=report.position,
        issued_at=report.issued_at,
        issued_by=report.issued_by,
        names=report.names,
        rows=report.rows,
    )
