"""The statistics view's tables, on SQLite and PostgreSQL: per-case facts, cells, open cases.

`cases` holds one row of facts per case: the state the view folds events into, and what the
cells are built from after a rebuild, the partial days of a period and the periods of several
dimensions are summed from (with the months and days of receipt and resolution, in the bureau's
time zone, beside). `cells` holds the pre-added statistics (sums.py), `open` the work in hand.
SQL is written once with `%s` placeholders.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections.stats import bulk
from projections.stats.bulk import CHUNK, Column
from projections.stats.cells import buckets
from projections.stats.facts import DIMENSIONS, CaseFacts
from projections.stats.figures import COUNTERS

if TYPE_CHECKING:
    from projections.engine.ports import Connection
    from projections.engine.view import Tables

FACTS = tuple(field.name for field in dataclasses.fields(CaseFacts))
"""The facts' columns, in CaseFacts' order."""
DERIVED = ("received_month", "resolved_month", "received_day", "resolved_day")
"""Derived columns: the months (year * 12 + month - 1) and days (ordinals) of receipt and
resolution, in the bureau's time zone."""
_TYPES = {"case_id": "text", "outcome": "text", "risk": "text", "events": "integer"}
_TYPES |= {"satisfaction": "integer"}
_TYPES |= dict.fromkeys(("received_us", "resolved_us", "amount_cents", "due_us"), "bigint")
_TYPES |= dict.fromkeys(
    ("followed_up", "fulfilled", "judicial_applied", "judicial_confirmed"), "integer"
)
_TYPES |= dict.fromkeys(DERIVED, "integer")
FACT_COLUMNS: tuple[Column, ...] = tuple((c, _TYPES.get(c, "text")) for c in (*FACTS, *DERIVED))
COUNTS = tuple(f"n_{name}" for name in COUNTERS)
OPEN_COLUMNS: tuple[Column, ...] = (
    ("case_id", "text"),
    *((name, "text") for name in DIMENSIONS),
    ("risk", "text"),
    ("due_us", "bigint"),
)
"""The open cases alone, with their deadlines: overdue and due soon are read through `due_us`."""


def create(conn: Connection, tables: Tables) -> None:
    big, blob = ("BIGINT", "BYTEA") if conn.dialect == "postgres" else ("INTEGER", "BLOB")
    # Rows are updated in place often: room on each page lets PostgreSQL do it there (HOT).
    room = " WITH (fillfactor = 80)" if conn.dialect == "postgres" else ""
    cases, cells, open_ = tables.name("cases"), tables.name("cells"), tables.name("open")
    conn.execute(
        f"CREATE TABLE {cases} (case_id TEXT PRIMARY KEY, category TEXT NOT NULL, "
        "street TEXT NOT NULL, channel TEXT NOT NULL, organisation TEXT NOT NULL, "
        f"mediator TEXT NOT NULL, received_us {big} NOT NULL, resolved_us {big}, outcome TEXT, "
        f"amount_cents {big}, followed_up INTEGER NOT NULL, fulfilled INTEGER NOT NULL, "
        "judicial_applied INTEGER NOT NULL, judicial_confirmed INTEGER NOT NULL, "
        f"risk TEXT NOT NULL, due_us {big}, events INTEGER NOT NULL, "
        "subcategory TEXT NOT NULL, satisfaction INTEGER, "
        "received_month INTEGER NOT NULL, resolved_month INTEGER, "
        f"received_day INTEGER NOT NULL, resolved_day INTEGER){room}"
    )
    counts = ", ".join(f"{name} INTEGER NOT NULL" for name in COUNTS)
    rowid = "" if conn.dialect == "postgres" else " WITHOUT ROWID"
    conn.execute(
        f"CREATE TABLE {cells} (dim TEXT NOT NULL, grain TEXT NOT NULL, bucket INTEGER NOT NULL, "
        f"key TEXT NOT NULL, {counts}, amount {big} NOT NULL, durations {blob} NOT NULL, "
        f"cohort_durations {blob} NOT NULL, PRIMARY KEY (dim, grain, bucket, key)){rowid}{room}"
    )
    keys = ", ".join(f"{name} TEXT NOT NULL" for name in DIMENSIONS)
    conn.execute(
        f"CREATE TABLE {open_} (case_id TEXT PRIMARY KEY, {keys}, risk TEXT NOT NULL, "
        f"due_us {big}){room}"
    )


INDEXED = ("street", "organisation", "mediator")
"""The dimensions whose filter leads an index of the facts' times: a period of several
dimensions (one street's figures per mediator, say) reads that value's cases alone."""


def create_indexes(conn: Connection, tables: Tables) -> None:
    """The facts' time indexes (partial days, periods read from facts), with the filters of
    INDEXED in front; the open cases' deadlines.

    On PostgreSQL the indexes led by a filter also hold what a period's sums read (INCLUDE),
    so that a period of several dimensions reads its cases from the index alone, not from as
    many table pages as it has cases (the pages VACUUM has marked all-visible).
    """
    cases = tables.name("cases")
    statements = [
        f"CREATE INDEX IF NOT EXISTS {cases}_received ON {cases} (received_us)",
        f"CREATE INDEX IF NOT EXISTS {cases}_resolved ON {cases} (resolved_us)",
        f"CREATE INDEX IF NOT EXISTS {tables.name('open')}_due ON {tables.name('open')} (due_us)",
    ]
    postgres = conn.dialect == "postgres"
    for dimension in INDEXED:
        for time in ("received_us", "resolved_us"):
            held = f" INCLUDE ({', '.join(_HELD[time])})" if postgres else ""
            statements.append(
                f"CREATE INDEX IF NOT EXISTS {cases}_{dimension}_{time} "
                f"ON {cases} ({dimension}, {time}){held}"
            )
    for statement in statements:
        conn.execute(statement)


_HELD = {
    "received_us": (
        *DIMENSIONS,
        "received_month",
        "received_day",
        "resolved_us",
        "outcome",
    ),
    "resolved_us": (
        *DIMENSIONS,
        "received_us",
        "resolved_month",
        "resolved_day",
        "satisfaction",
        "outcome",
        "amount_cents",
        "followed_up",
        "fulfilled",
        "judicial_applied",
        "judicial_confirmed",
    ),
}
"""What the sums of receipts (with the cohort's fate) and of resolutions (and their durations)
read of a case (from_facts.py), beside the time that leads their index."""


# -- facts ---------------------------------------------------------------------------------


def facts_of(row: Sequence[Any]) -> CaseFacts:
    """A case's facts from its row (the columns of FACTS)."""
    values = list(row)
    values[0] = UUID(values[0])
    values[10:14] = (bool(v) for v in values[10:14])
    return CaseFacts(*values)


def _fact_row(facts: CaseFacts, zone: tzinfo) -> tuple[Any, ...]:
    """The row of FACT_COLUMNS (flags go in as bools: 1 or 0 in the integer columns)."""
    received = buckets(facts.received_us, zone)
    resolved_us = facts.resolved_us
    resolved = (None, None) if resolved_us is None else buckets(resolved_us, zone)
    return (
        str(facts.case_id), facts.category, facts.street, facts.channel, facts.organisation,
        facts.mediator, facts.received_us, resolved_us, facts.outcome, facts.amount_cents,
        facts.followed_up, facts.fulfilled, facts.judicial_applied, facts.judicial_confirmed,
        facts.risk, facts.due_us, facts.events, facts.subcategory, facts.satisfaction,
        received[0], resolved[0], received[1], resolved[1],
    )  # fmt: skip


def load_facts(conn: Connection, tables: Tables, ids: Sequence[UUID]) -> dict[UUID, CaseFacts]:
    found: dict[UUID, CaseFacts] = {}
    columns = ", ".join(FACTS)
    for start in range(0, len(ids), CHUNK):
        chunk = [str(i) for i in ids[start : start + CHUNK]]
        params: list[Any]
        if conn.dialect == "postgres":
            where, params = "case_id = ANY(%b)", [chunk]
        else:
            where, params = f"case_id IN ({', '.join('%s' for _ in chunk)})", list(chunk)
        rows = conn.execute(f"SELECT {columns} FROM {tables.name('cases')} WHERE {where}", params)
        for row in rows:
            facts = facts_of(row)
            found[facts.case_id] = facts
    return found


def save_facts(
    conn: Connection,
    tables: Tables,
    changed: Sequence[CaseFacts],
    known: Collection[UUID],
    zone: tzinfo,
) -> None:
    """Write the changed facts: new cases inserted, those `known` (stored already) replaced."""
    name = tables.name("cases")
    fresh = [_fact_row(facts, zone) for facts in changed if facts.case_id not in known]
    stale = [_fact_row(facts, zone) for facts in changed if facts.case_id in known]
    bulk.insert(conn, name, FACT_COLUMNS, fresh)
    updates = ", ".join(f"{c} = excluded.{c}" for c, _ in FACT_COLUMNS[1:])
    bulk.insert(conn, name, FACT_COLUMNS, stale, f"ON CONFLICT (case_id) DO UPDATE SET {updates}")


# -- the backlog -------------------------------------------------------------------------------


def save_open(
    conn: Connection, tables: Tables, still_open: Sequence[CaseFacts], closed: Sequence[UUID]
) -> None:
    """Keep the open cases' row current; drop the row of a case just resolved."""
    name = tables.name("open")
    rows = [(str(f.case_id), *f.keys, f.risk, f.due_us) for f in still_open]
    updates = ", ".join(f"{c} = excluded.{c}" for c, _ in OPEN_COLUMNS[1:])
    bulk.insert(conn, name, OPEN_COLUMNS, rows, f"ON CONFLICT (case_id) DO UPDATE SET {updates}")
    if not closed:
        return
    ids = [str(case_id) for case_id in closed]
    if conn.dialect == "postgres":
        conn.execute(f"DELETE FROM {name} WHERE case_id = ANY(%b)", [ids])
    else:
        conn.executemany(f"DELETE FROM {name} WHERE case_id = %s", [(i,) for i in ids])
