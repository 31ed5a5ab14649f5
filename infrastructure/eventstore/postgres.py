"""PERSISTENCE_MODULE=infrastructure.eventstore.postgres: the library's PostgreSQL, our recorder.

Leave POSTGRES_ENABLE_DB_FUNCTIONS off: our recorder never uses the library's insert function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import eventsourcing.postgres as library  # as a module: the library wants one factory here
from psycopg.conninfo import make_conninfo

from infrastructure.eventstore.factory import ClosesOurRecorders
from infrastructure.eventstore.postgres_recorder import TongjiePostgresRecorder
from infrastructure.reachability import GuardedPool, retried

if TYPE_CHECKING:
    from collections.abc import Sequence
    from uuid import UUID

    from eventsourcing.persistence import StoredEvent
    from eventsourcing.utils import Environment, EnvType

MIN_CONNECTIONS = 2
"""Opened at start and kept; the pool grows to its size on demand and shrinks when idle."""


class SnapshotRecorder(library.PostgresAggregateRecorder):
    """The library's recorder of snapshots, without its ten tries 0.2 s apart (1.8 s of
    sleeping before a request could answer 503 in an outage); see `retried`."""

    @retried
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        select = library.PostgresAggregateRecorder.select_events.__wrapped__
        found: Sequence[StoredEvent] = select(
            self, originator_id, gt=gt, lte=lte, desc=desc, limit=limit
        )
        return found

    @retried
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        insert = library.PostgresAggregateRecorder.insert_events.__wrapped__
        found: Sequence[int] | None = insert(self, stored_events, **kwargs)
        return found


class Factory(ClosesOurRecorders[library.PostgresTrackingRecorder], library.PostgresFactory):
    application_recorder_class = TongjiePostgresRecorder
    aggregate_recorder_class = SnapshotRecorder

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        self.datastore.pool = guarded(self.datastore)


def guarded(datastore: library.PostgresDatastore) -> GuardedPool:
    """The library's pool (not opened yet) made again as ours: the same connections and sizes,
    bounded waits and the database's watch (infrastructure/reachability.py)."""
    made = datastore.pool
    kwargs = dict(made.kwargs) if isinstance(made.kwargs, dict) else {}
    address = {k: kwargs.pop(k) for k in ("dbname", "host", "port", "user", "password")}
    return GuardedPool(
        make_conninfo("", **address),
        purpose="events",
        kwargs=kwargs,  # the library's row factory
        configure=datastore.after_connect_func(),
        min_size=min(MIN_CONNECTIONS, made.max_size),
        max_size=made.max_size,
        max_lifetime=made.max_lifetime,
        open=False,
        name="tongjie-events",
    )


__all__ = ["Factory", "TongjiePostgresRecorder"]
