"""Several processes on one store: one unbroken chain, and a killed writer leaves nothing."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import uuid
from pathlib import Path
from typing import Any

from eventsourcing.persistence import Notification

from tests.integration.eventstore.support import (
    StoreSpec,
    event,
    killed_mid_transaction,
    process_appender,
    verify_store,
    wait_until,
)

SPAWN = multiprocessing.get_context("spawn")  # no inherited threads, pools or locks


def test_several_processes_append_with_conflicts_to_one_unbroken_chain(
    spec: StoreSpec, recorder: Any
) -> None:
    processes, commands = 3, 30
    expected = processes * commands
    shared = [uuid.uuid4() for _ in range(3)]
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
    children = [
        SPAWN.Process(
            target=process_appender,
            args=(spec.kind, spec.env, [str(s) for s in shared], 2, commands, f"p{n}"),
        )
        for n in range(processes)
    ]
    for child in children:
        child.start()
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    tailer.join(timeout=20)
    subscription.stop()

    rows = verify_store(recorder)
    assert len(rows) == expected
    assert len({(r.originator_id, r.originator_version) for r in rows}) == expected
    for case_id in shared:
        versions = [e.originator_version for e in recorder.select_events(case_id)]
        assert versions == list(range(1, len(versions) + 1))
    payloads = sorted(r.state.decode() for r in rows)
    assert payloads == sorted(f"p{n}-{i}" for n in range(processes) for i in range(commands))
    assert [n.id for n in seen] == [r.notification_id for r in rows]  # once each, in order


def test_a_process_killed_in_its_transaction_leaves_no_part_of_any_command(
    spec: StoreSpec, recorder: Any, tmp_path: Path
) -> None:
    before = uuid.uuid4()
    recorder.insert_events([event(before, 1)])
    doomed = uuid.uuid4()
    ready = tmp_path / "inserted"
    child = SPAWN.Process(
        target=killed_mid_transaction, args=(spec.kind, spec.env, doomed.hex, str(ready))
    )
    child.start()
    try:
        wait_until(ready.exists, timeout=30)  # its events are inserted, not committed
    finally:
        assert child.pid is not None
        os.kill(child.pid, signal.SIGKILL)
        child.join(timeout=10)
    assert child.exitcode == -signal.SIGKILL

    assert recorder.select_events(doomed) == []
    after = uuid.uuid4()
    recorder.insert_events([event(after, 1)])  # the lock was released with the process
    recorder.insert_events([event(doomed, 1, "retried")])
    rows = verify_store(recorder)
    assert [(r.originator_id, r.state) for r in rows] == [
        (before, b"x"),
        (after, b"x"),
        (doomed, b"retried"),
    ]
