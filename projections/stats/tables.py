"""The statistics view's two tables, on SQLite and PostgreSQL: per-case facts and cells.

`cases` holds one row of facts per case: the state the view folds events into, and what the
partial days of a period, the periods of several dimensions and the backlog's deadlines are
summed from (with the months of receipt and resolution, in the bureau's time zone, beside).
`cells` holds the pre-added statistics. SQL is written once with `%s` placeholders.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections.stats.cells import Cell, CellKey
from projections.stats.facts import CaseFacts
from projections.stats.figures import COUNTERS
from projections.stats.periods import local_date, month_index

if TYPE_CHECKING:
    from projections.engine.database import Connection
    from projections.engine.view import Tables

FACTS = tuple(field.name for field in dataclasses.fields(CaseFacts))
"""The facts' columns, in CaseFacts' order."""
MONTHS = ("received_month", "resolved_month")
"""Derived columns: the months (year * 12 + month - 1) of receipt and resolution."""
COUNTS = tuple(f"n_{name}" for name in COUNTERS)
CELL_KEY = ("dim", "grain", "bucket", "key")
CELL_VALUES = (*COUNTS, "amount", "durations")
CHUNK = 400
"""Rows per statement where SQLite needs one placeholder per value."""


def create(conn: Connection, tables: Tables) -> None:
    big, blob = ("BIGINT", "BYTEA") if conn.dialect == "postgres" else ("INTEGER", "BLOB")
    cases, cells = tables.name("cases"), tables.name("cells")
    conn.execute(
        f"CREATE TABLE {cases} (case_id TEXT PRIMARY KEY, category TEXT NOT NULL, "
        "street TEXT NOT NULL, channel TEXT NOT NULL, organisation TEXT NOT NULL, "
        f"mediator TEXT NOT NULL, received_us {big} NOT NULL, resolved_us {big}, outcome TEXT, "
        f"amount_cents {big}, followed_up INTEGER NOT NULL, fulfilled INTEGER NOT NULL, "
        "judicial_applied INTEGER NOT NULL, judicial_confirmed INTEGER NOT NULL, "
        f"risk TEXT NOT NULL, due_us {big}, events INTEGER NOT NULL, "
        "received_month INTEGER NOT NULL, resolved_month INTEGER)"
    )
    counts = ", ".join(f"{name} INTEGER NOT NULL" for name in COUNTS)
    rowid = "" if conn.dialect == "postgres" else " WITHOUT ROWID"
    conn.execute(
        f"CREATE TABLE {cells} (dim TEXT NOT NULL, grain TEXT NOT NULL, bucket INTEGER NOT NULL, "
        f"key TEXT NOT NULL, {counts}, amount {big} NOT NULL, durations {blob} NOT NULL, "
        f"PRIMARY KEY (dim, grain, bucket, key)){rowid}"
    )


def create_indexes(conn: Connection, tables: Tables) -> None:
    """The facts' time indexes (partial days, periods read from facts, deadlines of the open)."""
    cases = tables.name("cases")
    for statement in (
        f"CREATE INDEX IF NOT EXISTS {cases}_received ON {cases} (received_us)",
        f"CREATE INDEX IF NOT EXISTS {cases}_resolved ON {cases} (resolved_us)",
        f"CREATE INDEX IF NOT EXISTS {cases}_due ON {cases} (due_us) WHERE resolved_us IS NULL",
    ):
        conn.execute(statement)


# -- facts ---------------------------------------------------------------------------------


def facts_of(row: Sequence[Any]) -> CaseFacts:
    """A case's facts from its row (the columns of FACTS)."""
    values = list(row)
    values[0] = UUID(values[0])
    values[10:14] = (bool(v) for v in values[10:14])
    return CaseFacts(*values)


def _fact_row(facts: CaseFacts, zone: tzinfo) -> tuple[Any, ...]:
    values: list[Any] = [getattr(facts, name) for name in FACTS]
    values[0] = str(facts.case_id)
    values[10:14] = (int(v) for v in values[10:14])
    resolved = facts.resolved_us
    values.append(month_index(local_date(facts.received_us, zone)))
    values.append(None if resolved is None else month_index(local_date(resolved, zone)))
    return tuple(values)


def load_facts(conn: Connection, tables: Tables, ids: Sequence[UUID]) -> dict[UUID, CaseFacts]:
    found: dict[UUID, CaseFacts] = {}
    columns = ", ".join(FACTS)
    for start in range(0, len(ids), CHUNK):
        chunk = [str(i) for i in ids[start : start + CHUNK]]
        params: list[Any]
        if conn.dialect == "postgres":
            where, params = "case_id = ANY(%s)", [chunk]
        else:
            where, params = f"case_id IN ({', '.join('%s' for _ in chunk)})", list(chunk)
        rows = conn.execute(f"SELECT {columns} FROM {tables.name('cases')} WHERE {where}", params)
        for row in rows:
            facts = facts_of(row)
            found[facts.case_id] = facts
    return found


def save_facts(
    conn: Connection, tables: Tables, changed: Sequence[CaseFacts], zone: tzinfo
) -> None:
    if not changed:
        return
    columns = (*FACTS, *MONTHS)
    placeholders = ", ".join("%s" for _ in columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[1:])
    conn.executemany(
        f"INSERT INTO {tables.name('cases')} ({', '.join(columns)}) VALUES ({placeholders}) "
        f"ON CONFLICT (case_id) DO UPDATE SET {updates}",
        [_fact_row(facts, zone) for facts in changed],
    )


# -- cells ---------------------------------------------------------------------------------


def load_cells(conn: Connection, tables: Tables, keys: Sequence[CellKey]) -> dict[CellKey, Cell]:
    cells = tables.name("cells")
    columns = ", ".join(f"c.{c}" for c in (*CELL_KEY, *CELL_VALUES))
    join = " AND ".join(f"c.{c} = k.{c}" for c in CELL_KEY)
    found: dict[CellKey, Cell] = {}
    n = len(COUNTS)
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        if conn.dialect == "postgres":
            params: list[Any] = [list(column) for column in zip(*chunk, strict=True)]
            statement = (
                f"SELECT {columns} FROM unnest(%s::text[], %s::text[], %s::int[], %s::text[]) "
                f"AS k(dim, grain, bucket, key) JOIN {cells} c ON {join}"
            )
        else:
            params = [value for key in chunk for value in key]
            values = ", ".join("(%s, %s, %s, %s)" for _ in chunk)
            statement = (
                f"WITH k(dim, grain, bucket, key) AS (VALUES {values}) "
                f"SELECT {columns} FROM k JOIN {cells} c ON {join}"
            )
        for row in conn.execute(statement, params):
            counts = list(row[4 : 4 + n])
            found[(row[0], row[1], row[2], row[3])] = Cell(counts, row[4 + n], bytes(row[5 + n]))
    return found


def save_cells(conn: Connection, tables: Tables, cells: Iterable[tuple[CellKey, Cell]]) -> None:
    """Write changed cells; a cell left with no case is deleted."""
    upserts: list[tuple[Any, ...]] = []
    deletes: list[CellKey] = []
    for key, cell in cells:
        if cell.is_empty():
            deletes.append(key)
        else:
            upserts.append((*key, *cell.counts, cell.amount, cell.durations))
    name = tables.name("cells")
    if upserts:
        columns = (*CELL_KEY, *CELL_VALUES)
        placeholders = ", ".join("%s" for _ in columns)
        updates = ", ".join(f"{c} = excluded.{c}" for c in CELL_VALUES)
        conn.executemany(
            f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({placeholders}) "
            f"ON CONFLICT ({', '.join(CELL_KEY)}) DO UPDATE SET {updates}",
            upserts,
        )
    if deletes:
        where = " AND ".join(f"{c} = %s" for c in CELL_KEY)
        conn.executemany(f"DELETE FROM {name} WHERE {where}", deletes)
