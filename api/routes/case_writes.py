"""Case commands: each parses its body, names its guard and its use case, and `CaseWrite`
answers (ETag, X-Position, Idempotency-Key)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response

from api.problems import responses
from api.schemas.cases import (
    AgreementIn,
    CaseReceivedRequest,
    CaseSummaryOut,
    CorrectionRequest,
    ExtensionRequest,
    FollowUpRequest,
    JudicialConfirmationRequest,
    PartyIn,
    ResolutionRequest,
    RiskRequest,
    RouteRequest,
    SessionRequest,
)
from api.writes import (
    CASES_PATH,
    WRITE_OPENAPI,
    AssignedMediatorWrite,
    CaseHandlerWrite,
    ReceiverWrite,
    SupervisorWrite,
)
from domain.values import Agreement, Party, Registration

router = APIRouter(prefix=CASES_PATH, tags=["case commands"])

WRITE = responses(400, 404, 409, 412, 413)
HEADERS = {
    "ETag": {"description": 'the case\'s new version, quoted ("3")', "schema": {"type": "string"}},
    "X-Position": {
        "description": "the store position of the last event written",
        "schema": {"type": "string"},
    },
}


def _answer(status: int, description: str) -> dict[int | str, dict[str, Any]]:
    return {status: {"description": description, "headers": HEADERS}, **WRITE}


def _parties(parties: list[PartyIn]) -> tuple[Party, ...]:
    return tuple(Party(p.role, p.name, p.phone, p.id_number) for p in parties)


def _agreement(agreement: AgreementIn | None) -> Agreement | None:
    if agreement is None:
        return None
    return Agreement(form=agreement.form, terms=agreement.terms, amount=agreement.amount)


@router.post(
    "",
    status_code=201,
    response_model=CaseSummaryOut,
    openapi_extra=WRITE_OPENAPI,
    responses=_answer(201, "received; Location names the case"),
    summary="Receive a new case (受理登记)",
)
def receive_case(body: CaseReceivedRequest, write: ReceiverWrite) -> Response:
    registration = Registration(
        category=body.category,
        subcategory=body.subcategory,
        street=body.street,
        channel=body.channel,
        summary=body.summary,
        parties=_parties(body.parties),
        claim_amount=body.claim_amount,
    )
    return write.run(
        "Received",
        lambda _expected, record_with: write.tongjie.cases.receive(
            actor=write.actor,
            registration=registration,
            received_at=body.received_at,
            record_with=record_with,
        ),
        status=201,
    )


@router.post(
    "/{case_id}/route",
    response_model=CaseSummaryOut,
    openapi_extra=WRITE_OPENAPI,
    responses=_answer(200, "routed"),
    summary="Route or re-route a case (分流交办)",
)
def route_case(case_id: UUID, body: RouteRequest, write: SupervisorWrite) -> Response:
    return write.run(
        "Routed",
        lambda expected, record_with: write.tongjie.cases.route(
            case_id,
            actor=write.actor,
            organisation=body.organisation,
            mediator=body.mediator,
            routed_at=body.routed_at,
            due_at=body.due_at,
            note=body.note,
            expected_version=expected,
            record_with=record_with,
        ),
        case_id=case_id,
    )


@router.post(
    "/{case_id}/sessions",
    response_model=CaseSummaryOut,
    openapi_extra=WRITE_OPENAPI,
    responses=_answer(200, "session recorded"),
    summary="Log a mediation session (调解记录)",
)
def log_session(
    case_id: UUID,
    body: SessionRequest,
    write: AssignedMediatorWrite,
) -> Response:
    return write.run(
        "Mediated",
        lambda expected, record_with: write.tongjie.cases.log_session(
            case_id,
            actor=write.actor,
            method=body.method,
            attendees=list(body.attendees),
            notes=body.notes,
            held_at=body.held_at,
            duration_minutes=body.duration_minutes,
            expected_version=expected,
            record_with=record_with,
        ),
        case_id=case_id,
    )


@router.post(
    "/{case_id}/extension",
    response_model=CaseSummaryOut,
    openapi_extra=WRITE_OPENAPI,
    responses=_answer(200, "deadline extended"),
    summary="Extend the deadline once (延期)",
)
def extend_deadline(
    case_id: UUID,
    body: ExtensionRequest,
    write: CaseHandlerWrite,
) -> Response:
    return write.run(
        "DeadlineExtended",
        lambda expected, record_with: write.tongjie.cases.extend_deadline(
            case_id,
            actor=write.actor,
            new_due_at=body.new_due_at,
            reason=body.reason,
            parties_consent=body.parties_consent,
            extended_at=body.extended_at,
            expected_version=expected,
            record_with=record_with,
        ),
        case_id=case_id,
    )


@router.post(
    "/{case_id}/risk",
    response_model=CaseSummaryOut,
    openapi_extra=WRITE_OPENAPI,
    responses=_answer(200, "risk assessed"),
    summary="Assess the risk of escalation (风险研判)",
)
def assess_risk(case_id: UUID, body: RiskRequest, write: CaseHandlerWrite) -> Response:
    return write.run(
        "RiskAssessed",
        lambda expected, record_with: write.tongjie.cases.assess_risk(
            case_id,
            actor=write.actor,
            level=body.level,
            reason=body.reason,
            assessed_at=body.assessed_at,
            expected_version=expected,
            record_with=record_with,
        ),
        case_id=case_id,
    )


@router.post(
    "/{case_id}/corrections",
    response_model=CaseSummaryOut,
    openapi_extra=WRITE_OPENAPI,
    responses=_answer(200, "registration corrected"),
    summary="Correct the registration (登记更正)",
)
def correct_registration(
    case_id: UUID,
    body: CorrectionRequest,
    write: CaseHandlerWrite,
) -> Response:
    changes = body.changes()
    if "parties" in changes:
        changes["parties"] = _parties(changes["parties"] or [])
    return write.run(
        "RegistrationCorrected",
        lambda expected, record_with: write.tongjie.cases.correct_registration(
            case_id,
            actor=write.actor,
            reason=body.reason,
            changes=changes,
            corrected_at=body.corrected_at,
            expected_version=expected,
            record_with=record_with,
        ),
        case_id=case_id,
    )


@router.post(
    "/{case_id}/resolution",
    response_model=CaseSummaryOut,
    openapi_extra=WRITE_OPENAPI,
    responses=_answer(200, "resolved"),
    summary="Resolve the case (结案)",
)
def resolve_case(
    case_id: UUID,
    body: ResolutionRequest,
    write: CaseHandlerWrite,
) -> Response:
    return write.run(
        "Resolved",
        lambda expected, record_with: write.tongjie.cases.resolve(
            case_id,
            actor=write.actor,
            outcome=body.outcome,
            resolved_at=body.resolved_at,
            agreement=_agreement(body.agreement),
            referral=body.referral,
            note=body.note,
            expected_version=expected,
            record_with=record_with,
        ),
        case_id=case_id,
    )


@router.post(
    "/{case_id}/follow-ups",
    response_model=CaseSummaryOut,
    openapi_extra=WRITE_OPENAPI,
    responses=_answer(200, "follow-up recorded"),
    summary="Record a follow-up visit (回访)",
)
def record_follow_up(
    case_id: UUID,
    body: FollowUpRequest,
    write: AssignedMediatorWrite,
) -> Response:
    return write.run(
        "FollowUpRecorded",
        lambda expected, record_with: write.tongjie.cases.record_follow_up(
            case_id,
            actor=write.actor,
            fulfilment=body.fulfilment,
            satisfaction=body.satisfaction,
            visited_at=body.visited_at,
            note=body.note,
            expected_version=expected,
            record_with=record_with,
        ),
        case_id=case_id,
    )


@router.post(
    "/{case_id}/judicial-confirmation",
    response_model=CaseSummaryOut,
    openapi_extra=WRITE_OPENAPI,
    responses=_answer(200, "judicial confirmation recorded"),
    summary="Record the judicial confirmation (司法确认), or later the court's ruling",
)
def record_judicial_confirmation(
    case_id: UUID,
    body: JudicialConfirmationRequest,
    write: AssignedMediatorWrite,
) -> Response:
    return write.run(
        "JudicialConfirmationRecorded",
        lambda expected, record_with: write.tongjie.cases.record_judicial_confirmation(
            case_id,
            actor=write.actor,
            applied_at=body.applied_at,
            ruling=body.ruling,
            ruled_at=body.ruled_at,
            expected_version=expected,
            record_with=record_with,
        ),
        case_id=case_id,
    )
