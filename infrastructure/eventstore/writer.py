"""The group-commit writer: one thread per recorder turns many commands into one transaction.

Callers block on a future that is answered only after the group's COMMIT returned (or
failed), so a caller never sees success for events that are not durable.
"""

from __future__ import annotations

import logging
import os
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from eventsourcing.persistence import StoredEvent

    from application.ports import IdempotencyRecord, Unchanged
    from infrastructure.eventstore.group import Outcome

logger = logging.getLogger(__name__)


@dataclass
class PendingCommand:
    events: Sequence[StoredEvent]
    idempotency: IdempotencyRecord | None
    unchanged: Unchanged | None = None
    future: Future[list[int]] = field(default_factory=Future)


_STOP = object()


class GroupCommitter:
    """Runs `write(commands) -> outcomes` for groups of queued commands on one daemon thread.

    `write` opens, fills and commits one transaction; if it raises, every command of the
    group gets that exception. `housekeeping` runs on the same thread every
    `housekeeping_interval` seconds (so it never competes with a group for the lock), and
    `after_group` after each group (to wake in-process readers).
    """

    def __init__(
        self,
        write: Callable[[list[PendingCommand]], list[Outcome]],
        *,
        max_group_size: int = 256,
        name: str = "tongjie-eventstore-writer",
        housekeeping: Callable[[], None] | None = None,
        housekeeping_interval: float = 3600.0,
        after_group: Callable[[], None] | None = None,
    ) -> None:
        self._write = write
        self._max_group_size = max_group_size
        self._name = name
        self._housekeeping = housekeeping
        self._housekeeping_interval = housekeeping_interval
        self._after_group = after_group
        self._lock = threading.Lock()
        self.groups_written = 0  # groups attempted, for metrics and tests
        self.commands_written = 0
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None

    def submit(
        self,
        events: Sequence[StoredEvent],
        idempotency: IdempotencyRecord | None,
        unchanged: Unchanged | None = None,
    ) -> list[int]:
        """Queue one command and block until its group committed; raise its error if any."""
        command = PendingCommand(events, idempotency, unchanged)
        self._put(command)
        return command.future.result()

    def _put(self, command: PendingCommand) -> None:
        with self._lock:
            if self._pid != os.getpid():  # forked: the parent's thread is not ours
                self._reset()
            thread = self._thread
            if thread is None or not thread.is_alive():
                thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread = thread
                thread.start()
            elif thread.ident == threading.get_ident():
                msg = "the writer thread cannot submit a command to itself"
                raise RuntimeError(msg)
            self._queue.put(command)

    def pending(self) -> int:
        """Commands queued and not yet taken into a group."""
        return self._queue.qsize()

    def close(self, timeout: float = 10.0) -> None:
        """Stop the thread after it has answered everything queued before this call."""
        with self._lock:
            thread = self._thread
            if thread is None or self._pid != os.getpid():
                return
            self._queue.put(_STOP)
            self._thread = None
        if thread.is_alive() and thread.ident != threading.get_ident():
            thread.join(timeout)

    def _run(self) -> None:
        next_housekeeping = time.monotonic() + min(60.0, self._housekeeping_interval)
        stopping = False
        while not stopping:
            wait = max(0.0, next_housekeeping - time.monotonic())
            try:
                first = self._queue.get(timeout=wait)
            except queue.Empty:
                next_housekeeping = time.monotonic() + self._housekeeping_interval
                self._run_housekeeping()
                continue
            group: list[PendingCommand] = []
            item = first
            while True:
                if item is _STOP:
                    stopping = True
                    break
                assert isinstance(item, PendingCommand)
                group.append(item)
                if len(group) >= self._max_group_size:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if group:
                self._commit(group)

    def _commit(self, group: list[PendingCommand]) -> None:
        self.groups_written += 1
        self.commands_written += len(group)
        try:
            outcomes = self._write(group)
            if len(outcomes) != len(group):
                msg = f"writer answered {len(outcomes)} outcomes for {len(group)} commands"
                raise RuntimeError(msg)
        except BaseException as error:  # every caller of the group must hear of it
            logger.warning("group of %d commands failed: %r", len(group), error)
            for command in group:
                command.future.set_exception(error)
        else:
            for command, outcome in zip(group, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    command.future.set_exception(outcome)
                else:
                    command.future.set_result(outcome)
        if self._after_group is not None:
            try:
                self._after_group()
            except Exception:
                logger.exception("after-group callback failed")

    def _run_housekeeping(self) -> None:
        if self._housekeeping is None:
            return
        try:
            self._housekeeping()
        except Exception:
            logger.exception("event store housekeeping failed")
