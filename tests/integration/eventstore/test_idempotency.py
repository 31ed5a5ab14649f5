"""Idempotency records: written with the command's events, and a retried key records nothing."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from functools import partial
from typing import Any

import pytest

from application.ports import IdempotencyKeyExistsError, IdempotencyRecord
from tests.integration.eventstore.support import (
    StoreSpec,
    event,
    in_one_group,
    verify_store,
)


def record(key: str = "k-1", body: bytes = b'{"ok":true}') -> IdempotencyRecord:
    return IdempotencyRecord(
        key=key,
        caller="mediator:7",
        path="/api/v1/cases/abc/steps",
        fingerprint="sha256:f00d",
        status=201,
        headers={"content-type": "application/json", "location": "/x"},
        body=body,
    )


def test_the_answer_is_stored_with_the_commands_last_position(recorder: Any) -> None:
    case_id = uuid.uuid4()
    ids = recorder.insert_events([event(case_id, 1), event(case_id, 2)], idempotency=record())
    answer = recorder.find_idempotency("mediator:7", "/api/v1/cases/abc/steps", "k-1")
    assert answer is not None
    assert answer.position == ids[-1]
    assert (answer.status, answer.headers, answer.body) == (201, record().headers, b'{"ok":true}')
    assert answer.fingerprint == "sha256:f00d"
    assert answer.created_at.tzinfo is not None
    assert recorder.find_idempotency("mediator:7", "/api/v1/cases/abc/steps", "k-2") is None
    assert recorder.find_idempotency("someone-else", "/api/v1/cases/abc/steps", "k-1") is None


@pytest.mark.parametrize("retry", ["next version", "same version"])
def test_a_retried_key_records_nothing_new(recorder: Any, retry: str) -> None:
    case_id = uuid.uuid4()
    recorder.insert_events([event(case_id, 1)], idempotency=record())
    position = recorder.max_notification_id()
    version = 2 if retry == "next version" else 1
    with pytest.raises(IdempotencyKeyExistsError) as raised:
        recorder.insert_events([event(case_id, version, "again")], idempotency=record(body=b"2"))
    assert (raised.value.caller, raised.value.key) == ("mediator:7", "k-1")
    assert recorder.max_notification_id() == position
    assert [e.state for e in recorder.select_events(case_id)] == [b"x"]
    answer = recorder.find_idempotency("mediator:7", "/api/v1/cases/abc/steps", "k-1")
    assert answer is not None
    assert answer.body == b'{"ok":true}'
    verify_store(recorder)


def test_two_commands_with_one_key_in_one_group_store_only_the_first(
    spec: StoreSpec, recorder: Any
) -> None:
    first_case, second_case, other_case = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    outcomes: dict[str, Any] = {}

    def run(name: str, events: list[Any], rec: IdempotencyRecord | None) -> None:
        try:
            outcomes[name] = recorder.insert_events(events, idempotency=rec)
        except Exception as error:
            outcomes[name] = error

    groups = recorder.writer.groups_written
    commands = [
        ("first", [event(first_case, 1)], record()),
        ("second", [event(second_case, 1)], record()),
        ("other", [event(other_case, 2)], record("k-2")),
    ]
    in_one_group(
        spec,
        recorder,
        partial(run, "blocker", [event(other_case, 1)], None),
        [partial(run, *command) for command in commands],
    )
    assert recorder.writer.groups_written == groups + 2
    assert isinstance(outcomes["second"], IdempotencyKeyExistsError)
    assert isinstance(outcomes["first"], list)
    assert isinstance(outcomes["other"], list)
    assert recorder.select_events(second_case) == []
    verify_store(recorder)


def test_purge_keeps_young_records_and_deletes_old_ones(recorder: Any) -> None:
    recorder.insert_events([event(uuid.uuid4(), 1)], idempotency=record())
    assert recorder.purge_idempotency(timedelta(hours=24)) == 0
    time.sleep(0.05)
    assert recorder.purge_idempotency(timedelta(milliseconds=10)) == 1
    assert recorder.find_idempotency("mediator:7", "/api/v1/cases/abc/steps", "k-1") is None


def test_a_record_can_be_stored_without_events(recorder: Any) -> None:
    """For commands that write elsewhere (reference data): the record alone, no position."""
    assert recorder.insert_events([], idempotency=record("alone")) == []
    answer = recorder.find_idempotency("mediator:7", "/api/v1/cases/abc/steps", "alone")
    assert answer is not None
    assert answer.position is None
    with pytest.raises(IdempotencyKeyExistsError):
        recorder.insert_events([], idempotency=record("alone"))
    assert recorder.max_notification_id() is None
