"""`tongjie stats`: the bureau's figures as a table (or CSV), the same as `/api/v1/stats`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from api.bootstrap import build_views
from api.cli.context import fail, opened, settings
from api.cli.tables import Column, print_split, print_table
from api.schemas.stats import Dimension
from domain.values import Category, Channel
from projections.stats.figures import FORMULAS, RateDisplay, display_days, display_rate

if TYPE_CHECKING:  # the rest is imported where used: other commands do without FastAPI
    from projections.stats.query import StatsAnswer
    from projections.views import Views

Show = Callable[[Any, RateDisplay], str]


class Labels(Enum):
    ZH = "zh"


PERIOD = "a date (midnight in the bureau's time zone) or a time with offset"


def _count(value: Any, mode: RateDisplay) -> str:
    return str(value)


def _days(value: Any, mode: RateDisplay) -> str:
    return display_days(value)


TABLES: tuple[tuple[str, tuple[tuple[str, str, Show], ...]], ...] = (
    (
        "in the period",
        (
            ("received", "received", _count),
            ("resolved", "resolved", _count),
            ("agreements", "agreements", _count),
            ("no_agreement", "no agreement", _count),
            ("withdrawn", "withdrawn", _count),
            ("success_rate", "调处成功率", display_rate),
            ("settlement_rate", "settlement rate", display_rate),
            ("days_to_resolve_median", "days (median)", _days),
            ("days_to_resolve_p90", "days (p90)", _days),
            ("agreement_amount", "agreed amount", _count),
        ),
    ),
    (
        "the cases received in the period (the cohort), as they stand now",
        (
            ("cohort_received", "received", _count),
            ("cohort_resolved", "resolved", _count),
            ("cohort_agreements", "agreements", _count),
            ("cohort_open", "open", _count),
            ("cohort_success_rate", "cohort success rate", display_rate),
            ("cohort_days_to_resolve_median", "days (median)", _days),
        ),
    ),
    (
        "now, and after the agreements of the period",
        (
            ("open", "open", _count),
            ("overdue", "overdue", _count),
            ("due_soon", "due ≤ 72 h", _count),
            ("escalated_yellow", "yellow", _count),
            ("escalated_orange", "orange", _count),
            ("escalated_red", "red", _count),
            ("follow_up_rate", "follow-up rate", display_rate),
            ("fulfilment_rate", "fulfilment rate", display_rate),
            ("satisfaction_mean", "satisfaction (1-5)", _days),
            ("satisfied_rate", "satisfied (4-5)", display_rate),
            ("judicial_confirmations_applied", "judicial applied", _count),
            ("judicial_confirmations_confirmed", "confirmed", _count),
        ),
    ),
)
COHORT_NOTE = (
    "调处成功率 (success rate) divides the agreements reached in the period by the cases "
    "received in it, which are not always the same cases, so it can exceed 100%; the cohort "
    "success rate follows the cases received in the period to their outcome, whenever it came, "
    "and never exceeds 100%."
)
ROUNDING = {
    "truncate": "Percentages truncated to two decimals, as the bureau publishes them "
    "(TONGJIE_RATE_DISPLAY=half_up rounds them half up)",
    "half_up": "Percentages rounded half up to two decimals (TONGJIE_RATE_DISPLAY=half_up)",
}


@contextmanager
def _views() -> Iterator[Views]:
    with opened(existing=True) as app:
        views = build_views(settings(), app)
        try:
            yield views
        finally:
            views.close()


def _bound(field: str, text: str | None) -> datetime | None:
    from api.problems import InvalidFieldsError
    from api.schemas.views import moment

    try:
        return moment(field, text, settings().zone)
    except InvalidFieldsError as error:
        fail(f"--{field}: {error.message}")


def stats(
    from_: Annotated[
        str | None, typer.Option("--from", help=f"{PERIOD}; default 1 January")
    ] = None,
    to: Annotated[str | None, typer.Option(help=f"{PERIOD}, exclusive; default now")] = None,
    by: Annotated[Dimension | None, typer.Option(help="one row per value of this")] = None,
    csv: Annotated[
        bool, typer.Option("--csv", help="CSV (UTF-8 with BOM) instead of tables")
    ] = False,
    labels: Annotated[
        Labels | None,
        typer.Option(help="with --csv: zh, a table for people (Chinese headers and words)"),
    ] = None,
    category: Annotated[Category | None, typer.Option()] = None,
    street: Annotated[str | None, typer.Option()] = None,
    organisation: Annotated[str | None, typer.Option(help="an organisation's code")] = None,
    mediator: Annotated[str | None, typer.Option(help="a mediator's code")] = None,
    channel: Annotated[Channel | None, typer.Option()] = None,
    subcategory: Annotated[str | None, typer.Option(help="e.g. neighbour, debt, fees")] = None,
) -> None:
    """The figures of [from, to) in the bureau's time zone (default: this year to date).

    The backlog (open, overdue, due soon, escalations) is as of now, whatever the period.
    Applies the events the statistics have not seen yet first.
    """
    from api.stats_format import rows_csv
    from projections.engine.catalog import PositionMovedError
    from projections.stats.periods import period
    from projections.stats.query import VIEW
    from projections.stats.read import Filters

    zone = settings().zone
    start, end = period(_bound("from", from_), _bound("to", to), datetime.now(UTC), zone)
    filters = Filters(
        category=category.value if category else None,
        street=street,
        channel=channel.value if channel else None,
        organisation=organisation,
        mediator=mediator,
        subcategory=subcategory,
    )
    with _views() as views:
        with suppress(PositionMovedError):  # a worker elsewhere keeps them current meanwhile
            views.engine.catch_up(VIEW)
        if by is None:
            answer = views.stats.summary(start, end, filters)
        else:
            answer = views.stats.by(by.value, start, end, filters)
    if csv:
        chosen = labels.value if labels else None
        mode = settings().rate_display
        sys.stdout.buffer.write(rows_csv(answer.rows, by.value if by else None, chosen, mode))
        sys.stdout.flush()
        return
    _print(answer, by.value if by else None)


def _print(answer: StatsAnswer, by: str | None) -> None:
    zone, mode = settings().zone, settings().rate_display
    console = Console()
    start, end = (t.astimezone(zone).isoformat() for t in (answer.start, answer.end))
    console.print(
        f"[bold]Statistics[/bold] {start} → {end} (exclusive), position {answer.position}"
    )
    for title, columns in TABLES:
        if by is None:  # one row: a figure a line reads best
            only = answer.rows[0].figures
            lines = [[header, show(only[name], mode)] for name, header, show in columns]
            figure_value = (Column("figure"), Column("value", number=True))
            print_table(console, figure_value, lines, title=title)
            continue
        rows = [
            ([row.key or "—"], [show(row.figures[name], mode) for name, _, show in columns])
            for row in answer.rows
        ]
        figures = [Column(header, number=True) for _, header, _ in columns]
        print_split(console, [Column(by, fold=True)], figures, rows, title=title)
    notes = "; ".join(f"{name.replace('_', ' ')} = {formula}" for name, formula in FORMULAS.items())
    console.print(f"[dim]{notes}. {ROUNDING[mode]}.[/dim]")
    console.print(f"[dim]{COHORT_NOTE}[/dim]")
