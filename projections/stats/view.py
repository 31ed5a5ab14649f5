"""The statistics view: folds each batch of case events into per-case facts and cells.

Per batch: read the facts of the cases the batch touches, fold the events in, take each changed
case's old contributions out of the cells and put its new ones in, and write the facts and the
changed cells, all inside the engine's transaction (which also moves the view's position).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, ClassVar
from uuid import UUID

from projections.engine.view import Tables, View, ViewEvent
from projections.stats import tables as store
from projections.stats.cells import Deltas
from projections.stats.contributions import contributions
from projections.stats.facts import FOLDS, RECEIVED, TOPICS, CaseFacts, received

if TYPE_CHECKING:
    from projections.engine.database import Connection


class StatsView(View):
    name: ClassVar[str] = "stats"
    version: ClassVar[int] = 2
    topics: ClassVar[frozenset[str]] = TOPICS
    table_names: ClassVar[tuple[str, ...]] = ("cases", "cells", "open")

    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone
        """The bureau's time zone: months and days of the cells follow it."""

    def create_tables(self, conn: Connection, tables: Tables) -> None:
        store.create(conn, tables)

    def create_indexes(self, conn: Connection, tables: Tables) -> None:
        store.create_indexes(conn, tables)

    def apply_batch(self, conn: Connection, tables: Tables, events: Sequence[ViewEvent]) -> None:
        ids = list(dict.fromkeys(event.originator_id for event in events))
        before = store.load_facts(conn, tables, ids)
        after = {case_id: facts.clone() for case_id, facts in before.items()}
        for event in events:
            if event.topic == RECEIVED:
                after[event.originator_id] = received(event)
            else:
                facts = after.get(event.originator_id)
                if facts is not None:  # never seen received: nothing to count it under
                    FOLDS[event.topic](facts, event.data)
                    facts.events += 1
        deltas = Deltas(self.zone)
        changed: list[CaseFacts] = []
        still_open: list[CaseFacts] = []
        closed: list[UUID] = []
        for case_id in ids:
            old, new = before.get(case_id), after.get(case_id)
            if new is None or old == new:
                continue
            changed.append(new)
            deltas.move(contributions(old), contributions(new))
            if new.resolved_us is None:
                still_open.append(new)
            elif old is not None and old.resolved_us is None:
                closed.append(case_id)
        store.save_facts(conn, tables, changed, self.zone)
        store.save_open(conn, tables, still_open, closed)
        store.write_deltas(conn, tables, deltas)
