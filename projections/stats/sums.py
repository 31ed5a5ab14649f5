"""Adding contributions into the cells, by the database: per batch, or all at once from the facts.

A contribution is a row (month, day, the case's five keys, the counters, the amount); month
None is the backlog. One statement joins the rows with the cells they count in (each grain
and dimension: the whole year, quarter, month, day of the whole, ...) and adds them up with
`INSERT ... SELECT ... GROUP BY ... ON CONFLICT DO UPDATE SET n = n + excluded.n`.

A rebuild does not keep the cells while it folds the events in: the facts alone are written,
batch after batch, and once the new generation has caught up (`build`, run where the engine
makes the indexes, in its transaction) the cells and the open cases are made from the facts
in a few statements, by the same rules. A marker cell says the cells are kept from then on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from projections.stats import bulk
from projections.stats.bulk import Column
from projections.stats.cells import (
    DAY,
    DAY_DIMENSIONS,
    MONTH,
    OPEN,
    PER_MONTH,
    QUARTER,
    SPANS,
    WHOLE,
    YEAR,
    Deltas,
    DurationKey,
    merge,
    pack,
)
from projections.stats.facts import DIMENSIONS
from projections.stats.figures import BACKLOG_COUNTERS, COUNTERS
from projections.stats.from_facts import AMOUNT, ESCALATED_WHEN, RESOLUTION_WHEN
from projections.stats.tables import COUNTS

if TYPE_CHECKING:
    from projections.engine.database import Connection
    from projections.engine.view import Tables

CELL_KEY = ("dim", "grain", "bucket", "key")
CELL_VALUES = (*COUNTS, "amount", "durations")
KEY_COLUMNS: tuple[Column, ...] = (
    ("dim", "text"),
    ("grain", "text"),
    ("bucket", "integer"),
    ("key", "text"),
)
MARKER = ("#", "#", 0, "")
"""The key of the cell that says the cells are kept (no query reads dimension "#")."""
DELTA = "stats_delta"
"""A temporary table of the connection: one batch's contributions, summed into the cells."""
DELTA_COLUMNS: tuple[Column, ...] = (
    ("month", "integer"),
    ("day", "integer"),
    *((name, "text") for name in DIMENSIONS),
    *((name, "integer") for name in COUNTS),
    ("amount", "bigint"),
)
EVERY = (WHOLE, *DIMENSIONS)
GROUPS: tuple[tuple[str, str], ...] = (
    *((grain, dimension) for grain in SPANS for dimension in EVERY),
    *((DAY, dimension) for dimension in DAY_DIMENSIONS),
    *((OPEN, dimension) for dimension in EVERY),
)
"""Every (grain, dimension) that has cells."""


def live(conn: Connection, tables: Tables) -> bool:
    """Whether the cells are kept (built): not while a rebuild folds the events in."""
    marker = " AND ".join(f"{column} = %s" for column in CELL_KEY)
    rows = conn.execute(f"SELECT COUNT(*) FROM {tables.name('cells')} WHERE {marker}", MARKER)
    return bool(rows[0][0])


def write_deltas(conn: Connection, tables: Tables, deltas: Deltas) -> None:
    """Sum the batch's contributions into the cells, then merge the span cells' durations."""
    if not deltas.rows:
        return
    big = "BIGINT" if conn.dialect == "postgres" else "INTEGER"
    counts = ", ".join(f"{name} INTEGER NOT NULL" for name in COUNTS)
    keys = ", ".join(f"{name} TEXT NOT NULL" for name in DIMENSIONS)
    on_commit = " ON COMMIT DELETE ROWS" if conn.dialect == "postgres" else ""
    conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS {DELTA} (month INTEGER, day INTEGER, "
        f"{keys}, {counts}, amount {big} NOT NULL){on_commit}"
    )
    if conn.dialect != "postgres":
        conn.execute(f"DELETE FROM {DELTA}")  # a rolled-back batch's rows are gone already
    bulk.insert(conn, DELTA, DELTA_COLUMNS, deltas.rows)
    conn.execute(_add_statement(tables.name("cells"), DELTA, GROUPS), (b"",))
    if deltas.durations:
        _merge_durations(conn, tables.name("cells"), deltas.durations)


@lru_cache(maxsize=32)
def _add_statement(cells: str, source: str, groups: tuple[tuple[str, str], ...]) -> str:
    """Add the contributions of `source` into the cells of `groups`, in one statement."""
    listed = ", ".join(f"('{grain}', '{dimension}')" for grain, dimension in groups)
    spans = " ".join(f"WHEN '{g}' THEN s.month / {PER_MONTH[g]}" for g in SPANS)
    bucket = f"CASE g.grain {spans} WHEN '{DAY}' THEN s.day ELSE 0 END"
    key = " ".join(f"WHEN '{d}' THEN s.{d}" for d in DIMENSIONS)
    sums = ", ".join(f"SUM(s.{name})" for name in (*COUNTS, "amount"))
    adds = ", ".join(f"{c} = {cells}.{c} + excluded.{c}" for c in (*COUNTS, "amount"))
    return (
        f"WITH g (grain, dim) AS (VALUES {listed}) "
        f"INSERT INTO {cells} (dim, grain, bucket, key, {', '.join(CELL_VALUES)}) "
        f"SELECT g.dim, g.grain, {bucket}, CASE g.dim {key} ELSE '' END, {sums}, %s "
        f"FROM {source} s JOIN g ON (g.grain = '{OPEN}') = (s.month IS NULL) "
        f"WHERE g.grain <> '{DAY}' OR s.day IS NOT NULL "
        f"GROUP BY g.dim, g.grain, {bucket}, CASE g.dim {key} ELSE '' END "
        f"ON CONFLICT ({', '.join(CELL_KEY)}) DO UPDATE SET {adds}"
    )


def _merge_durations(
    conn: Connection, cells: str, changes: dict[DurationKey, dict[int, int]]
) -> None:
    keys = list(changes)
    join = " AND ".join(f"c.{c} = k.{c}" for c in CELL_KEY)
    columns = "c.dim, c.grain, c.bucket, c.key, c.durations"
    select = f"SELECT {columns} FROM {{}} JOIN {cells} c ON {join}"
    stored: list[Any] = []
    if conn.dialect == "postgres":
        stage = bulk.staged(conn, KEY_COLUMNS, keys)
        stored = conn.execute(select.format(f"{stage} k"))
    else:
        for start in range(0, len(keys), bulk.CHUNK):
            chunk = keys[start : start + bulk.CHUNK]
            values = ", ".join("(%s, %s, %s, %s)" for _ in chunk)
            stored += conn.execute(
                f"WITH k(dim, grain, bucket, key) AS (VALUES {values}) " + select.format("k"),
                [value for key in chunk for value in key],
            )
    updates: list[tuple[Any, ...]] = []
    for dimension, grain, bucket, value, blob in stored:
        before = bytes(blob)
        merged = merge(before, changes[(dimension, grain, bucket, value)])
        if merged is not before:
            updates.append((merged, dimension, grain, bucket, value))
    _write_durations(conn, cells, updates)


def _write_durations(conn: Connection, cells: str, updates: Sequence[tuple[Any, ...]]) -> None:
    blob_type = "bytea" if conn.dialect == "postgres" else "blob"
    bulk.update(conn, cells, KEY_COLUMNS, (("durations", blob_type),), updates)


# -- a rebuild's cells, from the facts -----------------------------------------------------------


def build(conn: Connection, tables: Tables) -> None:
    """The cells and the open cases from the facts, once; then the marker (kept from now on)."""
    if live(conn, tables):
        return
    cells, cases = tables.name("cells"), tables.name("cases")
    source = f"({_contributions(cases)})"
    below = tuple((grain, d) for grain, d in GROUPS if grain not in (YEAR, QUARTER))
    conn.execute(_add_statement(cells, source, below), (b"",))
    for grain in (QUARTER, YEAR):  # the spans above a month, from the month cells
        per = PER_MONTH[grain]
        sums = ", ".join(f"SUM({name})" for name in (*COUNTS, "amount"))
        conn.execute(
            f"INSERT INTO {cells} (dim, grain, bucket, key, {', '.join(CELL_VALUES)}) "
            f"SELECT dim, %s, bucket / {per}, key, {sums}, %s FROM {cells} "
            f"WHERE grain = %s GROUP BY dim, bucket / {per}, key",
            (grain, b"", MONTH),
        )
    _build_durations(conn, cells, cases)
    open_columns = ", ".join(("case_id", *DIMENSIONS, "risk", "due_us"))
    conn.execute(
        f"INSERT INTO {tables.name('open')} ({open_columns}) "
        f"SELECT {open_columns} FROM {cases} WHERE resolved_us IS NULL"
    )
    zeros = ", ".join("0" for _ in (*COUNTS, "amount"))
    conn.execute(
        f"INSERT INTO {cells} ({', '.join(CELL_KEY)}, {', '.join(CELL_VALUES)}) "
        f"VALUES (%s, %s, %s, %s, {zeros}, %s)",
        (*MARKER, b""),
    )


def _contributions(cases: str) -> str:
    """Every case's contributions as rows of the delta's columns (the rules of contributions.py,
    in SQL): its receipt, and its resolution or its place in the backlog."""
    keys = ", ".join(DIMENSIONS)

    def row(month: str, day: str, values: dict[str, str], amount: str, where: str) -> str:
        pairs = zip(COUNTERS, COUNTS, strict=True)
        counts = ", ".join(f"{values.get(name, '0')} AS {column}" for name, column in pairs)
        return (
            f"SELECT {month} AS month, {day} AS day, {keys}, {counts}, {amount} AS amount "
            f"FROM {cases}{where}"
        )

    resolution = {"resolved": "1"}
    resolution |= {n: f"CASE WHEN {c} THEN 1 ELSE 0 END" for n, c in RESOLUTION_WHEN.items()}
    backlog = {"open": "1"}
    backlog |= {n: f"CASE WHEN {c} THEN 1 ELSE 0 END" for n, c in ESCALATED_WHEN.items()}
    assert set(backlog) == set(BACKLOG_COUNTERS)
    return " UNION ALL ".join(
        (
            row("received_month", "received_day", {"received": "1"}, "0", ""),
            row(
                "resolved_month",
                "resolved_day",
                resolution,
                AMOUNT,
                " WHERE resolved_us IS NOT NULL",
            ),
            row("NULL", "NULL", backlog, "0", " WHERE resolved_us IS NULL"),
        )
    )


def _build_durations(conn: Connection, cells: str, cases: str) -> None:
    """The sorted durations of every span cell, from the facts of the resolved cases."""
    rows = conn.execute(
        f"SELECT resolved_month, {', '.join(DIMENSIONS)}, resolved_us - received_us "
        f"FROM {cases} WHERE resolved_us IS NOT NULL"
    )
    found: defaultdict[DurationKey, list[int]] = defaultdict(list)
    for month, *keys, duration in rows:
        pairs = ((WHOLE, WHOLE), *zip(DIMENSIONS, keys, strict=True))
        for grain in SPANS:
            bucket = month // PER_MONTH[grain]
            for dimension, value in pairs:
                found[(dimension, grain, bucket, value)].append(duration)
    updates = [(pack(sorted(values)), *key) for key, values in found.items()]
    _write_durations(conn, cells, updates)
