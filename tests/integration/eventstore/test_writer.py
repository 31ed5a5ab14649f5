"""The group-commit writer itself, with a write function we control."""

from __future__ import annotations

import threading
import uuid
from functools import partial
from typing import Any

import pytest
from eventsourcing.persistence import DataError, IntegrityError, OperationalError

from infrastructure.eventstore.writer import GroupCommitter, PendingCommand
from tests.integration.eventstore.support import (
    StoreSpec,
    event,
    in_one_group,
    verify_store,
    wait_until,
)


def test_a_failed_commit_is_raised_in_every_caller_and_the_writer_lives_on() -> None:
    gate = threading.Event()
    fail = True

    def write(group: list[PendingCommand]) -> list[Any]:
        gate.wait(5)
        if fail:
            raise OperationalError("connection lost at COMMIT")
        return [[n] for n, _ in enumerate(group)]

    writer = GroupCommitter(write)
    errors: list[BaseException] = []

    def submit() -> None:
        try:
            writer.submit([event(uuid.uuid4(), 1)], None)
        except OperationalError as error:
            errors.append(error)

    first = threading.Thread(target=submit)
    first.start()
    wait_until(lambda: writer.groups_written == 1)
    others = [threading.Thread(target=submit) for _ in range(5)]
    for thread in others:
        thread.start()
    wait_until(lambda: writer.pending() == 5)
    gate.set()  # the first group fails, then the five others fail together
    for thread in [first, *others]:
        thread.join()
    assert len(errors) == 6
    assert writer.groups_written == 2
    fail = False
    assert writer.submit([event(uuid.uuid4(), 1)], None) == [0]
    thread = writer._thread
    assert thread is not None
    assert thread.daemon
    writer.close()
    assert not thread.is_alive()


def test_the_writer_cannot_wait_on_itself() -> None:
    inner: list[BaseException] = []
    writer: GroupCommitter

    def write(group: list[PendingCommand]) -> list[Any]:
        try:
            writer.submit([], None)
        except RuntimeError as error:
            inner.append(error)
        return [[1] for _ in group]

    writer = GroupCommitter(write)
    assert writer.submit([], None) == [1]
    assert len(inner) == 1
    writer.close()


def test_housekeeping_runs_on_the_writer_thread() -> None:
    ran = threading.Event()
    threads: list[str] = []

    def housekeeping() -> None:
        threads.append(threading.current_thread().name)
        ran.set()

    writer = GroupCommitter(
        lambda group: [[1] for _ in group], housekeeping=housekeeping, housekeeping_interval=0.05
    )
    writer.submit([], None)
    assert ran.wait(5)
    assert threads[0] == "tongjie-eventstore-writer"
    writer.close()


@pytest.mark.postgres
def test_an_unforeseen_error_in_one_command_rolls_back_that_command_only(
    postgres_spec: StoreSpec, postgres_recorder: Any
) -> None:
    """The up-front conflict check cannot see every failure; savepoints still isolate them.

    PostgreSQL rejects a NUL in text (SQLite stores it), which no up-front check foresees.
    """
    spec, recorder = postgres_spec, postgres_recorder
    from eventsourcing.persistence import StoredEvent

    good, bad = uuid.uuid4(), uuid.uuid4()
    outcomes: dict[str, Any] = {}

    def run(name: str, events: list[StoredEvent]) -> None:
        try:
            outcomes[name] = recorder.insert_events(events)
        except Exception as error:
            outcomes[name] = error

    commands = [
        ("good1", [event(good, 1)]),
        ("bad", [StoredEvent(bad, 1, "topic\x00with NUL", b"x")]),
        ("good2", [event(good, 2)]),
    ]
    in_one_group(
        spec,
        recorder,
        partial(run, "blocker", [event(uuid.uuid4(), 1)]),
        [partial(run, *command) for command in commands],
    )
    assert isinstance(outcomes["bad"], DataError | IntegrityError)
    assert isinstance(outcomes["good1"], list)
    assert isinstance(outcomes["good2"], list)
    assert [e.originator_version for e in recorder.select_events(good)] == [1, 2]
    verify_store(recorder)


@pytest.mark.postgres
def test_a_lost_connection_fails_its_whole_group_and_the_next_group_succeeds(
    postgres_spec: StoreSpec, postgres_recorder: Any
) -> None:
    spec, recorder = postgres_spec, postgres_recorder
    from eventsourcing.persistence import PersistenceError

    from tests.integration.eventstore.support import admin_execute, hold_write_lock

    schema = spec.env["POSTGRES_SCHEMA"]
    recorder.insert_events([event(uuid.uuid4(), 1)])
    errors: list[BaseException] = []

    def run() -> None:
        try:
            recorder.insert_events([event(uuid.uuid4(), 1)])
        except PersistenceError as error:
            errors.append(error)

    def writer_backends() -> list[tuple[Any, ...]]:
        return admin_execute(
            "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
            (f"%LOCK TABLE%{schema}%",),
        )

    stop_killing = threading.Event()
    killed: list[Any] = []

    def kill_writers() -> None:  # every connection the writer opens dies while it waits
        while not stop_killing.is_set():
            for (pid,) in writer_backends():
                if pid not in killed:
                    admin_execute("SELECT pg_terminate_backend(%s)", (pid,))
                    killed.append(pid)
            stop_killing.wait(0.01)

    killer = threading.Thread(target=kill_writers)
    groups = recorder.writer.groups_written
    with hold_write_lock(spec):
        first = threading.Thread(target=run)
        first.start()
        wait_until(lambda: recorder.writer.groups_written == groups + 1)
        others = [threading.Thread(target=run) for _ in range(3)]
        for thread in others:
            thread.start()
        wait_until(lambda: recorder.writer.pending() == 3)
        killer.start()
        for thread in [first, *others]:
            thread.join(timeout=20)
        stop_killing.set()
        killer.join()
    assert recorder.writer.groups_written == groups + 2  # [first], then the three together
    assert len(killed) == 2 * recorder.write_attempts  # each group tried again once
    assert len(errors) == 4  # the first group's caller, and all three of the second group
    assert recorder.insert_events([event(uuid.uuid4(), 1)])
    assert len(verify_store(recorder)) == 2


@pytest.mark.postgres
def test_a_connection_lost_before_commit_is_retried_once(
    postgres_spec: StoreSpec, postgres_recorder: Any
) -> None:
    spec, recorder = postgres_spec, postgres_recorder
    from tests.integration.eventstore.support import admin_execute, hold_write_lock

    schema = spec.env["POSTGRES_SCHEMA"]
    case_id = uuid.uuid4()
    outcome: list[Any] = []
    thread = threading.Thread(
        target=lambda: outcome.append(recorder.insert_events([event(case_id, 1)]))
    )
    query = "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s"
    with hold_write_lock(spec):
        thread.start()
        wait_until(lambda: len(admin_execute(query, (f"%LOCK TABLE%{schema}%",))) == 1)
        (pid,) = admin_execute(query, (f"%LOCK TABLE%{schema}%",))[0]
        admin_execute("SELECT pg_terminate_backend(%s)", (pid,))
        wait_until(
            lambda: any(row[0] != pid for row in admin_execute(query, (f"%LOCK TABLE%{schema}%",)))
        )  # the retry waits for the lock on a new connection
    thread.join(timeout=10)
    assert len(outcome) == 1
    assert [e.originator_version for e in recorder.select_events(case_id)] == [1]
    verify_store(recorder)
