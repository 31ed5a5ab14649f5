"""Statistics summed by the database from the cells: whole years, quarters and months (and
whole days, for the dimensions that have day cells), with the packed durations of the year,
quarter and month cells; the rest of the period from the facts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, tzinfo
from typing import TYPE_CHECKING, Any

from projections.stats.answer import Answer, Group, Picks, Sums
from projections.stats.cells import DAY, DAY_DIMENSIONS, MONTH, OPEN, WEEK
from projections.stats.facts import NOBODY
from projections.stats.figures import DEFINITIONS, FIGURES
from projections.stats.from_facts import (
    cohort_durations,
    deadlines,
    period_counts,
    period_durations,
)
from projections.stats.periods import (
    Range,
    first_of_month,
    midnight,
    month_index,
    month_label,
    plan,
    spans,
    week_index,
    week_label,
)
from projections.stats.question import Key
from projections.stats.sums import BLOBS
from projections.stats.tables import COUNTS
from projections.stats.terms import CELL_TERMS

if TYPE_CHECKING:
    from projections.engine.view import Tables
    from projections.stats.statements import Handler, Statements

DURATIONS = BLOBS[0]
__all__ = ["CELL_TERMS", "from_cells"]


def from_cells(
    out: Statements, tables: Tables, answer: Answer, dimension: str, bounds: Range
) -> None:
    """The figures of [start, end) = `bounds` (the question's period, or one with the same
    figures: widen.py) from the cells, the ends' days from the facts."""
    question = answer.question
    if question.by == "week":
        _weeks(out, tables, answer, dimension, bounds)
        return
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
    if picked and question.by != "month" and len(months) == 1 and _width(months[0][1]) == 1:
        # One span cell per key (a widened year: the dashboard's usual question): joined
        # with the backlog's cell, nothing to add up.
        _one_cell(out, tables, answer, dimension, value, months[0], group)
        deadlines(out, tables, answer)
        return
    grouping = (columns, group)
    _sum_cells(
        out, tables, answer, dimension, value, ranges, grouping, joined=joined, picked=picked
    )
    if months and not joined:
        for blob in BLOBS:
            cells, params = _cell_ranges(tables, dimension, value, months, blob=blob)
            out.add(f"SELECT {select}{blob} FROM ({cells}) c", params, _blobs(answer, group, blob))
    days = [_instants(r, answer.zone) for r in pieces.days]
    counted_from_facts = [*pieces.partial] if day_cells else [*days, *pieces.partial]
    if counted_from_facts:
        period_counts(out, tables, answer, counted_from_facts)
    if days or pieces.partial:
        period_durations(out, tables, answer, [*days, *pieces.partial])
        cohort_durations(out, tables, answer, [*days, *pieces.partial])
    deadlines(out, tables, answer)


def _blobs(answer: Answer, group: Group, blob: str) -> Handler:
    def handle(rows: list[Any]) -> None:
        for row in rows:
            target = answer.get(group(row))
            if blob == DURATIONS:
                target.blobs.append(bytes(row[-1]))
                target.runs += 1
            else:
                target.cohort_blobs.append(bytes(row[-1]))
                target.cohort_runs += 1

    return handle


def _weeks(out: Statements, tables: Tables, answer: Answer, dimension: str, bounds: Range) -> None:
    """A row per ISO week: the whole weeks from the week cells (with their durations, picked
    as a year's are), the days of the weeks cut by the period's ends from the day cells, their
    durations and the partial days from the facts (at most six days and two partial days at
    either end, however long the period)."""
    pieces = plan(*bounds, zone=answer.zone)
    value = dict(answer.question.filters.items()).get(dimension)
    whole = [*pieces.days, *(_month_days(r) for r in pieces.months)]
    weeks: list[tuple[str, Range]] = []
    days: list[Range] = []
    if whole:
        first, last = min(r[0] for r in whole), max(r[1] for r in whole)
        inner = (-(-(first - 1) // 7), (last - 1) // 7)  # the weeks wholly inside [first, last)
        if inner[0] < inner[1]:
            weeks.append((WEEK, inner))
            ends = ((first, inner[0] * 7 + 1), (inner[1] * 7 + 1, last))
            days = [r for r in ends if r[0] < r[1]]
        else:
            days = [(first, last)]
    ranges = [*weeks, *((DAY, r) for r in days), (OPEN, (0, 1))]

    def group(row: Sequence[Any]) -> Key:
        grain, bucket = row[0], int(row[1])
        if grain == OPEN:
            return answer.now_week  # the backlog counts in the week of now
        return week_label(bucket if grain == WEEK else week_index(bucket))

    joined = out.dialect == "postgres"
    grouping = ("grain, bucket", group)
    _sum_cells(
        out, tables, answer, dimension, value, ranges, grouping, joined=joined, picked=joined
    )
    if weeks and not joined:
        for blob in BLOBS:
            cells, params = _cell_ranges(tables, dimension, value, weeks, blob=blob)
            statement = f"SELECT grain, bucket, {blob} FROM ({cells}) c"
            out.add(statement, params, _blobs(answer, group, blob))
    if pieces.partial:
        period_counts(out, tables, answer, pieces.partial)
    edges = [_instants(r, answer.zone) for r in days]
    if edges or pieces.partial:
        period_durations(out, tables, answer, [*edges, *pieces.partial])
        cohort_durations(out, tables, answer, [*edges, *pieces.partial])
    deadlines(out, tables, answer)


def _month_days(months: Range) -> Range:
    """Whole months as the ordinals of their days."""
    return first_of_month(months[0]).toordinal(), first_of_month(months[1]).toordinal()


def _instants(days: Range, zone: tzinfo) -> Range:
    """Whole days (ordinals) as microseconds, from the first one's midnight to the next's."""
    return midnight(date.fromordinal(days[0]), zone), midnight(date.fromordinal(days[1]), zone)


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
    day and backlog cells have none), both kinds (BLOBS). `picked`: a group whose durations are
    one cell's sorted list gets the three values its median and p90 need instead (`_picks`),
    not the list."""
    columns, group = grouping
    cells, params = _cell_ranges(tables, dimension, value, ranges, durations=joined)
    named = [f"SUM({name}) AS s_{name}" for name in (*COUNTS, "amount")]
    if joined:
        for i, blob in enumerate(BLOBS):
            named += [f"string_agg({blob}, ''::bytea) AS blob{i}"]
            named += [f"COUNT(NULLIF(length({blob}), 0)) AS runs{i}"]
    grouped = f" GROUP BY {columns}" if columns else ""
    select = f"{columns}, " if columns else ""
    statement = f"SELECT {select}{', '.join(named)} FROM ({cells}) c{grouped}"
    if picked:
        sums = ", ".join(f"s_{name}" for name in (*COUNTS, "amount"))
        kinds = ", ".join(
            f"CASE WHEN runs{i} = 1 THEN NULL ELSE blob{i} END, runs{i}, {_picks(i)}"
            for i in range(len(BLOBS))
        )
        # Where each kind's durations are one sorted list (or none), every figure is computed
        # here, by the server, from the one definition of each (figures.DEFINITIONS); used
        # when a group is one row (by a dimension's key, or the summary), not by month.
        computed = " AND ".join(f"runs{i} <= 1" for i in range(len(BLOBS)))
        figures = ", ".join(expr.sql(CELL_TERMS) for expr in DEFINITIONS.values())
        statement = f"SELECT {select}{computed}, {figures}, {sums}, {kinds} FROM ({statement}) g"
    per_kind = (2 + picked) if joined else 0
    width = len(COUNTS) + 1 + per_kind * len(BLOBS)
    n = len(COUNTS)
    names = FIGURES
    one_row = picked and columns in ("", "key")  # a group is one row here, and only here

    def counted(rows: list[Any]) -> None:
        for row in rows:
            values = row[-width:]
            counts, amount = values[:n], values[n]
            if not (amount or any(counts)):
                continue  # no cell (sums of nothing: NULL), or cells whose cases have all
                # moved on (a backlog emptied)
            target = answer.get(group(row))
            if one_row and row[-width - len(names) - 1]:
                target.computed = dict(zip(names, row[-width - len(names) : -width], strict=True))
                continue
            target.add_all(counts)
            target.amount += int(amount)
            if not joined:
                continue
            resolutions = values[n + 1 : n + 1 + per_kind]
            cohort = values[n + 1 + per_kind :]
            _take(target, resolutions, picked, cohort=False)
            _take(target, cohort, picked, cohort=True)

    out.add(statement, params, counted)


def _width(buckets: Range) -> int:
    return buckets[1] - buckets[0]


def _one_cell(
    out: Statements,
    tables: Tables,
    answer: Answer,
    dimension: str,
    value: str | None,
    span: tuple[str, Range],
    group: Group,
) -> None:
    """Every figure but the clock's, computed by the server, where each key's period is one
    span cell: that cell joined with the key's backlog cell (keys are unique in each), its
    durations the cell's one sorted list. The same names and formulas as `_sum_cells`'s
    (CELL_TERMS, figures.DEFINITIONS), without the GROUP BY that adds up several cells (the
    costliest part of that statement: EXPLAIN, docs/benchmarks.md) and the durations' join."""
    grain, (bucket, _) = span
    cells = tables.name("cells")
    where = "dim = %s AND grain = %s AND bucket = %s" + ("" if value is None else " AND key = %s")
    keyed = [] if value is None else [value]
    params = [dimension, grain, bucket, *keyed, dimension, OPEN, 0, *keyed]
    sums = ", ".join(
        [f"coalesce(s.{c}, 0) + coalesce(o.{c}, 0) AS s_{c}" for c in COUNTS]
        + ["(coalesce(s.amount, 0) + coalesce(o.amount, 0))::numeric AS s_amount"]
        + [f"s.{blob} AS blob{i}" for i, blob in enumerate(BLOBS)]
    )
    figures = ", ".join(expr.sql(CELL_TERMS) for expr in DEFINITIONS.values())
    statement = (
        f"SELECT key, {figures} FROM (SELECT key, {sums} "
        f"FROM (SELECT * FROM {cells} WHERE {where}) s "
        f"FULL JOIN (SELECT * FROM {cells} WHERE {where}) o USING (key)) g"
    )
    names = FIGURES

    def computed(rows: list[Any]) -> None:
        for row in rows:
            answer.put(group(row), dict(zip(names, row[1:], strict=True)))

    out.add(statement, params, computed)


def _take(target: Sums, values: Sequence[Any], picked: bool, *, cohort: bool) -> None:
    """One kind's durations of a group's row: its picks, or its joined lists and their runs."""
    blob, runs = values[0], values[1]
    if picked and values[2] is not None:
        picks = Picks.unpacked(bytes(values[2]))
        if cohort:
            target.cohort_picks = picks
        else:
            target.picks = picks
    elif blob:
        if cohort:
            target.cohort_blobs.append(bytes(blob))
            target.cohort_runs += int(runs)
        else:
            target.blobs.append(bytes(blob))
            target.runs += int(runs)


def _picks(i: int) -> str:
    """Of one sorted list of n durations (`blob{i}`, when `runs{i}` = 1): n, the values of ranks
    (n - 1) // 2 and n // 2 (the median's), and of rank ceil(0.9 n) - 1 (the p90's), as four
    big-endian integers; the list itself is sent only when a group joins several (merged then
    in Python)."""
    blob, n = f"blob{i}", f"(length(blob{i}) / 8)"
    return (
        f"CASE WHEN runs{i} = 1 THEN int8send({n}::int8) "
        f"|| substring({blob} FROM 8 * (({n} - 1) / 2) + 1 FOR 8) "
        f"|| substring({blob} FROM 8 * ({n} / 2) + 1 FOR 8) "
        f"|| substring({blob} FROM 8 * ((9 * {n} + 9) / 10 - 1) + 1 FOR 8) END AS picks{i}"
    )


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
    blob: str | None = None,
    durations: bool = False,
) -> tuple[str, list[Any]]:
    """The cells of one dimension in the given ranges of buckets, as one UNION ALL: their counts
    and amounts (and `durations`: both kinds), or (`blob`) that kind of durations alone, of the
    cells that have some."""
    if blob is not None:
        values: tuple[str, ...] = (blob,)
    else:
        values = (*COUNTS, "amount", *(BLOBS if durations else ()))
    columns = ", ".join(("grain", "bucket", "key", *values))
    selects: list[str] = []
    params: list[Any] = []
    for grain, (first, last) in ranges:
        where = "dim = %s AND grain = %s AND bucket >= %s AND bucket < %s"
        params += [dimension, grain, first, last]
        if value is not None:
            where += " AND key = %s"
            params.append(value)
        if blob is not None:
            where += f" AND length({blob}) > 0"
        selects.append(f"SELECT {columns} FROM {tables.name('cells')} WHERE {where}")
    return " UNION ALL ".join(selects), params
