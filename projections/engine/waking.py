"""Waking the view workers when the store has new events.

PostgreSQL: a LISTEN on the recorder's channel, on a connection of its own that is opened again
after it is lost (and wakes everyone then, since a notification may have been missed). SQLite:
the recorder's commit signal for this process's writes, and a short poll for other processes'.
Either way a worker also re-reads after its timeout, so a lost wake-up costs latency, not events.
"""

from __future__ import annotations

import os
import threading
from typing import Any

import psycopg
import structlog
from psycopg import sql

log = structlog.get_logger(__name__)


class Signal:
    """Events to set when something happened; each waiter holds its own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: set[threading.Event] = set()

    def subscribe(self) -> threading.Event:
        event = threading.Event()
        with self._lock:
            self._events.add(event)
        return event

    def unsubscribe(self, event: threading.Event) -> None:
        with self._lock:
            self._events.discard(event)

    def fire(self) -> None:
        with self._lock:
            events = list(self._events)
        for event in events:
            event.set()


class Waker:
    """What the workers wait on. `poll_interval` bounds the wait when nothing fires."""

    def __init__(self, recorder: Any, poll_interval: float) -> None:
        self.signal = Signal()
        self.poll_interval = poll_interval
        commit_signal = getattr(recorder, "commit_signal", None)
        self._recorder_signal = commit_signal
        self._forward = threading.Event()
        if commit_signal is not None:  # our recorders: woken by this process's own commits
            self._forward = _ForwardingEvent(self.signal)
            commit_signal.add(self._forward)

    def start(self) -> None:
        pass

    def close(self) -> None:
        if self._recorder_signal is not None:
            self._recorder_signal.discard(self._forward)


class _ForwardingEvent(threading.Event):
    """An Event the recorder sets after each commit; it fires the waker's signal instead."""

    def __init__(self, signal: Signal) -> None:
        super().__init__()
        self._signal = signal

    def set(self) -> None:
        self._signal.fire()


class ListenWaker(Waker):
    """LISTEN on PostgreSQL, reconnecting by itself."""

    def __init__(
        self,
        recorder: Any,
        conninfo: str,
        channel: str,
        *,
        poll_interval: float = 1.0,
        retry_interval: float = 0.5,
    ) -> None:
        super().__init__(recorder, poll_interval)
        self._conninfo = conninfo
        self._channel = channel
        self._retry_interval = retry_interval
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.listening = threading.Event()
        self.backend_pid: int | None = None
        self.connections = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"tongjie-listen-{self._channel}", daemon=True
            )
            self._thread.start()

    def close(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        super().close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._listen()
            except psycopg.Error as error:
                log.warning("view listener lost its connection; reconnecting", error=str(error))
            self.listening.clear()
            self._stopping.wait(self._retry_interval)

    def _listen(self) -> None:
        with psycopg.connect(
            self._conninfo,
            autocommit=True,
            connect_timeout=5,
            application_name=f"tongjie-listen-{os.getpid()}",
        ) as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
            self.backend_pid = conn.info.backend_pid
            self.connections += 1
            self.listening.set()
            self.signal.fire()  # events may have come while nobody listened
            while not self._stopping.is_set():
                for _ in conn.notifies(timeout=0.5, stop_after=1):
                    self.signal.fire()
