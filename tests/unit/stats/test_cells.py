"""The cells' buckets of a time, and a period's whole months cut into years and quarters."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from projections.stats.cells import PER_MONTH, buckets, merge, pack, unpack
from projections.stats.periods import local_date, month_index, spans

ZONES = st.sampled_from(
    [ZoneInfo(name) for name in ("Asia/Shanghai", "America/New_York", "Australia/Lord_Howe")]
)
TIMES = st.integers(-2 * 10**18 // 1000, 4 * 10**18 // 1000)


@given(TIMES, ZONES)
def test_a_time_falls_in_the_month_and_day_of_its_local_date(us: int, zone: ZoneInfo) -> None:
    day = local_date(us, zone)
    assert buckets(us, zone) == (month_index(day), day.toordinal())


@given(st.integers(1900 * 12, 2100 * 12), st.integers(0, 400))
def test_whole_months_are_covered_once_by_years_quarters_and_months(first: int, n: int) -> None:
    covered: list[int] = []
    for grain, (a, b) in spans((first, first + n)):
        per = PER_MONTH[grain]
        covered += range(a * per, b * per)
    assert sorted(covered) == list(range(first, first + n))
    assert sum(grain == "y" for grain, _ in spans((first, first + n))) <= 1
    assert len(spans((first, first + n))) <= 5


def test_a_whole_year_is_one_cell_and_this_year_to_october_four() -> None:
    assert spans((2025 * 12, 2026 * 12)) == [("y", (2025, 2026))]
    assert spans((2026 * 12, 2026 * 12 + 10)) == [
        ("m", (2026 * 12 + 9, 2026 * 12 + 10)),
        ("q", (2026 * 4, 2026 * 4 + 3)),
    ]


@given(st.lists(st.integers(-(10**12), 10**12)), st.lists(st.integers(-(10**12), 10**12)))
def test_merged_durations_stay_sorted(kept: list[int], added: list[int]) -> None:
    blob = pack(sorted(kept))
    changes: dict[int, int] = {}
    for value in added:
        changes[value] = changes.get(value, 0) + 1
    assert unpack(merge(blob, changes)).tolist() == sorted(kept + added)
    removed = {value: -n for value, n in changes.items()}
    assert unpack(merge(merge(blob, changes), removed)).tolist() == sorted(kept)
