"""The case file (卷宗): JSON, or a printable HTML page with `Accept: text/html`; and the
mediation agreement (调解协议书) of a case resolved with a written agreement, for print."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from api.casefile.render import (
    AGREEMENT_SECURITY_POLICY,
    CONTENT_SECURITY_POLICY,
    render_agreement,
    render_case_file,
)
from api.deps import CaseReader, SettingsDep, TongjieDep, reachable_case
from api.encoding import case_file_json, dumps
from api.problems import responses
from api.schemas.audit import CaseFileOut
from application.audit_dto import CaseFile
from application.tongjie import Tongjie
from domain.errors import NotFoundError
from domain.values import Role

router = APIRouter(tags=["audit"])
FILE_PATH = "GET /api/v1/cases/{id}/file"
AGREEMENT_PATH = "GET /api/v1/cases/{id}/agreement"


@router.get(
    "/api/v1/cases/{case_id}/file",
    response_model=CaseFileOut,
    responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}}},
        **responses(404),
    },
    summary="The case file (卷宗), with the verification of its history",
    description="JSON by default; a printable page in Chinese and English with "
    "`Accept: text/html`. Both carry the check of the case's hash chain and the store digest "
    "of the moment, to verify against later.",
)
def case_file(
    case_id: UUID, request: Request, actor: CaseReader, tongjie: TongjieDep, settings: SettingsDep
) -> Response:
    if actor.role is Role.MEDIATOR:
        reachable_case(tongjie, actor, case_id)
    file = tongjie.audit.case_file(case_id)
    tongjie.read_log.record(actor, [case_id], FILE_PATH)
    if wants_html(request.headers.get("accept", "")):
        page = render_case_file(file, settings.zone, names_in(tongjie, file))
        headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-store"}
        return HTMLResponse(page, headers=headers)
    return Response(dumps(case_file_json(file, settings.zone)), media_type="application/json")


@router.get(
    "/api/v1/cases/{case_id}/agreement",
    response_class=HTMLResponse,
    responses={
        200: {"content": {"text/html": {"schema": {"type": "string"}}}},
        **responses(404, 409),
    },
    summary="The mediation agreement (调解协议书), for print",
    description="The agreement of a case resolved with a written agreement, made from its "
    "events: the parties' particulars, the main facts and matters in dispute, the terms, "
    "how and by when they are to be performed, the mediator and organisation, the date, and "
    "the lines for signatures and the committee's seal (People's Mediation Law Art. 28-29). "
    "A4 when printed; its footer names the agreement's event (version, store position) and "
    "the case chain's head, so a signed copy can be checked against the store. 409 for a "
    "case not resolved with a written agreement.",
)
def agreement(
    case_id: UUID, actor: CaseReader, tongjie: TongjieDep, settings: SettingsDep
) -> Response:
    if actor.role is Role.MEDIATOR:
        reachable_case(tongjie, actor, case_id)
    file = tongjie.audit.agreement(case_id)
    tongjie.read_log.record(actor, [case_id], AGREEMENT_PATH)
    page = render_agreement(file, settings.zone, names_in(tongjie, file))
    headers = {"Content-Security-Policy": AGREEMENT_SECURITY_POLICY, "Cache-Control": "no-store"}
    return HTMLResponse(page, headers=headers)


def wants_html(accept: str) -> bool:
    """Whether the client prefers HTML to JSON (a browser does; curl's `*/*` does not)."""
    html = json = 0.0
    for part in accept.split(","):
        kind, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        kind = kind.strip().lower()
        if kind == "text/html":
            html = max(html, quality)
        elif kind in ("application/json", "application/*", "*/*"):
            json = max(json, quality)
    return html > 0 and html > json


def names_in(tongjie: Tongjie, file: CaseFile) -> dict[str, str]:
    """Names of the organisations and mediators the file mentions, where they still exist."""
    names: dict[str, str] = {}
    for event in file.events:
        for key, lookup in (
            ("organisation", tongjie.reference.organisation),
            ("mediator", tongjie.reference.mediator),
        ):
            code = event.data.get(key)
            if isinstance(code, str) and code not in names:
                try:
                    names[code] = lookup(code).name
                except NotFoundError:
                    continue
    return names
