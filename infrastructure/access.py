"""Two small tables beside the event store, about access rather than about cases.

`token_uses`: when each user's token was last used (one row per login, upserted at most about
once a minute per user and process: never an event, never a row per request).
`failed_authentications`: failed authentications per client address and failing token (a
short hash of it) in the current window, shared by every server process on the store's
database and touched only by a failure.

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
from psycopg.sql import SQL, Identifier, Literal

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

    def count_failure(
        self, address: str, token: str, window: float
    ) -> tuple[int, float, int, float]:
        """Count a failed authentication of `token` from `address`. Returns this token's
        failures from the address in its current window (which starts at its first failure
        after its last window ended), the seconds left in that window, how many different
        tokens failed from the address within a window, and the seconds until the oldest of
        those windows ends."""
        self._failures_since_prune += 1
        if self._failures_since_prune >= PRUNE_EVERY:
            self._failures_since_prune = 0
            self._prune(window)
        return self._count_failure(address, token, window)

    @abstractmethod
    def _count_failure(
        self, address: str, token: str, window: float
    ) -> tuple[int, float, int, float]: ...

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
            c.execute(f"PRAGMA table_info({FAILURES_TABLE})")
            if {row[1] for row in c.fetchall()} == {"address", "started", "failures"}:
                c.execute(f"DROP TABLE {FAILURES_TABLE}")  # counted per address only: a minute
            c.execute(
                f"CREATE TABLE IF NOT EXISTS {FAILURES_TABLE} (address TEXT NOT NULL, "
                "token TEXT NOT NULL, started REAL NOT NULL, failures INTEGER NOT NULL, "
                "PRIMARY KEY (address, token))"
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

    def _count_failure(
        self, address: str, token: str, window: float
    ) -> tuple[int, float, int, float]:
        now = time.time()  # one machine's clock: every process of a SQLite store shares it
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {FAILURES_TABLE} (address, token, started, failures) "
                "VALUES (?, ?, ?, 1) ON CONFLICT (address, token) DO UPDATE SET "
                "failures = CASE WHEN started <= ? THEN 1 ELSE failures + 1 END, "
                "started = CASE WHEN started <= ? THEN excluded.started ELSE started END "
                "RETURNING failures, started",
                (address, token, now, now - window, now - window),
            )
            row = c.fetchone()
            failures, started = int(row[0]), float(row[1])
            c.execute(
                f"SELECT count(*), min(started) FROM {FAILURES_TABLE} "
                "WHERE address = ? AND started > ?",
                (address, now - window),
            )
            tokens, oldest = c.fetchone()
        return failures, started + window - now, int(tokens), float(oldest) + window - now

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
            "schema_name": Literal(datastore.schema),
            "failures_name": Literal(FAILURES_TABLE),
        }

    def _execute(self, statement: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[Any]:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL(statement).format(**self._names), params)
            return curs.fetchall() if curs.description else []

    def create_tables(self) -> None:
        self._execute(
            "CREATE TABLE IF NOT EXISTS {schema}.{uses} "
            "(login text PRIMARY KEY, used_at timestamptz NOT NULL)"
        )
        self._execute(  # counted per address only before: drop that (a minute's counts)
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM information_schema.columns "
            "WHERE table_schema = {schema_name} AND table_name = {failures_name} "
            "AND column_name = 'token') THEN DROP TABLE IF EXISTS {schema}.{failures}; "
            "END IF; END $$"
        )
        self._execute(
            "CREATE TABLE IF NOT EXISTS {schema}.{failures} (address text NOT NULL, "
            "token text NOT NULL, started timestamptz NOT NULL, failures integer NOT NULL, "
            "PRIMARY KEY (address, token))"
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

    def _count_failure(
        self, address: str, token: str, window: float
    ) -> tuple[int, float, int, float]:
        """One statement: the upsert, and the address's other tokens as they stood before it
        (a statement does not see its own changes), so the count is theirs plus this one."""
        rows = self._execute(
            "WITH hit AS (INSERT INTO {schema}.{failures} AS t (address, token, started, "
            "failures) VALUES (%(a)s, %(t)s, now(), 1) ON CONFLICT (address, token) DO UPDATE "
            "SET failures = CASE WHEN t.started <= now() - make_interval(secs => %(w)s) "
            "THEN 1 ELSE t.failures + 1 END, "
            "started = CASE WHEN t.started <= now() - make_interval(secs => %(w)s) "
            "THEN now() ELSE t.started END RETURNING failures, started), "
            "others AS (SELECT count(*) AS n, min(started) AS oldest FROM {schema}.{failures} "
            "WHERE address = %(a)s AND token <> %(t)s "
            "AND started > now() - make_interval(secs => %(w)s)) "
            "SELECT hit.failures, "
            "extract(epoch FROM hit.started + make_interval(secs => %(w)s) - now()) AS left_s, "
            "others.n + 1 AS tokens, extract(epoch FROM least(others.oldest, hit.started) "
            "+ make_interval(secs => %(w)s) - now()) AS tokens_left_s FROM hit, others",
            {"a": address, "t": token, "w": window},
        )
        row = rows[0]
        return (
            int(row["failures"]),
            float(row["left_s"]),
            int(row["tokens"]),
            float(row["tokens_left_s"]),
        )

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
