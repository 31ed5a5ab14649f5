"""Reading the statistics: any period [from, to), filters, and one dimension to group by.

Two ways to the same figures, both summed by the database. When at most one of the case's
dimensions is involved (as a filter or as the grouping), the cells answer: whole months (and
whole days, for the dimensions that have day cells) from cells, the rest of the period from
the facts of its cases. With two dimensions or more (a street's figures per mediator, say), the
facts of the cases received or resolved in the period answer, read through the time indexes.
The backlog (open, overdue, due soon, escalations) is as of now, over the open cases alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any

from projections.stats.cells import DAY, DAY_DIMENSIONS, MONTH, WHOLE, unpack
from projections.stats.facts import DIMENSIONS, NOBODY
from projections.stats.figures import COUNTERS, PERIOD_COUNTERS, Backlog, Tally, figures
from projections.stats.periods import (
    Range,
    local_date,
    midnight,
    month_index,
    month_label,
    plan,
)
from projections.stats.tables import COUNTS

if TYPE_CHECKING:
    from projections.engine.database import Connection
    from projections.engine.view import Tables

BY = (*DIMENSIONS, "month")
"""What rows can be grouped by."""
DUE_SOON_US = 72 * 3600 * 1_000_000
""""Within 3 days" means 72 hours (api.md)."""

Key = str | None
Group = Callable[[Sequence[Any]], Key]
"""The row's group key, from the grouping columns at the start of a result row."""


def _when(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


AGREED = "outcome = 'agreement'"
RESOLUTION_SUMS: dict[str, str] = {
    "resolved": "COUNT(*)",
    "agreements": _when(AGREED),
    "no_agreement": _when("outcome = 'no_agreement'"),
    "withdrawn": _when("outcome = 'withdrawn'"),
    "follow_up": _when(f"{AGREED} AND followed_up = 1"),
    "fulfilled": _when(f"{AGREED} AND followed_up = 1 AND fulfilled = 1"),
    "judicial_applied": _when(f"{AGREED} AND judicial_applied = 1"),
    "judicial_confirmed": _when(f"{AGREED} AND judicial_applied = 1 AND judicial_confirmed = 1"),
}
"""The counters of resolutions, as sums over facts (the same as contributions.py, in SQL)."""
AMOUNT_SUM = f"SUM(CASE WHEN {AGREED} THEN COALESCE(amount_cents, 0) ELSE 0 END)"
BACKLOG_SUMS: dict[str, str] = {
    "open": "COUNT(*)",
    "escalated_yellow": _when("risk = 'yellow'"),
    "escalated_orange": _when("risk = 'orange'"),
    "escalated_red": _when("risk = 'red'"),
}
DEADLINE_SUMS = (_when("due_us < %s"), _when("due_us >= %s AND due_us < %s"))
"""Overdue and due soon, given now, now and now + 72 h."""


@dataclass(frozen=True, slots=True)
class Filters:
    category: str | None = None
    street: str | None = None
    channel: str | None = None
    organisation: str | None = None
    mediator: str | None = None

    def items(self) -> list[tuple[str, str]]:
        """(dimension, value) for each filter given, in the order of DIMENSIONS."""
        return [(d, v) for d in DIMENSIONS if (v := getattr(self, d)) is not None]


@dataclass(frozen=True, slots=True)
class Question:
    """One statistics query: the period in microseconds, the filters, the grouping, the clock."""

    start_us: int
    end_us: int
    now_us: int
    filters: Filters = Filters()
    by: str | None = None
    """None for the summary, else one of BY."""


@dataclass(slots=True)
class _Sum:
    counts: list[int] = field(default_factory=lambda: [0] * len(COUNTERS))
    amount: int = 0
    blobs: list[bytes] = field(default_factory=list)
    durations: list[int] = field(default_factory=list)
    overdue: int = 0
    due_soon: int = 0

    def add(self, names: Sequence[str], values: Sequence[Any]) -> None:
        counts = self.counts
        for name, value in zip(names, values, strict=True):
            if value:
                counts[_INDEX[name]] += int(value)

    def figures(self) -> dict[str, Any]:
        durations = unpack(b"".join(self.blobs)).tolist() + self.durations
        durations.sort()
        tally = Tally(tuple(self.counts), self.amount, tuple(durations))
        return figures(tally, Backlog(self.overdue, self.due_soon))

    def counted(self) -> bool:
        return bool(self.counts[_RECEIVED] or self.counts[_RESOLVED] or self.counts[_OPEN])


_INDEX = {name: i for i, name in enumerate(COUNTERS)}
_RECEIVED, _RESOLVED, _OPEN = _INDEX["received"], _INDEX["resolved"], _INDEX["open"]


class _Answer:
    """The sums of each group, and how a row of each kind names its group."""

    def __init__(self, question: Question, zone: tzinfo) -> None:
        self.question = question
        self.zone = zone
        self.sums: dict[Key, _Sum] = {}
        self.now_month = month_label(month_index(local_date(question.now_us, zone)))

    def get(self, key: Key) -> _Sum:
        found = self.sums.get(key)
        if found is None:
            found = self.sums[key] = _Sum()
        return found

    def facts_group(self, month_column: str | None) -> tuple[str, Group]:
        """The grouping column of a facts query; `month_column` None: the backlog, now."""
        by = self.question.by
        if by is None:
            return "", lambda row: None
        if by == "month":
            if month_column is None:
                return "", lambda row: self.now_month
            return month_column, lambda row: month_label(row[0])
        return by, lambda row: None if row[0] == NOBODY else row[0]


def read(
    conn: Connection, tables: Tables, question: Question, zone: tzinfo
) -> dict[Key, dict[str, Any]]:
    """The figures of each group that has a case in the period or in the backlog.

    The summary (by None) always answers its one group, under the key None.
    """
    answer = _Answer(question, zone)
    involved = {d for d, _ in question.filters.items()}
    if question.by in DIMENSIONS:
        involved.add(question.by)
    if len(involved) <= 1:
        _from_cells(conn, tables, answer, next(iter(involved), WHOLE))
    else:
        period = ((question.start_us, question.end_us),)
        _period_counts(conn, tables, answer, period)
        _period_durations(conn, tables, answer, period)
    _backlog(conn, tables, answer)
    if question.by is None:
        answer.get(None)
    return {
        key: group.figures()
        for key, group in answer.sums.items()
        if question.by is None or group.counted()
    }


# -- cells ------------------------------------------------------------------------------------


def _from_cells(conn: Connection, tables: Tables, answer: _Answer, dimension: str) -> None:
    question = answer.question
    pieces = plan(question.start_us, question.end_us, zone=answer.zone)
    value = dict(question.filters.items()).get(dimension)
    ranges: list[tuple[str, Range]] = [(MONTH, r) for r in pieces.months]
    day_cells = dimension in DAY_DIMENSIONS
    if day_cells:
        ranges += [(DAY, r) for r in pieces.days]
    columns, group = _cell_group(answer, dimension)
    select = f"{columns}, " if columns else ""
    if ranges:
        _sum_cells(conn, tables, answer, dimension, value, ranges, (columns, group))
    months = [(MONTH, r) for r in pieces.months]
    if months:
        cells, params = _cell_ranges(tables, dimension, value, months, resolved=True)
        for row in conn.execute(f"SELECT {select}durations FROM ({cells}) c", params):
            answer.get(group(row)).blobs.append(bytes(row[-1]))
    days = [
        (midnight(date.fromordinal(a), answer.zone), midnight(date.fromordinal(b), answer.zone))
        for a, b in pieces.days
    ]
    counted_from_facts = [*pieces.partial] if day_cells else [*days, *pieces.partial]
    if counted_from_facts:
        _period_counts(conn, tables, answer, counted_from_facts)
    if days or pieces.partial:
        _period_durations(conn, tables, answer, [*days, *pieces.partial])


def _sum_cells(
    conn: Connection,
    tables: Tables,
    answer: _Answer,
    dimension: str,
    value: str | None,
    ranges: list[tuple[str, Range]],
    grouping: tuple[str, Group],
) -> None:
    """The cells' counts and amounts in the ranges, summed per group by the database."""
    columns, group = grouping
    cells, params = _cell_ranges(tables, dimension, value, ranges)
    sums = ", ".join(f"SUM({name})" for name in (*COUNTS, "amount"))
    grouped = f" GROUP BY {columns}" if columns else ""
    select = f"{columns}, " if columns else ""
    for row in conn.execute(f"SELECT {select}{sums} FROM ({cells}) c{grouped}", params):
        width = len(row) - len(COUNTS) - 1
        if row[width] is None:
            continue  # no cell at all (the summary of nothing)
        target = answer.get(group(row))
        target.add(PERIOD_COUNTERS, row[width : width + len(COUNTS)])
        target.amount += int(row[-1] or 0)


def _cell_group(answer: _Answer, dimension: str) -> tuple[str, Group]:
    by = answer.question.by
    if by is None:
        return "", lambda row: None
    if by == "month":
        return "grain, bucket", lambda row: _cell_month(answer, row[0], row[1])
    assert by == dimension
    return "key", lambda row: None if row[0] == NOBODY else row[0]


def _cell_month(answer: _Answer, grain: str, bucket: int) -> str:
    return month_label(bucket if grain == MONTH else month_index(date.fromordinal(bucket)))


def _cell_ranges(
    tables: Tables,
    dimension: str,
    value: str | None,
    ranges: list[tuple[str, Range]],
    *,
    resolved: bool = False,
) -> tuple[str, list[Any]]:
    """The cells of one dimension in the given ranges of buckets, as one UNION ALL: their counts
    and amounts, or (`resolved`) the durations of those with a resolution."""
    values = ("durations",) if resolved else (*COUNTS, "amount")
    columns = ", ".join(("grain", "bucket", "key", *values))
    selects: list[str] = []
    params: list[Any] = []
    for grain, (first, last) in ranges:
        where = "dim = %s AND grain = %s AND bucket >= %s AND bucket < %s"
        params += [dimension, grain, first, last]
        if value is not None:
            where += " AND key = %s"
            params.append(value)
        if resolved:
            where += " AND n_resolved > 0"
        selects.append(f"SELECT {columns} FROM {tables.name('cells')} WHERE {where}")
    return " UNION ALL ".join(selects), params


# -- facts ------------------------------------------------------------------------------------


def _period_counts(
    conn: Connection, tables: Tables, answer: _Answer, ranges: Sequence[Range]
) -> None:
    """The receipts and resolutions in the ranges (microseconds), summed from the facts."""
    column, group = answer.facts_group("received_month")
    for row in _sum_facts(conn, tables, answer, column, ["COUNT(*)"], "received_us", ranges):
        answer.get(group(row)).add(("received",), row[-1:])
    column, group = answer.facts_group("resolved_month")
    sums = [*RESOLUTION_SUMS.values(), AMOUNT_SUM]
    for row in _sum_facts(conn, tables, answer, column, sums, "resolved_us", ranges):
        target = answer.get(group(row))
        target.add(tuple(RESOLUTION_SUMS), row[len(row) - len(sums) : -1])
        target.amount += int(row[-1] or 0)


def _period_durations(
    conn: Connection, tables: Tables, answer: _Answer, ranges: Sequence[Range]
) -> None:
    """resolved_at - received_at of the cases resolved in the ranges, from the facts."""
    column, group = answer.facts_group("resolved_month")
    where, params = _within("resolved_us", ranges)
    where, params = _filtered(answer, where, params)
    select = f"{column}, " if column else ""
    cases = tables.name("cases")
    statement = f"SELECT {select}resolved_us - received_us FROM {cases} WHERE {where}"
    for row in conn.execute(statement, params):
        answer.get(group(row)).durations.append(int(row[-1]))


def _backlog(conn: Connection, tables: Tables, answer: _Answer) -> None:
    """Open cases now, their escalations and deadlines: summed over the open cases alone."""
    now = answer.question.now_us
    column, group = answer.facts_group(None)
    where, params = _filtered(answer, "TRUE", [])
    select = f"{column}, " if column else ""
    grouped = f" GROUP BY {column}" if column else ""
    sums = ", ".join((*BACKLOG_SUMS.values(), *DEADLINE_SUMS))
    statement = f"SELECT {select}{sums} FROM {tables.name('open')} WHERE {where}{grouped}"
    for row in conn.execute(statement, [now, now, now + DUE_SOON_US, *params]):
        if not row[-6]:
            continue  # no open case
        target = answer.get(group(row))
        target.add(tuple(BACKLOG_SUMS), row[-6:-2])
        target.overdue += int(row[-2] or 0)
        target.due_soon += int(row[-1] or 0)


def _sum_facts(
    conn: Connection,
    tables: Tables,
    answer: _Answer,
    column: str,
    sums: Sequence[str],
    time_column: str,
    ranges: Sequence[Range],
) -> list[Any]:
    where, params = _within(time_column, ranges)
    where, params = _filtered(answer, where, params)
    select = f"{column}, " if column else ""
    grouped = f" GROUP BY {column}" if column else ""
    rows = conn.execute(
        f"SELECT {select}{', '.join(sums)} FROM {tables.name('cases')} WHERE {where}{grouped}",
        params,
    )
    return [row for row in rows if row[len(row) - len(sums)]]  # COUNT(*) 0: nothing there


def _within(column: str, ranges: Sequence[Range]) -> tuple[str, list[Any]]:
    clauses = [f"({column} >= %s AND {column} < %s)" for _ in ranges]
    return f"({' OR '.join(clauses)})", [bound for r in ranges for bound in r]


def _filtered(answer: _Answer, where: str, params: list[Any]) -> tuple[str, list[Any]]:
    for dimension, value in answer.question.filters.items():
        where += f" AND {dimension} = %s"
        params = [*params, value]
    return where, params
