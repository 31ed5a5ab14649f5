"""Reading the board: filters, a mediator's reach, an order (newest receipt first by default),
keyset pages.

Every query reads the active generation's table only, through an index ending in the board's
default order (received_at, id), and one more row than asked to know whether a next page exists;
the generation's position comes in the same statement. The other orders (projections/board/
sort.py) sort the filtered rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from domain.values import CaseStatus, RiskLevel
from projections.board.fold import TIME_COLUMNS
from projections.board.page import MAX_LIMIT, BoardFilter, BoardPage, BoardRow, Reach
from projections.board.schema import CASES
from projections.board.sort import (
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
    from projections.engine.ports import Connection, Database

VIEW = "board"
_READ = (
    "id",
    "number",
    "category",
    "subcategory",
    "street",
    "channel",
    "summary",
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
)
_EQUALS = ("number", "category", "street", "organisation", "mediator", "channel")
RESOLVED = CaseStatus.RESOLVED.value
TRIGRAM = 3
"""`q` of this many characters or more can use the trigram indexes on PostgreSQL."""
ESCALATED = tuple(level.value for level in RiskLevel if level is not RiskLevel.NONE)


class BoardQuery:
    def __init__(self, db: Database, feed: PositionFeed | None = None) -> None:
        self.db = db
        self.feed = feed
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
            where, params = _where(conn, filters, now)
            if cursor is not None:
                key = (lambda v: v) if postgres else str
                clause, bound = after(filters.sort, terms, cursor.values, terms.time, key)
                where, params = f"{where} AND {clause}", [*params, *bound]
            order = order_by(filters.sort, terms)
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
        walking = searching or filters.overdue is not None or filters.escalated is not None
        generation = self._generation
        for _ in range(3):
            if generation is None:
                current = active(conn, VIEW)
                if current is None:
                    return None
                generation = self._generation = current.generation
            table = Tables(VIEW, generation).name(CASES)
            if reach is None:
                statement = _statement(table, where, walking, order)
                values = [*params, count]
            else:
                statement = _reached(table, where, order)
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

    def _row(self, values: tuple[Any, ...], now: datetime) -> BoardRow:
        data = dict(zip(_READ, values, strict=True))
        data["id"] = read_uuid(data["id"])
        for column in TIME_COLUMNS:
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


def _statement(table: str, where: str, walking: bool, order: str) -> str:
    """The page's rows, each with the generation's position (NULL if it is not active).

    When `walking` (a `q` search, overdue, escalated) the page's ids are found first, then
    their rows are read: the walk goes along an index in the board's order that also holds
    the columns tested (number and summary; due_at and risk_level of open cases), without
    visiting the table for the rows it passes over (PostgreSQL), and only the page's rows are
    read.
    """
    columns = ", ".join(_READ)
    if walking:
        return (
            f"SELECT {_POSITION}, {columns} FROM {table} WHERE id IN "
            f"(SELECT id FROM {table} WHERE {where} {order} LIMIT %s) {order}"
        )
    return f"SELECT {_POSITION}, {columns} FROM {table} WHERE {where} {order} LIMIT %s"


def _reached(table: str, where: str, order: str) -> str:
    """The page's rows of a mediator's reach: the newest of the cases routed to them and the
    newest of those they received that are not routed yet, each found by a walk of its own
    index in the board's order (an OR of the two would read all of the mediator's cases, then
    sort them: more work the longer they have worked), then merged."""
    routed = f"SELECT id FROM {table} WHERE {where} AND mediator = %s {order} LIMIT %s"
    received = (
        f"SELECT id FROM {table} WHERE {where} AND mediator IS NULL AND received_by = %s "
        f"{order} LIMIT %s"
    )
    return (
        f"SELECT {_POSITION}, {', '.join(_READ)} FROM {table} WHERE id IN "
        f"(SELECT id FROM ({routed}) AS routed UNION ALL SELECT id FROM ({received}) AS own) "
        f"{order} LIMIT %s"
    )


def _where(conn: Connection, filters: BoardFilter, now: datetime) -> tuple[str, list[Any]]:
    postgres = conn.dialect == "postgres"

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
    if filters.q:
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
