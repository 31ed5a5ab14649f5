"""Many rows in one statement: PostgreSQL takes them as arrays (one round trip, one plan);
SQLite, in-process, takes them row by row through `executemany`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from projections.engine.database import Connection

Column = tuple[str, str]
"""A column's name and its PostgreSQL type."""


def _arrays(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
    unnest = ", ".join(f"%s::{kind}[]" for _, kind in columns)
    names = ", ".join(name for name, _ in columns)
    values = [list(column) for column in zip(*rows, strict=True)]
    return f"unnest({unnest}) AS u({names})", values


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
    if conn.dialect == "postgres":
        source, params = _arrays(columns, rows)
        conn.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {source} {suffix}", params)
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
        source, params = _arrays([*values, *keys], rows)
        sets = ", ".join(f"{name} = u.{name}" for name, _ in values)
        where = " AND ".join(f"t.{name} = u.{name}" for name, _ in keys)
        conn.execute(f"UPDATE {table} t SET {sets} FROM {source} WHERE {where}", params)
        return
    sets = ", ".join(f"{name} = %s" for name, _ in values)
    where = " AND ".join(f"{name} = %s" for name, _ in keys)
    conn.executemany(f"UPDATE {table} SET {sets} WHERE {where}", rows)
