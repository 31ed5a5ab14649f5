"""Monthly reports (月度通报): issued once by a supervisor, read as issued with what changed since;
JSON, CSV or an Excel workbook by `Accept` (docs/statistics.md, "Monthly reports")."""

from __future__ import annotations

from datetime import tzinfo
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.deps import Auditing, IdempotencyDep, SettingsDep, TongjieDep, roles
from api.encoding import actor_json, dumps, jsonable
from api.idempotency import Answer, run_once
from api.problems import StoreNotConnectedError, responses
from api.report_files import XLSX_MEDIA_TYPE, Names, report_csv, report_workbook
from api.routes.stats import stats_caught_up
from api.routes.views import MIN_POSITION_WAIT, ViewBehindError, ViewsDep
from api.schemas.reports import (
    MONTH_PATTERN,
    ReportIssuedOut,
    ReportIssueRequest,
    ReportListOut,
    ReportOut,
)
from api.stats_format import CSV_MEDIA_TYPE, preferred
from application.reports import IssuedReport, ReportNow, Reports
from application.tongjie import Tongjie
from domain.values import Actor, Role
from projections.stats.query import VIEW

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

Supervisor = Annotated[Actor, Depends(roles(Role.SUPERVISOR))]
MonthPath = Annotated[str, Path(pattern=MONTH_PATTERN, examples=["2026-03"])]
FILES = {
    "text/csv": {"schema": {"type": "string"}},
    XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
}


def get_reports(request: Request) -> Reports:
    reports: Reports | None = getattr(request.app.state, "reports", None)
    if reports is None:
        raise StoreNotConnectedError
    return reports


ReportsDep = Annotated[Reports, Depends(get_reports)]


async def stats_at_head(views: ViewsDep) -> None:
    """A report counts every event stored before it is issued: the statistics first apply
    them all (at most 5 s, else 504 and nothing is issued)."""
    head = await run_in_threadpool(views.engine.recorder.max_notification_id) or 0
    if not await views.feed.wait_for(head, VIEW, MIN_POSITION_WAIT):
        raise ViewBehindError(
            f"the statistics have not reached the store's position {head} within "
            f"{MIN_POSITION_WAIT:.0f} s: nothing was issued, try again shortly"
        )


@router.post(
    "",
    status_code=201,
    response_model=ReportIssuedOut,
    responses={**responses(400, 409, 413), 504: {"description": "the statistics are behind"}},
    summary="Issue a month's report: its figures recorded as they are now, for good",
    dependencies=[Depends(stats_at_head)],
)
def issue(
    body: ReportIssueRequest,
    actor: Supervisor,
    reports: ReportsDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Response:
    """The month's figures overall and per category, street, organisation and mediator (the
    same as `/api/v1/stats` for that month), recorded as one `ReportIssued` event with the
    store position they were computed at. A month is issued once (409); a month not ended
    yet is a 422."""

    def answer(report: IssuedReport) -> Answer:
        headers = {"content-type": "application/json", "Location": f"{router.prefix}/{body.month}"}
        return Answer(201, headers, dumps(_issued_json(report, settings.zone)))

    return run_once(
        idempotency,
        lambda conditions: reports.issue(body.month, actor=actor, conditions=conditions),
        answer,
    )


@router.get(
    "",
    response_model=ReportListOut,
    responses=responses(),
    summary="The months whose reports are issued",
)
def issued(actor: Auditing, reports: ReportsDep, settings: SettingsDep) -> Response:
    """Every issued monthly report, the latest month first: the month, who issued it and when,
    and the store position its figures were computed at."""
    items = [_head_json(report, settings.zone) for report in reports.issued()]
    return Response(dumps({"items": items}), media_type="application/json")


@router.get(
    "/{month}",
    response_model=ReportOut,
    responses={200: {"content": FILES}, **responses(404)},
    summary="A month's report as issued, and what reads otherwise now",
    dependencies=[Depends(stats_caught_up)],
)
def report(
    month: MonthPath,
    request: Request,
    actor: Auditing,
    reports: ReportsDep,
    tongjie: TongjieDep,
    settings: SettingsDep,
) -> Response:
    """JSON: the figures exactly as issued, and each difference `{dimension, key, figure,
    reported, now}` with the statistics now. `Accept: text/csv` or the workbook's type
    (`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`): the figures as
    issued, for people: Chinese headers, names, rates as the bureau shows them."""
    kind = preferred(request.headers.get("accept", ""), ("text/csv", XLSX_MEDIA_TYPE))
    if kind is None:
        found = reports.with_changes(month)
        return Response(dumps(_report_json(found, settings.zone)), media_type="application/json")
    issued = reports.get(month)
    mode, names = settings.rate_display, _names(tongjie)
    if kind == XLSX_MEDIA_TYPE:
        body, media, suffix = report_workbook(issued, names, mode, settings.zone), kind, "xlsx"
    else:
        body, media, suffix = report_csv(issued, names, mode), CSV_MEDIA_TYPE, "csv"
    disposition = f'attachment; filename="tongjie-report-{issued.month}.{suffix}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


def _names(tongjie: Tongjie) -> Names:
    return {
        "organisation": {o.code: o.name for o in tongjie.reference.organisations()},
        "mediator": {m.code: m.name for m in tongjie.reference.mediators()},
    }


def _head_json(report: IssuedReport, zone: tzinfo) -> dict[str, Any]:
    return {
        "month": report.month,
        "from": jsonable(report.start, zone),
        "to": jsonable(report.end, zone),
        "position": report.position,
        "issued_at": jsonable(report.issued_at, zone),
        "issued_by": actor_json(report.issued_by),
    }


def _issued_json(report: IssuedReport, zone: tzinfo) -> dict[str, Any]:
    names = report.names
    dimensions = {
        dimension: [{"key": row[0], **dict(zip(names, row[1:], strict=True))} for row in rows]
        for dimension, rows in report.rows.items()
    }
    return {**_head_json(report, zone), "figures": report.names, "dimensions": dimensions}


def _report_json(found: ReportNow, zone: tzinfo) -> dict[str, Any]:
    return {
        **_issued_json(found.report, zone),
        "position_now": found.position_now,
        "differences": [jsonable(d, zone) for d in found.differences],
    }
