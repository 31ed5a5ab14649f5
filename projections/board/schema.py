"""The board's table and indexes, for SQLite and PostgreSQL.

Every index ends in (received_at, id), the board's order, so a filtered page is an index range
read backwards and a cursor continues it. `q` on PostgreSQL uses trigram GIN indexes on the
number and the summary when the pg_trgm extension can be created (Chinese included: trigrams
of any characters), and a plain LIKE otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from projections.board.fold import COLUMNS, TIME_COLUMNS

if TYPE_CHECKING:
    from projections.engine.ports import Connection

CASES = "cases"
SEALED = "summary_sealed"
STORED = (*COLUMNS, SEALED)
"""The table's columns: the fold's, and the summary sealed (with a cipher key the plain
`summary` column is empty and this holds it, AES-GCM)."""

_TYPES_POSTGRES = {
    "id": "uuid PRIMARY KEY",
    SEALED: "bytea",
    "version": "integer NOT NULL",
    "event_count": "integer NOT NULL",
}
_TYPES_SQLITE = {
    "id": "TEXT PRIMARY KEY",
    SEALED: "BLOB",
    "version": "INTEGER NOT NULL",
    "event_count": "INTEGER NOT NULL",
}
_REQUIRED = frozenset(
    {
        "number",
        "category",
        "street",
        "channel",
        "status",
        "received_at",
        "risk_level",
        "received_by",
    }
)
FILTERED = ("status", "category", "street", "organisation", "mediator", "channel")


def create_table(conn: Connection, table: str, columns: tuple[str, ...]) -> None:
    postgres = conn.dialect == "postgres"
    fixed = _TYPES_POSTGRES if postgres else _TYPES_SQLITE
    parts = []
    for column in columns:
        if column in fixed:
            parts.append(f"{column} {fixed[column]}")
            continue
        kind = ("timestamptz" if postgres else "TEXT") if column in TIME_COLUMNS else "text"
        parts.append(f"{column} {kind}" + (" NOT NULL" if column in _REQUIRED else ""))
    conn.execute(f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(parts)})")


def create_indexes(conn: Connection, table: str, *, searchable_summary: bool = True) -> None:
    """`searchable_summary`: the summary is plain text (no cipher key): index it for `q`."""
    order = "received_at DESC, id DESC"
    # PostgreSQL: the board's order holding the number and summary too, so that a `q` search
    # walking it reads no table page for the rows it passes over (once VACUUM has set the
    # visibility map).
    held = "number, summary" if searchable_summary else "number"
    searched = f" INCLUDE ({held})" if conn.dialect == "postgres" else ""
    # Likewise the open cases in the board's order with what `overdue` and `escalated` test.
    open_filters = " INCLUDE (due_at, risk_level)" if conn.dialect == "postgres" else ""
    statements = [
        f"CREATE UNIQUE INDEX IF NOT EXISTS {table}_number ON {table} (number)",
        f"CREATE INDEX IF NOT EXISTS {table}_received ON {table} ({order}){searched}",
        f"CREATE INDEX IF NOT EXISTS {table}_open ON {table} ({order}){open_filters} "
        "WHERE status <> 'resolved'",
        f"CREATE INDEX IF NOT EXISTS {table}_due ON {table} (due_at) WHERE status <> 'resolved'",
        # A mediator's own receipts not routed yet (the rest of their reach: `mediator`).
        f"CREATE INDEX IF NOT EXISTS {table}_unrouted ON {table} (received_by, {order}) "
        "WHERE mediator IS NULL",
    ]
    statements += [
        f"CREATE INDEX IF NOT EXISTS {table}_{column} ON {table} ({column}, {order})"
        for column in FILTERED
    ]
    if conn.dialect == "postgres":
        conn.execute("SET LOCAL maintenance_work_mem = '256MB'")  # index builds in memory
    for statement in statements:
        conn.execute(statement)
    if conn.dialect == "postgres":
        _trigram_indexes(conn, table, ("number", "summary") if searchable_summary else ("number",))
    conn.execute(f"ANALYZE {table}")  # a bulk-loaded table: let the planner know its data


def _trigram_indexes(conn: Connection, table: str, columns: tuple[str, ...]) -> None:
    schema = conn.extension("pg_trgm")
    if schema is None:
        return
    for column in columns:
        conn.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} "
            f'USING gin ({column} "{schema}".gin_trgm_ops)'
        )
