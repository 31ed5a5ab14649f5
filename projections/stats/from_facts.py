"""Statistics summed by the database from the facts of the cases, and the backlog from the
open cases: the same rules as the contributions (contributions.py), as SQL sums."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from projections.stats.answer import Answer, Group
from projections.stats.figures import COUNTERS, DEFINITIONS, FIGURES, SATISFIED
from projections.stats.periods import Range
from projections.stats.question import DUE_SOON_US
from projections.stats.terms import CELL_TERMS

if TYPE_CHECKING:
    from projections.engine.view import Tables
    from projections.stats.statements import Handler, Statements


def _when(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _one_when(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


AGREED = "outcome = 'agreement'"
FOLLOWED = f"{AGREED} AND followed_up = 1"
RESOLUTION_VALUES: dict[str, str] = {
    "agreements": _one_when(AGREED),
    "no_agreement": _one_when("outcome = 'no_agreement'"),
    "withdrawn": _one_when("outcome = 'withdrawn'"),
    "follow_up": _one_when(FOLLOWED),
    "fulfilled": _one_when(f"{FOLLOWED} AND fulfilled = 1"),
    "judicial_applied": _one_when(f"{AGREED} AND judicial_applied = 1"),
    "judicial_confirmed": _one_when(
        f"{AGREED} AND judicial_applied = 1 AND judicial_confirmed = 1"
    ),
    "satisfaction_sum": f"CASE WHEN {FOLLOWED} THEN COALESCE(satisfaction, 0) ELSE 0 END",
    "satisfied": _one_when(f"{FOLLOWED} AND satisfaction >= {SATISFIED}"),
}
"""What a resolved case adds to each counter of its resolution (the same as contributions.py,
in SQL)."""
RESOLUTION_SUMS: dict[str, str] = {
    "resolved": "COUNT(*)",
    **{name: f"SUM({value})" for name, value in RESOLUTION_VALUES.items()},
}
RECEIPT_VALUES: dict[str, str] = {
    "received": "1",
    "cohort_resolved": _one_when("resolved_us IS NOT NULL"),
    "cohort_agreements": _one_when(AGREED),
}
"""What a case adds to each counter of its receipt: the receipt, and the cohort's fate."""
RECEIPT_SUMS: dict[str, str] = {
    "received": "COUNT(*)",
    **{name: f"SUM({value})" for name, value in RECEIPT_VALUES.items() if name != "received"},
}
AMOUNT = f"CASE WHEN {AGREED} THEN COALESCE(amount_cents, 0) ELSE 0 END"
"""What a resolved case adds to the agreed amount, in cents."""
AMOUNT_SUM = f"SUM({AMOUNT})"
ESCALATED_WHEN: dict[str, str] = {
    "escalated_yellow": "risk = 'yellow'",
    "escalated_orange": "risk = 'orange'",
    "escalated_red": "risk = 'red'",
}
BACKLOG_SUMS: dict[str, str] = {
    "open": "COUNT(*)",
    **{name: _when(condition) for name, condition in ESCALATED_WHEN.items()},
}
DEADLINE_SUMS = (_when("due_us < %s"), _when("due_us >= %s AND due_us < %s"))
"""Overdue and due soon, given now, now and now + 72 h."""


def period_counts(out: Statements, tables: Tables, answer: Answer, ranges: Sequence[Range]) -> None:
    """The receipts (with the cohort's fate) and resolutions in the ranges (microseconds),
    summed from the facts."""
    received_column, received_group = answer.facts_group("received")
    receipt_sums = list(RECEIPT_SUMS.values())

    def receipts(rows: list[Any]) -> None:
        for row in rows:
            values = row[len(row) - len(receipt_sums) :]
            answer.get(received_group(row)).add(tuple(RECEIPT_SUMS), values)

    _sum_facts(out, tables, answer, received_column, receipt_sums, "received_us", ranges, receipts)
    column, group = answer.facts_group("resolved")
    sums = [*RESOLUTION_SUMS.values(), AMOUNT_SUM]

    def resolutions(rows: list[Any]) -> None:
        for row in rows:
            target = answer.get(group(row))
            target.add(tuple(RESOLUTION_SUMS), row[len(row) - len(sums) : -1])
            target.amount += int(row[-1] or 0)

    _sum_facts(out, tables, answer, column, sums, "resolved_us", ranges, resolutions)


def period_durations(
    out: Statements, tables: Tables, answer: Answer, ranges: Sequence[Range]
) -> None:
    """resolved_at - received_at of the cases resolved in the ranges, from the facts."""
    column, group = answer.facts_group("resolved")
    where, params = _within("resolved_us", ranges)
    _durations(out, tables, answer, (column, group), where, params, cohort=False)


def cohort_durations(
    out: Statements, tables: Tables, answer: Answer, ranges: Sequence[Range]
) -> None:
    """resolved_at - received_at of the cases received in the ranges and resolved by now (the
    cohort's), from the facts, grouped by the time of their receipt."""
    column, group = answer.facts_group("received")
    where, params = _within("received_us", ranges)
    where = f"{where} AND resolved_us IS NOT NULL"
    _durations(out, tables, answer, (column, group), where, params, cohort=True)


DURATION = "resolved_us - received_us"


def _durations(
    out: Statements,
    tables: Tables,
    answer: Answer,
    grouping: tuple[str, Group],
    where: str,
    params: list[Any],
    *,
    cohort: bool,
) -> None:
    """The durations of the cases `where` says, per group. PostgreSQL sends each group's as
    one sorted list, packed as the cells' are (a run for `answer.Sums`): a year by week's
    few days at either end were 800 rows, each named its week in Python; SQLite, in-process,
    gives them one a row."""
    column, group = grouping
    where, params = _filtered(answer, where, params)
    select = f"{column}, " if column else ""
    cases = tables.name("cases")
    if out.dialect != "postgres":
        statement = f"SELECT {select}{DURATION} FROM {cases} WHERE {where}"

        def durations(rows: list[Any]) -> None:
            for row in rows:
                target = answer.get(group(row))
                (target.cohort if cohort else target.durations).append(int(row[-1]))

        out.add(statement, params, durations)
        return
    grouped = f" GROUP BY {column}" if column else ""
    packed = f"string_agg(int8send({DURATION}), ''::bytea ORDER BY {DURATION})"
    statement = f"SELECT {select}{packed} FROM {cases} WHERE {where}{grouped}"

    def runs(rows: list[Any]) -> None:
        for row in rows:
            if row[-1] is None:
                continue  # none (an aggregate of no row)
            target = answer.get(group(row))
            if cohort:
                target.cohort_blobs.append(bytes(row[-1]))
                target.cohort_runs += 1
            else:
                target.blobs.append(bytes(row[-1]))
                target.runs += 1

    out.add(statement, params, runs)


def backlog(out: Statements, tables: Tables, answer: Answer, *, open_table: bool = True) -> None:
    """Open cases now, their escalations and deadlines: summed over the open cases alone (or,
    before a rebuild has made that table, over the facts of the cases not resolved)."""
    now = answer.question.now_us
    column, group = answer.facts_group(None)
    source, where = ("open", "TRUE") if open_table else ("cases", "resolved_us IS NULL")
    where, params = _filtered(answer, where, [])
    select = f"{column}, " if column else ""
    grouped = f" GROUP BY {column}" if column else ""
    sums = ", ".join((*BACKLOG_SUMS.values(), *DEADLINE_SUMS))
    statement = f"SELECT {select}{sums} FROM {tables.name(source)} WHERE {where}{grouped}"

    def counted(rows: list[Any]) -> None:
        for row in rows:
            if not row[-6]:
                continue  # no open case
            target = answer.get(group(row))
            target.add(tuple(BACKLOG_SUMS), row[-6:-2])
            target.overdue += int(row[-2] or 0)
            target.due_soon += int(row[-1] or 0)

    out.add(statement, [now, now, now + DUE_SOON_US, *params], counted)


def computed(
    out: Statements, tables: Tables, answer: Answer, ranges: Sequence[Range], open_table: bool
) -> None:
    """Every figure of each group (a dimension's value, or the summary) over the period's
    cases, computed by the server in one statement (PostgreSQL): the receipts (with the
    cohort's durations), the resolutions (with theirs) and the backlog, each summed per group
    as `period_counts`, `period_durations`, `cohort_durations` and `backlog` sum them, joined
    by group, and the figures made of them by the one definition of each
    (figures.DEFINITIONS, named as from_cells.CELL_TERMS names a group's sums). Not by month
    or week: their groups are of the case's times, not of its columns."""
    by = answer.question.by
    assert by not in ("month", "week")
    key = by or "''"  # the summary: one group (an aggregate of no row is a row too)
    grouped = f" GROUP BY {by}" if by else ""
    cases = tables.name("cases")
    packed = f"string_agg(int8send({DURATION}), ''::bytea ORDER BY {DURATION})"
    where, params = _filtered(answer, *_within("received_us", ranges))
    cohort = f"{packed} FILTER (WHERE resolved_us IS NOT NULL)"
    receipts = ", ".join(f"{sql} AS {name}" for name, sql in RECEIPT_SUMS.items())
    parts = [f"SELECT {key} AS k, {receipts}, {cohort} AS blob1 FROM {cases} WHERE {where}"]
    where, more = _filtered(answer, *_within("resolved_us", ranges))
    resolutions = ", ".join(f"{sql} AS {name}" for name, sql in RESOLUTION_SUMS.items())
    parts.append(
        f"SELECT {key} AS k, {resolutions}, {AMOUNT_SUM} AS amount, {packed} AS blob0 "
        f"FROM {cases} WHERE {where}"
    )
    now = answer.question.now_us
    source, where = (tables.name("open"), "TRUE") if open_table else (cases, "resolved_us IS NULL")
    where, kept = _filtered(answer, where, [now, now, now + DUE_SOON_US])
    overdue, due_soon = DEADLINE_SUMS
    backlogs = ", ".join(f"{sql} AS {name}" for name, sql in BACKLOG_SUMS.items())
    parts.append(
        f"SELECT {key} AS k, {backlogs}, {overdue} AS overdue, {due_soon} AS due_soon "
        f"FROM {source} WHERE {where}"
    )
    r, s, b = (f"({part}{grouped})" for part in parts)
    sums = [f"coalesce({_OF[name]}.{name}, 0) AS s_n_{name}" for name in COUNTERS]
    sums += ["coalesce(s.amount, 0) AS s_amount", "s.blob0", "r.blob1"]
    figures = ", ".join(expr.sql(CELL_TERMS) for expr in DEFINITIONS.values())
    statement = (
        f"SELECT k, {figures}, overdue, due_soon FROM (SELECT k, {', '.join(sums)}, "
        f"b.overdue, b.due_soon FROM {r} r FULL JOIN {s} s USING (k) FULL JOIN {b} b USING (k)) g"
    )
    group = answer.facts_group(None)[1] if by else (lambda row: None)

    def handle(rows: list[Any]) -> None:
        for row in rows:
            key = group(row)
            answer.put(key, dict(zip(FIGURES, row[1:-2], strict=True)))
            target = answer.get(key)
            target.overdue, target.due_soon = int(row[-2] or 0), int(row[-1] or 0)

    out.add(statement, [*params, *more, *kept], handle)


_OF = {
    **dict.fromkeys(RECEIPT_SUMS, "r"),
    **dict.fromkeys(RESOLUTION_SUMS, "s"),
    **dict.fromkeys(BACKLOG_SUMS, "b"),
}
"""Which part of `computed`'s statement sums each counter."""
assert set(_OF) == set(COUNTERS)


def _sum_facts(
    out: Statements,
    tables: Tables,
    answer: Answer,
    column: str,
    sums: Sequence[str],
    time_column: str,
    ranges: Sequence[Range],
    handle: Handler,
) -> None:
    where, params = _within(time_column, ranges)
    where, params = _filtered(answer, where, params)
    select = f"{column}, " if column else ""
    grouped = f" GROUP BY {column}" if column else ""
    out.add(
        f"SELECT {select}{', '.join(sums)} FROM {tables.name('cases')} WHERE {where}{grouped}",
        params,
        lambda rows: handle([row for row in rows if row[len(row) - len(sums)]]),  # COUNT(*) 0
    )


def _within(column: str, ranges: Sequence[Range]) -> tuple[str, list[Any]]:
    clauses = [f"({column} >= %s AND {column} < %s)" for _ in ranges]
    return f"({' OR '.join(clauses)})", [bound for r in ranges for bound in r]


def _filtered(answer: Answer, where: str, params: list[Any]) -> tuple[str, list[Any]]:
    for dimension, value in answer.question.filters.items():
        where += f" AND {dimension} = %s"
        params = [*params, value]
    return where, params


def deadlines(out: Statements, tables: Tables, answer: Answer) -> None:
    """Overdue and due soon: the open cases due before now + 72 h, through `due_us`'s index."""
    now = answer.question.now_us
    column, group = answer.facts_group(None)
    where, params = _filtered(answer, "due_us < %s", [now + DUE_SOON_US])
    select = f"{column}, " if column else ""
    grouped = f" GROUP BY {column}" if column else ""
    statement = (
        f"SELECT {select}{', '.join(DEADLINE_SUMS)} FROM {tables.name('open')} "
        f"WHERE {where}{grouped}"
    )

    def due(rows: list[Any]) -> None:
        for row in rows:
            if row[-2] is None:
                continue  # none due
            target = answer.get(group(row))
            target.overdue += int(row[-2] or 0)
            target.due_soon += int(row[-1] or 0)

    out.add(statement, [now, now, now + DUE_SOON_US, *params], due)
