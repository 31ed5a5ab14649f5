"""The projection engine: one worker thread per view, a waker, and the views' status.

Built by the composition root (`api/bootstrap_views.py`); the API process starts it in-process
on SQLite, `tongjie project` starts it as a worker process on PostgreSQL (several may run: per
view, one holds the lock and the others stand by).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING

from projections.engine import poison
from projections.engine.catalog import (
    ACTIVE,
    Generation,
    active,
    all_active,
    create_generation,
    ensure_catalog,
)
from projections.engine.catchup import Feeder, Progress
from projections.engine.log import RecorderLog
from projections.engine.status import ProjectionsStatus, read_status
from projections.engine.worker import ViewWorker

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder

    from projections.engine.batch import FaultHook
    from projections.engine.decoding import Decoder
    from projections.engine.poison import PoisonedEvent
    from projections.engine.ports import Connection, Database, OpenLog, WakeSource
    from projections.engine.view import View

Advanced = Callable[[str, int], None]


class UnknownViewError(Exception):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(f"no view named {name!r} (views: {', '.join(known)})")
        self.name = name


class Engine:
    def __init__(
        self,
        db: Database,
        recorder: ApplicationRecorder,
        decoder: Decoder,
        views: Sequence[View],
        waker: WakeSource,
        *,
        page_size: int = 5000,
        use_lock: bool | None = None,
        on_advance: Advanced | None = None,
        fault: FaultHook | None = None,
        open_log: OpenLog | None = None,
    ) -> None:
        """`open_log`: how a view reads the store's log (default: through the recorder)."""
        self.db = db
        self.recorder = recorder
        self.open_log: OpenLog = open_log or partial(RecorderLog, recorder)
        self.decoder = decoder
        self.views = {view.name: view for view in views}
        self.waker = waker
        self.page_size = page_size
        self._on_advance = on_advance
        lock = db.dialect == "postgres" if use_lock is None else use_lock
        self.workers = {
            view.name: ViewWorker(
                self.feeder(view.name, fault), db, waker, use_lock=lock, on_advance=self._advanced
            )
            for view in views
        }
        self._positions: dict[str, int] = {}
        self._moved = threading.Condition()
        self.running = False
        self._catalog_ready = False

    def feeder(self, name: str, fault: FaultHook | None = None) -> Feeder:
        return Feeder(self.view(name), self.open_log, self.decoder, self.page_size, fault)

    def view(self, name: str) -> View:
        try:
            return self.views[name]
        except KeyError:
            raise UnknownViewError(name, list(self.views)) from None

    # -- running in threads -------------------------------------------------------------------

    def start(self) -> None:
        """Start every view's worker (each takes its lock first on PostgreSQL)."""
        if self.running:
            return
        self.running = True
        with self.db.connection() as conn:
            self._ensure_catalog(conn)
        self.waker.start()
        for worker in self.workers.values():
            worker.start()

    def stop(self) -> None:
        for worker in self.workers.values():
            worker.stop()
        self.running = False

    def _advanced(self, name: str, position: int) -> None:
        with self._moved:
            self._positions[name] = position
            self._moved.notify_all()
        if self._on_advance is not None:
            self._on_advance(name, position)

    def wait_caught_up(self, timeout: float = 10.0, head: int | None = None) -> bool:
        """Block until every view has applied up to `head` (default: the head now)."""
        target = int(self.recorder.max_notification_id() or 0) if head is None else head
        deadline = time.monotonic() + timeout
        while True:
            positions = self.positions()
            if all(positions.get(name, 0) >= target for name in self.views):
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with self._moved:
                self._moved.wait(min(remaining, 0.05))

    # -- running in the caller's thread ---------------------------------------------------------

    def catch_up(self, name: str | None = None) -> dict[str, int]:
        """Apply everything stored now, in this thread, without locks; return the positions.

        For tests and tools: the tracking row's conditional update still guarantees that a
        worker running elsewhere and this call never apply an event twice.
        """
        names = [name] if name is not None else list(self.views)
        reached: dict[str, int] = {}
        conn = self.db.connect()
        try:
            ensure_catalog(conn)
            for view_name in names:
                feeder = self.feeder(view_name)
                generation = active(conn, view_name) or create_generation(conn, feeder.view, ACTIVE)
                reached[view_name] = feeder.catch_up(conn, generation).position
                self._advanced(view_name, reached[view_name])
        finally:
            conn.close()
        return reached

    def rebuild(
        self,
        name: str,
        progress: Progress | None = None,
        stopping: threading.Event | None = None,
    ) -> Generation | None:
        """Build `name` anew beside the active generation and switch it in when caught up."""
        feeder = self.feeder(name)
        conn = self.db.connect()
        try:
            ensure_catalog(conn)
            built = feeder.rebuild(conn, stopping, progress)
        finally:
            conn.close()
        if built is not None:
            self._advanced(name, built.position)
        return built

    # -- reporting --------------------------------------------------------------------------------

    def positions(self) -> dict[str, int]:
        """Each view's committed position (0 for a view not yet created)."""
        with self.db.connection() as conn:
            self._ensure_catalog(conn)
            found = all_active(conn)
        return {name: found[name].position if name in found else 0 for name in self.views}

    def _ensure_catalog(self, conn: Connection) -> None:
        if not self._catalog_ready:
            ensure_catalog(conn)
            self._catalog_ready = True

    def poisoned(self, name: str | None = None) -> dict[str, list[PoisonedEvent]]:
        """Every event the views' active generations set aside (of view `name`, if given),
        per view, newest first: the audit lists them."""
        with self.db.connection() as conn:
            try:
                return poison.poisoned_events(conn, name)
            except conn.missing_table:  # no view has run on this store yet
                return {}

    def status(self) -> ProjectionsStatus:
        states = {name: worker.state for name, worker in self.workers.items() if self.running}
        return read_status(self.db, self.recorder, self.decoder, list(self.views), states)
