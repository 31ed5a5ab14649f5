"""The statistics view: folds each batch of case events into per-case facts and cells.

Per batch: read the facts of the cases the batch touches, fold the events in, take each changed
case's old contributions out of the cells and put its new ones in, and write the facts and the
changed cells, all inside the engine's transaction (which also moves the view's position).
While a rebuild folds the store in, only the facts are written; the cells and the open cases
are made from them when the generation has caught up (build.py), then kept batch by batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from itertools import islice
from typing import TYPE_CHECKING, ClassVar
from uuid import UUID

from projections.engine.view import Tables, View, ViewEvent
from projections.stats import sums
from projections.stats import tables as store
from projections.stats.build import build
from projections.stats.cells import Deltas
from projections.stats.contributions import contributions
from projections.stats.facts import FOLDS, RECEIVED, TOPICS, CaseFacts, received

if TYPE_CHECKING:
    from projections.engine.ports import Connection


MEMO = "facts"
MEMO_CASES = 20_000
"""How many cases' facts the view remembers between batches (some megabytes)."""


class StatsView(View):
    name: ClassVar[str] = "stats"
    version: ClassVar[int] = 6  # 4: the facts' indexes led by a filter hold what sums read;
    # 5: the cells built in the order of their key; 6: cohort figures (counts and durations at
    # the receipt), satisfaction, the subcategory dimension
    topics: ClassVar[frozenset[str]] = TOPICS
    table_names: ClassVar[tuple[str, ...]] = ("cases", "cells", "open")

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        """The bureau's time zone: years, quarters, months and days of the cells follow it."""

    def create_tables(self, conn: Connection, tables: Tables) -> None:
        store.create(conn, tables)

    def create_indexes(self, conn: Connection, tables: Tables) -> None:
        """Caught up: the facts' indexes, then the cells and the open cases from the facts."""
        build(conn, tables, meanwhile=lambda: store.create_indexes(conn, tables))

    def apply_batch(self, conn: Connection, tables: Tables, events: Sequence[ViewEvent]) -> None:
        ids = list(dict.fromkeys(event.originator_id for event in events))
        before = self._before(conn, tables, ids, events)
        after = {case_id: facts.clone() for case_id, facts in before.items()}
        for event in events:
            if event.topic == RECEIVED:
                after[event.originator_id] = received(event)
            else:
                facts = after.get(event.originator_id)
                if facts is not None:  # never seen received: nothing to count it under
                    FOLDS[event.topic](facts, event.data)
                    facts.events += 1
        changed = [
            new
            for case_id in ids
            if (new := after.get(case_id)) is not None and new != before.get(case_id)
        ]
        store.save_facts(conn, tables, changed, before.keys(), self.zone)
        if sums.live(conn, tables):
            self._count(conn, tables, before, changed)
        self._remember(tables, changed)

    def _before(
        self, conn: Connection, tables: Tables, ids: list[UUID], events: Sequence[ViewEvent]
    ) -> dict[UUID, CaseFacts]:
        """The stored facts of the batch's cases: from the memo of the batches before (what
        they committed), else read; a case received in this batch has none."""
        memo: dict[UUID, CaseFacts] = tables.memo.get(MEMO, {})
        new = {event.originator_id for event in events if event.topic == RECEIVED}
        before = {case_id: memo[case_id] for case_id in ids if case_id in memo}
        missing = [case_id for case_id in ids if case_id not in before and case_id not in new]
        before.update(store.load_facts(conn, tables, missing))
        return before

    @staticmethod
    def _remember(tables: Tables, changed: list[CaseFacts]) -> None:
        """Keep the facts just written for the next batch (the most recent MEMO_CASES)."""
        memo: dict[UUID, CaseFacts] = tables.memo.setdefault(MEMO, {})
        for facts in changed:
            memo.pop(facts.case_id, None)
            memo[facts.case_id] = facts
        if len(memo) > MEMO_CASES:  # the oldest out in one go: deleting them one by one from
            # the front, each `next(iter(memo))` walks again over the holes left before it
            tables.memo[MEMO] = dict(islice(memo.items(), len(memo) - MEMO_CASES, None))

    def _count(
        self,
        conn: Connection,
        tables: Tables,
        before: dict[UUID, CaseFacts],
        changed: list[CaseFacts],
    ) -> None:
        """Move the changed cases' contributions in the cells, and keep the open cases."""
        deltas = Deltas(self.zone)
        still_open: list[CaseFacts] = []
        closed: list[UUID] = []
        for new in changed:
            old = before.get(new.case_id)
            deltas.move(contributions(old), contributions(new))
            if new.resolved_us is None:
                still_open.append(new)
            elif old is not None and old.resolved_us is None:
                closed.append(new.case_id)
        store.save_open(conn, tables, still_open, closed)
        sums.write_deltas(conn, tables, deltas)
