"""The intake-to-resolution board (受理到结案): one row per case, kept by the engine."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections.board.fold import COLUMNS, RECEIVED, TIME_COLUMNS, TOPICS, Row, fold
from projections.board.schema import CASES, create_indexes, create_table
from projections.board.stored import read_sqlite_time, sqlite_time
from projections.engine.view import Tables, View, ViewEvent

if TYPE_CHECKING:
    from projections.engine.ports import Connection

_CHUNK = 500
MEMO_ROWS = 20_000
"""Rows kept in memory between batches (~2 KB each): a case's events come close together."""
_TIME_INDEXES = tuple(i for i, c in enumerate(COLUMNS) if c in TIME_COLUMNS)
_SELECT = ", ".join(COLUMNS)


class BoardView(View):
    name = "board"
    version = 4  # 2: number and summary in the index of the board's order; 3: due_at and
    # risk_level in the index of the open cases; 4: the unrouted cases by their receiver
    topics = TOPICS
    table_names = (CASES,)

    def create_tables(self, conn: Connection, tables: Tables) -> None:
        create_table(conn, tables.name(CASES), COLUMNS)

    def create_indexes(self, conn: Connection, tables: Tables) -> None:
        create_indexes(conn, tables.name(CASES))

    def apply_batch(self, conn: Connection, tables: Tables, events: Sequence[ViewEvent]) -> None:
        table = tables.name(CASES)
        kept: OrderedDict[UUID, Row] = tables.memo.setdefault("rows", OrderedDict())
        born = {e.originator_id for e in events if e.topic == RECEIVED}
        rows: dict[UUID, Row] = {}
        missing: set[UUID] = set()
        for event in events:
            case = event.originator_id
            if case in born or case in rows or case in missing:
                continue
            row = kept.get(case)
            if row is None:
                missing.add(case)
            else:
                rows[case] = row
        rows.update(_load(conn, table, missing))
        for event in events:
            fold(rows, event)
        _store(conn, table, (rows[case] for case in born), new=True)
        _store(conn, table, (row for case, row in rows.items() if case not in born), new=False)
        _remember(kept, rows)


def _remember(kept: OrderedDict[UUID, Row], rows: dict[UUID, Row]) -> None:
    """Keep the rows just written, newest last, at most MEMO_ROWS of them."""
    for case, row in rows.items():
        kept[case] = row
        kept.move_to_end(case)
    while len(kept) > MEMO_ROWS:
        kept.popitem(last=False)


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


def _store(conn: Connection, table: str, rows: Iterable[Row], *, new: bool) -> None:
    """Write rows: `new` ones (received in this batch) by a plain COPY, others by upsert."""
    postgres = conn.dialect == "postgres"
    values = []
    for row in rows:
        record = [row[c] for c in COLUMNS]
        if not postgres:
            record[0] = str(record[0])
            for i in _TIME_INDEXES:
                record[i] = sqlite_time(record[i])
        values.append(record)
    if new:
        conn.copy(table, COLUMNS, values)
    else:
        conn.upsert(table, COLUMNS, values, "id")
