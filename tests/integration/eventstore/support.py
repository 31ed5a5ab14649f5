"""Helpers for the event store tests: stores to test against, and an independent verifier.

Module-level functions only, so that spawned processes can import and run them.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import IntegrityError, StoredEvent
from psycopg.conninfo import conninfo_to_dict

from infrastructure.eventstore.chain import ChainRow
from infrastructure.eventstore.hashing import chain_hash, event_hash

POSTGRES_URL = os.environ.get(
    "TONGJIE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def postgres_available() -> bool:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def postgres_missing_reason() -> str | None:
    """None if PostgreSQL is up; else why the test cannot run. Under CI that is a failure."""
    if postgres_available():
        return None
    return f"PostgreSQL is not reachable at {POSTGRES_URL}"


@dataclass
class StoreSpec:
    """How to build our persistence module's Factory for one store."""

    kind: str  # "sqlite" or "postgres"
    env: dict[str, str]
    factories: list[Any] = field(default_factory=list)

    def factory(self, **extra: str) -> Any:
        module = import_module(f"infrastructure.eventstore.{self.kind}")
        factory = module.Factory({**self.env, **extra})
        self.factories.append(factory)
        return factory

    def recorder(self, **extra: str) -> Any:
        return self.factory(**extra).application_recorder()

    def close(self) -> None:
        for factory in self.factories:
            factory.close()
        self.factories.clear()

    def persistence_env(self) -> dict[str, str]:
        return {"PERSISTENCE_MODULE": f"infrastructure.eventstore.{self.kind}", **self.env}


def sqlite_spec(path: str) -> StoreSpec:
    return StoreSpec("sqlite", {"SQLITE_DBNAME": path, "SQLITE_LOCK_TIMEOUT": "20"})


def postgres_env(schema: str) -> dict[str, str]:
    info = conninfo_to_dict(POSTGRES_URL)
    return {
        "POSTGRES_DBNAME": str(info.get("dbname", "test")),
        "POSTGRES_HOST": str(info.get("host", "127.0.0.1")),
        "POSTGRES_PORT": str(info.get("port", "5432")),
        "POSTGRES_USER": str(info.get("user", "postgres")),
        "POSTGRES_PASSWORD": str(info.get("password", "")),
        "POSTGRES_SCHEMA": schema,
    }


def admin_execute(statement: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        cursor = conn.execute(statement.encode(), params)
        return cursor.fetchall() if cursor.description else []


@contextmanager
def postgres_schema() -> Iterator[str]:
    schema = f"es_{uuid.uuid4().hex[:12]}"
    admin_execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        admin_execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def verify_store(recorder: Any, page: int = 1000) -> list[ChainRow]:
    """Recompute every hash from the stored bytes; return the rows. Fails on any break."""
    rows: list[ChainRow] = []
    start = 1
    while True:
        batch = recorder.select_chain(start, page)
        rows.extend(batch)
        if len(batch) < page:
            break
        start = batch[-1].notification_id + 1
    previous_chain: str | None = None
    previous_id = 0
    for row in rows:
        assert row.notification_id > previous_id, "store order is not strictly increasing"
        previous_id = row.notification_id
        assert row.chain_hash == chain_hash(previous_chain, row.hash or ""), row
        previous_chain = row.chain_hash
    by_case: dict[UUID, list[ChainRow]] = {}
    for row in rows:
        by_case.setdefault(row.originator_id, []).append(row)
    for case_rows in by_case.values():
        case_rows.sort(key=lambda r: r.originator_version)
        prev: str | None = None
        for row in case_rows:
            assert row.prev_hash == prev, row
            expected = event_hash(
                row.originator_id, row.originator_version, row.topic, row.state, prev
            )
            assert row.hash == expected, row
            prev = row.hash
    if rows:
        assert recorder.last_chain_position() == (rows[-1].notification_id, rows[-1].chain_hash)
    return rows


def event(originator_id: UUID, version: int, payload: str = "x") -> StoredEvent:
    return StoredEvent(originator_id, version, "tests.Event", payload.encode())


def append_with_retry(recorder: Any, case_id: UUID, payload: str) -> list[int]:
    """Append the next version of a case the way the application does: retry on conflict."""
    while True:
        last = recorder.select_events(case_id, desc=True, limit=1)
        version = last[0].originator_version + 1 if last else 1
        try:
            return list(recorder.insert_events([event(case_id, version, payload)]))
        except IntegrityError:
            continue


def process_appender(
    kind: str, env: dict[str, str], shared: list[str], own: int, commands: int, tag: str
) -> None:
    """Run in a child process: append to shared cases (with conflicts) and to its own cases."""
    spec = StoreSpec(kind, env)
    recorder = spec.recorder(CREATE_TABLE="n")
    own_cases = [uuid.uuid4() for _ in range(own)]
    shared_cases = [UUID(s) for s in shared]
    for i in range(commands):
        if i % 2:
            append_with_retry(recorder, shared_cases[i % len(shared_cases)], f"{tag}-{i}")
        else:
            case_id = own_cases[i % own]
            append_with_retry(recorder, case_id, f"{tag}-{i}")
    spec.close()


def killed_mid_transaction(kind: str, env: dict[str, str], case_hex: str, ready: str) -> None:
    """Run in a child process: store some events inside the group, then hang before COMMIT."""
    from infrastructure.eventstore import postgres_recorder, sqlite_recorder
    from infrastructure.eventstore.group import write_group

    def write_then_hang(session: Any, commands: Any) -> Any:
        outcomes = write_group(session, commands)
        with open(ready, "w") as marker:
            marker.write("inserted, not committed")
        time.sleep(600)
        return outcomes

    sqlite_recorder.write_group = write_then_hang  # type: ignore[assignment]
    postgres_recorder.write_group = write_then_hang  # type: ignore[assignment]
    recorder = StoreSpec(kind, env).recorder(CREATE_TABLE="n")
    case_id = UUID(case_hex)
    recorder.insert_events([event(case_id, v, "doomed") for v in range(1, 6)])


@contextmanager
def hold_write_lock(spec: StoreSpec) -> Iterator[None]:
    """Hold the store's write lock from outside, so the writer's next group has to wait."""
    if spec.kind == "sqlite":
        import sqlite3

        conn = sqlite3.connect(spec.env["SQLITE_DBNAME"], isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.rollback()
            conn.close()
        return
    with psycopg.connect(POSTGRES_URL) as pg:
        schema = spec.env["POSTGRES_SCHEMA"]
        pg.execute(f"LOCK TABLE {schema}.stored_events IN EXCLUSIVE MODE".encode())
        try:
            yield
        finally:
            pg.rollback()


def in_one_group(
    spec: StoreSpec,
    recorder: Any,
    first: Callable[[], None],
    commands: Sequence[Callable[[], None]],
) -> None:
    """Run `commands` in one group of the writer, in this order, and wait for them all.

    While the write lock is held from outside, `first` takes a group of its own (which waits
    for the lock); the commands are queued behind it one by one, so the writer's next group
    holds them all.
    """
    groups = recorder.writer.groups_written
    with hold_write_lock(spec):
        blocker = threading.Thread(target=first)
        blocker.start()
        wait_until(lambda: recorder.writer.groups_written == groups + 1)
        threads = [threading.Thread(target=command) for command in commands]
        for queued, thread in enumerate(threads, start=1):
            thread.start()
            wait_until(lambda queued=queued: recorder.writer.pending() == queued)
    for thread in [blocker, *threads]:
        thread.join()


def wait_until(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.005)
