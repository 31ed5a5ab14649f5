"""The formulas and the display, by hand, and by property against exact fractions."""

from __future__ import annotations

import itertools
import math
import struct
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValueError
from projections.stats.answer import Picks
from projections.stats.figures import (
    DAY_US,
    cents,
    display_rate,
    median_days,
    money,
    p90_days,
    percent,
    ratio,
)
from projections.stats.periods import as_micros, midnight, period, plan

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_reports_rate_is_truncated_to_99_78_or_rounded_half_up_to_99_79() -> None:
    assert ratio(7498, 7514) == 7498 / 7514
    assert percent(7498, 7514) == "99.78%"  # as the bureau's report prints it
    assert display_rate(7498 / 7514) == "99.78%"
    assert percent(7498, 7514, "half_up") == "99.79%"
    assert display_rate(7498 / 7514, "half_up") == "99.79%"
    assert percent(1, 8) == percent(1, 8, "half_up") == "12.50%"
    assert percent(1, 160, "half_up") == "0.63%"  # 0.625: half up, not to even
    assert display_rate(1 / 160, "half_up") == "0.63%"
    assert percent(1, 160) == display_rate(1 / 160) == "0.62%"
    assert display_rate(0.29) == "29.00%"  # its shortest decimal, not 0.28999…
    assert percent(0, 5) == "0.00%"
    assert percent(3, 0) is None
    assert display_rate(None) == "—"
    assert ratio(1, 0) is None


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_percent_is_the_exact_ratio_truncated_or_rounded_half_up(
    numerator: int, denominator: int
) -> None:
    exact = Fraction(numerator * 100, denominator)
    hundredths = math.floor(exact * 100 + Fraction(1, 2))
    shown = f"{hundredths // 100}.{hundredths % 100:02d}%"
    assert percent(numerator, denominator, "half_up") == shown
    cut = math.floor(exact * 100)
    assert percent(numerator, denominator) == f"{cut // 100}.{cut % 100:02d}%"


def test_median_of_an_even_count_is_the_mean_and_p90_the_nearest_rank() -> None:
    hours = [6, 30, 48, 72, 100, 120, 200, 240, 300, 1000]
    durations = [h * 3_600_000_000 for h in hours]
    assert median_days(durations) == (100 + 120) / 2 / 24
    assert p90_days(durations) == 300 / 24
    assert median_days(durations[:3]) == 30 / 24
    assert p90_days(durations[:1]) == 6 / 24
    assert median_days([]) is None
    assert p90_days([]) is None


@given(st.lists(st.integers(0, 10**14), min_size=1, max_size=60))
def test_median_and_p90_equal_exact_fractions(values: list[int]) -> None:
    ordered = sorted(values)
    n = len(ordered)
    days = [Fraction(v, DAY_US) for v in ordered]
    median = days[n // 2] if n % 2 else (days[n // 2 - 1] + days[n // 2]) / 2
    assert median_days(ordered) == float(median)
    assert p90_days(ordered) == float(days[math.ceil(Fraction(9 * n, 10)) - 1])


def test_money_in_cents() -> None:
    assert cents(Decimal("1200")) == 120000
    assert cents(Decimal("800.5")) == 80050
    assert money(120000) == "1200.00"
    assert money(5) == "0.05"
    assert money(0) == "0.00"


def test_a_period_is_cut_into_months_days_and_partial_days() -> None:
    start = datetime(2025, 1, 15, 10, tzinfo=SHANGHAI)
    end = datetime(2025, 4, 3, 12, tzinfo=SHANGHAI)
    pieces = plan(as_micros(start), as_micros(end), SHANGHAI)
    assert pieces.months == ((2025 * 12 + 1, 2025 * 12 + 3),)  # February and March
    assert pieces.days == (
        (date(2025, 1, 16).toordinal(), date(2025, 2, 1).toordinal()),
        (date(2025, 4, 1).toordinal(), date(2025, 4, 3).toordinal()),
    )
    assert pieces.partial == (
        (as_micros(start), midnight(date(2025, 1, 16), SHANGHAI)),
        (midnight(date(2025, 4, 3), SHANGHAI), as_micros(end)),
    )
    year = plan(
        midnight(date(2025, 1, 1), SHANGHAI), midnight(date(2026, 1, 1), SHANGHAI), SHANGHAI
    )
    assert (year.months, year.days, year.partial) == (((2025 * 12, 2026 * 12),), (), ())
    inside = plan(as_micros(start), as_micros(start) + 5, SHANGHAI)
    assert (inside.months, inside.days, inside.partial) == (
        (),
        (),
        ((as_micros(start), as_micros(start) + 5),),
    )


@given(
    st.datetimes(datetime(2019, 1, 1), datetime(2027, 1, 1), timezones=st.just(UTC)),
    st.integers(1, 10**6 * 86400 * 800),
)
def test_the_pieces_cover_the_period_exactly_once(start: datetime, length: int) -> None:
    """Every instant of [from, to) lies in exactly one piece, and no instant outside does."""
    first = as_micros(start)
    pieces = plan(first, first + length, SHANGHAI)
    spans = list(pieces.partial)
    for a, b in pieces.days:
        spans.append(
            (midnight(date.fromordinal(a), SHANGHAI), midnight(date.fromordinal(b), SHANGHAI))
        )
    for a, b in pieces.months:
        begin = midnight(date(a // 12, a % 12 + 1, 1), SHANGHAI)
        spans.append((begin, midnight(date(b // 12, b % 12 + 1, 1), SHANGHAI)))
    spans.sort()
    assert spans[0][0] == first
    assert spans[-1][1] == first + length
    for (_, end), (begin, _) in itertools.pairwise(spans):
        assert end == begin


def test_the_default_period_and_bad_bounds() -> None:
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    assert period(None, None, now, SHANGHAI) == (datetime(2026, 1, 1, tzinfo=SHANGHAI), now)
    begin, end = period(None, date(2025, 10, 1), now, SHANGHAI)
    assert (begin, end) == (
        datetime(2025, 1, 1, tzinfo=SHANGHAI),
        datetime(2025, 10, 1, tzinfo=SHANGHAI),
    )
    offset = datetime(2025, 7, 1, tzinfo=timezone(timedelta(hours=-5)))
    assert period(offset, None, now, SHANGHAI) == (offset, now)
    with pytest.raises(InvalidValueError) as empty:
        period(date(2025, 7, 1), date(2025, 7, 1), now, SHANGHAI)
    assert empty.value.field == "to"
    with pytest.raises(InvalidValueError) as early:
        period(date(1, 1, 2), None, now, SHANGHAI)
    assert early.value.field == "from"
    with pytest.raises(InvalidValueError) as last_century:  # the floor of every time
        period(datetime(1999, 12, 31, 23, 59, tzinfo=SHANGHAI), None, now, SHANGHAI)
    assert last_century.value.field == "from"
    assert period(date(2000, 1, 1), date(2000, 2, 1), now, SHANGHAI)[0].year == 2000


@given(st.lists(st.integers(0, 10**13), min_size=1, max_size=60))
def test_the_ranks_picked_by_the_server_give_the_median_and_p90_of_the_whole_list(
    durations: list[int],
) -> None:
    ordered = sorted(durations)
    n = len(ordered)
    # What the server sends for one cell's list: n and the ranks (n-1)//2, n//2, ceil(0.9n)-1.
    ranks = ((n - 1) // 2, n // 2, (9 * n + 9) // 10 - 1)
    packed = struct.pack(">4q", n, *(ordered[r] for r in ranks))
    picks = Picks.unpacked(packed)
    assert median_days(picks) == median_days(ordered)
    assert p90_days(picks) == p90_days(ordered)
    with pytest.raises(IndexError):
        picks[n]  # nothing else was picked
