"""The intake-to-resolution board (受理到结案): one row per case, kept by the engine."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections.board import parties
from projections.board.fold import COLUMNS, CORRECTED, RECEIVED, TIME_COLUMNS, TOPICS, Row, fold
from projections.board.parties import PARTIES, REPEATS, Token, micros, tokens_of
from projections.board.schema import CASES, SEALED, STORED, create_indexes, create_table
from projections.board.stored import read_sqlite_time, sqlite_time
from projections.engine.catalog import TRACKING
from projections.engine.view import Tables, View, ViewEvent

if TYPE_CHECKING:
    from projections.engine.ports import Connection, ViewKeys

_CHUNK = 500
MEMO_ROWS = 20_000
"""Rows kept in memory between batches (~2 KB each): a case's events come close together."""
_TIME_INDEXES = tuple(i for i, c in enumerate(STORED) if c in TIME_COLUMNS)
_SUMMARY = STORED.index("summary")
_SEALED = STORED.index(SEALED)
_SELECT = ", ".join(STORED)
LIVE = "live"
"""The memo's note that the generation has its indexes (and so keeps its repeats batch by batch)."""


class BoardView(View):
    name = "board"
    version = 7  # 2: number and summary in the index of the board's order; 3: due_at and
    # risk_level in the index of the open cases; 4: the unrouted cases by their receiver;
    # 5: the parties' keyed hashes, the repeat parties, the summary sealed with a cipher key;
    # 6: a time no read can decode (the year 10000 in UTC) is poisoned, not stored;
    # 7: the latest session's time (the attention list's "no session since the routing")
    topics = TOPICS
    table_names = (CASES, PARTIES, REPEATS)

    def __init__(self, keys: ViewKeys | None = None) -> None:
        self.keys = keys
        """The keys of the parties' hashes and of sealing; None: no party index, nothing sealed."""

    @property
    def sealing(self) -> bool:
        return self.keys is not None and self.keys.sealing

    def create_tables(self, conn: Connection, tables: Tables) -> None:
        create_table(conn, tables.name(CASES), STORED)
        parties.create_tables(conn, tables)

    def create_indexes(self, conn: Connection, tables: Tables) -> None:
        create_indexes(conn, tables.name(CASES), searchable_summary=not self.sealing)
        parties.create_indexes(conn, tables)

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
        rows.update(_load(conn, table, missing, self.keys))
        registered: dict[UUID, Any] = {}
        for event in events:
            fold(rows, event)
            if event.topic in (RECEIVED, CORRECTED):
                registered[event.originator_id] = event.data["registration"]
        _store(conn, table, (rows[case] for case in born), self.keys, new=True)
        changed = (row for case, row in rows.items() if case not in born)
        _store(conn, table, changed, self.keys, new=False)
        _remember(kept, rows)
        if self.keys is not None and registered:
            keys = self.keys
            tokens: dict[UUID, tuple[int, set[Token]]] = {
                case: (micros(rows[case]["received_at"]), tokens_of(keys, registration))
                for case, registration in registered.items()
            }
            parties.update(conn, tables, tokens, born, _live(conn, tables))


def _live(conn: Connection, tables: Tables) -> bool:
    """Whether the generation has its indexes (then its repeats are kept batch by batch)."""
    if tables.memo.get(LIVE):
        return True
    rows = conn.execute(
        f"SELECT indexed FROM {TRACKING} WHERE view_name = %s AND generation = %s",
        (tables.view, tables.generation),
    )
    live = bool(rows and rows[0][0])
    if live:
        tables.memo[LIVE] = True
    return live


def _remember(kept: OrderedDict[UUID, Row], rows: dict[UUID, Row]) -> None:
    """Keep the rows just written, newest last, at most MEMO_ROWS of them."""
    for case, row in rows.items():
        kept[case] = row
        kept.move_to_end(case)
    while len(kept) > MEMO_ROWS:
        kept.popitem(last=False)


def _load(conn: Connection, table: str, ids: set[UUID], keys: ViewKeys | None) -> dict[UUID, Row]:
    postgres = conn.dialect == "postgres"
    wanted = [i if postgres else str(i) for i in ids]
    rows: dict[UUID, Row] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        params: list[Any] = [chunk] if postgres else list(chunk)
        where = "id = ANY(%s)" if postgres else f"id IN ({','.join('%s' for _ in chunk)})"
        for values in conn.execute(f"SELECT {_SELECT} FROM {table} WHERE {where}", params):
            row = dict(zip(STORED, values, strict=True))
            sealed = row.pop(SEALED)
            if sealed is not None and keys is not None:
                row["summary"] = keys.unseal(sealed)
            if not postgres:
                row["id"] = UUID(row["id"])
                for column in TIME_COLUMNS:
                    row[column] = read_sqlite_time(row[column])
            rows[row["id"]] = row
    return rows


def _store(
    conn: Connection, table: str, rows: Iterable[Row], keys: ViewKeys | None, *, new: bool
) -> None:
    """Write rows: `new` ones (received in this batch) by a plain COPY, others by upsert.
    With a cipher key, the summary is stored sealed, never in plain text."""
    postgres = conn.dialect == "postgres"
    sealing = keys is not None and keys.sealing
    values = []
    for row in rows:
        record = [row[c] for c in COLUMNS]
        record.append(None)
        if sealing:
            assert keys is not None
            record[_SEALED] = keys.seal(record[_SUMMARY])
            record[_SUMMARY] = None
        if not postgres:
            record[0] = str(record[0])
            for i in _TIME_INDEXES:
                record[i] = sqlite_time(record[i])
        values.append(record)
    if new:
        conn.copy(table, STORED, values)
    else:
        conn.upsert(table, STORED, values, "id")
