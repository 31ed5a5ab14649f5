"""The statistics as the API and the command line ask for them: one read, one snapshot.

Every answer carries the position of the store the view had processed when it was read; the
figures come from one snapshot of the view's tables (a read transaction), so the backlog's
counts and its deadlines agree with each other.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from projections.engine.catalog import active, active_in, active_statement, ensure_catalog
from projections.engine.view import Tables
from projections.stats.figures import NOTHING, Backlog, figures
from projections.stats.periods import as_micros
from projections.stats.read import BY, Filters, Key, Question, cells_probe, read

if TYPE_CHECKING:
    from projections.engine.ports import Connection, Database

VIEW = "stats"


@dataclass(frozen=True)
class StatsRow:
    key: str | None
    """The dimension's value (a month as YYYY-MM); None for the summary, and for the cases of
    no organisation or mediator yet."""
    figures: dict[str, Any]


@dataclass(frozen=True)
class StatsAnswer:
    position: int
    """The store position the view had processed (`X-Position`)."""
    start: datetime
    end: datetime
    rows: list[StatsRow]


class UnknownDimensionError(ValueError):
    def __init__(self, dimension: str) -> None:
        super().__init__(f"no dimension {dimension!r} (dimensions: {', '.join(BY)})")
        self.dimension = dimension


class StatsQuery:
    def __init__(self, db: Database, zone: tzinfo) -> None:
        self.db = db
        self.zone = zone
        self._catalog_ready = False
        self._generation: int | None = None
        """The generation the last answer was read from: the widening probe is sent for it
        with the catalog's read (checked there to be still the active one)."""

    def summary(
        self, start: datetime, end: datetime, filters: Filters, now: datetime | None = None
    ) -> StatsAnswer:
        """The figures overall: one row, keyed None."""
        return self._answer(start, end, filters, None, now)

    def by(
        self,
        dimension: str,
        start: datetime,
        end: datetime,
        filters: Filters,
        now: datetime | None = None,
    ) -> StatsAnswer:
        """One row per value of `dimension` that has a case in the period or in the backlog."""
        if dimension not in BY:
            raise UnknownDimensionError(dimension)
        return self._answer(start, end, filters, dimension, now)

    def at_once(
        self,
        groupings: Sequence[str | None],
        start: datetime,
        end: datetime,
        now: datetime | None = None,
    ) -> list[StatsAnswer]:
        """The figures grouped by each of `groupings` (None: the summary), without filters,
        all read in one snapshot: the answers share one position (a monthly report's)."""
        for by in groupings:
            if by is not None and by not in BY:
                raise UnknownDimensionError(by)
        now = now or datetime.now(UTC)
        questions = [
            Question(as_micros(start), as_micros(end), as_micros(now), Filters(), by)
            for by in groupings
        ]
        with self.db.connection() as conn:
            if not self._catalog_ready:
                ensure_catalog(conn)
                self._catalog_ready = True
            position, found = _read_together(conn, questions, self.zone)
        answers = []
        for question, groups in zip(questions, found, strict=True):
            if question.by is None and not groups:
                groups = {None: figures(NOTHING, Backlog())}
            rows = [StatsRow(key, groups[key]) for key in sorted(groups, key=_order)]
            answers.append(StatsAnswer(position, start, end, rows))
        return answers

    def _answer(
        self,
        start: datetime,
        end: datetime,
        filters: Filters,
        by: str | None,
        now: datetime | None,
    ) -> StatsAnswer:
        now = now or datetime.now(UTC)
        question = Question(as_micros(start), as_micros(end), as_micros(now), filters, by)
        with self.db.connection() as conn:
            if not self._catalog_ready:
                ensure_catalog(conn)
                self._catalog_ready = True
            position, found, self._generation = _read(conn, question, self.zone, self._generation)
        if by is None and not found:
            found = {None: figures(NOTHING, Backlog())}
        rows = [StatsRow(key, found[key]) for key in sorted(found, key=_order)]
        return StatsAnswer(position, start, end, rows)


def _order(key: Key) -> tuple[bool, str]:
    return (key is None, key or "")


def _read(
    conn: Connection, question: Question, zone: tzinfo, last_read: int | None
) -> tuple[int, dict[Key, Any], int | None]:
    """The view's position, the figures, from one snapshot of the view's tables, and the
    generation they were read from.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction, its BEGIN sent with the catalog's
    read and the widening probe (widen.py) of the generation read `last_read`, its COMMIT with
    the figures' statements: two round trips (three when the active generation is another).
    """
    if conn.dialect != "postgres":
        with _snapshot(conn):
            generation = active(conn, VIEW)
            if generation is None:
                return 0, {}, None
            tables = Tables(VIEW, generation.generation)
            found = read(conn, tables, question, zone, cells=generation.indexed)
            return generation.position, found, generation.generation
    for guess in (last_read, None):
        asked = None if guess is None else cells_probe(question, Tables(VIEW, guess), zone)
        try:
            probe = [] if asked is None else [asked]
            rows = conn.batch(
                [*probe, active_statement(VIEW)],
                before="BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            )
            generation = active_in(rows[-1])
            if generation is None:
                conn.execute("COMMIT", prepare=False)
                return 0, {}, None
            probed = rows[0][0] if probe and rows[0] else None
            if generation.generation != guess:
                probed = None  # the probe read another generation's facts
            tables = Tables(VIEW, generation.generation)
            found = read(
                conn, tables, question, zone, cells=generation.indexed, last="COMMIT", probed=probed
            )
        except conn.missing_table:
            conn.rollback()  # the generation read last time is gone: read the new one
            if guess is None:
                raise
            continue
        except BaseException:
            conn.rollback()
            raise
        return generation.position, found, generation.generation
    raise AssertionError("unreachable")  # the second guess raises or returns


def _read_together(
    conn: Connection, questions: Sequence[Question], zone: tzinfo
) -> tuple[int, list[dict[Key, Any]]]:
    """The view's position and each question's figures, from one snapshot (PostgreSQL: one
    REPEATABLE READ, READ ONLY transaction; its statements are not pipelined: a report is
    read once a month, not once a refresh)."""
    if conn.dialect == "postgres":
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", prepare=False)
    else:
        conn.execute("BEGIN")
    try:
        generation = active(conn, VIEW)
        found: list[dict[Key, Any]] = [{} for _ in questions]
        if generation is not None:
            tables = Tables(VIEW, generation.generation)
            found = [read(conn, tables, q, zone, cells=generation.indexed) for q in questions]
    except BaseException:
        conn.rollback()
        raise
    conn.execute("COMMIT", prepare=False)
    return (0 if generation is None else generation.position), found


@contextmanager
def _snapshot(conn: Connection) -> Iterator[None]:
    """One read transaction (SQLite): every statement of the answer sees the same state."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")
