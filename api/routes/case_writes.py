"""Case commands: each route names its command, its body and who may send it; the body builds
the command, `CaseWrite` runs it and answers (ETag, X-Position, Idempotency-Key).

One command has an endpoint of its own, for its multipart body: `AttachDocument`
(api/routes/documents.py, `OWN_ENDPOINT`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends
from starlette.responses import Response

from api.openapi import Rules
from api.schemas import examples
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
    body: Annotated[CaseReceivedRequest, Body(openapi_examples=examples.RECEIVE)],
    write: Annotated[CaseWrite, Depends(case_writer(*EITHER))],
) -> Response:
    """受理登记: register and number a new dispute (the number, `2026-000123`, is in the
    answer). A mediator who receives a case reaches it until it is routed."""
    return write.run(body.command(write.actor), status=201)


ON_A_CASE = (
    CaseCommandRoute(
        "/{case_id}/route",
        RouteCase,
        RouteRequest,
        SUPERVISOR,
        "routed",
        "Route or re-route a case (分流交办)",
        Rules(
            "received, routed or in_mediation (a re-routed case keeps its status)",
            "the case is resolved, or routed_at or due_at is earlier than its history allows",
        ),
        examples.ROUTE,
    ),
    CaseCommandRoute(
        "/{case_id}/sessions",
        LogSession,
        SessionRequest,
        MEDIATOR,
        "session recorded",
        "Log a mediation session (调解记录)",
        Rules(
            "routed or in_mediation; the first session makes it in_mediation",
            "the case is not routed yet or is resolved, or held_at is before the routing",
        ),
        examples.SESSION,
    ),
    CaseCommandRoute(
        "/{case_id}/extension",
        ExtendDeadline,
        ExtensionRequest,
        EITHER,
        "deadline extended",
        "Extend the deadline once (延期)",
        Rules(
            "routed or in_mediation, once in the case's life",
            "the case is not routed yet or is resolved; its deadline was extended once already; "
            "new_due_at is more than 30 days past the original deadline or before the current "
            "one; or extended_at is before the routing",
        ),
        examples.EXTENSION,
    ),
    CaseCommandRoute(
        "/{case_id}/risk",
        AssessRisk,
        RiskRequest,
        EITHER,
        "risk assessed",
        "Assess the risk of escalation (风险研判)",
        Rules(
            "received, routed or in_mediation",
            "the case is resolved, or assessed_at is before its receipt",
        ),
        examples.RISK,
    ),
    CaseCommandRoute(
        "/{case_id}/corrections",
        CorrectRegistration,
        CorrectionRequest,
        EITHER,
        "registration corrected",
        "Correct the registration (登记更正)",
        Rules(
            "received, routed or in_mediation; a resolved case by a supervisor only, and only "
            "its category, subcategory, street, channel and parties (the figures follow, the "
            "history keeps what it was)",
            "the case is resolved and the caller is not a supervisor or names its summary or "
            "claim amount, or corrected_at is before the case's receipt",
        ),
        examples.CORRECTION,
    ),
    CaseCommandRoute(
        "/{case_id}/resolution",
        ResolveCase,
        ResolutionRequest,
        EITHER,
        "resolved",
        "Resolve the case (结案)",
        Rules(
            "in_mediation for agreement and no_agreement (by the assigned mediator); withdrawn "
            "also from received (by the mediator who received it, or a supervisor) or routed",
            "the case is resolved already, or has had no session for agreement and "
            "no_agreement; or resolved_at is before its last session or routing",
        ),
        examples.RESOLUTION,
    ),
    CaseCommandRoute(
        "/{case_id}/follow-ups",
        RecordFollowUp,
        FollowUpRequest,
        MEDIATOR,
        "follow-up recorded",
        "Record a follow-up visit (回访)",
        Rules(
            "resolved with an agreement",
            "the case is not resolved, or did not end in an agreement; or visited_at is "
            "before the resolution",
        ),
        examples.FOLLOW_UP,
    ),
    CaseCommandRoute(
        "/{case_id}/judicial-confirmation",
        RecordJudicialConfirmation,
        JudicialConfirmationRequest,
        MEDIATOR,
        "judicial confirmation recorded",
        "Record the judicial confirmation (司法确认), or later the court's ruling",
        Rules(
            "resolved with a written agreement: the application within 30 days of the "
            "resolution, then once the court's ruling",
            "the case is not resolved with a written agreement; applied for more than 30 days "
            "after the resolution; applied for already (send the ruling) or ruled already; "
            "or a time before the resolution or the application",
        ),
        examples.JUDICIAL_CONFIRMATION,
    ),
    CaseCommandRoute(
        "/{case_id}/documents/withdrawals",
        WithdrawDocument,
        DocumentWithdrawalRequest,
        EITHER,
        "document withdrawn",
        "Withdraw a wrong document (撤回材料); it stays in the case file",
        Rules(
            "any: a document of a resolved case may be withdrawn too",
            "the document is withdrawn already, or withdrawn_at is before it was attached",
        ),
        examples.DOCUMENT_WITHDRAWAL,
    ),
)

for route in ON_A_CASE:
    route.add_to(router)
