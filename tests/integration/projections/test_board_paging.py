"""Paging through the board in each order while others write: no case that nobody touched is
skipped, repeated or shown out of its place, and in the orders by receipt no case at all is
shown twice.

A writer thread receives new cases and routes, extends, assesses and resolves half of the
existing ones the whole time, and the view's worker applies its events, while the test walks
every order a few rows a page, pausing between pages. A page's cursor holds the last row's keys
(and, for the orders by the clock, the moment of the first page), so each page starts exactly
after it: a case whose keys do not change keeps its place. (A case whose deadline is extended or
that is resolved meanwhile may move to a later page and show again there: its keys changed.)
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from uuid import UUID

from application.tongjie import Tongjie
from domain.errors import DomainError
from projections.board.page import BoardFilter
from projections.board.sort import SORTS
from projections.views import Views
from tests.integration.projections.support import (
    KINDS,
    Step,
    _apply,
    random_start,
    random_steps,
    run_history,
    whole_board,
)
from tests.world import World, registration


class Writer(threading.Thread):
    """Writes to random cases (and receives new ones) until stopped; remembers what it touched."""

    def __init__(self, app: Tongjie, world: World, ids: list[UUID]) -> None:
        super().__init__(daemon=True)
        self.app, self.world, self.ids = app, world, list(ids)
        self.received: list[UUID] = []
        self.touched: set[UUID] = set()
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.writes = 0
        self.rng = random.Random(29)

    def run(self) -> None:
        while not self.stopping.is_set():
            if self.rng.random() < 0.3:
                case_id = self.app.cases.receive(
                    actor=self.world.mediator, registration=registration()
                ).id
                self.ids.append(case_id)
                self.received.append(case_id)
            else:
                case_id = self.rng.choice(self.ids)
                step = Step(self.rng.choice(KINDS), self.rng.randrange(100), 1)
                with self.lock:  # touched before the write, so no page can see it unmarked
                    self.touched.add(case_id)
                with contextlib.suppress(DomainError):
                    _apply(self.app, self.world, case_id, step, datetime.now(UTC))
            self.writes += 1
            time.sleep(0.002)

    def seen_touched(self) -> set[UUID]:
        with self.lock:
            return set(self.touched)


def test_paging_each_order_during_writes_neither_repeats_nor_skips(
    tongjie: Tongjie, world: World, views: Views
) -> None:
    rng = random.Random(23)
    ids = [
        run_history(
            tongjie, world, random_start(rng), random_steps(rng, rng.randrange(6)), rng.randrange(2)
        )
        for _ in range(40)
    ]
    quiet, busy = set(ids[::2]), ids[1::2]  # the writer never touches the quiet half
    views.engine.catch_up()
    views.start(workers=True)
    writer = Writer(tongjie, world, busy)
    writer.start()
    try:
        for sort in SORTS:
            for filters in (BoardFilter(sort=sort), BoardFilter(sort=sort, open=True)):
                before = [row.id for row in whole_board(views.board, filters)]
                shown: list[UUID] = []
                cursor: str | None = None
                while True:
                    page = views.board.page(
                        BoardFilter(**{**filters.__dict__, "limit": 4, "cursor": cursor})
                    )
                    shown += [row.id for row in page.items]
                    cursor = page.next_cursor
                    if cursor is None:
                        break
                    time.sleep(0.02)  # let the writer and the view's worker move on
                untouched = [case_id for case_id in before if case_id in quiet]
                assert untouched, "the quiet half should be on the board"
                in_order = [case_id for case_id in shown if case_id in quiet]
                assert in_order == untouched, (sort, filters, "skipped, repeated or moved")
                if sort in ("-received_at", "received_at"):  # receipts never move
                    assert len(shown) == len(set(shown)), (sort, filters, "a case shown twice")
    finally:
        writer.stopping.set()
        writer.join(timeout=30)
    assert not writer.is_alive()
    assert writer.writes > 20, "the writer should have written while the pages were read"
    assert writer.seen_touched(), "it should have written to existing cases"
    assert writer.received, "and received new ones"
    # Whatever was written meanwhile, the board has it all once its worker caught up.
    head = tongjie.store.recorder.max_notification_id()
    deadline = time.monotonic() + 30
    while views.board.page(BoardFilter(limit=1)).position < head:
        assert time.monotonic() < deadline, "the board's worker should catch up"
        time.sleep(0.05)
    everything = whole_board(views.board)
    assert {row.id for row in everything} == {*ids, *writer.received}
    assert all(row.received_at <= datetime.now(UTC) + timedelta(minutes=1) for row in everything)
