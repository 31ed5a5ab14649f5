"""A command stored on condition that another originator is unchanged (`unchanged=`)."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

import pytest

from application.ports import ChangedMeanwhileError
from tests.integration.eventstore.support import (
    StoreSpec,
    event,
    in_one_group,
    verify_store,
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
    commands = [
        ("revoke", [event(user, 2, "revoked")], None),
        ("stale", [event(case, 1)], {user: 1}),
        ("unconditional", [event(other, 1)], None),
    ]
    in_one_group(
        spec,
        recorder,
        partial(run, "blocker", [event(blocked, 1)], None),
        [partial(run, *command) for command in commands],
    )
    assert recorder.writer.groups_written == groups + 2  # the three in one group
    assert isinstance(outcomes["revoke"], list)
    assert isinstance(outcomes["stale"], ChangedMeanwhileError)
    assert isinstance(outcomes["unconditional"], list)
    assert recorder.select_events(case) == []
    verify_store(recorder)
