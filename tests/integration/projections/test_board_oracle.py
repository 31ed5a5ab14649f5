"""The board equals the oracle on random histories, and every filter selects what it says."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from uuid import UUID

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from application.tongjie import Tongjie
from domain.values import CaseStatus
from projections.board.page import BoardFilter, Reach
from projections.views import Views
from tests.depth import examples
from tests.integration.projections.support import (
    KINDS,
    Step,
    as_dict,
    assert_board_matches,
    oracle,
    random_start,
    random_steps,
    run_history,
    whole_board,
)
from tests.world import World, registration

step = st.builds(Step, st.sampled_from(KINDS), st.integers(0, 99), st.integers(1, 300))
routed = st.builds(Step, st.just("route"), st.integers(0, 99), st.just(1))
steps = st.builds(
    lambda first, rest: first + rest,
    st.lists(routed, max_size=1),
    st.lists(step, max_size=9),
)
histories = st.lists(
    st.tuples(st.integers(1, 500), st.integers(0, 1), steps), min_size=1, max_size=4
)


@settings(
    max_examples=examples(12),
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # cases accumulate: no shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=histories)
def test_board_equals_the_oracle_on_random_histories(
    tongjie: Tongjie, world: World, views: Views, batch: list[tuple[int, int, list[Step]]]
) -> None:
    """Cases accumulate across examples; after each, the whole board must equal the oracle."""
    now = datetime.now(UTC)
    for days, receiver, history in batch:
        run_history(tongjie, world, now - timedelta(days=days), history, receiver)
    views.engine.catch_up()
    assert_board_matches(tongjie, views.board, _case_ids(views))


def _case_ids(views: Views) -> list[UUID]:
    return [row.id for row in whole_board(views.board)]


def test_filters_pages_and_reach_select_what_the_oracle_says(
    tongjie: Tongjie, world: World, views: Views
) -> None:
    rng = random.Random(5)
    ids = [
        run_history(
            tongjie, world, random_start(rng), random_steps(rng, rng.randrange(8)), rng.randrange(2)
        )
        for _ in range(40)
    ]
    soon = tongjie.cases.receive(actor=world.mediator, registration=registration()).id
    tongjie.cases.route(  # due within 72 hours: the due_soon figure's case
        soon,
        actor=world.supervisor,
        organisation="room-1",
        mediator="m1",
        due_at=datetime.now(UTC) + timedelta(hours=48),
    )
    ids.append(soon)
    views.engine.catch_up()
    now = datetime.now(UTC)
    want = sorted(
        oracle(tongjie, ids, now).values(), key=lambda r: (r["received_at"], r["id"]), reverse=True
    )
    assert_board_matches(tongjie, views.board, ids)

    def check(filters: BoardFilter, keep: object, reach: Reach | None = None) -> None:
        expected = [r for r in want if keep(r)]  # type: ignore[operator]
        for limit in (3, 500):
            got = [as_dict(r) for r in whole_board(views.board, filters, reach, now, limit)]
            assert got == expected, filters
        total, position = views.board.count(filters, reach, now)
        assert total == len(expected), filters  # what a list's "N cases" says
        assert position == tongjie.store.recorder.max_notification_id()

    some = want[len(want) // 2]
    check(BoardFilter(number=some["number"]), lambda r: r["number"] == some["number"])
    for status in CaseStatus:
        check(BoardFilter(status=status), lambda r, s=status.value: r["status"] == s)
    for name in ("category", "street", "organisation", "mediator", "channel"):
        value = some[name] or "m1"
        check(BoardFilter(**{name: value}), lambda r, n=name, v=value: r[n] == v)
    for name in ("subcategory", "outcome", "risk_level"):
        for value in {r[name] for r in want if r[name] is not None}:
            check(BoardFilter(**{name: value}), lambda r, n=name, v=value: r[n] == v)
    check(BoardFilter(routed=True), lambda r: r["mediator"] is not None)
    check(BoardFilter(routed=False), lambda r: r["mediator"] is None)
    soon_end = now + timedelta(hours=72)

    def due_soon(r: dict[str, object]) -> bool:
        due = r["due_at"]
        return r["status"] != "resolved" and due is not None and now <= due < soon_end  # type: ignore[operator]

    assert any(due_soon(r) for r in want), "the histories should have a case due soon"
    check(BoardFilter(due_soon=True), due_soon)
    check(BoardFilter(due_soon=False), lambda r: not due_soon(r))
    resolved = sorted(r["resolved_at"] for r in want if r["resolved_at"] is not None)
    assert len(resolved) > 2, "the histories should resolve some cases"
    first, last = resolved[0], resolved[len(resolved) // 2]
    check(
        BoardFilter(resolved_from=first, resolved_to=last, outcome="agreement"),
        lambda r: (
            r["resolved_at"] is not None
            and first <= r["resolved_at"] < last
            and r["outcome"] == "agreement"
        ),
    )
    check(BoardFilter(overdue=True), lambda r: r["overdue"])
    check(BoardFilter(overdue=False), lambda r: not r["overdue"])
    escalated = ("yellow", "orange", "red")
    check(
        BoardFilter(escalated=True),
        lambda r: r["status"] != "resolved" and r["risk_level"] in escalated,
    )
    check(
        BoardFilter(escalated=False),
        lambda r: r["status"] == "resolved" or r["risk_level"] not in escalated,
    )
    start, end = now - timedelta(days=200), now - timedelta(days=30)
    check(
        BoardFilter(received_from=start, received_to=end), lambda r: start <= r["received_at"] < end
    )
    check(BoardFilter(q="漏水"), lambda r: "漏水" in r["summary"] or "漏水" in r["number"])
    check(
        BoardFilter(q=some["number"][-4:]),
        lambda r: some["number"][-4:] in r["number"] or some["number"][-4:] in r["summary"],
    )
    check(BoardFilter(q="100%_"), lambda r: False)
    check(
        BoardFilter(status=CaseStatus.IN_MEDIATION, street="东湖街道", overdue=False),
        lambda r: r["status"] == "in_mediation" and r["street"] == "东湖街道" and not r["overdue"],
    )
    zhang = world.mediator
    check(
        BoardFilter(),
        lambda r: r["mediator"] == "m1" or (r["mediator"] is None and r["received_by"] == zhang.id),
        Reach(mediator=zhang.mediator, actor_id=zhang.id),
    )
    check(  # the reach with other filters: both of its walks take them
        BoardFilter(received_from=start, status=CaseStatus.RECEIVED),
        lambda r: (
            r["received_at"] >= start
            and r["status"] == "received"
            and (r["mediator"] == "m1" or (r["mediator"] is None and r["received_by"] == zhang.id))
        ),
        Reach(mediator=zhang.mediator, actor_id=zhang.id),
    )
    li = world.other_mediator
    check(
        BoardFilter(),
        lambda r: r["mediator"] == "m2" or (r["mediator"] is None and r["received_by"] == li.id),
        Reach(mediator=li.mediator, actor_id=li.id),
    )
