"""What the recorders refuse, by type: a version another write took is a VersionConflictError
(the one refusal a command retries), whether the group's reads or the database's key found
it; any other integrity error stays a plain IntegrityError."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from application.ports import VersionConflictError
from infrastructure.eventstore import group
from tests.integration.eventstore.support import StoreSpec, event, verify_store


def test_a_version_stored_already_is_a_version_conflict(recorder: Any) -> None:
    case = uuid.uuid4()
    recorder.insert_events([event(case, 1)])
    with pytest.raises(IntegrityError) as raised:
        recorder.insert_events([event(case, 1, "again")])
    assert type(raised.value) is VersionConflictError
    assert [e.state for e in recorder.select_events(case)] == [b"x"]


def test_the_database_key_refusing_a_version_is_a_version_conflict(
    recorder: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the group's own look-up switched off, the unique key of the events table is
    what refuses the version: the recorder still answers VersionConflictError."""
    case = uuid.uuid4()
    recorder.insert_events([event(case, 1)])
    monkeypatch.setattr(group, "_conflict", lambda *_: None)
    with pytest.raises(IntegrityError) as raised:
        recorder.insert_events([event(case, 1, "again")])
    assert type(raised.value) is VersionConflictError
    assert [e.state for e in recorder.select_events(case)] == [b"x"]
    verify_store(recorder)


def test_another_integrity_error_is_not_a_version_conflict(spec: StoreSpec, recorder: Any) -> None:
    """A constraint of the database other than the version key (here one that refuses a
    topic) fails the command with a plain IntegrityError: nothing to retry."""
    table = recorder.events_table_name
    if spec.kind == "sqlite":
        refuse = (
            f"CREATE TRIGGER refuse_topic BEFORE INSERT ON {table} "
            "WHEN NEW.topic = 'tests.Refused' BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    else:
        refuse = (
            f'ALTER TABLE "{recorder.datastore.schema}"."{table}" ADD CONSTRAINT refuse_topic '
            "CHECK (topic <> 'tests.Refused')"
        )
    with recorder.datastore.transaction(commit=True) as cursor:
        cursor.execute(refuse)
    case = uuid.uuid4()
    refused = StoredEvent(case, 1, "tests.Refused", b"x")
    with pytest.raises(IntegrityError) as raised:
        recorder.insert_events([refused])
    assert type(raised.value) is IntegrityError
    assert recorder.select_events(case) == []
