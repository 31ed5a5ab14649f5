"""A view connection to the SQLite file of the store: `%s` placeholders become `?`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, Literal

Row = tuple[Any, ...]


@lru_cache(maxsize=64)
def _upsert_statement(table: str, columns: Sequence[str], key: str) -> str:
    changes = ", ".join(f"{c} = excluded.{c}" for c in columns if c != key)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT ({key}) DO UPDATE SET {changes}"
    )


@lru_cache(maxsize=512)
def _qmarks(statement: str) -> str:
    return statement.replace("%s", "?")


class SQLiteConnection:
    dialect: Literal["sqlite"] = "sqlite"
    missing_table: tuple[type[Exception], ...] = (sqlite3.OperationalError,)
    failures: tuple[type[Exception], ...] = (
        sqlite3.OperationalError,  # locked, no such table, a statement it cannot run
        sqlite3.InterfaceError,
        sqlite3.InternalError,
        sqlite3.ProgrammingError,
        sqlite3.NotSupportedError,
    )

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

    def batch(
        self,
        statements: Sequence[tuple[str, Sequence[Any]]],
        *,
        before: str | None = None,
        after: str | None = None,
    ) -> list[list[Row]]:
        if before is not None:
            self.execute(before)
        found = [self.execute(statement, params) for statement, params in statements]
        if after is not None:
            self.execute(after)
        return found

    def copy(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        marks = ", ".join("?" for _ in columns)
        self.raw.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)

    def upsert(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], key: str
    ) -> None:
        self.raw.executemany(_upsert_statement(table, columns, key), rows)

    def extension(self, name: str) -> str | None:
        return None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        self.raw.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.raw.execute("ROLLBACK")
            raise
        self.raw.execute("COMMIT")

    @contextmanager
    def savepoint(self) -> Iterator[None]:
        self.raw.execute("SAVEPOINT view_step")
        try:
            yield
        except BaseException:
            self.raw.execute("ROLLBACK TO view_step")
            self.raw.execute("RELEASE view_step")
            raise
        self.raw.execute("RELEASE view_step")

    def rollback(self) -> None:
        if self.raw.in_transaction:
            self.raw.execute("ROLLBACK")

    def close(self) -> None:
        self.raw.close()
