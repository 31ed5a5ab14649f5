"""Feeding one generation of one view from the store, batch after batch."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from projections.engine.batch import FaultHook, commit_batch
from projections.engine.catalog import (
    ACTIVE,
    BUILDING,
    RETIRED,
    Generation,
    create_generation,
    create_indexes,
    drop_generations,
    switch,
    vacuum,
)
from projections.engine.gcpause import gc_paused
from projections.engine.reader import PageReader

if TYPE_CHECKING:
    from projections.engine.decoding import Decoder
    from projections.engine.ports import Connection, OpenLog
    from projections.engine.view import View

Progress = Callable[[int, int], None]
"""Called after each batch with (position, events in the batch)."""


@dataclass
class Feeder:
    """Everything needed to move one view forward: where to read, how to decode, how big."""

    view: View
    open_log: OpenLog
    decoder: Decoder
    page_size: int = 5000
    fault: FaultHook | None = None
    bulk_factor: int = 4
    """A rebuild reads and commits pages this many times larger: a case's events then fall
    in fewer batches, so its row is written fewer times (nobody waits on a building view)."""
    _memo: tuple[int, int, dict[str, Any]] | None = field(default=None, repr=False)
    """The view's memo and the (generation, position) its last batch committed here."""

    def reader(self, page_size: int | None = None) -> PageReader:
        topics = self.view.topics
        return PageReader(
            self.open_log(topics),
            page_size or self.page_size,
            self.view.name,
            lambda rows: self.decoder.decode_page(rows, topics),
        )

    def step(
        self, conn: Connection, reader: PageReader, generation: Generation
    ) -> tuple[Generation, int]:
        """Apply the next page, if any: the new generation state and how many were read."""
        page = reader.read(generation.position)
        if not page.count:
            return generation, 0
        memo = self._take_memo(generation)
        with gc_paused():
            generation = commit_batch(
                conn,
                self.view,
                generation,
                page.events,
                page.last,
                self.fault,
                memo,
                page.undecodable,
            )
        self._memo = (generation.generation, generation.position, memo)
        return generation, page.count

    def _take_memo(self, generation: Generation) -> dict[str, Any]:
        """The memo if the last batch committed here is where `generation` stands, else a
        new one; either way none is kept until this batch commits."""
        kept, self._memo = self._memo, None
        if kept is not None and kept[:2] == (generation.generation, generation.position):
            return kept[2]
        return {}

    def forget(self) -> None:
        """Drop the memo: a new session, or a generation number that may be made again."""
        self._memo = None

    def catch_up(
        self,
        conn: Connection,
        generation: Generation,
        stopping: threading.Event | None = None,
        progress: Progress | None = None,
        page_size: int | None = None,
    ) -> Generation:
        """Apply batches until a page comes back short (caught up at that moment)."""
        reader = self.reader(page_size)
        try:
            while stopping is None or not stopping.is_set():
                generation, count = self.step(conn, reader, generation)
                if progress is not None and count:
                    progress(generation.position, count)
                if count < reader.page_size:
                    return self.indexed(conn, generation)
        finally:
            reader.close()
        return generation

    def indexed(self, conn: Connection, generation: Generation) -> Generation:
        """The generation with its indexes: made now if it has none yet (after a VACUUM of
        what the bulk load left, cheaper before the indexes exist)."""
        if generation.indexed:
            return generation
        vacuum(conn, self.view, generation)
        return create_indexes(conn, self.view, generation)

    def rebuild(
        self,
        conn: Connection,
        stopping: threading.Event | None = None,
        progress: Progress | None = None,
    ) -> Generation | None:
        """Build a new generation beside the active one and switch it in when caught up.

        Returns the new active generation, or None when stopped before the switch (the
        half-built generation is dropped at the next rebuild). Drops retired generations first.
        """
        with _rebuild_lock(conn, self.view.name):
            drop_generations(conn, self.view, (RETIRED, BUILDING))
            self.forget()  # a dropped generation's number comes again
            building = create_generation(conn, self.view, BUILDING)
            while stopping is None or not stopping.is_set():
                bulk = self.page_size * self.bulk_factor
                with gc_paused():  # across the batches: see gcpause.py
                    building = self.catch_up(conn, building, stopping, progress, bulk)
                with conn.transaction():
                    if switch(conn, building):
                        return replace(building, status=ACTIVE)
            return None


@contextmanager
def _rebuild_lock(conn: Connection, view: str) -> Iterator[None]:
    """One rebuild of a view at a time (PostgreSQL; SQLite serialises its writers anyway)."""
    if conn.dialect != "postgres":
        yield
        return
    key = "hashtextextended(current_schema() || ':rebuild:' || %s, 0)"
    conn.execute(f"SELECT pg_advisory_lock({key})", (view,))
    try:
        yield
    finally:
        conn.execute(f"SELECT pg_advisory_unlock({key})", (view,))
