"""The intake-to-resolution board (受理到结案): one row per case, kept by the engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections.board.fold import COLUMNS, RECEIVED, TIME_COLUMNS, TOPICS, Row, fold
from projections.board.schema import CASES, create_indexes, create_table
from projections.engine.database import read_sqlite_time, sqlite_time
from projections.engine.view import Tables, View, ViewEvent

if TYPE_CHECKING:
    from projections.engine.database import Connection

_CHUNK = 500
_TIME_INDEXES = tuple(i for i, c in enumerate(COLUMNS) if c in TIME_COLUMNS)
_SELECT = ", ".join(COLUMNS)


class BoardView(View):
    name = "board"
    version = 1
    topics = TOPICS
    table_names = (CASES,)

    def create_tables(self, conn: Connection, tables: Tables) -> None:
        create_table(conn, tables.name(CASES), COLUMNS)

    def create_indexes(self, conn: Connection, tables: Tables) -> None:
        create_indexes(conn, tables.name(CASES))

    def apply_batch(self, conn: Connection, tables: Tables, events: Sequence[ViewEvent]) -> None:
        table = tables.name(CASES)
        born = {e.originator_id for e in events if e.topic == RECEIVED}
        older = {e.originator_id for e in events if e.originator_id not in born}
        rows = _load(conn, table, older)
        for event in events:
            fold(rows, event)
        _store(conn, table, rows.values())


def _load(conn: Connection, table: str, ids: set[UUID]) -> dict[UUID, Row]:
    postgres = conn.dialect == "postgres"
    keys = [i if postgres else str(i) for i in ids]
    rows: dict[UUID, Row] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        params: list[Any] = [chunk] if postgres else list(chunk)
        where = "id = ANY(%s)" if postgres else f"id IN ({','.join('%s' for _ in chunk)})"
        for values in conn.execute(f"SELECT {_SELECT} FROM {table} WHERE {where}", params):
            row = dict(zip(COLUMNS, values, strict=True))
            if not postgres:
                row["id"] = UUID(row["id"])
                for column in TIME_COLUMNS:
                    row[column] = read_sqlite_time(row[column])
            rows[row["id"]] = row
    return rows


def _store(conn: Connection, table: str, rows: Any) -> None:
    postgres = conn.dialect == "postgres"
    values = []
    for row in rows:
        record = [row[c] for c in COLUMNS]
        if not postgres:
            record[0] = str(record[0])
            for i in _TIME_INDEXES:
                record[i] = sqlite_time(record[i])
        values.append(record)
    conn.upsert(table, COLUMNS, values, "id")
