"""Every figure of every dimension equals the oracle's, on random histories, on both stores."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.tongjie import Tongjie
from domain.values import Category
from projections.stats.read import Filters
from tests.depth import examples
from tests.integration.stats.conftest import StatsRig
from tests.integration.stats.oracle import Story, oracle, stories
from tests.integration.stats.scripts import (
    CHANNELS,
    STREETS,
    SUBCATEGORY_CHOICES,
    Clerk,
    District,
    received_times,
)

BYS = (
    None,
    "category",
    "street",
    "channel",
    "organisation",
    "mediator",
    "subcategory",
    "month",
    "week",
)
VALUES: dict[str, list[str]] = {
    "category": [c.value for c in Category],
    "street": list(STREETS),
    "channel": [c.value for c in CHANNELS],
    "organisation": ["room-1", "centre-2"],
    "mediator": ["m1", "m2", "m3"],
    "subcategory": sorted({s for c in Category for s in SUBCATEGORY_CHOICES[c]}),
}
OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-7))])


def filters(size: int) -> st.SearchStrategy[dict[str, str]]:
    """`size` filters on distinct dimensions (two or more: the facts answer)."""
    picks = st.dictionaries(
        st.sampled_from(sorted(VALUES)), st.integers(0, 2), min_size=size, max_size=size
    )
    return picks.map(lambda p: {d: VALUES[d][i % len(VALUES[d])] for d, i in p.items()})


@st.composite
def periods(draw: st.DrawFn) -> tuple[Any, Any]:
    """Whole years as dates, or any two instants (often at the bureau's midnight)."""
    kind = draw(st.sampled_from(["all", "year", "instants", "days"]))
    if kind == "all":
        return date(2023, 1, 1), date(2027, 1, 1)
    if kind == "year":
        year = draw(st.sampled_from([2024, 2025]))
        return date(year, 1, 1), date(year + 1, 1, 1)
    start = draw(received_times()).astimezone(draw(OFFSETS))
    if kind == "days":
        return start, start + timedelta(days=draw(st.integers(1, 70)))
    length = draw(st.one_of(st.integers(1, 10**6), st.integers(1, 10**6 * 86400 * 500)))
    return start, start + timedelta(microseconds=length)


def clocks(cases: list[Story]) -> st.SearchStrategy[datetime]:
    """Now, any time, or a time near an open case's deadline (overdue and due soon in play)."""
    dues = sorted({c.due_at for c in cases if c.resolved is None and c.due_at is not None})
    near = st.nothing()
    if dues:
        edges = [timedelta(0), timedelta(microseconds=1), timedelta(hours=72)]
        edges += [timedelta(hours=72, microseconds=-1), timedelta(hours=71, minutes=30)]
        before = st.one_of(
            st.sampled_from(edges), st.integers(0, 80 * 3600).map(lambda s: timedelta(seconds=s))
        )
        near = st.builds(lambda due, back: due - back, st.sampled_from(dues), before)
    anytime = st.datetimes(datetime(2024, 1, 1), datetime(2026, 1, 1), timezones=st.just(UTC))
    return st.one_of(st.just(datetime.now(UTC)), anytime, near, near)


def bound(value: Any, zone: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=zone)


@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_figure_equals_the_oracle(
    tongjie: Tongjie, district: District, rig: StatsRig, data: st.DataObject
) -> None:
    """Cases accumulate across examples; each example adds some, catches up (the first time the
    cells are made from the facts, later kept batch by batch), sometimes rebuilds, compares."""
    clerk = Clerk(tongjie, district, data)
    for _ in range(data.draw(st.integers(1, 6), label="cases")):
        clerk.case()
    page_size = data.draw(st.sampled_from([1, 3, 50, 2000]), label="page size")
    rig.catch_up(page_size=page_size)
    if data.draw(st.booleans(), label="rebuilt"):  # cells made from the facts, not kept
        assert rig.engine(page_size).rebuild("stats") is not None
    cases = stories(tongjie)
    zone = rig.settings.zone
    for _ in range(3):
        first, last = data.draw(periods(), label="period")
        start, end = bound(first, zone), bound(last, zone)
        now = data.draw(clocks(cases), label="now")
        one, two = data.draw(filters(1), label="filter"), data.draw(filters(2), label="filters")
        for chosen in ({}, one, two):
            for by in BYS:
                want = oracle(
                    cases, start=start, end=end, now=now, zone=zone, filters=chosen, by=by
                )
                got = _answer(rig, by, start, end, chosen, now)
                assert got == want, (by, chosen, start, end, now)


def _answer(
    rig: StatsRig,
    by: str | None,
    start: datetime,
    end: datetime,
    chosen: dict[str, str],
    now: datetime,
) -> dict[str | None, dict[str, Any]]:
    query = rig.query
    if by is None:
        answer = query.summary(start, end, Filters(**chosen), now)
    else:
        answer = query.by(by, start, end, Filters(**chosen), now)
    keys = [row.key for row in answer.rows]
    assert len(keys) == len(set(keys)), "a key answers twice"
    return {row.key: row.figures for row in answer.rows}
