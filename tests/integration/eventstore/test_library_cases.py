"""The library's own recorder test cases, run against our recorders on both stores.

They are the peers' definition of a correct recorder; ours must not be weaker. Nothing is
overridden: our design passes them as they are (the SQLite subscription test, optional in
the library because its SQLite recorder cannot subscribe, is run here too).
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from pathlib import Path
from typing import Any

from eventsourcing.persistence import TrackingRecorder
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
    TrackingRecorderTestCase,
)

from infrastructure.eventstore.postgres import TongjiePostgresRecorder
from infrastructure.eventstore.sqlite import TongjieSQLiteRecorder
from tests.integration.eventstore.support import (
    StoreSpec,
    admin_execute,
    in_ci,
    postgres_env,
    postgres_missing_reason,
    sqlite_spec,
)


def join_test_threads(before: set[threading.Thread]) -> None:
    """Some library tests leave reader threads running after they return (they set a stop
    flag but do not join). Closing SQLite connections under a running reader is undefined
    behaviour in sqlite3 (it can crash the interpreter), so wait for them first: the threads
    this test started only (`before`: those alive at its start), not those other tests left
    behind (an executor's idle workers never end: ten seconds each, at every test)."""
    for thread in threading.enumerate():
        if thread not in before and thread is not threading.current_thread() and not thread.daemon:
            thread.join(timeout=10)


class SQLiteStore:
    """Mixin: a fresh SQLite file per test."""

    def setUp(self) -> None:
        self._threads = set(threading.enumerate())
        self._tmp = tempfile.TemporaryDirectory()
        self.spec = sqlite_spec(str(Path(self._tmp.name) / "events.db"))
        super().setUp()  # type: ignore[misc]

    def tearDown(self) -> None:
        super().tearDown()  # type: ignore[misc]
        join_test_threads(self._threads)
        self.spec.close()
        self._tmp.cleanup()


class PostgresStore:
    """Mixin: a fresh PostgreSQL schema per test; skipped locally, failed under CI, if down."""

    def setUp(self) -> None:
        self._threads = set(threading.enumerate())
        reason = postgres_missing_reason()
        if reason is not None:
            if in_ci():
                self.fail(f"{reason} (CI=true: not skipping)")  # type: ignore[attr-defined]
            self.skipTest(reason)  # type: ignore[attr-defined]
        self.schema = f"es_{uuid.uuid4().hex[:12]}"
        admin_execute(f"CREATE SCHEMA {self.schema}")
        self.spec = StoreSpec("postgres", postgres_env(self.schema))
        super().setUp()  # type: ignore[misc]

    def tearDown(self) -> None:
        super().tearDown()  # type: ignore[misc]
        join_test_threads(self._threads)
        self.spec.close()
        admin_execute(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE")


class ApplicationRecorderCases(ApplicationRecorderTestCase[Any]):
    spec: StoreSpec

    def create_recorder(self) -> Any:
        return self.spec.recorder()

    def test_insert_subscribe(self) -> None:
        self.optional_test_insert_subscribe()


class TestSQLiteApplicationRecorder(SQLiteStore, ApplicationRecorderCases):
    def test_recorder_is_ours(self) -> None:
        assert isinstance(self.create_recorder(), TongjieSQLiteRecorder)


class TestPostgresApplicationRecorder(PostgresStore, ApplicationRecorderCases):
    def test_recorder_is_ours(self) -> None:
        assert isinstance(self.create_recorder(), TongjiePostgresRecorder)


class TrackingCases(TrackingRecorderTestCase):
    spec: StoreSpec

    def create_recorder(self) -> TrackingRecorder:
        recorder: TrackingRecorder = self.spec.factory().tracking_recorder()
        return recorder


class TestSQLiteTrackingRecorder(SQLiteStore, TrackingCases):
    pass


class TestPostgresTrackingRecorder(PostgresStore, TrackingCases):
    pass


class NonInterleavingCases(NonInterleavingNotificationIDsBaseCase):
    spec: StoreSpec

    def create_recorder(self) -> Any:
        return self.spec.recorder()


class TestSQLiteNonInterleaving(SQLiteStore, NonInterleavingCases):
    pass


class TestPostgresNonInterleaving(PostgresStore, NonInterleavingCases):
    pass


del ApplicationRecorderCases, TrackingCases, NonInterleavingCases
