"""Many rows in one go. PostgreSQL: a binary COPY (into a temporary table of the connection,
then one statement from it, where rows may exist already): adapting arrays of parameters costs
several times more client time. SQLite, in-process: `executemany`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.engine.ports import Connection

CHUNK = 400
"""Rows per statement where SQLite needs one placeholder per value."""
Column = tuple[str, str]
"""A column's name and its PostgreSQL type."""


def copy(
    conn: Connection, table: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]]
) -> None:
    """COPY the rows into `table` (PostgreSQL, binary: no text rendering)."""
    conn.copy(table, [name for name, _ in columns], rows)


def staged(conn: Connection, columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> str:
    """A temporary table of the connection holding the rows (emptied at each commit)."""
    spec = ", ".join(f"{name} {kind}" for name, kind in columns)
    return temporary(conn, f"stats_stage_{abs(hash(spec)) % 10**9}", columns, rows)


def temporary(
    conn: Connection,
    name: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    key: Sequence[str] = (),
) -> str:
    """The temporary table `name` of the connection, holding the rows alone (on PostgreSQL
    emptied at each commit; on SQLite until it is used again). `key`: its primary key, for a
    table that is joined by it (SQLite otherwise scans the whole table for each row)."""
    spec = ", ".join(f"{column} {kind}" for column, kind in columns)
    if key:
        spec += f", PRIMARY KEY ({', '.join(key)})"
    on_commit = " ON COMMIT DELETE ROWS" if conn.dialect == "postgres" else ""
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({spec}){on_commit}")
    conn.execute(f"DELETE FROM {name}")  # a table staged earlier in this transaction
    if conn.dialect == "postgres":
        copy(conn, name, columns, rows)
    elif rows:
        marks = ", ".join("%s" for _ in columns)
        names = ", ".join(column for column, _ in columns)
        conn.executemany(f"INSERT INTO {name} ({names}) VALUES ({marks})", rows)
    return name


def insert(
    conn: Connection,
    table: str,
    columns: Sequence[Column],
    rows: Sequence[Sequence[Any]],
    suffix: str = "",
) -> None:
    """INSERT the rows (each in the order of `columns`), then `suffix` (an ON CONFLICT)."""
    if not rows:
        return
    names = ", ".join(name for name, _ in columns)
    if conn.dialect == "postgres" and not suffix:
        copy(conn, table, columns, rows)
        return
    if conn.dialect == "postgres":
        stage = staged(conn, columns, rows)
        conn.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} {suffix}")
        return
    placeholders = ", ".join("%s" for _ in columns)
    conn.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders}) {suffix}", rows)


def update(
    conn: Connection,
    table: str,
    keys: Sequence[Column],
    values: Sequence[Column],
    rows: Sequence[Sequence[Any]],
) -> None:
    """UPDATE the rows found by `keys` with `values` (each row: values first, then keys)."""
    if not rows:
        return
    if conn.dialect == "postgres":
        stage = staged(conn, [*values, *keys], rows)
        sets = ", ".join(f"{name} = u.{name}" for name, _ in values)
        where = " AND ".join(f"t.{name} = u.{name}" for name, _ in keys)
        conn.execute(f"UPDATE {table} t SET {sets} FROM {stage} u WHERE {where}")
        return
    sets = ", ".join(f"{name} = %s" for name, _ in values)
    where = " AND ".join(f"{name} = %s" for name, _ in keys)
    conn.executemany(f"UPDATE {table} SET {sets} WHERE {where}", rows)
