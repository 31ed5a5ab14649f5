"""The views' own connections to the store's database: one small interface, two dialects.

Views live in the event store's database (the SQLite file, or the PostgreSQL schema), in tables
of their own, so a batch of view rows and the view's tracking position commit together. SQL is
written once with `%s` placeholders; on SQLite they become `?`. Nothing connects at import.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal, Protocol
from uuid import UUID

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

Dialect = Literal["sqlite", "postgres"]
Row = tuple[Any, ...]

SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"
"""Times on SQLite: UTC, fixed width, so text order is time order."""


def sqlite_time(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).strftime(SQLITE_TIME)


def read_sqlite_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.strptime(value, SQLITE_TIME).replace(tzinfo=UTC)


class Connection(Protocol):
    """One connection, in autocommit mode outside `transaction()`."""

    dialect: Dialect

    def execute(
        self, statement: str, params: Sequence[Any] = (), *, prepare: bool = True
    ) -> list[Row]:
        """Run a statement, and its rows if it has any. `prepare`: PostgreSQL keeps it
        prepared (set False for a statement whose best plan depends on its parameters)."""
        ...

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None: ...

    def rowcount(self, statement: str, params: Sequence[Any] = ()) -> int:
        """Run a statement and say how many rows it changed."""
        ...

    def copy(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Insert `rows` (bulk: a binary COPY on PostgreSQL, so each value must be of its
        column's Python type: UUID for uuid, datetime for timestamptz, int, Decimal, str)."""
        ...

    def upsert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], key: str
    ) -> None:
        """Insert `rows`, replacing every column of a row whose `key` exists (bulk: COPY)."""
        ...

    def transaction(self) -> Any:
        """A context manager: BEGIN ... COMMIT, or ROLLBACK when its block raises."""
        ...

    def close(self) -> None: ...


@lru_cache(maxsize=64)
def _upsert_statement(table: str, columns: Sequence[str], key: str, mark: str) -> str:
    changes = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(mark for _ in columns)}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {changes}"
    )


@lru_cache(maxsize=512)
def _qmarks(statement: str) -> str:
    return statement.replace("%s", "?")


class SQLiteConnection:
    dialect: Dialect = "sqlite"

    def __init__(self, path: str, *, busy_timeout: float = 30.0) -> None:
        self.raw = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=busy_timeout
        )
        self.raw.execute("PRAGMA journal_mode=WAL")
        self.raw.execute("PRAGMA synchronous=NORMAL")

    def execute(
        self, statement: str, params: Sequence[Any] = (), *, prepare: bool = True
    ) -> list[Row]:
        return self.raw.execute(_qmarks(statement), tuple(params)).fetchall()

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self.raw.executemany(_qmarks(statement), rows)

    def rowcount(self, statement: str, params: Sequence[Any] = ()) -> int:
        return self.raw.execute(_qmarks(statement), tuple(params)).rowcount

    def copy(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        marks = ", ".join("?" for _ in columns)
        self.raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def upsert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], key: str
    ) -> None:
        self.raw.executemany(_upsert_statement(table, columns, key, "?"), rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.raw.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")

    def close(self) -> None:
        self.raw.close()


class PostgresConnection:
    dialect: Dialect = "postgres"

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw
        self._types: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        self._staging: set[str] = set()
        """Temporary tables made on this connection (gone again if their transaction failed)."""

    def execute(
        self, statement: str, params: Sequence[Any] = (), *, prepare: bool = True
    ) -> list[Row]:
        with self.raw.cursor() as cursor:
            cursor.execute(statement, params, prepare=prepare)
            return cursor.fetchall() if cursor.description is not None else []

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            with self.raw.cursor() as cursor:
                cursor.executemany(statement, rows)

    def rowcount(self, statement: str, params: Sequence[Any] = ()) -> int:
        with self.raw.cursor() as cursor:
            cursor.execute(statement, params, prepare=True)
            return cursor.rowcount

    def copy(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """A binary COPY: several times less client time than text (no text rendering)."""
        if rows:
            self._copy(table, columns, rows, self.column_types(table, columns))

    def _copy(
        self,
        table: str,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        types: Sequence[str],
    ) -> None:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)

    def column_types(self, table: str, columns: Sequence[str]) -> list[str]:
        """The PostgreSQL types of `columns` of `table`, looked up once per connection."""
        key = (table, tuple(columns))
        found = self._types.get(key)
        if found is None:
            rows = self.execute(
                "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                (table,),
            )
            types: dict[str, str] = {str(name): str(kind) for name, kind in rows}
            found = self._types[key] = [types[column] for column in columns]
        return found

    def upsert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], key: str
    ) -> None:
        """COPY into a temporary table, then one INSERT ... ON CONFLICT from it."""
        if not rows:
            return
        staging = f"upsert_{table}"[:63]
        names = ", ".join(columns)
        types = self.column_types(table, columns)
        with self.raw.cursor() as cursor:
            if staging not in self._staging:
                cursor.execute(
                    f"CREATE TEMP TABLE IF NOT EXISTS {staging} (LIKE {table}) "
                    "ON COMMIT DELETE ROWS"
                )
                self._staging.add(staging)
            self._copy(staging, columns, rows, types)
            changes = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {names} FROM {staging} "
                f"ON CONFLICT ({key}) DO UPDATE SET {changes}"
            )
            cursor.execute(f"TRUNCATE {staging}")

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with self.raw.transaction():
                yield
        except BaseException:
            self._staging.clear()  # made in the transaction rolled back, perhaps
            raise

    @property
    def backend_pid(self) -> int:
        return int(self.raw.info.backend_pid)

    def close(self) -> None:
        self.raw.close()


class Database:
    """Where the views live: opens dedicated connections and lends pooled ones to queries."""

    def __init__(
        self,
        dialect: Dialect,
        *,
        sqlite_path: str = "",
        conninfo: str = "",
        schema: str = "public",
        pool_size: int = 4,
    ) -> None:
        self.dialect: Dialect = dialect
        self.sqlite_path = sqlite_path
        self.conninfo = conninfo
        self.schema = schema
        self._pool_size = pool_size
        self._pool: ConnectionPool[psycopg.Connection[Any]] | None = None
        self._pool_lock = threading.Lock()
        self._local = threading.local()
        self._sqlite_connections: list[SQLiteConnection] = []

    # -- values as each dialect stores them ------------------------------------------------

    def time(self, value: datetime | None) -> Any:
        return value if self.dialect == "postgres" else sqlite_time(value)

    def read_time(self, value: Any) -> datetime | None:
        return value if value is None or isinstance(value, datetime) else read_sqlite_time(value)

    def uuid(self, value: UUID) -> Any:
        return value if self.dialect == "postgres" else str(value)

    def read_uuid(self, value: Any) -> UUID:
        return value if isinstance(value, UUID) else UUID(str(value))

    # -- connections -------------------------------------------------------------------------

    def connect(self, *, autocommit: bool = True) -> Connection:
        """A new connection of its own (a worker's, a listener's), closed by the caller."""
        if self.dialect == "sqlite":
            return SQLiteConnection(self.sqlite_path)
        raw = psycopg.connect(
            self.conninfo,
            autocommit=autocommit,
            connect_timeout=5,
            application_name=f"tongjie-views-{os.getpid()}",
        )
        self._set_search_path(raw)
        return PostgresConnection(raw)

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A pooled connection for short queries (one per thread on SQLite)."""
        if self.dialect == "sqlite":
            conn: SQLiteConnection | None = getattr(self._local, "conn", None)
            if conn is None:
                conn = SQLiteConnection(self.sqlite_path)
                self._local.conn = conn
                self._sqlite_connections.append(conn)
            yield conn
            return
        with self._postgres_pool().connection() as raw:
            yield PostgresConnection(raw)

    def _postgres_pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        """No check on checkout (it costs a round trip per query): a broken connection fails
        its query (503 to the client) and the pool replaces it."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = ConnectionPool(
                    self.conninfo,
                    min_size=1,
                    max_size=self._pool_size,
                    kwargs={"autocommit": True, "connect_timeout": 5},
                    configure=self._set_search_path,
                    open=True,
                    name="tongjie-views",
                )
            return self._pool

    def _set_search_path(self, raw: psycopg.Connection[Any]) -> None:
        raw.execute(sql.SQL("SET search_path TO {}, public").format(sql.Identifier(self.schema)))

    def close(self) -> None:
        with self._pool_lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None
        for conn in self._sqlite_connections:
            conn.close()
        self._sqlite_connections.clear()
