"""A subscription that polls, for stores without LISTEN/NOTIFY (SQLite).

It reuses the library's pull thread and queue; only the wait changes: woken at once by the
writer of this process after each commit, and by a short poll for other processes' writes.
Every pull asks for ids above the last one yielded, and the store assigns ids in commit
order under its write lock, so nothing is skipped or yielded twice.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from eventsourcing.persistence import ApplicationRecorder, ListenNotifySubscription

if TYPE_CHECKING:
    from collections.abc import Sequence


class CommitSignal:
    """Events to set after each commit of this process's writer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._events: set[threading.Event] = set()

    def add(self, event: threading.Event) -> None:
        with self._lock:
            self._events.add(event)

    def discard(self, event: threading.Event) -> None:
        with self._lock:
            self._events.discard(event)

    def notify_all(self) -> None:
        with self._lock:
            events = list(self._events)
        for event in events:
            event.set()


class PollingSubscription(ListenNotifySubscription[ApplicationRecorder]):
    def __init__(
        self,
        recorder: ApplicationRecorder,
        gt: int | None = None,
        topics: Sequence[str] = (),
        *,
        signal: CommitSignal | None = None,
        poll_interval: float = 0.05,
    ) -> None:
        self._poll_interval = poll_interval
        self._signal = signal
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        if signal is not None:
            signal.add(self._has_been_notified)

    def stop(self) -> None:
        super().stop()
        if self._signal is not None:
            self._signal.discard(self._has_been_notified)

    def _loop_on_pull(self) -> None:
        try:
            self._pull()  # Already recorded events.
            while not self._has_been_stopped:
                self._has_been_notified.wait(timeout=self._poll_interval)
                self._pull()  # Newly recorded events, here or by another process.
        except BaseException as e:
            if self._thread_error is None:
                self._thread_error = e
            self.stop()
