"""A command stored on condition that another originator is unchanged (`unchanged=`)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest

from infrastructure.eventstore.unchanged import ChangedMeanwhileError
from tests.integration.eventstore.support import (
    StoreSpec,
    event,
    hold_write_lock,
    verify_store,
    wait_until,
)


def test_a_command_is_stored_only_while_the_originator_is_at_that_version(
    recorder: Any,
) -> None:
    user, case = uuid.uuid4(), uuid.uuid4()
    recorder.insert_events([event(user, 1), event(user, 2)])
    assert len(recorder.insert_events([event(case, 1)], unchanged={user: 2})) == 1
    position = recorder.max_notification_id()
    for stale in ({user: 1}, {user: 3}, {uuid.uuid4(): 1}):
        with pytest.raises(ChangedMeanwhileError):
            recorder.insert_events([event(case, 2)], unchanged=stale)
    assert recorder.max_notification_id() == position
    assert [e.originator_version for e in recorder.select_events(case)] == [1]
    verify_store(recorder)


def test_an_earlier_command_of_the_group_that_moves_the_originator_fails_a_later_one(
    spec: StoreSpec, recorder: Any
) -> None:
    user, blocked, case, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    recorder.insert_events([event(user, 1)])
    outcomes: dict[str, Any] = {}

    def run(name: str, events: list[Any], unchanged: dict[uuid.UUID, int] | None) -> None:
        try:
            outcomes[name] = recorder.insert_events(events, unchanged=unchanged)
        except Exception as error:
            outcomes[name] = error

    groups = recorder.writer.groups_written
    with hold_write_lock(spec):
        blocker = threading.Thread(target=run, args=("blocker", [event(blocked, 1)], None))
        blocker.start()
        wait_until(lambda: recorder.writer.groups_written == groups + 1)
        commands = [
            ("revoke", [event(user, 2, "revoked")], None),
            ("stale", [event(case, 1)], {user: 1}),
            ("unconditional", [event(other, 1)], None),
        ]
        threads = [threading.Thread(target=run, args=command) for command in commands]
        for queued, thread in enumerate(threads, start=1):
            thread.start()
            wait_until(lambda queued=queued: recorder.writer.pending() == queued)
    for thread in [blocker, *threads]:
        thread.join()
    assert recorder.writer.groups_written == groups + 2  # the three in one group
    assert isinstance(outcomes["revoke"], list)
    assert isinstance(outcomes["stale"], ChangedMeanwhileError)
    assert isinstance(outcomes["unconditional"], list)
    assert recorder.select_events(case) == []
    verify_store(recorder)
