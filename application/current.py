"""Current state for the write path, read from the store at every use without a deep copy.

The library's repository deep-copies a cached aggregate on every load, under a lock per
aggregate, and its copy of a case grows with every session recorded. Commands do better: one
command at a time per case in this process, each on the copy the previous command left (so
concurrent commands on one case queue here instead of racing to the store and retrying), after
one query for the events other processes stored since.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import Cache, LRUCache, project_aggregate
from eventsourcing.domain import Aggregate

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


class CommandCases:
    """The cases commands change: `checked_out(case_id)` hands one command the current case.

    While a command holds a case, no other command of this process gets it; the copy goes back
    for the next command only if the command and its save succeeded, so a failed command or a
    lost race never leaves events that were not stored. Other processes' events are applied
    at the next checkout (a lost race is the store's unique version key, as without this).
    """

    def __init__(self, store: TongjieStore) -> None:
        self.store = store
        self._locks = KeyedLocks()
        library_cache = store.repository.cache
        self._cases: Cache[UUID, Case] | None
        if isinstance(library_cache, LRUCache):
            self._cases = LRUCache(maxsize=library_cache.maxsize)
        else:
            self._cases = None if library_cache is None else Cache()

    @contextmanager
    def checked_out(self, case_id: UUID) -> Iterator[Case]:
        with self._locks.held(case_id):
            case = self._take(case_id)
            yield case
            if self._cases is not None:
                self._cases.put(case_id, case)

    def _take(self, case_id: UUID) -> Case:
        kept: Case | None = None
        if self._cases is not None:
            try:
                kept = self._cases.get(case_id, evict=True)
            except KeyError:
                kept = None
        if kept is not None:
            return caught_up(self.store, kept)
        case = self.store.load(case_id, CaseNotFoundError(case_id))
        if not isinstance(case, Case):
            raise CaseNotFoundError(case_id)
        return case
