"""Waking the view workers on PostgreSQL: a LISTEN on a connection of its own.

The connection is opened again after it is lost, and everyone is woken then, since a
notification may have been missed. This process's own commits wake at once through the
recorder's commit signal. Either way a worker also re-reads after its poll interval, so a lost
wake-up costs latency, not events.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

import psycopg
import structlog
from psycopg import sql

from infrastructure import reachability

if TYPE_CHECKING:
    from infrastructure.eventstore.subscription import CommitSignal

log = structlog.get_logger(__name__)


class Fires(Protocol):
    def fire(self) -> None: ...


SignalT = TypeVar("SignalT", bound=Fires)


class ListenWaker(Generic[SignalT]):
    """Fires `signal` at each notification on `channel` (and at each commit of `commits`).

    It keeps the signal it is given (the views' own kind), so the views wait on it as on
    any waker of theirs.
    """

    def __init__(
        self,
        signal: SignalT,
        conninfo: str,
        channel: str,
        *,
        commits: CommitSignal | None = None,
        poll_interval: float = 1.0,
        retry_interval: float = 0.5,
    ) -> None:
        self.signal = signal
        self.poll_interval = poll_interval
        self._conninfo = conninfo
        self._channel = channel
        self._retry_interval = retry_interval
        self._commits = commits
        self._forward = _Firing(signal)
        if commits is not None:
            commits.add(self._forward)
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
        if self._commits is not None:
            self._commits.discard(self._forward)

    def _run(self) -> None:
        failing = False  # said once per outage, not at every try
        while not self._stopping.is_set():
            try:
                self._listen()
            except psycopg.Error as error:
                if not failing or self.listening.is_set():
                    log.warning("view listener lost its connection; reconnecting", error=str(error))
                failing = True
            self.listening.clear()
            self._stopping.wait(self._retry_interval)

    def _listen(self) -> None:
        with reachability.connect(self._conninfo, "listen", autocommit=True) as conn:
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
            self.backend_pid = conn.info.backend_pid
            self.connections += 1
            self.listening.set()
            self.signal.fire()  # events may have come while nobody listened
            while not self._stopping.is_set():
                for _ in conn.notifies(timeout=0.5, stop_after=1):
                    self.signal.fire()


class _Firing(threading.Event):
    """An Event the recorder sets after each commit; it fires the signal instead."""

    def __init__(self, signal: Fires) -> None:
        super().__init__()
        self._signal = signal

    def set(self) -> None:
        self._signal.fire()
