"""A thread that keeps one view current: take the lock, catch up, wait for news, repeat.

On any error (a lost connection, a failed batch) it closes its connection, which rolls back
the batch and releases the lock, waits a little longer each time, and starts again from the
position committed in the tracking table.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

import structlog

from projections.engine.catalog import (
    ACTIVE,
    Generation,
    PositionMovedError,
    active,
    create_generation,
    ensure_catalog,
    vacuum,
)
from projections.engine.locking import lock_key, wait_for_lock

if TYPE_CHECKING:
    from projections.engine.catchup import Feeder
    from projections.engine.ports import Connection, Database, WakeSource

log = structlog.get_logger(__name__)

Advanced = Callable[[str, int], None]

STARTING, STANDBY, CATCHING_UP, LIVE, REBUILDING, ERROR, STOPPED = (
    "starting",
    "standby",
    "catching_up",
    "live",
    "rebuilding",
    "error",
    "stopped",
)


SETTLE = 0.02
"""After a wake, the news of the next 20 ms is taken in the same batch: under a steady stream of
commands a batch per command cost the worker and the database a transaction, a read of the
log and an empty read each; the view is 20 ms later at most (the lag bar is 250 ms)."""


class NewerViewError(Exception):
    def __init__(self, view: str, active_version: int, own_version: int) -> None:
        super().__init__(
            f"view {view}: version {active_version} is active, this code has {own_version}; "
            "upgrade this worker"
        )


class ViewWorker:
    def __init__(
        self,
        feeder: Feeder,
        db: Database,
        waker: WakeSource,
        *,
        use_lock: bool,
        on_advance: Advanced,
        lock_poll: float = 0.5,
        max_backoff: float = 5.0,
        vacuum_every: int = 50_000,
        settle: float = SETTLE,
    ) -> None:
        self.feeder = feeder
        self.view = feeder.view
        self.db = db
        self.waker = waker
        self.use_lock = use_lock
        self.on_advance = on_advance
        self.lock_poll = lock_poll
        self.max_backoff = max_backoff
        self.vacuum_every = vacuum_every
        """Notifications applied while following, between two VACUUMs of the view's tables
        (made when caught up: its updates leave dead rows, and autovacuum may be off)."""
        self.settle = settle
        """Seconds to let news gather after a wake, so that a burst is one batch."""
        self.state = STOPPED
        self.last_error: str | None = None
        self.connection: Connection | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._progressed = False

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping.clear()
        self.state = STARTING
        self._thread = threading.Thread(
            target=self._run, name=f"tongjie-view-{self.view.name}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self.waker.signal.fire()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self.state = STOPPED

    # -- the loop ---------------------------------------------------------------------------

    def _run(self) -> None:
        backoff = 0.1
        while not self._stopping.is_set():
            self._progressed = False
            try:
                self._session()
            except NewerViewError as error:
                self._failed(error)
                return
            except Exception as error:  # any failure: reconnect and resume
                self._failed(error)
                if self._progressed:
                    backoff = 0.1
                self._stopping.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)

    def _failed(self, error: BaseException) -> None:
        self.state = ERROR
        self.last_error = f"{type(error).__name__}: {error}"
        log.warning("view worker failed; resuming", view=self.view.name, error=self.last_error)

    def _session(self) -> None:
        conn = self.db.connect()
        self.connection = conn
        self.feeder.forget()
        try:
            ensure_catalog(conn)
            if self.use_lock:
                self.state = STANDBY
                key = lock_key(self.db.schema, self.view.name)
                if not wait_for_lock(conn, key, self._stopping, self.lock_poll):
                    return
            self.state = CATCHING_UP
            self._follow(conn, self._prepare(conn))
        finally:
            self.connection = None
            conn.close()

    def _prepare(self, conn: Connection) -> Generation:
        generation = active(conn, self.view.name)
        if generation is None:
            generation = create_generation(conn, self.view, ACTIVE)
        if generation.version > self.view.version:
            raise NewerViewError(self.view.name, generation.version, self.view.version)
        if generation.version < self.view.version:
            self.state = REBUILDING
            log.info("view version changed: rebuilding beside", view=self.view.name)
            rebuilt = self.feeder.rebuild(conn, self._stopping)
            if rebuilt is None:
                return generation
            generation = rebuilt
            self.on_advance(self.view.name, generation.position)
        return generation

    def _follow(self, conn: Connection, generation: Generation) -> None:
        wake = self.waker.signal.subscribe()
        reader = self.feeder.reader()
        applied = 0
        try:
            while not self._stopping.is_set():
                wake.clear()
                try:
                    generation, count = self.feeder.step(conn, reader, generation)
                except PositionMovedError:
                    generation = self._prepare(conn)  # switched by a rebuild, or moved by another
                    continue
                if count:
                    self._progressed = True
                    self.on_advance(self.view.name, generation.position)
                    applied += count
                if count < reader.page_size:
                    generation = self.feeder.indexed(conn, generation)
                    if applied >= self.vacuum_every:
                        vacuum(conn, self.view, generation)
                        applied = 0
                    self.state = LIVE
                    self.last_error = None
                    # All there was is applied: wait for news (an event committed since the
                    # step's read has fired the wake already), then let a burst gather.
                    if wake.wait(self.waker.poll_interval) and self.settle:
                        self._stopping.wait(self.settle)
                else:
                    self.state = CATCHING_UP
        finally:
            self.waker.signal.unsubscribe(wake)
            reader.close()
