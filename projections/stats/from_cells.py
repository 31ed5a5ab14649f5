"""Statistics summed by the database from the cells: whole years, quarters and months (and
whole days, for the dimensions that have day cells), with the packed durations of the year,
quarter and month cells; the rest of the period from the facts."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from projections.stats.answer import Answer, Group, Picks
from projections.stats.cells import DAY, DAY_DIMENSIONS, MONTH, OPEN
from projections.stats.facts import NOBODY
from projections.stats.from_facts import deadlines, period_counts, period_durations
from projections.stats.periods import Range, midnight, month_index, month_label, plan, spans
from projections.stats.tables import COUNTS

if TYPE_CHECKING:
    from projections.engine.view import Tables
    from projections.stats.statements import Statements


def from_cells(
    out: Statements, tables: Tables, answer: Answer, dimension: str, bounds: Range
) -> None:
    """The figures of [start, end) = `bounds` (the question's period, or one with the same
    figures: widen.py) from the cells, the ends' days from the facts."""
    question = answer.question
    pieces = plan(*bounds, zone=answer.zone)
    value = dict(question.filters.items()).get(dimension)
    if question.by == "month":  # a row per month: month cells
        months: list[tuple[str, Range]] = [(MONTH, r) for r in pieces.months]
    else:  # as few cells as the period allows: whole years, quarters, then months
        months = [piece for r in pieces.months for piece in spans(r)]
    ranges = list(months)
    day_cells = dimension in DAY_DIMENSIONS
    if day_cells:
        ranges += [(DAY, r) for r in pieces.days]
    ranges.append((OPEN, (0, 1)))
    columns, group = _cell_group(answer, dimension)
    select = f"{columns}, " if columns else ""
    joined = out.dialect == "postgres"  # the server joins each group's durations too
    # Durations from the cells alone (no day or hour from the facts): where a group has one
    # cell with durations, the server picks its median and p90 out of the sorted list.
    picked = joined and not (pieces.days or pieces.partial)
    grouping = (columns, group)
    _sum_cells(
        out, tables, answer, dimension, value, ranges, grouping, joined=joined, picked=picked
    )
    if months and not joined:
        cells, params = _cell_ranges(tables, dimension, value, months, resolved=True)

        def blobs(rows: list[Any]) -> None:
            for row in rows:
                target = answer.get(group(row))
                target.blobs.append(bytes(row[-1]))
                target.runs += 1

        out.add(f"SELECT {select}durations FROM ({cells}) c", params, blobs)
    days = [
        (midnight(date.fromordinal(a), answer.zone), midnight(date.fromordinal(b), answer.zone))
        for a, b in pieces.days
    ]
    counted_from_facts = [*pieces.partial] if day_cells else [*days, *pieces.partial]
    if counted_from_facts:
        period_counts(out, tables, answer, counted_from_facts)
    if days or pieces.partial:
        period_durations(out, tables, answer, [*days, *pieces.partial])
    deadlines(out, tables, answer)


def _sum_cells(
    out: Statements,
    tables: Tables,
    answer: Answer,
    dimension: str,
    value: str | None,
    ranges: list[tuple[str, Range]],
    grouping: tuple[str, Group],
    *,
    joined: bool,
    picked: bool = False,
) -> None:
    """The cells' counts and amounts in the ranges, summed per group by the database; `joined`:
    with the packed durations of each group's span cells, joined (PostgreSQL's string_agg; the
    day and backlog cells have none). `picked`: a group whose durations are one cell's sorted
    list gets the three values its median and p90 need instead (`_PICKS`), not the list."""
    columns, group = grouping
    cells, params = _cell_ranges(tables, dimension, value, ranges, durations=joined)
    named = [f"SUM({name}) AS s_{name}" for name in (*COUNTS, "amount")]
    if joined:
        named += ["string_agg(durations, ''::bytea) AS blob"]
        named += ["COUNT(NULLIF(length(durations), 0)) AS runs"]
    grouped = f" GROUP BY {columns}" if columns else ""
    select = f"{columns}, " if columns else ""
    statement = f"SELECT {select}{', '.join(named)} FROM ({cells}) c{grouped}"
    if picked:
        sums = ", ".join(f"s_{name}" for name in (*COUNTS, "amount"))
        statement = (
            f"SELECT {select}{sums}, CASE WHEN runs = 1 THEN NULL ELSE blob END, runs, "
            f"{_PICKS} FROM ({statement}) g"
        )
    width = len(COUNTS) + 1 + 2 * joined + picked
    n = len(COUNTS)

    def counted(rows: list[Any]) -> None:
        for row in rows:
            values = row[-width:]
            counts, amount = values[:n], values[n]
            if not (amount or any(counts)):
                continue  # no cell (sums of nothing: NULL), or cells whose cases have all
                # moved on (a backlog emptied)
            target = answer.get(group(row))
            target.add_all(counts)
            target.amount += int(amount)
            if not joined:
                continue
            if picked and values[-1] is not None:
                target.picks = Picks.unpacked(bytes(values[-1]))
            elif values[n + 1]:
                target.blobs.append(bytes(values[n + 1]))
                target.runs += int(values[n + 2])

    out.add(statement, params, counted)


_N = "(length(blob) / 8)"
_PICKS = (
    f"CASE WHEN runs = 1 THEN int8send({_N}::int8) "
    f"|| substring(blob FROM 8 * (({_N} - 1) / 2) + 1 FOR 8) "
    f"|| substring(blob FROM 8 * ({_N} / 2) + 1 FOR 8) "
    f"|| substring(blob FROM 8 * ((9 * {_N} + 9) / 10 - 1) + 1 FOR 8) END AS picks"
)
"""Of one sorted list of n durations: n, the values of ranks (n - 1) // 2 and n // 2 (the
median's), and of rank ceil(0.9 n) - 1 (the p90's), as four big-endian integers; the list
itself is sent only when a group joins several (merged then in Python)."""


def _cell_group(answer: Answer, dimension: str) -> tuple[str, Group]:
    by = answer.question.by
    if by is None:
        return "", lambda row: None
    if by == "month":
        return "grain, bucket", lambda row: _cell_month(answer, row[0], row[1])
    assert by == dimension
    return "key", lambda row: None if row[0] == NOBODY else row[0]


def _cell_month(answer: Answer, grain: str, bucket: int) -> str:
    if grain == OPEN:
        return answer.now_month  # the backlog counts in the month of now
    return month_label(bucket if grain == MONTH else month_index(date.fromordinal(bucket)))


def _cell_ranges(
    tables: Tables,
    dimension: str,
    value: str | None,
    ranges: list[tuple[str, Range]],
    *,
    resolved: bool = False,
    durations: bool = False,
) -> tuple[str, list[Any]]:
    """The cells of one dimension in the given ranges of buckets, as one UNION ALL: their counts
    and amounts (and `durations`), or (`resolved`) the durations of those with a resolution."""
    values = ("durations",) if resolved else (*COUNTS, "amount", *(("durations",) * durations))
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
