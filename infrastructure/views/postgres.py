"""A view connection to the store's PostgreSQL schema: psycopg 3, binary COPY, pipelines."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Literal

import psycopg
from psycopg import pq

Row = tuple[Any, ...]

_EXTENSION_SCHEMA = (
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
    "WHERE e.extname = %s"
)


class PostgresConnection:
    dialect: Literal["postgres"] = "postgres"
    missing_table: tuple[type[Exception], ...] = (psycopg.errors.UndefinedTable,)
    failures: tuple[type[Exception], ...] = (
        psycopg.OperationalError,  # a lost connection, a timeout, a cancelled statement
        psycopg.InterfaceError,
        psycopg.InternalError,  # an aborted transaction
        psycopg.ProgrammingError,  # a missing table, a statement it cannot run
        psycopg.NotSupportedError,
    )

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

    def batch(
        self,
        statements: Sequence[tuple[str, Sequence[Any]]],
        *,
        before: str | None = None,
        after: str | None = None,
    ) -> list[list[Row]]:
        """One pipeline: everything is sent, then every answer read, in one round trip.

        The rows come in PostgreSQL's binary format: the same Python values as text, at half
        the client's CPU for a statistics answer's wide rows (no text to parse; bytea as is,
        not hex to decode)."""
        raw = self.raw
        with raw.pipeline():
            if before is not None:
                raw.execute(before)
            cursors = []
            for statement, params in statements:
                cursor = raw.cursor(binary=True)
                cursor.execute(statement, params)
                cursors.append(cursor)
            if after is not None:
                raw.execute(after)
        found = []
        for cursor in cursors:
            with cursor:
                found.append(cursor.fetchall())
        return found

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

    def extension(self, name: str) -> str | None:
        rows = self.execute(_EXTENSION_SCHEMA, (name,))
        if not rows:
            # In `public`, not in the first schema of the search path (a store's own schema):
            # an extension is one per database, and dropping the schema that holds it drops
            # every other store's indexes that use it.
            for where in (" WITH SCHEMA public", ""):
                try:
                    with self.transaction():  # a savepoint: a refusal must not spoil the batch
                        self.execute(f'CREATE EXTENSION IF NOT EXISTS "{name}"{where}')
                    break
                except psycopg.Error:
                    continue
            rows = self.execute(_EXTENSION_SCHEMA, (name,))
        return str(rows[0][0]) if rows else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        try:
            with self.raw.transaction():
                yield
        except BaseException:
            self._staging.clear()  # made in the transaction rolled back, perhaps
            raise

    def savepoint(self) -> AbstractContextManager[None]:
        """A nested `transaction()`: psycopg makes it a SAVEPOINT."""
        return self.transaction()

    def rollback(self) -> None:
        if self.raw.info.transaction_status != pq.TransactionStatus.IDLE:
            self.raw.execute("ROLLBACK")

    @property
    def backend_pid(self) -> int:
        return int(self.raw.info.backend_pid)

    def close(self) -> None:
        self.raw.close()
