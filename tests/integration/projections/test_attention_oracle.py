"""The attention list equals the oracle (tests/attention_oracle.py) computed from the cases'
histories, on random histories and at moments the test chooses (its clock); a mediator's list
is the oracle's for the cases they reach."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from application.tongjie import Tongjie
from domain.reach import reaches
from projections.board.attention import AttentionList, attention
from projections.board.page import Reach
from projections.views import Views
from tests.attention_oracle import ORDER, expected
from tests.depth import examples
from tests.integration.projections.support import KINDS, Step, run_history, whole_board
from tests.world import World

ZONES = [ZoneInfo("Asia/Shanghai"), ZoneInfo("Europe/Berlin")]

step = st.builds(
    Step, st.sampled_from([*KINDS, "risk", "risk"]), st.integers(0, 99), st.integers(1, 120)
)
routed = st.builds(Step, st.just("route"), st.integers(0, 99), st.integers(1, 60))
steps = st.builds(
    lambda first, rest: first + rest, st.lists(routed, max_size=1), st.lists(step, max_size=6)
)
histories = st.lists(
    st.tuples(st.integers(0, 60 * 24 * 45), st.integers(0, 1), steps), min_size=1, max_size=4
)
moments = st.lists(st.integers(-60 * 24 * 3, 60 * 24 * 40), min_size=1, max_size=3)


def _as_got(found: AttentionList) -> list[dict[str, object]]:
    return [{"id": i.id, "reasons": [r.value for r in i.reasons]} for i in found.items]


@settings(
    max_examples=examples(10),
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # cases accumulate: no shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=histories, offsets=moments, zone=st.sampled_from(ZONES))
def test_the_attention_list_equals_the_oracle(
    tongjie: Tongjie,
    world: World,
    views: Views,
    batch: list[tuple[int, int, list[Step]]],
    offsets: list[int],
    zone: ZoneInfo,
) -> None:
    """Cases accumulate across examples; after each, the list at each chosen moment (minutes
    from now: the past, now, weeks ahead) equals the oracle's, and so does a mediator's."""
    clock = datetime.now(UTC)
    for minutes, receiver, history in batch:
        run_history(tongjie, world, clock - timedelta(minutes=minutes + 1), history, receiver)
    views.engine.catch_up()
    cases = [tongjie.reads.current(row.id) for row in whole_board(views.board)]
    zhang = world.mediator
    own = [c for c in cases if reaches(zhang, c.mediator, c.received_by)]
    for offset in offsets:
        now = clock + timedelta(minutes=offset)
        found = attention(views.board.db, zone, now=now)
        want = expected(cases, now, zone)
        assert _as_got(found) == want
        assert found.total == len(want)
        for reason, count in found.counts.items():
            assert count == sum(reason.value in w["reasons"] for w in want), reason
        assert found.position == tongjie.store.recorder.max_notification_id()
        mine = attention(views.board.db, zone, Reach(zhang.mediator, zhang.id), now=now)
        assert _as_got(mine) == expected(own, now, zone)
        first = attention(views.board.db, zone, now=now, limit=2)
        assert _as_got(first) == want[:2]
        assert first.total == len(want)


def test_every_reason_and_the_order_on_a_seeded_district(
    tongjie: Tongjie, world: World, views: Views
) -> None:
    """Forty seeded histories over the last seven weeks: at each of a week's moments the list
    equals the oracle, and over them every reason is met (so the property above can fail)."""
    rng = random.Random(18)
    clock = datetime.now(UTC)
    for _ in range(40):
        start = clock - timedelta(minutes=rng.randrange(60 * 24 * 50))
        first = (
            [Step("route", rng.randrange(100), rng.randrange(1, 60))] if rng.random() < 0.7 else []
        )
        rest = [
            Step(rng.choice([*KINDS, "risk", "risk"]), rng.randrange(100), rng.randrange(1, 120))
            for _ in range(rng.randrange(5))
        ]
        run_history(tongjie, world, start, first + rest, rng.randrange(2))
    views.engine.catch_up()
    cases = [tongjie.reads.current(row.id) for row in whole_board(views.board)]
    seen: set[str] = set()
    for hours in range(0, 24 * 8, 7):
        now = clock + timedelta(hours=hours)
        found = attention(views.board.db, ZONES[0], now=now)
        want = expected(cases, now, ZONES[0])
        assert _as_got(found) == want
        seen |= {reason for w in want for reason in w["reasons"]}  # type: ignore[attr-defined]
    assert seen == set(ORDER)
