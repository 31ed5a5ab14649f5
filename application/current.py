"""Current state for the write path, read from the store without a deep copy at every use.

The library's repository deep-copies a cached aggregate on every load, under a lock per
aggregate, and its copy of a case grows with every session recorded. Commands do better: one
command at a time per case in this process, each on the copy the previous command left (so
concurrent commands on one case queue here instead of racing to the store and retrying).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import Cache, LRUCache, project_aggregate
from eventsourcing.domain import Aggregate

from application.ports import WriteWitness
from application.store import TongjieStore
from domain.case import Case
from domain.errors import CaseNotFoundError

A = TypeVar("A", bound=Aggregate)


def caught_up(store: TongjieStore, aggregate: A, *, shared: bool = False) -> A:
    """`aggregate` with the events stored after its version applied (one query).

    In place, unless it is `shared` with other threads: then a copy, if anything was stored.
    """
    events = list(store.events.get(aggregate.id, gt=aggregate.version))
    if not events:
        return aggregate
    result = project_aggregate(deepcopy(aggregate) if shared else aggregate, events)
    assert isinstance(result, type(aggregate))
    return result


class KeyedLocks:
    """A lock per key, kept only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[UUID, tuple[threading.Lock, int]] = {}

    @contextmanager
    def held(self, key: UUID) -> Iterator[None]:
        with self._guard:
            lock, users = self._locks.get(key) or (threading.Lock(), 0)
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._guard:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


@dataclass
class Checkout:
    """A case handed to one command; `read_now`: read from the store by this checkout."""

    case: Case
    epoch: int | None  # the witness's count before the copy was last read from the store
    read_now: bool


class CommandCases:
    """The cases commands change: `checked_out(case_id)` hands one command a case.

    While a command holds a case, no other command of this process gets it; the copy goes back
    for the next command only if the command and its save succeeded, so a failed command or a
    lost race never leaves events that were not stored.

    A kept copy is used as it is while the store's writer has seen no other writer since the
    copy was read (one process: every command): it may then lack only events stored since the
    writer's last group, and a command on such a copy cannot be stored (the store's unique
    version key refuses it, and the command is retried on the store's state), so a success is
    always judged on the current case. A refusal is not: `confirm()` reads the case again.
    Without a witness (a recorder that keeps no count), every checkout reads what was stored
    since.
    """

    def __init__(self, store: TongjieStore, witness: WriteWitness | None) -> None:
        self.store = store
        self._locks = KeyedLocks()
        self._witness = witness
        library_cache = store.repository.cache
        self._kept: Cache[UUID, tuple[Case, int | None]] | None
        if isinstance(library_cache, LRUCache):
            self._kept = LRUCache(maxsize=library_cache.maxsize)
        else:
            self._kept = None if library_cache is None else Cache()

    @contextmanager
    def checked_out(self, case_id: UUID) -> Iterator[Checkout]:
        with self._locks.held(case_id):
            checkout = self._take(case_id)
            yield checkout
            if self._kept is not None:
                self._kept.put(case_id, (checkout.case, checkout.epoch))

    def confirm(self, checkout: Checkout) -> None:
        """Read the checked-out case again as the store has it now (after a refusal judged on
        a kept copy), so the command can be judged again on it."""
        epoch = self._epoch()
        if checkout.case.pending_events:  # a command broke validate-then-trigger: start over
            checkout.case = self._load(checkout.case.id)
        else:
            checkout.case = caught_up(self.store, checkout.case)
        checkout.epoch = epoch
        checkout.read_now = True

    def _take(self, case_id: UUID) -> Checkout:
        epoch = self._epoch()
        kept: tuple[Case, int | None] | None = None
        if self._kept is not None:
            try:
                kept = self._kept.get(case_id, evict=True)
            except KeyError:
                kept = None
        if kept is None:
            return Checkout(self._load(case_id), epoch, read_now=True)
        case, kept_epoch = kept
        if epoch is not None and kept_epoch == epoch:
            return Checkout(case, epoch, read_now=False)
        return Checkout(caught_up(self.store, case), epoch, read_now=True)

    def _epoch(self) -> int | None:
        return None if self._witness is None else self._witness.foreign_writes

    def _load(self, case_id: UUID) -> Case:
        case = self.store.load(case_id, CaseNotFoundError(case_id))
        if not isinstance(case, Case):
            raise CaseNotFoundError(case_id)
        return case
