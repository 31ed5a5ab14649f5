"""Case commands: each route names its command, its body and who may send it; the body builds
the command, `CaseWrite` runs it and answers (ETag, X-Position, Idempotency-Key).

One command has an endpoint of its own, for its multipart body: `AttachDocument`
(api/routes/documents.py, `OWN_ENDPOINT`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from starlette.responses import Response

from api.schemas.cases import (
    CaseReceivedRequest,
    CaseSummaryOut,
    CorrectionRequest,
    ExtensionRequest,
    FollowUpRequest,
    JudicialConfirmationRequest,
    ResolutionRequest,
    RiskRequest,
    RouteRequest,
    SessionRequest,
)
from api.schemas.documents import DocumentWithdrawalRequest
from api.writes import (
    CASES_PATH,
    WRITE_OPENAPI,
    CaseCommandRoute,
    CaseWrite,
    case_writer,
    write_responses,
)
from application.commands import (
    AssessRisk,
    CorrectRegistration,
    ExtendDeadline,
    LogSession,
    RecordFollowUp,
    RecordJudicialConfirmation,
    ResolveCase,
    RouteCase,
    WithdrawDocument,
)
from domain.values import Role

router = APIRouter(prefix=CASES_PATH, tags=["case commands"])

MEDIATOR = (Role.MEDIATOR,)
SUPERVISOR = (Role.SUPERVISOR,)
EITHER = (Role.MEDIATOR, Role.SUPERVISOR)


@router.post(
    "",
    status_code=201,
    response_model=CaseSummaryOut,
    openapi_extra=WRITE_OPENAPI,
    responses=write_responses(201, "received; Location names the case"),
    summary="Receive a new case (受理登记)",
)
def receive_case(
    body: CaseReceivedRequest, write: Annotated[CaseWrite, Depends(case_writer(*EITHER))]
) -> Response:
    return write.run(body.command(write.actor), status=201)


# fmt: off
ON_A_CASE = (
    CaseCommandRoute("/{case_id}/route", RouteCase, RouteRequest, SUPERVISOR,
                     "routed", "Route or re-route a case (分流交办)"),
    CaseCommandRoute("/{case_id}/sessions", LogSession, SessionRequest, MEDIATOR,
                     "session recorded", "Log a mediation session (调解记录)"),
    CaseCommandRoute("/{case_id}/extension", ExtendDeadline, ExtensionRequest, EITHER,
                     "deadline extended", "Extend the deadline once (延期)"),
    CaseCommandRoute("/{case_id}/risk", AssessRisk, RiskRequest, EITHER,
                     "risk assessed", "Assess the risk of escalation (风险研判)"),
    CaseCommandRoute("/{case_id}/corrections", CorrectRegistration, CorrectionRequest, EITHER,
                     "registration corrected", "Correct the registration (登记更正)"),
    CaseCommandRoute("/{case_id}/resolution", ResolveCase, ResolutionRequest, EITHER,
                     "resolved", "Resolve the case (结案)"),
    CaseCommandRoute("/{case_id}/follow-ups", RecordFollowUp, FollowUpRequest, MEDIATOR,
                     "follow-up recorded", "Record a follow-up visit (回访)"),
    CaseCommandRoute("/{case_id}/judicial-confirmation", RecordJudicialConfirmation,
                     JudicialConfirmationRequest, MEDIATOR, "judicial confirmation recorded",
                     "Record the judicial confirmation (司法确认), or later the court's ruling"),
    CaseCommandRoute("/{case_id}/documents/withdrawals", WithdrawDocument,
                     DocumentWithdrawalRequest, EITHER, "document withdrawn",
                     "Withdraw a wrong document (撤回材料); it stays in the case file"),
)
# fmt: on

for route in ON_A_CASE:
    route.add_to(router)
