"""A rebuild's cells, made from the facts once the new generation has caught up.

While a rebuild folds the store in, the view writes the facts alone (the cells' work per batch
was most of a batch's time). When the generation has caught up, the engine makes its indexes
in one transaction, and there `build` makes the cells and the open cases from the facts by the
rules of the contributions, in SQL: the month, day and backlog cells from every case's
receipt, resolution or place in the backlog, the quarters and years from the months, and the
sorted durations of each span cell (sorted once by the database, grouped here). Then the
marker cell, from which on each batch keeps the cells itself.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import chain
from typing import TYPE_CHECKING, Any

from projections.stats import bulk
from projections.stats.cells import MONTH, PER_MONTH, QUARTER, WHOLE, YEAR, DurationKey, pack
from projections.stats.facts import DIMENSIONS
from projections.stats.figures import BACKLOG_COUNTERS, COUNTERS
from projections.stats.from_facts import AMOUNT, ESCALATED_WHEN, RESOLUTION_WHEN
from projections.stats.sums import (
    CELL_KEY,
    CELL_VALUES,
    GROUPS,
    KEY_COLUMNS,
    MARKER,
    expanded,
    live,
)
from projections.stats.tables import COUNTS

if TYPE_CHECKING:
    from projections.engine.ports import Connection
    from projections.engine.view import Tables

BULK_SETTINGS = ("work_mem = '256MB'", "jit = off")
"""For the build's transaction (PostgreSQL): its sums and sorts of every case's contributions
(at 1,000,000 events, ~90 MB of groups) are done in memory, not in files merged on disk; and
not compiled first (the planner's cost of these statements calls for JIT, which took 1.6 s of
a 5 s statement and saved nothing)."""
DURATIONS = "stats_durations"
"""A temporary table of the connection: the built span cells' packed durations."""


def build(conn: Connection, tables: Tables) -> None:
    """The cells and the open cases from the facts, once; then the marker (kept from now on)."""
    if live(conn, tables):
        return
    if conn.dialect == "postgres":
        for setting in BULK_SETTINGS:
            conn.execute(f"SET LOCAL {setting}")
    cells, cases = tables.name("cells"), tables.name("cases")
    staged = _stage_durations(conn, cases)
    below = tuple((grain, d) for grain, d in GROUPS if grain not in (YEAR, QUARTER))
    _insert(conn, cells, staged, expanded(_contributions(cases), below))
    sums = ", ".join(f"SUM({name}) AS {name}" for name in (*COUNTS, "amount"))
    for grain in (QUARTER, YEAR):  # the spans above a month, from the month cells
        per = PER_MONTH[grain]
        _insert(
            conn,
            cells,
            staged,
            f"SELECT dim, '{grain}' AS grain, bucket / {per} AS bucket, key, {sums} "
            f"FROM {cells} WHERE grain = '{MONTH}' GROUP BY dim, bucket / {per}, key",
        )
    open_columns = ", ".join(("case_id", *DIMENSIONS, "risk", "due_us"))
    conn.execute(
        f"INSERT INTO {tables.name('open')} ({open_columns}) "
        f"SELECT {open_columns} FROM {cases} WHERE resolved_us IS NULL"
    )
    conn.execute(f"DELETE FROM {staged}")
    zeros = ", ".join("0" for _ in (*COUNTS, "amount"))
    conn.execute(
        f"INSERT INTO {cells} ({', '.join(CELL_KEY)}, {', '.join(CELL_VALUES)}) "
        f"VALUES (%s, %s, %s, %s, {zeros}, %s)",
        (*MARKER, b""),
    )
    for table in (cells, tables.name("open")):
        conn.execute(f"ANALYZE {table}")  # made in bulk: let the planner know them


def _insert(conn: Connection, cells: str, staged: str, query: str) -> None:
    """Insert the cells `query` sums up, each with its durations (none: empty), in the order
    of the primary key: the cells a question reads together (a dimension's values in one
    bucket) then lie together, on a few pages rather than one page each."""
    conn.execute(insert_statement(cells, staged, query), (b"",))


def insert_statement(cells: str, staged: str, query: str) -> str:
    """`_insert`'s statement: each cell joined with its staged durations by their key (the
    staged table's primary key: a lookup per cell, not a scan of every staged cell)."""
    on = " AND ".join(f"t.{column} = a.{column}" for column in CELL_KEY)
    order = ", ".join(f"a.{column}" for column in CELL_KEY)
    return (
        f"INSERT INTO {cells} ({', '.join(CELL_KEY)}, {', '.join(CELL_VALUES)}) "
        f"SELECT a.*, COALESCE(t.durations, %s) FROM ({query}) a LEFT JOIN {staged} t ON {on} "
        f"ORDER BY {order}"
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
    resolved = " WHERE resolved_us IS NOT NULL"
    return " UNION ALL ".join(
        (
            row("received_month", "received_day", {"received": "1"}, "0", ""),
            row("resolved_month", "resolved_day", resolution, AMOUNT, resolved),
            row("NULL", "NULL", backlog, "0", " WHERE resolved_us IS NULL"),
        )
    )


def _stage_durations(conn: Connection, cases: str) -> str:
    """The sorted durations of every span cell, in a temporary table: the database sorts the
    resolved cases once; the months' lists fill in that order, the quarters and years merge
    them (sorting runs already sorted)."""
    rows = conn.execute(
        f"SELECT resolved_month, {', '.join(DIMENSIONS)}, resolved_us - received_us AS d "
        f"FROM {cases} WHERE resolved_us IS NOT NULL ORDER BY d"
    )
    months: defaultdict[tuple[str, int, str], list[int]] = defaultdict(list)
    for month, category, street, channel, organisation, mediator, duration in rows:
        months[(WHOLE, month, WHOLE)].append(duration)
        months[("category", month, category)].append(duration)
        months[("street", month, street)].append(duration)
        months[("channel", month, channel)].append(duration)
        months[("organisation", month, organisation)].append(duration)
        months[("mediator", month, mediator)].append(duration)
    staged: list[tuple[Any, ...]] = []
    spans: defaultdict[DurationKey, list[list[int]]] = defaultdict(list)
    for (dimension, month, value), durations in months.items():
        staged.append((dimension, MONTH, month, value, pack(durations)))
        for grain in (QUARTER, YEAR):
            spans[(dimension, grain, month // PER_MONTH[grain], value)].append(durations)
    for key, runs in spans.items():
        staged.append((*key, pack(runs[0] if len(runs) == 1 else sorted(chain(*runs)))))
    blob = "bytea" if conn.dialect == "postgres" else "blob"
    columns = (*KEY_COLUMNS, ("durations", blob))
    return bulk.temporary(conn, DURATIONS, columns, staged, key=CELL_KEY)
