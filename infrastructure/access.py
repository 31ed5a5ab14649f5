"""Two small tables beside the event store, about access rather than about cases.

`token_uses`: when each user's token was last used (one row per login, upserted at most about
once a minute per user and process: never an event, never a row per request).
`failed_authentications`: failed authentications per client address in the current window,
shared by every server process on the store's database and touched only by a failure.

Neither is part of the audited history: they are operational data, like idempotency records.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from abc import ABC, abstractmethod
from datetime import UTC, datetime
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg.sql import SQL, Identifier

logger = logging.getLogger(__name__)

USES_TABLE = "token_uses"
FAILURES_TABLE = "failed_authentications"
PRUNE_EVERY = 100  # failures between two deletions of windows long over


class AccessLog(ABC):
    """Token uses and failed authentications, in the store's database."""

    def __init__(self) -> None:
        self._failures_since_prune = 0

    @abstractmethod
    def create_tables(self) -> None: ...

    def record_use(self, login: str, at: datetime) -> None:
        """Remember that `login`'s token was used at `at` (a later time is never overwritten).

        Best effort: a failure is logged, never raised into the request that used the token.
        """
        try:
            self._upsert_use(login, at.astimezone(UTC))
        except (PersistenceError, psycopg.Error, sqlite3.Error) as error:
            logger.warning("token use of %s not recorded: %s", login, error)

    @abstractmethod
    def _upsert_use(self, login: str, at: datetime) -> None: ...

    @abstractmethod
    def last_uses(self) -> dict[str, datetime]:
        """Each login's last recorded use."""

    def count_failure(self, address: str, window: float) -> tuple[int, float]:
        """Count a failed authentication from `address`: the failures in its current window
        (which starts at the first failure after the last window ended) and the seconds left
        until that window ends."""
        self._failures_since_prune += 1
        if self._failures_since_prune >= PRUNE_EVERY:
            self._failures_since_prune = 0
            self._prune(window)
        return self._count_failure(address, window)

    @abstractmethod
    def _count_failure(self, address: str, window: float) -> tuple[int, float]: ...

    @abstractmethod
    def _prune(self, window: float) -> None: ...

    @abstractmethod
    def clear_failures(self) -> None:
        """Forget every failed authentication (unlocks every address)."""


class SQLiteAccessLog(AccessLog):
    def __init__(self, datastore: SQLiteDatastore) -> None:
        super().__init__()
        self.datastore = datastore

    def create_tables(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {USES_TABLE} "
                "(login TEXT PRIMARY KEY, used_at TEXT NOT NULL)"
            )
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {FAILURES_TABLE} (address TEXT PRIMARY KEY, "
                "started REAL NOT NULL, failures INTEGER NOT NULL)"
            )

    def _upsert_use(self, login: str, at: datetime) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {USES_TABLE} (login, used_at) VALUES (?, ?) ON CONFLICT (login) "
                "DO UPDATE SET used_at = max(used_at, excluded.used_at)",
                (login, at.isoformat()),
            )

    def last_uses(self) -> dict[str, datetime]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT login, used_at FROM {USES_TABLE}")
            return {row[0]: datetime.fromisoformat(row[1]) for row in c.fetchall()}

    def _count_failure(self, address: str, window: float) -> tuple[int, float]:
        now = time.time()  # one machine's clock: every process of a SQLite store shares it
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {FAILURES_TABLE} (address, started, failures) VALUES (?, ?, 1) "
                "ON CONFLICT (address) DO UPDATE SET "
                "failures = CASE WHEN started <= ? THEN 1 ELSE failures + 1 END, "
                "started = CASE WHEN started <= ? THEN excluded.started ELSE started END "
                "RETURNING failures, started",
                (address, now, now - window, now - window),
            )
            row = c.fetchone()
        return int(row[0]), float(row[1]) + window - now

    def _prune(self, window: float) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {FAILURES_TABLE} WHERE started <= ?", (time.time() - window,))

    def clear_failures(self) -> None:
        with self.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {FAILURES_TABLE}")


class PostgresAccessLog(AccessLog):
    """On PostgreSQL every server process counts the same failures, by the database's clock."""

    def __init__(self, datastore: PostgresDatastore) -> None:
        super().__init__()
        self.datastore = datastore
        self._names = {
            "schema": Identifier(datastore.schema),
            "uses": Identifier(USES_TABLE),
            "failures": Identifier(FAILURES_TABLE),
        }

    def _execute(self, statement: str, params: tuple[Any, ...] = ()) -> list[Any]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL(statement).format(**self._names), params)
            return curs.fetchall() if curs.description else []

    def create_tables(self) -> None:
        self._execute(
            "CREATE TABLE IF NOT EXISTS {schema}.{uses} "
            "(login text PRIMARY KEY, used_at timestamptz NOT NULL)"
        )
        self._execute(
            "CREATE TABLE IF NOT EXISTS {schema}.{failures} (address text PRIMARY KEY, "
            "started timestamptz NOT NULL, failures integer NOT NULL)"
        )

    def _upsert_use(self, login: str, at: datetime) -> None:
        self._execute(
            "INSERT INTO {schema}.{uses} AS t (login, used_at) VALUES (%s, %s) "
            "ON CONFLICT (login) DO UPDATE SET used_at = GREATEST(t.used_at, EXCLUDED.used_at)",
            (login, at),
        )

    def last_uses(self) -> dict[str, datetime]:
        rows = self._execute("SELECT login, used_at FROM {schema}.{uses}")
        return {row["login"]: row["used_at"].astimezone(UTC) for row in rows}

    def _count_failure(self, address: str, window: float) -> tuple[int, float]:
        rows = self._execute(
            "INSERT INTO {schema}.{failures} AS t (address, started, failures) "
            "VALUES (%s, now(), 1) ON CONFLICT (address) DO UPDATE SET "
            "failures = CASE WHEN t.started <= now() - make_interval(secs => %s) "
            "THEN 1 ELSE t.failures + 1 END, "
            "started = CASE WHEN t.started <= now() - make_interval(secs => %s) "
            "THEN now() ELSE t.started END "
            "RETURNING failures, "
            "extract(epoch FROM t.started + make_interval(secs => %s) - now()) AS left_s",
            (address, window, window, window),
        )
        return int(rows[0]["failures"]), float(rows[0]["left_s"])

    def _prune(self, window: float) -> None:
        self._execute(
            "DELETE FROM {schema}.{failures} WHERE started <= now() - make_interval(secs => %s)",
            (window,),
        )

    def clear_failures(self) -> None:
        self._execute("DELETE FROM {schema}.{failures}")


def access_log_for(recorder: object) -> AccessLog | None:
    """The access log beside this recorder's events (None for a store it cannot reach)."""
    datastore = getattr(recorder, "datastore", None)
    log: AccessLog
    if isinstance(datastore, PostgresDatastore):
        log = PostgresAccessLog(datastore)
    elif isinstance(datastore, SQLiteDatastore):
        log = SQLiteAccessLog(datastore)
    else:
        return None
    log.create_tables()
    return log
