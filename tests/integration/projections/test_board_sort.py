"""Every order of the board (`sort=`) equals the oracle's, page after page, with and without
filters and a mediator's reach; a cursor continues only the order it was handed out with."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from application.tongjie import Tongjie
from projections.board.page import BoardFilter, InvalidCursorError, Reach
from projections.board.sort import NO_DUE, SORTS
from projections.views import Views
from tests.integration.projections.support import (
    as_dict,
    oracle,
    random_start,
    random_steps,
    run_history,
    whole_board,
)
from tests.world import World


def _key(sort: str, now: datetime) -> Any:
    """The oracle's order: the documented meaning of each `sort` value, then the id."""

    def days_open(r: dict[str, Any]) -> timedelta:
        return (r["resolved_at"] or now) - r["received_at"]

    def overdue(r: dict[str, Any]) -> timedelta:
        return now - r["due_at"] if r["overdue"] else timedelta(0)

    keys = {
        "-received_at": (lambda r: (r["received_at"], r["id"]), True),
        "received_at": (lambda r: (r["received_at"], r["id"]), False),
        "due_at": (lambda r: (r["due_at"] or NO_DUE, r["id"]), False),
        "-days_open": (lambda r: (days_open(r), r["id"]), True),
        "-overdue_days": (lambda r: (overdue(r), r["received_at"], r["id"]), True),
    }
    return keys[sort]


def test_each_sort_orders_the_whole_board_as_the_oracle_does(
    tongjie: Tongjie, world: World, views: Views
) -> None:
    rng = random.Random(17)
    ids = [
        run_history(
            tongjie, world, random_start(rng), random_steps(rng, rng.randrange(8)), rng.randrange(2)
        )
        for _ in range(30)
    ]
    views.engine.catch_up()
    now = datetime.now(UTC)
    rows = list(oracle(tongjie, ids, now).values())
    zhang = world.mediator
    mine = Reach(mediator=zhang.mediator, actor_id=zhang.id)

    def reached(r: dict[str, Any]) -> bool:
        return r["mediator"] == "m1" or (r["mediator"] is None and r["received_by"] == zhang.id)

    assert any(r["overdue"] for r in rows), "the histories should have an overdue case"
    assert any(r["due_at"] is None for r in rows), "and a case not routed yet"
    for sort in SORTS:
        key, descending = _key(sort, now)
        for filters, keep, reach in [
            (BoardFilter(sort=sort), lambda r: True, None),
            (BoardFilter(sort=sort, open=True), lambda r: r["status"] != "resolved", None),
            (BoardFilter(sort=sort, open=False), lambda r: r["status"] == "resolved", None),
            (
                BoardFilter(sort=sort, open=True),
                lambda r: r["status"] != "resolved" and reached(r),
                mine,
            ),
            (BoardFilter(sort=sort, q="纠纷"), lambda r: "纠纷" in r["summary"], None),
        ]:
            want = sorted((r for r in rows if keep(r)), key=key, reverse=descending)
            for limit in (4, 500):
                got = [as_dict(r) for r in whole_board(views.board, filters, reach, now, limit)]
                assert [r["number"] for r in got] == [r["number"] for r in want], (sort, filters)
                assert got == want


def test_a_cursor_continues_only_its_own_order(
    tongjie: Tongjie, world: World, views: Views
) -> None:
    rng = random.Random(3)
    for _ in range(3):
        run_history(tongjie, world, random_start(rng), random_steps(rng, 2), 0)
    views.engine.catch_up()
    first = views.board.page(BoardFilter(sort="due_at", limit=1))
    assert first.next_cursor is not None
    views.board.page(BoardFilter(sort="due_at", limit=1, cursor=first.next_cursor))
    with pytest.raises(InvalidCursorError):
        views.board.page(BoardFilter(sort="-days_open", limit=1, cursor=first.next_cursor))
    with pytest.raises(InvalidCursorError):
        views.board.page(BoardFilter(limit=1, cursor="bm90LWEtY3Vyc29y"))
