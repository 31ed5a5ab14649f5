"""The figures a monthly report records (application/reports.py's `MonthFigures`), from the
statistics view: the same query code as `/api/v1/stats`, every dimension in one snapshot."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from application.reports import DIMENSIONS
from domain.report import Figures
from projections.stats.figures import BACKLOG_COUNTERS, FIGURES, NOTHING, Backlog, figures
from projections.stats.query import StatsQuery

AS_OF_NOW = frozenset((*BACKLOG_COUNTERS, "overdue", "due_soon"))
"""The backlog: the work in hand when the figures are read, whatever the period."""


class StatsMonthFigures:
    def __init__(self, stats: StatsQuery) -> None:
        self.stats = stats
        self.as_of_now = AS_OF_NOW
        self.blank: Mapping[str, Any] = figures(NOTHING, Backlog())

    def month_figures(self, start: datetime, end: datetime, now: datetime) -> Figures:
        groupings = [None if d == "summary" else d for d in DIMENSIONS]
        answers = self.stats.at_once(groupings, start, end, now)
        rows = {
            dimension: [[row.key, *(row.figures[name] for name in FIGURES)] for row in answer.rows]
            for dimension, answer in zip(DIMENSIONS, answers, strict=True)
        }
        return Figures(position=answers[0].position, names=list(FIGURES), rows=rows)
