"""Group commit under concurrency: nothing lost or doubled, versions exact, chain unbroken."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any

import pytest
from eventsourcing.persistence import IntegrityError, Notification

from tests.integration.eventstore.support import (
    StoreSpec,
    append_with_retry,
    event,
    in_one_group,
    verify_store,
)


def test_sixteen_threads_lose_nothing_and_keep_versions_and_chain(recorder: Any) -> None:
    shared = [uuid.uuid4() for _ in range(4)]  # contended: conflicts and retries
    own = {n: uuid.uuid4() for n in range(16)}
    written: list[tuple[uuid.UUID, str]] = []
    lock = threading.Lock()

    def work(n: int) -> None:
        for i in range(40):
            case_id = shared[i % 4] if i % 2 else own[n]
            payload = f"{n}-{i}"
            append_with_retry(recorder, case_id, payload)
            with lock:
                written.append((case_id, payload))

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(work, range(16)))

    rows = verify_store(recorder)
    assert len(rows) == len(written) == 16 * 40
    assert sorted((r.originator_id, r.state.decode()) for r in rows) == sorted(written)
    for case_id in [*shared, *own.values()]:
        versions = [e.originator_version for e in recorder.select_events(case_id)]
        assert versions == list(range(1, len(versions) + 1))
    assert recorder.writer.groups_written < recorder.writer.commands_written  # grouped


def test_commands_of_several_events_and_cases_chain_within_the_command(recorder: Any) -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    recorder.insert_events([event(a, 1)])
    ids = recorder.insert_events([event(b, 1), event(a, 2), event(a, 3), event(b, 2)])
    assert len(ids) == 4
    rows = verify_store(recorder)
    assert [(r.originator_id, r.originator_version) for r in rows] == [
        (a, 1),
        (b, 1),
        (a, 2),
        (a, 3),
        (b, 2),
    ]


def test_a_conflicting_command_fails_alone_and_the_rest_of_its_group_commits(
    spec: StoreSpec, recorder: Any
) -> None:
    existing, contested = uuid.uuid4(), uuid.uuid4()
    recorder.insert_events([event(existing, 1)])
    recorder.insert_events([event(contested, 1)])
    groups_before = recorder.writer.groups_written
    outcomes: dict[str, Any] = {}

    def run(name: str, events: list[Any]) -> None:
        try:
            outcomes[name] = recorder.insert_events(events)
        except Exception as error:
            outcomes[name] = error

    fresh = [uuid.uuid4() for _ in range(4)]
    commands = {
        "conflict": [event(existing, 1, "again")],  # version 1 is stored already
        "ok0": [event(fresh[0], 1), event(fresh[0], 2)],
        "race1": [event(contested, 2, "first")],
        "ok1": [event(fresh[1], 1)],
        "race2": [event(contested, 2, "second")],  # same version as race1, same group
        "ok2": [event(fresh[2], 1)],
    }
    in_one_group(
        spec,
        recorder,
        partial(run, "ok3", [event(fresh[3], 1)]),
        [partial(run, *item) for item in commands.items()],
    )

    assert recorder.writer.groups_written == groups_before + 2  # all six in one group
    assert isinstance(outcomes["conflict"], IntegrityError)
    assert isinstance(outcomes["race2"], IntegrityError)
    for name in ("ok0", "ok1", "ok2", "ok3", "race1"):
        assert isinstance(outcomes[name], list), (name, outcomes[name])
    assert [e.state for e in recorder.select_events(contested)] == [b"x", b"first"]
    assert [e.state for e in recorder.select_events(existing)] == [b"x"]
    rows = verify_store(recorder)
    assert len(rows) == 8  # existing, contested, ok0 (2), race1, ok1, ok2, ok3
    stored_ids = [r.notification_id for r in rows]
    returned = [i for o in outcomes.values() if isinstance(o, list) for i in o]
    assert set(returned) <= set(stored_ids)


def test_a_tailing_subscriber_sees_every_event_once_in_order(recorder: Any) -> None:
    writers, commands = 8, 40
    expected = writers * commands * 2
    seen: list[Notification] = []
    subscription = recorder.subscribe(gt=None)

    def tail() -> None:
        with subscription:
            for notification in subscription:
                seen.append(notification)
                if len(seen) == expected:
                    break

    tailer = threading.Thread(target=tail)
    tailer.start()

    def write(n: int) -> list[int]:
        case_id, ids = uuid.uuid4(), []
        for i in range(commands):
            ids += recorder.insert_events([event(case_id, 2 * i + 1), event(case_id, 2 * i + 2)])
        return ids

    with ThreadPoolExecutor(writers) as pool:
        returned = sorted(i for ids in pool.map(write, range(writers)) for i in ids)
    tailer.join(timeout=20)
    subscription.stop()
    assert not tailer.is_alive()
    seen_ids = [n.id for n in seen]
    assert seen_ids == returned  # every event, once, in store order
    assert seen_ids == [r.notification_id for r in verify_store(recorder)]


def test_the_writer_survives_errors_and_stops_on_close(recorder: Any) -> None:
    case_id = uuid.uuid4()
    recorder.insert_events([event(case_id, 1)])
    with pytest.raises(IntegrityError):
        recorder.insert_events([event(case_id, 1)])
    assert recorder.insert_events([event(case_id, 2)])
    thread = recorder.writer._thread
    assert thread is not None
    assert thread.daemon
    recorder.close()
    assert not thread.is_alive()
    assert recorder.insert_events([event(case_id, 3)])  # a new writer starts lazily
    verify_store(recorder)
