"""The views' positions as a reader sees them: for `?min_position=`, `X-Position` and SSE.

Positions come from the tracking table, so an API process learns what workers in other
processes committed: on PostgreSQL each batch's NOTIFY on `tongjie_views` (plus a slow poll),
on SQLite the in-process engine's own report (plus a short poll). Waiting is asyncio-friendly:
a waiter holds no thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator, Collection
from typing import TYPE_CHECKING

import structlog

from projections.engine.catalog import all_active, ensure_catalog
from projections.engine.waking import Signal

if TYPE_CHECKING:
    from projections.engine.ports import Database, WakeSignal, WakeSource

log = structlog.get_logger(__name__)


class PositionFeed:
    def __init__(
        self,
        db: Database,
        names: Collection[str],
        waker: WakeSource | None,
        poll_interval: float,
    ) -> None:
        self.db = db
        self.names = tuple(names)
        self._waker = waker
        self._signal: WakeSignal = waker.signal if waker is not None else Signal()
        self._poll_interval = poll_interval
        self._positions: dict[str, int] = dict.fromkeys(self.names, 0)
        self._lock = threading.Lock()
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._catalog_ready = False

    # -- keeping it fresh ---------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        if self._waker is not None:
            self._waker.start()
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="tongjie-view-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._signal.fire()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        if self._waker is not None:
            self._waker.close()

    def _run(self) -> None:
        wake = self._signal.subscribe()
        try:
            while not self._stopping.is_set():
                wake.clear()
                try:
                    self.refresh()
                except Exception as error:  # the database may be away a while
                    log.warning("view positions unreadable", error=str(error))
                wake.wait(self._poll_interval)
        finally:
            self._signal.unsubscribe(wake)

    def refresh(self) -> None:
        with self.db.connection() as conn:
            if not self._catalog_ready:
                ensure_catalog(conn)
                self._catalog_ready = True
            found = all_active(conn)
        self.publish({name: found[name].position for name in self.names if name in found})

    def publish(self, positions: dict[str, int]) -> None:
        """Record positions (they only go forward) and wake whoever waits."""
        changed = False
        with self._lock:
            for name, position in positions.items():
                if position > self._positions.get(name, 0):
                    self._positions[name] = position
                    changed = True
            waiters = list(self._waiters) if changed else []
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    # -- reading ---------------------------------------------------------------------------------

    def position(self, name: str | None = None) -> int:
        """One view's position, or (no name) the position every view has reached."""
        with self._lock:
            if name is not None:
                return self._positions.get(name, 0)
            return min(self._positions.values(), default=0)

    async def wait_for(self, position: int, name: str | None = None, timeout: float = 5.0) -> bool:
        """True once the view (or every view) has reached `position`; False after `timeout`."""
        if self.position(name) >= position:
            return True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        entry = (loop, asyncio.Event())
        with self._lock:
            self._waiters.add(entry)
        self._signal.fire()  # ask the refresher to look now, not at its next poll
        try:
            while True:
                entry[1].clear()
                if self.position(name) >= position:
                    return True
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(entry[1].wait(), remaining)
        finally:
            with self._lock:
                self._waiters.discard(entry)

    async def advances(self, keepalive: float = 15.0) -> AsyncIterator[int | None]:
        """Each new position every view has reached; None after `keepalive` seconds of quiet."""
        loop = asyncio.get_running_loop()
        entry = (loop, asyncio.Event())
        with self._lock:
            self._waiters.add(entry)
        try:
            last = self.position()
            yield last
            while True:
                entry[1].clear()
                current = self.position()
                if current > last:
                    last = current
                    yield current
                    continue
                try:
                    await asyncio.wait_for(entry[1].wait(), keepalive)
                except TimeoutError:
                    yield None
        finally:
            with self._lock:
                self._waiters.discard(entry)
