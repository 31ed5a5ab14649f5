"""Waking the view workers when the store has new events.

`Waker` is the in-process kind (SQLite): the recorder's commit signal for this process's
writes, and a short poll for other processes'. On PostgreSQL the composition root hands in a
LISTEN waker instead (`infrastructure/views/listen.py`); both fire a `Signal`. Either way a
worker also re-reads after its timeout, so a lost wake-up costs latency, not events.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from projections.engine.ports import SignalsCommits


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
    """What the workers wait on. `poll_interval` bounds the wait when nothing fires.

    `recorder`: the store whose commits in this process wake the workers at once (None: only
    the poll does).
    """

    def __init__(self, recorder: SignalsCommits | None, poll_interval: float) -> None:
        self.signal = Signal()
        self.poll_interval = poll_interval
        self._recorder = recorder
        self._forward = _ForwardingEvent(self.signal)
        if recorder is not None:
            recorder.commit_signal.add(self._forward)

    def start(self) -> None:
        pass

    def close(self) -> None:
        if self._recorder is not None:
            self._recorder.commit_signal.discard(self._forward)


class _ForwardingEvent(threading.Event):
    """An Event the recorder sets after each commit; it fires the waker's signal instead."""

    def __init__(self, signal: Signal) -> None:
        super().__init__()
        self._signal = signal

    def set(self) -> None:
        self._signal.fire()
