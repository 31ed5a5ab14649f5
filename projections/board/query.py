"""Reading the board: filters, a mediator's reach, an order (newest receipt first by default),
keyset pages.

Every query reads the active generation's table only, through an index ending in the board's
default order (received_at, id), and one more row than asked to know whether a next page exists;
the generation's position comes in the same statement. The other orders (projections/board/
sort.py) sort the filtered rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.identity import parties_keys, search_keys
from domain.values import CaseStatus, Party, RiskLevel
from projections.board.fold import TIME_COLUMNS
from projections.board.page import (
    MAX_LIMIT,
    BoardFilter,
    BoardPage,
    BoardRow,
    OtherCase,
    Reach,
    Repeats,
)
from projections.board.parties import PARTIES, REPEATS, WINDOW_US, micros, search_tokens
from projections.board.schema import CASES, SEALED
from projections.board.sort import (
    NEWEST,
    SqlTerms,
    after,
    decode_cursor,
    encode_cursor,
    order_by,
    uses_clock,
)
from projections.board.stored import read_time, read_uuid, sqlite_time
from projections.engine.catalog import ACTIVE, TRACKING, active, ensure_catalog
from projections.engine.view import Tables

if TYPE_CHECKING:
    from projections.engine.feed import PositionFeed
    from projections.engine.ports import Connection, Database, ViewKeys

VIEW = "board"
_READ = (
    "id",
    "number",
    "category",
    "subcategory",
    "street",
    "channel",
    "summary",
    SEALED,
    "status",
    "organisation",
    "mediator",
    "received_at",
    "received_by",
    "routed_at",
    "first_session_at",
    "resolved_at",
    "outcome",
    "due_at",
    "risk_level",
    "version",
    "repeat_party",
)
_READ_TIMES = tuple(column for column in _READ if column in TIME_COLUMNS)
_EQUALS = (
    "number",
    "category",
    "street",
    "organisation",
    "mediator",
    "channel",
    "subcategory",
    "outcome",
    "risk_level",
)
DUE_SOON = timedelta(hours=72)
""""Within 3 days" means 72 hours, as the statistics' due_soon counts."""
RESOLVED = CaseStatus.RESOLVED.value
TRIGRAM = 3
"""`q` of this many characters or more can use the trigram indexes on PostgreSQL."""
ESCALATED = tuple(level.value for level in RiskLevel if level is not RiskLevel.NONE)


SEARCH_CHUNK = 1000
"""Rows read at a time by a `q` search over sealed summaries (doubling up to SEARCH_CHUNK_MAX)."""
SEARCH_CHUNK_MAX = 8000


class BoardQuery:
    def __init__(
        self, db: Database, feed: PositionFeed | None = None, keys: ViewKeys | None = None
    ) -> None:
        self.db = db
        self.feed = feed
        self.keys = keys
        self.sealed = keys is not None and keys.sealing
        """Summaries are sealed: `q` decrypts them in memory, walking the board's order."""
        self._catalog_ready = False
        self._generation: int | None = None
        """The generation the last page was read from (reads check it is still active)."""

    def page(
        self, filters: BoardFilter, reach: Reach | None = None, now: datetime | None = None
    ) -> BoardPage:
        """One page of the board; `reach` limits it to a mediator's cases."""
        now = now or datetime.now(UTC)
        limit = max(1, min(filters.limit, MAX_LIMIT))
        cursor = decode_cursor(filters.cursor, filters.sort) if filters.cursor else None
        ordered_at = cursor.now if cursor else now  # the clock of the first page's order
        with self.db.connection() as conn:
            if not self._catalog_ready:
                ensure_catalog(conn)
                self._catalog_ready = True
            postgres = conn.dialect == "postgres"
            terms = SqlTerms(postgres, ordered_at, lambda t: t if postgres else sqlite_time(t))
            where, params = _where(conn, filters, now, self.keys)
            if cursor is not None:
                key = (lambda v: v) if postgres else str
                clause, bound = after(filters.sort, terms, cursor.values, terms.time, key)
                where, params = f"{where} AND {clause}", [*params, *bound]
            order = order_by(filters.sort, terms)
            if filters.q and self.sealed:
                # The first page of matches in the default order; in another, every match.
                enough = limit + 1 if filters.sort == NEWEST else None
                where, params = self._search_sealed(conn, where, params, filters.q, reach, enough)
                filters = replace(filters, q=None)
            found = self._read(conn, where, params, limit + 1, filters, reach, order)
        if found is None:
            return BoardPage(items=[], next_cursor=None, position=0)
        position, rows = found
        items = [self._row(values, now) for values in rows[:limit]]
        last = items[-1] if len(rows) > limit else None
        return BoardPage(
            items=items,
            next_cursor=encode_cursor(filters.sort, last, ordered_at) if last else None,
            position=position,
        )

    def count(
        self, filters: BoardFilter, reach: Reach | None = None, now: datetime | None = None
    ) -> tuple[int, int]:
        """How many cases the filters (and `reach`) select, and the position it was counted at:
        what a list's "N cases" says (its `limit`, `cursor` and `sort` change nothing)."""
        now = now or datetime.now(UTC)
        with self.db.connection() as conn:
            if not self._catalog_ready:
                ensure_catalog(conn)
                self._catalog_ready = True
            where, params = _where(conn, filters, now, self.keys)
            if filters.q and self.sealed:  # every match, found in memory as a page's are
                where, params = self._search_sealed(conn, where, params, filters.q, reach, None)
            for _ in range(3):
                current = active(conn, VIEW)
                if current is None:
                    return 0, 0
                tables = Tables(VIEW, current.generation)
                table, scope = tables.name(CASES), _tables(where, tables)
                if reach is None:
                    statement = f"SELECT {_POSITION}, COUNT(*) FROM {table} WHERE {scope}"
                    values = params
                else:
                    statement = (
                        f"SELECT {_POSITION}, (SELECT COUNT(*) FROM {table} WHERE {scope} "
                        f"AND mediator = %s) + (SELECT COUNT(*) FROM {table} WHERE {scope} "
                        "AND mediator IS NULL AND received_by = %s)"
                    )
                    values = [*params, reach.mediator or "", *params, reach.actor_id]
                try:
                    rows = conn.execute(
                        statement, [VIEW, current.generation, ACTIVE, *values], prepare=False
                    )
                except conn.missing_table:
                    continue  # switched and dropped since the catalog was read
                if rows[0][0] is not None:
                    return int(rows[0][1]), int(rows[0][0])
        raise RuntimeError("the board's active generation kept changing while it was counted")

    def _read(
        self,
        conn: Connection,
        where: str,
        params: list[Any],
        count: int,
        filters: BoardFilter,
        reach: Reach | None,
        order: str,
    ) -> tuple[int, list[tuple[Any, ...]]] | None:
        """The active generation's position and up to `count` rows, in one statement (one
        round trip, one snapshot) while the generation read before is still the active one;
        None if the board has no generation yet."""
        # Filters that may pass over many rows in the board's order: ids first (see _statement).
        searching = bool(filters.q)
        walking = (
            searching
            or filters.overdue is not None
            or filters.escalated is not None
            or filters.repeat_party is not None
        )
        generation = self._generation
        for _ in range(3):
            if generation is None:
                current = active(conn, VIEW)
                if current is None:
                    return None
                generation = self._generation = current.generation
            tables = Tables(VIEW, generation)
            if reach is None:
                statement = _statement(tables, where, walking, order)
                values = [*params, count]
            else:
                statement = _reached(tables, where, order)
                mediator = reach.mediator or ""
                values = [*params, mediator, count, *params, reach.actor_id, count, count]
            try:
                # `q`: planned with its pattern each time (a generic plan cannot tell a
                # pattern matching half the board from one matching three cases).
                # An order by the clock names its moment in the statement: not worth preparing.
                rows = conn.execute(
                    statement,
                    [VIEW, generation, ACTIVE, *values],
                    prepare=not searching and not uses_clock(filters.sort),
                )
            except conn.missing_table:
                if self._generation is None:
                    raise  # not a generation dropped since it was read
                generation = self._generation = None
                continue
            if rows and rows[0][0] is not None:
                return int(rows[0][0]), [row[1:] for row in rows]
            current = active(conn, VIEW)  # an empty page, or the generation was switched
            if current is None:
                return None
            if current.generation == generation:
                return current.position, []
            generation = self._generation = current.generation
        raise RuntimeError("the board's active generation kept changing while it was read")

    def repeats(
        self,
        case_id: UUID,
        parties: Sequence[Party],
        received_at: datetime,
        reach: Reach | None = None,
    ) -> Repeats:
        """The other cases, received within 12 months of `received_at`, that share a phone or
        ID number with these `parties` (a case's current ones); `others` only those `reach`
        lets the reader see, newest first."""
        if self.keys is None:
            return Repeats(False, [])
        keys = self.keys
        tokens = sorted(
            {
                keys.token(kind.value, value)
                for kind, value in parties_keys(parties)
                if kind.identifies
            }
        )
        if not tokens:
            return Repeats(False, [])
        with self.db.connection() as conn:
            current = active(conn, VIEW)
            if current is None:
                return Repeats(False, [])
            tables = Tables(VIEW, current.generation)
            postgres = conn.dialect == "postgres"
            params: list[Any]
            if postgres:
                among, params = "p.token = ANY(%s)", [tokens]
            else:
                among, params = f"p.token IN ({', '.join('%s' for _ in tokens)})", list(tokens)
            at = micros(received_at)
            rows = conn.execute(
                "SELECT DISTINCT c.id, c.number, c.received_at, c.status, c.mediator, "
                f"c.received_by FROM {tables.name(PARTIES)} p "
                f"JOIN {tables.name(CASES)} c ON c.id = p.case_id WHERE {among} "
                "AND p.case_id <> %s AND p.received_us BETWEEN %s AND %s",
                [*params, case_id if postgres else str(case_id), at - WINDOW_US, at + WINDOW_US],
            )
        others = [
            OtherCase(read_uuid(row[0]), row[1], read_time(row[2]) or received_at, row[3])
            for row in rows
            if reach is None
            or row[4] == reach.mediator
            or (row[4] is None and row[5] == reach.actor_id)
        ]
        others.sort(key=lambda other: (other.received_at, other.id), reverse=True)
        return Repeats(bool(rows), others)

    def _search_sealed(
        self,
        conn: Connection,
        where: str,
        params: list[Any],
        q: str,
        reach: Reach | None,
        count: int | None,
    ) -> tuple[str, list[Any]]:
        """The filters narrowed to the cases, newest receipt first, whose number or summary
        holds `q` (the first `count` of them; all if None): the summaries are sealed, so the
        rows the other filters (and the reach) let through are read in chunks and decrypted
        here, until enough match."""
        generation = self._generation
        if generation is None:
            current = active(conn, VIEW)
            if current is None:
                return where, params
            generation = self._generation = current.generation
        tables = Tables(VIEW, generation)
        table = tables.name(CASES)
        scope, scope_params = _tables(where, tables), list(params)
        if reach is not None:
            scope += " AND (mediator = %s OR (mediator IS NULL AND received_by = %s))"
            scope_params += [reach.mediator or "", reach.actor_id]
        found: list[Any] = []
        after_row: tuple[Any, Any] | None = None
        chunk = SEARCH_CHUNK
        assert self.keys is not None
        unseal = self.keys.unseal
        while count is None or len(found) < count:
            clause, more = scope, list(scope_params)
            if after_row is not None:  # a row value: an index range on both databases
                clause += " AND (received_at, id) < (%s, %s)"
                more += list(after_row)
            rows = conn.execute(
                f"SELECT id, received_at, number, summary, {SEALED} FROM {table} "
                f"WHERE {clause} ORDER BY received_at DESC, id DESC LIMIT %s",
                [*more, chunk],
                prepare=False,
            )
            for case_id, _, number, summary, sealed in rows:
                text = summary if sealed is None else unseal(sealed)
                if q in number or q in text:
                    found.append(case_id)
                    if len(found) == count:
                        break
            if len(rows) < chunk:
                break
            after_row = (rows[-1][1], rows[-1][0])
            chunk = min(chunk * 2, SEARCH_CHUNK_MAX)
        if not found:
            return "FALSE", []
        marks = ", ".join("%s" for _ in found)
        return f"id IN ({marks})", found

    def _row(self, values: tuple[Any, ...], now: datetime) -> BoardRow:
        data = dict(zip(_READ, values, strict=True))
        sealed = data.pop(SEALED)
        if sealed is not None and self.keys is not None:
            data["summary"] = self.keys.unseal(sealed)
        data["repeat_party"] = bool(data["repeat_party"])
        data["id"] = read_uuid(data["id"])
        for column in _READ_TIMES:
            data[column] = read_time(data[column])
        open_until = data["resolved_at"] or now
        due = data["due_at"]
        return BoardRow(
            **data,
            overdue=data["status"] != RESOLVED and due is not None and due < now,
            days_open=round((open_until - data["received_at"]).total_seconds() / 86400, 2),
        )


_POSITION = (
    f"(SELECT notification_id FROM {TRACKING} "
    "WHERE view_name = %s AND generation = %s AND status = %s)"
)


def _tables(where: str, tables: Tables) -> str:
    """The filters with the generation's party and repeat tables named."""
    return where.replace("@parties", tables.name(PARTIES)).replace("@repeats", tables.name(REPEATS))


def _columns(tables: Tables) -> str:
    table, repeats = tables.name(CASES), tables.name(REPEATS)
    read = ", ".join(_READ[:-1])
    return f"{read}, EXISTS (SELECT 1 FROM {repeats} r WHERE r.case_id = {table}.id)"


def _statement(tables: Tables, where: str, walking: bool, order: str) -> str:
    """The page's rows, each with the generation's position (NULL if it is not active).

    When `walking` (a `q` search, overdue, escalated) the page's ids are found first, then
    their rows are read: the walk goes along an index in the board's order that also holds
    the columns tested (number and summary; due_at and risk_level of open cases), without
    visiting the table for the rows it passes over (PostgreSQL), and only the page's rows are
    read.
    """
    table = tables.name(CASES)
    where = _tables(where, tables)
    columns = _columns(tables)
    if walking:
        return (
            f"SELECT {_POSITION}, {columns} FROM {table} WHERE id IN "
            f"(SELECT id FROM {table} WHERE {where} {order} LIMIT %s) {order}"
        )
    return f"SELECT {_POSITION}, {columns} FROM {table} WHERE {where} {order} LIMIT %s"


def _reached(tables: Tables, where: str, order: str) -> str:
    """The page's rows of a mediator's reach: the newest of the cases routed to them and the
    newest of those they received that are not routed yet, each found by a walk of its own
    index in the board's order (an OR of the two would read all of the mediator's cases, then
    sort them: more work the longer they have worked), then merged."""
    table = tables.name(CASES)
    where = _tables(where, tables)
    routed = f"SELECT id FROM {table} WHERE {where} AND mediator = %s {order} LIMIT %s"
    received = (
        f"SELECT id FROM {table} WHERE {where} AND mediator IS NULL AND received_by = %s "
        f"{order} LIMIT %s"
    )
    return (
        f"SELECT {_POSITION}, {_columns(tables)} FROM {table} WHERE id IN "
        f"(SELECT id FROM ({routed}) AS routed UNION ALL SELECT id FROM ({received}) AS own) "
        f"{order} LIMIT %s"
    )


def _where(
    conn: Connection, filters: BoardFilter, now: datetime, keys: ViewKeys | None
) -> tuple[str, list[Any]]:
    postgres = conn.dialect == "postgres"
    sealed = keys is not None and keys.sealing

    def time(value: datetime) -> Any:
        return value if postgres else sqlite_time(value)

    clauses: list[str] = []
    params: list[Any] = []
    for column in _EQUALS:
        value = getattr(filters, column)
        if value is not None:
            clauses.append(f"{column} = %s")
            params.append(value)
    if filters.status is not None:
        clauses.append("status = %s")
        params.append(filters.status.value)
    if filters.open is not None:
        clauses.append("status <> %s" if filters.open else "status = %s")
        params.append(RESOLVED)
    if filters.routed is not None:
        clauses.append("mediator IS NOT NULL" if filters.routed else "mediator IS NULL")
    if filters.due_soon is True:
        clauses.append("status <> %s AND due_at >= %s AND due_at < %s")
        params += [RESOLVED, time(now), time(now + DUE_SOON)]
    elif filters.due_soon is False:
        clauses.append("(status = %s OR due_at IS NULL OR due_at < %s OR due_at >= %s)")
        params += [RESOLVED, time(now), time(now + DUE_SOON)]
    if filters.overdue is True:
        clauses.append("status <> %s AND due_at < %s")
        params += [RESOLVED, time(now)]
    elif filters.overdue is False:
        clauses.append("(status = %s OR due_at IS NULL OR due_at >= %s)")
        params += [RESOLVED, time(now)]
    if filters.escalated is not None:
        levels = ", ".join(["%s"] * len(ESCALATED))
        clause = (
            "status <> %s AND risk_level IN"
            if filters.escalated
            else "status = %s OR risk_level NOT IN"
        )
        clauses.append(f"({clause} ({levels}))")
        params += [RESOLVED, *ESCALATED]
    if filters.received_from is not None:
        clauses.append("received_at >= %s")
        params.append(time(filters.received_from))
    if filters.received_to is not None:
        clauses.append("received_at < %s")
        params.append(time(filters.received_to))
    if filters.resolved_from is not None:
        clauses.append("resolved_at >= %s")
        params.append(time(filters.resolved_from))
    if filters.resolved_to is not None:
        clauses.append("resolved_at < %s")
        params.append(time(filters.resolved_to))
    if filters.party is not None:
        tokens = search_tokens(keys, search_keys(filters.party)) if keys is not None else []
        if not tokens:
            clauses.append("FALSE")
        elif postgres:
            clauses.append("id IN (SELECT case_id FROM @parties WHERE token = ANY(%s))")
            params.append(tokens)
        else:
            marks = ", ".join("%s" for _ in tokens)
            clauses.append(f"id IN (SELECT case_id FROM @parties WHERE token IN ({marks}))")
            params += tokens
    if filters.repeat_party is not None:
        negation = "" if filters.repeat_party else "NOT "
        clauses.append(f"id {negation}IN (SELECT case_id FROM @repeats)")
    if filters.q and sealed:
        pass  # sealed summaries: matched in memory (BoardQuery._search_sealed)
    elif filters.q:
        if postgres and len(filters.q) >= TRIGRAM:
            pattern = "%" + _escape_like(filters.q) + "%"
            clauses.append("(number LIKE %s ESCAPE '\\' OR summary LIKE %s ESCAPE '\\')")
        elif postgres:
            # Too short for a trigram: walk the board's order and stop at a page of matches.
            # (strpos leaves the planner guessing a third of the rows match, so it does.)
            pattern = filters.q
            clauses.append("(strpos(number, %s) > 0 OR strpos(summary, %s) > 0)")
        else:
            pattern = filters.q
            clauses.append("(instr(number, %s) > 0 OR instr(summary, %s) > 0)")
        params += [pattern, pattern]
    return (" AND ".join(clauses) or "TRUE"), params


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
