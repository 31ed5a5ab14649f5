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
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from itertools import chain
from typing import TYPE_CHECKING, Any

from projections.stats import bulk
from projections.stats.cells import (
    DAY,
    DAY_DIMENSIONS,
    MONTH,
    OPEN,
    PER_MONTH,
    QUARTER,
    WEEK,
    WHOLE,
    YEAR,
    DurationKey,
    pack,
)
from projections.stats.facts import DIMENSIONS
from projections.stats.figures import BACKLOG_COUNTERS, COUNTERS
from projections.stats.from_facts import AMOUNT, ESCALATED_WHEN, RECEIPT_VALUES, RESOLUTION_VALUES
from projections.stats.periods import week_column
from projections.stats.sums import (
    BLOBS,
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
    from projections.engine.ports import Connection, Row
    from projections.engine.view import Tables

BULK_SETTINGS = ("work_mem = '256MB'", "jit = off")
"""For the build's transaction (PostgreSQL): its sums and sorts of every case's contributions
(at 1,000,000 events, ~90 MB of groups) are done in memory, not in files merged on disk; and
not compiled first (the planner's cost of these statements calls for JIT, which took 1.6 s of
a 5 s statement and saved nothing)."""
UNROLLED = ("category", "street", "channel", "organisation", "mediator", "subcategory")
"""DIMENSIONS, in the order `_stage_durations` spells them out."""
DURATIONS = "stats_durations"
"""A temporary table of the connection: the built span cells' packed durations."""
BELOW = "stats_below_years"
"""A temporary table of the build's transaction (PostgreSQL): the month, week, day and backlog
cells' sums, made while the durations are grouped."""


def _nothing() -> None:
    pass


def build(conn: Connection, tables: Tables, meanwhile: Callable[[], None] = _nothing) -> None:
    """The cells and the open cases from the facts, once; then the marker (kept from now on).

    `meanwhile`: the database's other work of the same transaction (the facts' indexes), done
    while the durations are grouped. On PostgreSQL the durations are grouped in Python on a
    thread of their own while this one waits for the database: for `meanwhile`, then for the
    month, week, day and backlog cells' sums, made into a temporary table of the transaction
    (the Python and the database's work, each some seconds at 1,000,000 events, overlap).
    """
    if live(conn, tables):
        meanwhile()
        return
    postgres = conn.dialect == "postgres"
    if postgres:
        for setting in BULK_SETTINGS:
            conn.execute(f"SET LOCAL {setting}")
    cells, cases = tables.name("cells"), tables.name("cases")
    below = tuple((grain, d) for grain, d in GROUPS if grain not in (YEAR, QUARTER))
    resolved = _resolved(conn, cases)
    if postgres:
        with ThreadPoolExecutor(1, thread_name_prefix="tongjie-stats-durations") as thread:
            durations = thread.submit(_durations, resolved)
            meanwhile()
            conn.execute(
                f"CREATE TEMP TABLE {BELOW} ON COMMIT DROP AS {_below_years(conn, cases, below)}"
            )
            staged = _staged(conn, durations.result())
        _insert(conn, cells, staged, f"SELECT * FROM {BELOW}")
        conn.execute(f"DROP TABLE {BELOW}")
    else:
        meanwhile()
        staged = _staged(conn, _durations(resolved))
        _insert(conn, cells, staged, _below_years(conn, cases, below))
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
        f"VALUES (%s, %s, %s, %s, {zeros}, %s, %s)",
        (*MARKER, b"", b""),
    )
    for table in (cells, tables.name("open")):
        conn.execute(f"ANALYZE {table}")  # made in bulk: let the planner know them


def _insert(conn: Connection, cells: str, staged: str, query: str) -> None:
    """Insert the cells `query` sums up, each with its durations (none: empty), in the order
    of the primary key: the cells a question reads together (a dimension's values in one
    bucket) then lie together, on a few pages rather than one page each."""
    conn.execute(insert_statement(cells, staged, query), (b"", b""))


def insert_statement(cells: str, staged: str, query: str) -> str:
    """`_insert`'s statement: each cell joined with its staged durations by their key (the
    staged table's primary key: a lookup per cell, not a scan of every staged cell)."""
    on = " AND ".join(f"t.{column} = a.{column}" for column in CELL_KEY)
    order = ", ".join(f"a.{column}" for column in CELL_KEY)
    blobs = ", ".join(f"COALESCE(t.{blob}, %s)" for blob in BLOBS)
    return (
        f"INSERT INTO {cells} ({', '.join(CELL_KEY)}, {', '.join(CELL_VALUES)}) "
        f"SELECT a.*, {blobs} FROM ({query}) a LEFT JOIN {staged} t ON {on} "
        f"ORDER BY {order}"
    )


def _below_years(conn: Connection, cases: str, groups: tuple[tuple[str, str], ...]) -> str:
    """The month, week, day and backlog cells of every case's contributions (`groups`).

    PostgreSQL: the receipts' and resolutions' cells in one pass of GROUPING SETS (one hash
    table per group, filled from one read of the contributions), the backlog's as `expanded`
    does; at 1,000,000 events 2.5 s against 8 s for a GROUP BY per group, each reading the
    materialised contributions again. SQLite has no GROUPING SETS: a GROUP BY per group.
    """
    if conn.dialect != "postgres":
        return expanded(_contributions(cases), groups)
    spans = tuple((grain, d) for grain, d in groups if grain != OPEN)
    backlog = tuple((grain, d) for grain, d in groups if grain == OPEN)
    assert {grain for grain, _ in spans} <= {MONTH, WEEK, DAY}, spans
    receipts, resolutions, open_ = _contribution_parts(cases)
    source = f"{receipts} UNION ALL {resolutions}"
    return (
        f"SELECT * FROM ({grouping_sets(source, spans)}) g "
        f"UNION ALL SELECT * FROM ({expanded(open_, backlog)}) b"
    )


def grouping_sets(source: str, groups: tuple[tuple[str, str], ...]) -> str:
    """`expanded(source, groups)` for month, week and day groups, in one GROUP BY of GROUPING
    SETS (PostgreSQL): the same cells, with the same sums."""
    bucket = {MONTH: f"month / {PER_MONTH[MONTH]}", WEEK: "w", DAY: "day"}
    sets = ", ".join(
        f"({bucket[grain]}, {dimension})" if dimension else f"({bucket[grain]})"
        for grain, dimension in groups
    )
    dim = " ".join(f"WHEN GROUPING({d}) = 0 THEN '{d}'" for d in DIMENSIONS)
    grain = (
        f"CASE WHEN GROUPING({bucket[MONTH]}) = 0 THEN '{MONTH}' "
        f"WHEN GROUPING(w) = 0 THEN '{WEEK}' ELSE '{DAY}' END"
    )
    sums = ", ".join(f"SUM({name}) AS {name}" for name in (*COUNTS, "amount"))
    return (
        f"SELECT * FROM (SELECT CASE {dim} ELSE '' END AS dim, {grain} AS grain, "
        f"COALESCE({bucket[MONTH]}, w, day) AS bucket, "
        f"COALESCE({', '.join(DIMENSIONS)}, '') AS key, {sums} "
        f"FROM (SELECT *, {week_column('day')} AS w FROM ({source}) c "
        f"WHERE month IS NOT NULL) s GROUP BY GROUPING SETS ({sets})) g "
        "WHERE bucket IS NOT NULL"
    )


def _contributions(cases: str) -> str:
    """Every case's contributions as rows of the delta's columns (the rules of contributions.py,
    in SQL): its receipt, and its resolution or its place in the backlog."""
    return " UNION ALL ".join(_contribution_parts(cases))


def _contribution_parts(cases: str) -> tuple[str, str, str]:
    """`_contributions`' three queries: the receipts, the resolutions, the backlog."""
    keys = ", ".join(DIMENSIONS)

    def row(month: str, day: str, values: dict[str, str], amount: str, where: str) -> str:
        pairs = zip(COUNTERS, COUNTS, strict=True)
        counts = ", ".join(f"{values.get(name, '0')} AS {column}" for name, column in pairs)
        return (
            f"SELECT {month} AS month, {day} AS day, {keys}, {counts}, {amount} AS amount "
            f"FROM {cases}{where}"
        )

    resolution = {"resolved": "1", **RESOLUTION_VALUES}
    backlog = {"open": "1"}
    backlog |= {n: f"CASE WHEN {c} THEN 1 ELSE 0 END" for n, c in ESCALATED_WHEN.items()}
    assert set(backlog) == set(BACKLOG_COUNTERS)
    resolved = " WHERE resolved_us IS NOT NULL"
    return (
        row("received_month", "received_day", RECEIPT_VALUES, "0", ""),
        row("resolved_month", "resolved_day", resolution, AMOUNT, resolved),
        row("NULL", "NULL", backlog, "0", " WHERE resolved_us IS NULL"),
    )


def _stage_durations(conn: Connection, cases: str) -> str:
    """The sorted durations of every span and week cell, in a temporary table: the database
    sorts the resolved cases once; the months' and weeks' lists fill in that order (of the
    resolutions by the time of their resolution, of the cohorts by the time of their receipt),
    the quarters and years merge the months' (sorting runs already sorted)."""
    return _staged(conn, _durations(_resolved(conn, cases)))


def _resolved(conn: Connection, cases: str) -> list[Row]:
    """The resolved cases' months, days, keys and durations, by duration."""
    return conn.execute(
        f"SELECT resolved_month, received_month, resolved_day, received_day, "
        f"{', '.join(DIMENSIONS)}, resolved_us - received_us AS d "
        f"FROM {cases} WHERE resolved_us IS NOT NULL ORDER BY d"
    )


def _durations(rows: Sequence[Row]) -> list[tuple[Any, ...]]:
    """The rows of the staged durations (`_staged`) from the resolved cases (`_resolved`): in
    Python alone, so that it may run beside the database's work."""
    kinds: tuple[defaultdict[tuple[str, str, int, str], list[int]], ...] = (
        defaultdict(list),
        defaultdict(list),
    )
    r, c = kinds  # the resolutions' and the cohorts' lists per (dimension, grain, bucket, value)
    assert DIMENSIONS == UNROLLED
    assert DAY_DIMENSIONS == (WHOLE, "category", "street", "channel")
    for (
        resolved, received, rday, cday, category, street, channel, organisation, mediator, sub, d
    ) in rows:  # fmt: skip
        # Unrolled: at 1,000,000 events this loop runs for some 170,000 resolved cases.
        rweek, cweek = (rday - 1) // 7, (cday - 1) // 7  # periods.week_index
        r[(WHOLE, MONTH, resolved, WHOLE)].append(d)
        r[("category", MONTH, resolved, category)].append(d)
        r[("street", MONTH, resolved, street)].append(d)
        r[("channel", MONTH, resolved, channel)].append(d)
        r[("organisation", MONTH, resolved, organisation)].append(d)
        r[("mediator", MONTH, resolved, mediator)].append(d)
        r[("subcategory", MONTH, resolved, sub)].append(d)
        r[(WHOLE, WEEK, rweek, WHOLE)].append(d)
        r[("category", WEEK, rweek, category)].append(d)
        r[("street", WEEK, rweek, street)].append(d)
        r[("channel", WEEK, rweek, channel)].append(d)
        c[(WHOLE, MONTH, received, WHOLE)].append(d)
        c[("category", MONTH, received, category)].append(d)
        c[("street", MONTH, received, street)].append(d)
        c[("channel", MONTH, received, channel)].append(d)
        c[("organisation", MONTH, received, organisation)].append(d)
        c[("mediator", MONTH, received, mediator)].append(d)
        c[("subcategory", MONTH, received, sub)].append(d)
        c[(WHOLE, WEEK, cweek, WHOLE)].append(d)
        c[("category", WEEK, cweek, category)].append(d)
        c[("street", WEEK, cweek, street)].append(d)
        c[("channel", WEEK, cweek, channel)].append(d)
    staged: dict[DurationKey, list[bytes]] = {}
    for index, lists in enumerate(kinds):
        spans: defaultdict[DurationKey, list[list[int]]] = defaultdict(list)
        for key, durations in lists.items():
            staged.setdefault(key, [b"", b""])[index] = pack(durations)
            dimension, grain, month, value = key
            if grain != MONTH:
                continue
            for upper in (QUARTER, YEAR):
                spans[(dimension, upper, month // PER_MONTH[upper], value)].append(durations)
        for key, runs in spans.items():
            packed = pack(runs[0] if len(runs) == 1 else sorted(chain(*runs)))
            staged.setdefault(key, [b"", b""])[index] = packed
    return [(*key, *blobs) for key, blobs in staged.items()]


def _staged(conn: Connection, rows: Sequence[tuple[Any, ...]]) -> str:
    """The temporary table of the staged durations, holding `rows`."""
    blob = "bytea" if conn.dialect == "postgres" else "blob"
    columns = (*KEY_COLUMNS, *((name, blob) for name in BLOBS))
    return bulk.temporary(conn, DURATIONS, columns, rows, key=CELL_KEY)
