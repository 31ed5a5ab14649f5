"""Reading the statistics: any period [from, to), filters, and one dimension to group by.

Two ways to the same figures. When at most one of the case's dimensions is involved (as a
filter or as the grouping), the cells answer: whole months and days from cells, the at most two
partial days from the facts of their cases. With two dimensions or more (a street's figures
per mediator, say), the facts of the cases received or resolved in the period answer, read
through the time indexes. The backlog (open, escalations) is as of now over all cases; its
deadlines (overdue, due soon) come from the open cases due before now + 72 hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from decimal import Decimal
from itertools import chain
from typing import TYPE_CHECKING, Any

from projections.stats.cells import DAY, MONTH, OPEN, WHOLE, unpack
from projections.stats.contributions import (
    BACKLOG,
    RECEIVED,
    RESOLUTION,
    Contribution,
    contributions,
)
from projections.stats.facts import DIMENSIONS, NOBODY
from projections.stats.figures import COUNTERS, Backlog, Tally, figures
from projections.stats.periods import Range, local_date, month_index, month_label, plan
from projections.stats.tables import FACTS, facts_of

if TYPE_CHECKING:
    from projections.engine.database import Connection
    from projections.engine.view import Tables

BY = (*DIMENSIONS, "month")
"""What rows can be grouped by."""
DUE_SOON_US = 72 * 3600 * 1_000_000
""""Within 3 days" means 72 hours (api.md)."""

Key = str | None


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
    amount: Decimal = Decimal(0)
    durations: list[Sequence[int]] = field(default_factory=list)
    overdue: int = 0
    due_soon: int = 0

    def add(self, counts: Iterable[int], amount: Decimal) -> None:
        self.counts = [a + b for a, b in zip(self.counts, counts, strict=True)]
        self.amount += amount

    def figures(self) -> dict[str, Any]:
        durations = tuple(sorted(chain.from_iterable(self.durations)))
        tally = Tally(tuple(self.counts), self.amount, durations)
        return figures(tally, Backlog(self.overdue, self.due_soon))

    def counted(self) -> bool:
        received, resolved, open_ = (COUNTERS.index(n) for n in ("received", "resolved", "open"))
        return bool(self.counts[received] or self.counts[resolved] or self.counts[open_])


class _Groups:
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

    def key_of(self, keys: Sequence[str], at_us: int | None) -> Key:
        by = self.question.by
        if by is None:
            return None
        if by == "month":
            if at_us is None:
                return self.now_month
            return month_label(month_index(local_date(at_us, self.zone)))
        value = keys[DIMENSIONS.index(by)]
        return None if value == NOBODY else value

    def add(self, contribution: Contribution) -> None:
        group = self.get(self.key_of(contribution.keys, contribution.at_us))
        group.add(contribution.counts, contribution.amount)
        if contribution.duration_us is not None:
            group.durations.append((contribution.duration_us,))

    def deadline(self, keys: Sequence[str], due_us: int) -> None:
        group = self.get(self.key_of(keys, None))
        if due_us < self.question.now_us:
            group.overdue += 1
        elif due_us < self.question.now_us + DUE_SOON_US:
            group.due_soon += 1


def read(
    conn: Connection, tables: Tables, question: Question, zone: tzinfo
) -> dict[Key, dict[str, Any]]:
    """The figures of each group that has a case in the period or in the backlog.

    The summary (by None) always answers its one group, under the key None.
    """
    groups = _Groups(question, zone)
    involved = {d for d, _ in question.filters.items()}
    if question.by in DIMENSIONS:
        involved.add(question.by)
    if len(involved) <= 1:
        _from_cells(conn, tables, question, groups, next(iter(involved), WHOLE))
    else:
        _from_facts(conn, tables, question, groups)
    if question.by is None:
        groups.get(None)
    return {
        key: group.figures()
        for key, group in groups.sums.items()
        if question.by is None or group.counted()
    }


def _from_cells(
    conn: Connection, tables: Tables, question: Question, groups: _Groups, dimension: str
) -> None:
    pieces = plan(question.start_us, question.end_us, zone=groups.zone)
    value = dict(question.filters.items()).get(dimension)
    ranges: list[tuple[str, Range]] = [(MONTH, r) for r in pieces.months]
    ranges += [(DAY, r) for r in pieces.days]
    ranges.append((OPEN, (0, 1)))
    selects, params = [], []
    columns = "grain, bucket, key, counts, amount, durations"
    for grain, (first, last) in ranges:
        where = "dim = %s AND grain = %s AND bucket >= %s AND bucket < %s"
        params += [dimension, grain, first, last]
        if value is not None:
            where += " AND key = %s"
            params.append(value)
        selects.append(f"SELECT {columns} FROM {tables.name('cells')} WHERE {where}")
    for grain, bucket, key, counts, amount, durations in conn.execute(
        " UNION ALL ".join(selects), params
    ):
        group = groups.get(_cell_group(groups, grain, bucket, dimension, key))
        group.add(unpack(counts), Decimal(amount))
        if durations:
            group.durations.append(unpack(durations))
    for first, last in pieces.partial:
        _period_facts(conn, tables, question, groups, first, last)
    _deadlines(conn, tables, question, groups, due_before=question.now_us + DUE_SOON_US)


def _cell_group(groups: _Groups, grain: str, bucket: int, dimension: str, key: str) -> Key:
    by = groups.question.by
    if by is None:
        return None
    if by == "month":
        if grain == OPEN:
            return groups.now_month
        return month_label(bucket if grain == MONTH else month_index(date.fromordinal(bucket)))
    assert by == dimension
    return None if key == NOBODY else key


def _from_facts(conn: Connection, tables: Tables, question: Question, groups: _Groups) -> None:
    _period_facts(conn, tables, question, groups, question.start_us, question.end_us)
    for facts in _select(conn, tables, question.filters, "resolved_us IS NULL", []):
        for contribution in contributions(facts):
            if contribution.kind == BACKLOG:
                groups.add(contribution)
        if facts.due_us is not None:
            groups.deadline(facts.keys, facts.due_us)


def _period_facts(
    conn: Connection, tables: Tables, question: Question, groups: _Groups, first: int, last: int
) -> None:
    """The receipts and resolutions in [first, last), from the facts of their cases."""
    for column, kind in (("received_us", RECEIVED), ("resolved_us", RESOLUTION)):
        where = f"{column} >= %s AND {column} < %s"
        for facts in _select(conn, tables, question.filters, where, [first, last]):
            for contribution in contributions(facts):
                if contribution.kind == kind:
                    groups.add(contribution)


def _deadlines(
    conn: Connection, tables: Tables, question: Question, groups: _Groups, due_before: int
) -> None:
    where = "resolved_us IS NULL AND due_us < %s"
    for facts in _select(conn, tables, question.filters, where, [due_before]):
        assert facts.due_us is not None
        groups.deadline(facts.keys, facts.due_us)


def _select(
    conn: Connection, tables: Tables, filters: Filters, where: str, params: list[Any]
) -> list[Any]:
    for dimension, value in filters.items():
        where += f" AND {dimension} = %s"
        params = [*params, value]
    rows = conn.execute(
        f"SELECT {', '.join(FACTS)} FROM {tables.name('cases')} WHERE {where}", params
    )
    return [facts_of(row) for row in rows]
