"""A period is widened to the cells' boundaries only across spans where nothing happened."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from projections.engine.view import Tables
from projections.stats.periods import as_micros, midnight
from projections.stats.widen import widened

ZONE = ZoneInfo("Asia/Shanghai")


class Probe:
    """Answers the probe with the last time before the period and the first at or after it."""

    dialect = "sqlite"

    def __init__(self, before: int | None, after: int | None) -> None:
        self.row = (before, None, None, after)

    def execute(self, statement: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        assert "MAX(received_us)" in statement
        return [self.row]


def at(*parts: int) -> int:
    return as_micros(datetime(*parts, tzinfo=ZONE))  # type: ignore[misc]


def widen(before: int | None, after: int | None, start: int, end: int) -> tuple[int, int]:
    return widened(Probe(before, after), Tables("stats", 1), start, end, ZONE)  # type: ignore[arg-type]


def test_this_year_to_date_with_nothing_after_now_is_the_whole_year() -> None:
    start, now = at(2026, 1, 1), at(2026, 11, 30, 9, 15)
    assert widen(None, None, start, now) == (start, midnight(date(2027, 1, 1), ZONE))


def test_a_receipt_or_resolution_after_the_end_stops_the_widening_before_it() -> None:
    start, end = at(2026, 1, 1), at(2026, 11, 30, 9, 15)
    assert widen(None, end, start, end) == (start, end)  # at the end itself: not at all
    later_today = at(2026, 11, 30, 18)
    assert widen(None, later_today, start, end) == (start, end)
    tomorrow = at(2026, 12, 1, 0)  # at the day's end: the day is whole, the month too
    assert widen(None, tomorrow, start, end) == (start, tomorrow)
    december = at(2026, 12, 5)
    assert widen(None, december, start, end) == (start, midnight(date(2026, 12, 1), ZONE))


def test_the_start_goes_back_only_past_empty_spans() -> None:
    start, end = at(2026, 2, 10, 12), at(2026, 3, 1)
    assert widen(None, None, start, end)[0] == at(2026, 1, 1)
    assert widen(at(2026, 2, 10, 11, 59), None, start, end)[0] == start
    assert widen(at(2026, 2, 9, 23), None, start, end)[0] == at(2026, 2, 10)
    assert widen(at(2026, 1, 31), None, start, end)[0] == at(2026, 2, 1)


def test_whole_years_are_not_probed() -> None:
    start, end = at(2025, 1, 1), at(2026, 1, 1)
    assert widen(start + 1, start + 2, start, end) == (start, end)
