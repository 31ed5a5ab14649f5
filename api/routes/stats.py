"""The statistics (api.md, "Views"): overall, and per category, street, organisation, mediator,
channel or month; JSON, or CSV with `Accept: text/csv`.

Like every view they carry `X-Position` and honour `?min_position=` (the same as the board's).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.deps import Auditing, SettingsDep
from api.encoding import dumps
from api.positions import refuse_beyond_head
from api.problems import responses
from api.routes.views import (
    MIN_POSITION_WAIT,
    POSITION_HEADER,
    MinPosition,
    ViewBehindError,
    ViewsDep,
)
from api.schemas.stats import Dimension, FiguresOut, StatsRowsOut
from api.schemas.views import moment
from api.stats_format import CSV_MEDIA_TYPE, prefers_csv, row_json, rows_csv
from domain.values import Category, Channel
from infrastructure.settings import Settings
from projections.stats.periods import period
from projections.stats.query import VIEW, StatsAnswer
from projections.stats.read import Filters

router = APIRouter(prefix="/api/v1/stats", tags=["statistics"])

PERIOD_HEADERS = {
    "X-Period-From": {
        "description": "the period's start (inclusive)",
        "schema": {"type": "string"},
    },
    "X-Period-To": {"description": "the period's end (exclusive)", "schema": {"type": "string"}},
}
ANSWERS = {
    **responses(422),
    504: {"description": "the view has not reached min_position within 5 s"},
}
CSV_CONTENT = {"text/csv": {"schema": {"type": "string"}}}
BOUND = "a date (midnight in the bureau's time zone: 2026-01-01) or a time with offset"


async def stats_caught_up(views: ViewsDep, min_position: MinPosition = None) -> None:
    await refuse_beyond_head(views, min_position)
    if min_position is not None and not await views.feed.wait_for(
        min_position, VIEW, MIN_POSITION_WAIT
    ):
        raise ViewBehindError(
            f"the statistics have not reached position {min_position} within "
            f"{MIN_POSITION_WAIT:.0f} s (they are at {views.feed.position(VIEW)})"
        )


class StatsParams:
    """The period and the filters every statistics query takes."""

    def __init__(
        self,
        settings: SettingsDep,
        from_: Annotated[
            str | None,
            Query(
                alias="from",
                description=f"{BOUND}; inclusive; default 1 January",
                examples=["2026-01-01"],
            ),
        ] = None,
        to: Annotated[
            str | None,
            Query(description=f"{BOUND}; exclusive; default now", examples=["2026-04-01"]),
        ] = None,
        category: Category | None = None,
        street: Annotated[str | None, Query(max_length=100, examples=["东湖街道"])] = None,
        organisation: Annotated[str | None, Query(max_length=64)] = None,
        mediator: Annotated[str | None, Query(max_length=64)] = None,
        channel: Channel | None = None,
        subcategory: Annotated[str | None, Query(max_length=64, examples=["neighbour"])] = None,
        min_position: MinPosition = None,
    ) -> None:
        zone = settings.zone
        self.start, self.end = period(
            moment("from", from_, zone), moment("to", to, zone), datetime.now(UTC), zone
        )
        self.filters = Filters(
            category=category.value if category else None,
            street=street or None,
            channel=channel.value if channel else None,
            organisation=organisation or None,
            mediator=mediator or None,
            subcategory=subcategory or None,
        )


Params = Annotated[StatsParams, Depends()]
Labels = Annotated[
    Literal["zh"] | None,
    Query(
        description="with `Accept: text/csv`: `zh` gives a table for people (Chinese column "
        "names, categories and channels in words, rates as displayed: 99.79%)"
    ),
]


@router.get(
    "/summary",
    response_model=FiguresOut,
    responses={
        200: {"headers": {**POSITION_HEADER, **PERIOD_HEADERS}, "content": CSV_CONTENT},
        **ANSWERS,
    },
    summary="The figures overall, over [from, to) (default: this year to date)",
    dependencies=[Depends(stats_caught_up)],
)
def summary(
    request: Request,
    actor: Auditing,
    views: ViewsDep,
    settings: SettingsDep,
    params: Params,
    labels: Labels = None,
) -> Response:
    """The bureau's figures (docs/statistics.md) over the period, with its filters applied;
    the backlog (open, overdue, due soon, escalations) as of now. `Accept: text/csv` gives CSV."""
    answer = views.stats.summary(params.start, params.end, params.filters)
    if prefers_csv(request.headers.get("accept", "")):
        return _csv(answer, None, settings, labels)
    return _json(answer.rows[0].figures, answer, settings)


@router.get(
    "/{dimension}",
    response_model=StatsRowsOut,
    responses={
        200: {"headers": {**POSITION_HEADER, **PERIOD_HEADERS}, "content": CSV_CONTENT},
        **ANSWERS,
    },
    summary="The figures per category, street, organisation, mediator, channel, subcategory, "
    "month or ISO week",
    dependencies=[Depends(stats_caught_up)],
)
def by_dimension(
    dimension: Dimension,
    request: Request,
    actor: Auditing,
    views: ViewsDep,
    settings: SettingsDep,
    params: Params,
    labels: Labels = None,
) -> Response:
    """One row per value with a case in the period or in the backlog; a month as `YYYY-MM`, an
    ISO week (in the bureau's time zone) as `YYYY-Www`.

    Each figure counts in the month (week) of its own business time (the cohort figures: of the
    receipt; the backlog: this month); a re-routed case counts for the organisation and
    mediator it had when resolved (open: now).
    """
    answer = views.stats.by(dimension.value, params.start, params.end, params.filters)
    if prefers_csv(request.headers.get("accept", "")):
        return _csv(answer, dimension.value, settings, labels)
    return _json({"rows": [row_json(row) for row in answer.rows]}, answer, settings)


def _headers(answer: StatsAnswer, settings: Settings) -> dict[str, str]:
    zone = settings.zone
    return {
        "X-Position": str(answer.position),
        "X-Period-From": answer.start.astimezone(zone).isoformat(),
        "X-Period-To": answer.end.astimezone(zone).isoformat(),
    }


def _json(body: object, answer: StatsAnswer, settings: Settings) -> Response:
    return Response(dumps(body), media_type="application/json", headers=_headers(answer, settings))


def _csv(
    answer: StatsAnswer, dimension: str | None, settings: Settings, labels: str | None
) -> Response:
    start, end = (t.astimezone(settings.zone).date() for t in (answer.start, answer.end))
    name = f"tongjie-stats-{dimension or 'summary'}-{start}-{end}.csv"
    headers = {
        **_headers(answer, settings),
        "Content-Disposition": f'attachment; filename="{name}"',
    }
    body = rows_csv(answer.rows, dimension, labels, settings.rate_display)
    return Response(body, media_type=CSV_MEDIA_TYPE, headers=headers)
