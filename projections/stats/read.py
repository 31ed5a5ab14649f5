"""Reading the statistics: any period [from, to), filters, and one dimension to group by.

Two ways to the same figures, both summed by the database. When at most one of the case's
dimensions is involved (as a filter or as the grouping), the cells answer: whole months (and
whole days, for the dimensions that have day cells) from cells, the rest of the period from
the facts of its cases. With two dimensions or more (a street's figures per mediator, say), the
facts of the cases received or resolved in the period answer, read through the time indexes.
The backlog (open, escalations) is as of now: cells of it per value, or the open cases alone;
overdue and due soon come from the open cases due before now + 72 hours.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from projections.stats.answer import Answer
from projections.stats.cells import DAY_DIMENSIONS, WHOLE
from projections.stats.facts import DIMENSIONS
from projections.stats.from_cells import from_cells
from projections.stats.from_facts import (
    backlog,
    cohort_durations,
    computed,
    period_counts,
    period_durations,
)
from projections.stats.periods import Range
from projections.stats.question import BY, DUE_SOON_US, Filters, Key, Question
from projections.stats.statements import Statements
from projections.stats.widen import probe, widened

if TYPE_CHECKING:
    from projections.engine.ports import Connection
    from projections.engine.view import Tables

__all__ = ["BY", "DUE_SOON_US", "Filters", "Key", "Question", "read"]


def read(
    conn: Connection,
    tables: Tables,
    question: Question,
    zone: tzinfo,
    *,
    cells: bool = True,
    last: str | None = None,
    probed: Sequence[Any] | None = None,
) -> dict[Key, dict[str, Any]]:
    """The figures of each group that has a case in the period or in the backlog.

    The summary (by None) always answers its one group, under the key None. `cells` False: the
    generation has not caught up yet (its cells and open cases are made then): the facts answer.
    `last`: a statement sent after the reads, in the same round trip (the read's COMMIT).
    `probed`: the row of the widening probe (widen.py), read already with the catalog.
    """

    def widen(start: int, end: int) -> Range:
        return widened(conn, tables, start, end, zone, probed)

    out, answer, _ = planned(conn.dialect, tables, question, zone, cells=cells, widen=widen)
    out.run(conn, last)
    return answered(answer)


def planned(
    dialect: str,
    tables: Tables,
    question: Question,
    zone: tzinfo,
    *,
    cells: bool,
    widen: Callable[[int, int], Range],
) -> tuple[Statements, Answer, Range]:
    """The statements of an answer, the answer their rows fill (then `answered`), and the
    period they read: the question's, or as `widen` widened it (widen.py)."""
    answer = Answer(question, zone)
    involved = _involved(question)
    out = Statements(dialect)
    start, end = question.start_us, question.end_us
    if cells and _by_cells(question, involved):
        # By week too: a period to now widened to the end of today reads today's day cell,
        # not today's cases (all the receipts of a busy day, summed from the facts).
        start, end = widen(start, end)
        from_cells(out, tables, answer, next(iter(involved), WHOLE), (start, end))
    elif dialect == "postgres" and question.by not in ("month", "week"):
        computed(out, tables, answer, ((start, end),), open_table=cells)
    else:
        period = ((start, end),)
        period_counts(out, tables, answer, period)
        period_durations(out, tables, answer, period)
        cohort_durations(out, tables, answer, period)
        backlog(out, tables, answer, open_table=cells)
    return out, answer, (start, end)


def answered(answer: Answer) -> dict[Key, dict[str, Any]]:
    """The figures of each group of a filled answer (the summary's always)."""
    if answer.question.by is None:
        answer.get(None)
    return {
        key: group.figures()
        for key, group in answer.sums.items()
        if answer.question.by is None or group.counted()
    }


def _involved(question: Question) -> set[str]:
    """The case's dimensions the question filters on or groups by."""
    involved = {d for d, _ in question.filters.items()}
    if question.by in DIMENSIONS:
        involved.add(question.by)
    return involved


def _by_cells(question: Question, involved: set[str]) -> bool:
    """Whether the cells can answer (once built): at most one dimension involved, and for the
    weeks (made of day cells) one that has day cells."""
    if len(involved) > 1:
        return False
    return question.by != "week" or involved <= set(DAY_DIMENSIONS)


def cells_probe(question: Question, tables: Tables, zone: tzinfo) -> tuple[str, Any] | None:
    """The widening probe `read` will need if the cells answer (None: none needed), so that a
    caller can send it ahead, with its other reads."""
    if not _by_cells(question, _involved(question)):
        return None
    return probe(tables, question.start_us, question.end_us, zone)
