"""A monthly report's month, its rules, and the differences between its figures and now's."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from application.reports import IssuedReport, differences
from domain.errors import InvalidValueError, MonthNotEndedError
from domain.report import Figures, Month, MonthlyReport
from domain.values import Actor, Role

ZONE = ZoneInfo("Asia/Shanghai")
BOSS = Actor(id="u1", login="boss", role=Role.SUPERVISOR)


def test_a_month_runs_from_midnight_of_its_first_day_to_the_next_months_in_the_bureaus_zone() -> (
    None
):
    december = Month.parse("2025-12")
    assert str(december) == "2025-12"
    assert december.start(ZONE).isoformat() == "2025-12-01T00:00:00+08:00"
    assert december.end(ZONE).isoformat() == "2026-01-01T00:00:00+08:00"
    assert Month.parse("2026-01").end(ZONE).isoformat() == "2026-02-01T00:00:00+08:00"


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "2025-1", "25-01", "", "1999-12", "x"])
def test_a_month_is_yyyy_mm_from_2000(text: str) -> None:
    with pytest.raises(InvalidValueError) as raised:
        Month.parse(text)
    assert raised.value.field == "month"


def _figures(received: int) -> Figures:
    return Figures(position=7, names=["received", "open"], rows={"summary": [[None, received, 1]]})


def test_a_month_is_reported_once_it_has_ended_and_the_event_holds_its_figures() -> None:
    march = Month(2025, 3)
    ended = datetime(2025, 3, 31, 16, 0, tzinfo=UTC)  # 1 April 00:00 in Shanghai
    with pytest.raises(MonthNotEndedError) as raised:
        MonthlyReport.issue(
            month=march,
            zone=ZONE,
            figures=_figures(3),
            now=ended.replace(minute=0, second=0, hour=15),
            actor=BOSS,
        )
    assert "2025-04-01T00:00:00+08:00" in raised.value.message_in(ZONE)
    report = MonthlyReport.issue(month=march, zone=ZONE, figures=_figures(3), now=ended, actor=BOSS)
    assert report.id == MonthlyReport.id_for(Month.parse("2025-03"))
    (event,) = report.collect_events()
    assert type(event).__name__ == "ReportIssued"
    assert (event.position, event.rows, event.issued_at) == (7, {"summary": [[None, 3, 1]]}, ended)
    with pytest.raises(InvalidValueError):
        MonthlyReport.issue(
            month=march,
            zone=ZONE,
            figures=Figures(1, ["received"], {"summary": [[None, 1, 2]]}),
            now=ended,
            actor=BOSS,
        )


def _issued(rows: dict[str, list[list[object]]]) -> IssuedReport:
    start = Month(2025, 3).start(ZONE)
    return IssuedReport("2025-03", start, start, 7, start, BOSS, ["received", "open"], rows)


def test_differences_name_each_figure_that_moved_a_row_gone_counts_as_blank_the_backlog_never() -> (
    None
):
    report = _issued({"street": [["东湖街道", 3, 1], ["西山街道", 1, 0]]})
    now = Figures(9, ["received", "open"], {"street": [["西山街道", 1, 5], ["北关街道", 2, 0]]})
    found = differences(report, now, frozenset({"open"}), {"received": 0, "open": 0})
    assert [(d.key, d.figure, d.reported, d.now) for d in found] == [
        ("东湖街道", "received", 3, 0),
        ("北关街道", "received", 0, 2),
    ]
