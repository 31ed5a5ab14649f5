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

from projections.engine.catalog import (
    Generation,
    active,
    active_in,
    active_statement,
    ensure_catalog,
)
from projections.engine.view import Tables
from projections.stats.figures import NOTHING, Backlog, figures
from projections.stats.periods import as_micros
from projections.stats.read import (
    BY,
    Filters,
    Key,
    Question,
    answered,
    cells_probe,
    planned,
    read,
)
from projections.stats.widen import widened

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
        self._generation: Generation | None = None
        """The generation the last answer was read from: the next answer's statements are sent
        for it with the catalog's read (checked there to be still the active one)."""

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
    conn: Connection, question: Question, zone: tzinfo, last_read: Generation | None
) -> tuple[int, dict[Key, Any], Generation | None]:
    """The view's position, the figures, from one snapshot of the view's tables, and the
    generation they were read from.

    PostgreSQL: a REPEATABLE READ, READ ONLY transaction. Its BEGIN, the catalog's read, the
    widening probe (widen.py) and every statement of the answer, for the generation read
    `last_read` and the period widened as the probe will likely find (`_guess`), then its
    COMMIT: one round trip, when the catalog and the probe say so (the generation is still
    the active one, and the probe's widening is the guessed one). Otherwise the BEGIN, the
    catalog and the probe, then the statements and the COMMIT: two round trips (three after a
    guess that missed, or when the active generation is another).
    """
    if conn.dialect != "postgres":
        with _snapshot(conn):
            generation = active(conn, VIEW)
            if generation is None:
                return 0, {}, None
            tables = Tables(VIEW, generation.generation)
            found = read(conn, tables, question, zone, cells=generation.indexed)
            return generation.position, found, generation
    first = None
    if last_read is not None:
        done = _in_one_trip(conn, question, zone, last_read)
        if isinstance(done, tuple):
            return done
        first = done
    for guess in (first, None):
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
        return generation.position, found, generation
    raise AssertionError("unreachable")  # the second guess raises or returns


RECENT_US = 60 * 1_000_000
"""A period that ends this close to now (or later) is taken to have nothing after it yet."""


def _guess(question: Question) -> tuple[int | None, ...]:
    """What the widening probe will likely find (its row): a receipt or resolution just before
    the period, so no wider start; and one at its end (no wider end), unless the period runs to
    about now, after which nothing has happened yet (this year to date: the year)."""
    before = question.start_us - 1
    after = None if question.end_us >= question.now_us - RECENT_US else question.end_us
    return (before, before, after, after)


def _in_one_trip(
    conn: Connection, question: Question, zone: tzinfo, last: Generation
) -> tuple[int, dict[Key, Any], Generation] | int | None:
    """The answer in one round trip (see `_read`), or else the generation to guess next (the
    active one, if the catalog named another), None if none is known."""
    tables = Tables(VIEW, last.generation)
    asked = cells_probe(question, tables, zone) if last.indexed else None
    probe = [] if asked is None else [asked]

    def guessed(start: int, end: int) -> tuple[int, int]:
        return widened(conn, tables, start, end, zone, _guess(question))

    out, answer, bounds = planned(
        conn.dialect, tables, question, zone, cells=last.indexed, widen=guessed
    )
    try:
        rows = conn.batch(
            [*probe, active_statement(VIEW), *out.sent()],
            before="BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
            after="COMMIT",
        )
    except conn.missing_table:
        conn.rollback()  # the generation read last time is gone
        return None
    except BaseException:
        conn.rollback()
        raise
    generation = active_in(rows[len(probe)])
    if generation is None or (generation.generation, generation.indexed) != (
        last.generation,
        last.indexed,
    ):
        return None if generation is None else generation.generation
    if asked is not None:
        start, end = question.start_us, question.end_us
        if widened(conn, tables, start, end, zone, rows[0][0]) != bounds:
            return generation.generation  # the guess missed: read again, as the probe says
    out.take(rows[len(probe) + 1 :])
    return generation.position, answered(answer), generation


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
