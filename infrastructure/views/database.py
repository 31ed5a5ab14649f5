"""The views' database: the store's own (the SQLite file, or the PostgreSQL schema).

Views live beside the events, in tables of their own, so that a batch of view rows and the
view's tracking position commit together. Workers get connections of their own; queries
borrow pooled ones. Nothing connects before the first call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import psycopg
from psycopg import sql

from infrastructure import reachability
from infrastructure.reachability import GuardedPool
from infrastructure.views.postgres import PostgresConnection
from infrastructure.views.sqlite import SQLiteConnection


class Database:
    """Opens dedicated connections and lends pooled ones to queries."""

    def __init__(
        self,
        dialect: Literal["sqlite", "postgres"],
        *,
        sqlite_path: str = "",
        conninfo: str = "",
        schema: str = "public",
        pool_size: int = 4,
    ) -> None:
        self.dialect: Literal["sqlite", "postgres"] = dialect
        self.sqlite_path = sqlite_path
        self.conninfo = conninfo
        self.schema = schema
        self._pool_size = pool_size
        self._pool: GuardedPool | None = None
        self._pool_lock = threading.Lock()
        self._local = threading.local()
        self._sqlite_connections: list[SQLiteConnection] = []

    def connect(self) -> SQLiteConnection | PostgresConnection:
        """A new connection of its own (a worker's, a listener's), closed by the caller."""
        if self.dialect == "sqlite":
            return SQLiteConnection(self.sqlite_path)
        raw = reachability.connect(self.conninfo, "views", autocommit=True)
        self._set_search_path(raw)
        return PostgresConnection(raw)

    @contextmanager
    def connection(self) -> Iterator[SQLiteConnection | PostgresConnection]:
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

    def _postgres_pool(self) -> GuardedPool:
        """No check on checkout (it costs a round trip per query): a broken connection fails
        its query (503 to the client) and the pool replaces it."""
        with self._pool_lock:
            if self._pool is None:
                self._pool = GuardedPool(
                    self.conninfo,
                    purpose="views",
                    min_size=1,
                    max_size=self._pool_size,
                    kwargs={"autocommit": True},
                    configure=self._set_search_path,
                    open=False,
                    name="tongjie-views",
                )
                self._pool.open()
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
