"""Table creation is idempotent, and a store made by the library's recorder gains our columns."""

from __future__ import annotations

import uuid
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresFactory
from eventsourcing.sqlite import SQLiteFactory

from tests.integration.eventstore.support import StoreSpec, event, verify_store


def test_creating_the_tables_twice_changes_nothing(spec: StoreSpec, recorder: Any) -> None:
    case_id = uuid.uuid4()
    recorder.insert_events([event(case_id, 1)])
    again = spec.recorder()  # CREATE TABLE IF NOT EXISTS, ADD COLUMN IF NOT EXISTS
    again.create_table()
    again.insert_events([event(case_id, 2)])
    assert len(verify_store(recorder)) == 2


def test_a_table_made_by_the_library_gains_the_hash_columns(spec: StoreSpec) -> None:
    library_factory: Any = (SQLiteFactory if spec.kind == "sqlite" else PostgresFactory)(spec.env)
    try:
        library_recorder = library_factory.application_recorder()
        legacy = uuid.uuid4()
        library_recorder.insert_events([StoredEvent(legacy, 1, "t", b"old")])
    finally:
        library_factory.close()
    recorder = spec.recorder()
    recorder.insert_events([StoredEvent(legacy, 2, "t", b"new")])
    old, new = recorder.select_case_chain(legacy)
    assert (old.hash, old.chain_hash) == (None, None)  # written before the chain existed
    assert new.prev_hash is None
    assert new.hash is not None
    assert new.chain_hash is not None
