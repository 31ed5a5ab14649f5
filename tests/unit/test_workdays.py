"""One working day: 24 hours of Monday-to-Friday time in the bureau's time zone, against the
oracle's day-by-day count (tests/attention_oracle.py), in a zone without and with DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.workdays import waited_since
from tests.attention_oracle import working_time

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = timedelta(days=1)
TICK = timedelta(microseconds=1)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("received", "flagged_after"),
    [
        ("2026-12-04 17:00", "2026-12-07 17:00"),  # Friday -> Monday
        ("2026-12-05 10:00", "2026-12-08 00:00"),  # Saturday -> Monday's end
        ("2026-12-06 23:59", "2026-12-08 00:00"),  # Sunday
        ("2026-12-07 00:00", "2026-12-08 00:00"),  # Monday's start
        ("2026-12-08 09:30", "2026-12-09 09:30"),  # Tuesday -> Wednesday
    ],
)
def test_a_case_has_waited_a_working_day(received: str, flagged_after: str) -> None:
    at, due = local(received), local(flagged_after)
    assert not at < waited_since(due, SHANGHAI)
    assert at < waited_since(due + TICK, SHANGHAI)


instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@given(
    now=instants,
    back=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=9)),
    zone=st.sampled_from([SHANGHAI, ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]),
)
def test_waited_since_agrees_with_counting_the_working_time(
    now: datetime, back: timedelta, zone: ZoneInfo
) -> None:
    threshold = waited_since(now, zone)
    for at in (now - back, threshold, threshold - TICK, threshold + TICK):
        if at <= now:
            assert (working_time(at, now, zone) > DAY) == (at < threshold), at
