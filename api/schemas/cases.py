"""Bodies of the case commands, and the answers about a case.

Each body builds its command (application/commands.py) once, with `command()`.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from api.schemas.common import (
    DEADLINE_BOUNDS,
    BusinessTime,
    Deadline,
    LongText,
    Money,
    MoneyOut,
    NoteText,
    Request,
    ShortText,
    TimeOut,
)
from application.commands import (
    AssessRisk,
    CorrectRegistration,
    ExtendDeadline,
    LogSession,
    ReceiveCase,
    RecordFollowUp,
    RecordJudicialConfirmation,
    ResolveCase,
    RouteCase,
)
from domain.values import (
    Actor,
    Agreement,
    AgreementForm,
    CaseStatus,
    Category,
    Channel,
    DocumentKind,
    Fulfilment,
    MediaType,
    Method,
    Outcome,
    Party,
    PartyRole,
    Referral,
    Registration,
    RiskLevel,
    Role,
    Ruling,
)

Name = ShortText
Reason = LongText
Note = NoteText


class PartyIn(Request):
    """A party to the dispute (当事人)."""

    role: PartyRole
    name: Name = Field(examples=["王小明"])
    phone: str | None = Field(
        default=None,
        max_length=30,
        pattern=r"^\+?[0-9][0-9 ()-]{2,29}$",
        examples=["13800000000"],
    )
    id_number: str | None = Field(
        default=None, max_length=32, pattern=r"^[0-9A-Za-z]{4,32}$", examples=["110101199001010011"]
    )


def _parties(parties: list[PartyIn]) -> tuple[Party, ...]:
    return tuple(Party(p.role, p.name, p.phone, p.id_number) for p in parties)


class CaseReceivedRequest(Request):
    """Register a new dispute (受理登记)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "category": "family",
                    "subcategory": "neighbour",
                    "street": "东湖街道",
                    "channel": "walk_in",
                    "summary": "楼上漏水引发邻里纠纷",
                    "parties": [
                        {"role": "applicant", "name": "王小明", "phone": "13800000000"},
                        {"role": "respondent", "name": "赵大海"},
                    ],
                    "claim_amount": "1200.00",
                }
            ]
        },
    )

    category: Category
    subcategory: str | None = Field(default=None, max_length=40, examples=["neighbour"])
    street: Name = Field(examples=["东湖街道"])
    channel: Channel
    summary: Reason = Field(examples=["楼上漏水引发邻里纠纷"])
    parties: list[PartyIn] = Field(min_length=2, max_length=50)
    claim_amount: Money | None = None
    received_at: BusinessTime = None

    def command(self, actor: Actor) -> ReceiveCase:
        registration = Registration(
            category=self.category,
            subcategory=self.subcategory,
            street=self.street,
            channel=self.channel,
            summary=self.summary,
            parties=_parties(self.parties),
            claim_amount=self.claim_amount,
        )
        return ReceiveCase(actor=actor, registration=registration, received_at=self.received_at)


class RouteRequest(Request):
    """Assign the case to an organisation and one of its mediators (分流交办)."""

    organisation: str = Field(min_length=1, max_length=64, examples=["room-1"])
    mediator: str = Field(min_length=1, max_length=64, examples=["m1"])
    routed_at: BusinessTime = None
    due_at: AwareDatetime | None = Field(
        default=None,
        description="the deadline, set at the first routing: 30 days after it by default, or "
        "this earlier time; a re-routing keeps the case's deadline (only an extension moves it). "
        f"{DEADLINE_BOUNDS}",
        examples=["2026-04-01T18:00:00+08:00"],
    )
    note: Note | None = Field(default=None, examples=["请尽快联系双方"])
    override_reason: Reason | None = Field(
        default=None,
        description="why the case goes to a mediator who does not take its category or is "
        "away (422 `mediator-ineligible` without it); recorded in the `Routed` event. A "
        "deactivated mediator or one of another organisation cannot be overridden",
        examples=["唯一懂粤语的调解员，当事人同意等待"],
    )

    def command(self, case_id: UUID, actor: Actor, expected_version: int | None) -> RouteCase:
        return RouteCase(
            case_id,
            actor=actor,
            expected_version=expected_version,
            organisation=self.organisation,
            mediator=self.mediator,
            routed_at=self.routed_at,
            due_at=self.due_at,
            note=self.note,
            override_reason=self.override_reason,
        )


class SessionRequest(Request):
    """One mediation session held (调解记录)."""

    held_at: BusinessTime = None
    method: Method
    attendees: list[Name] = Field(
        default_factory=list, max_length=50, examples=[["王小明", "赵大海"]]
    )
    notes: Reason = Field(examples=["双方同意分担维修费用"])
    duration_minutes: int | None = Field(default=None, ge=1, le=24 * 60, examples=[45])

    def command(self, case_id: UUID, actor: Actor, expected_version: int | None) -> LogSession:
        return LogSession(
            case_id,
            actor=actor,
            expected_version=expected_version,
            method=self.method,
            attendees=tuple(self.attendees),
            notes=self.notes,
            held_at=self.held_at,
            duration_minutes=self.duration_minutes,
        )


class ExtensionRequest(Request):
    """Extend the deadline once, by at most 30 days, with the parties' consent (延期)."""

    new_due_at: Deadline = Field(examples=["2026-04-15T18:00:00+08:00"])
    reason: Reason = Field(examples=["需要等待鉴定结果"])
    parties_consent: bool = Field(description="must be true", examples=[True])
    extended_at: BusinessTime = None

    def command(self, case_id: UUID, actor: Actor, expected_version: int | None) -> ExtendDeadline:
        return ExtendDeadline(
            case_id,
            actor=actor,
            expected_version=expected_version,
            new_due_at=self.new_due_at,
            reason=self.reason,
            parties_consent=self.parties_consent,
            extended_at=self.extended_at,
        )


class RiskRequest(Request):
    """Assess the risk that the dispute escalates (风险研判)."""

    level: RiskLevel
    reason: Reason = Field(examples=["当事人情绪激动"])
    assessed_at: BusinessTime = None

    def command(self, case_id: UUID, actor: Actor, expected_version: int | None) -> AssessRisk:
        return AssessRisk(
            case_id,
            actor=actor,
            expected_version=expected_version,
            level=self.level,
            reason=self.reason,
            assessed_at=self.assessed_at,
        )


class CorrectionRequest(Request):
    """Correct the registration (登记更正): name the fields that change, and why."""

    reason: Reason = Field(examples=["街道登记错误"])
    category: Category | None = None
    subcategory: str | None = Field(default=None, max_length=40)
    street: Name | None = Field(default=None, examples=["西山街道"])
    channel: Channel | None = None
    summary: Reason | None = None
    parties: list[PartyIn] | None = Field(default=None, min_length=2, max_length=50)
    claim_amount: Money | None = None
    corrected_at: BusinessTime = None

    @field_validator("category", "street", "channel", "summary", "parties")
    @classmethod
    def _not_null(cls, value: object) -> object:
        """Omit a field to keep it; only subcategory and claim_amount may be cleared (null)."""
        if value is None:
            raise ValueError("must not be null: omit the field to keep its value")
        return value

    def changes(self) -> dict[str, Any]:
        """The registration fields this correction names (parties as the domain's)."""
        named = {k: v for k, v in self if k in CORRECTABLE and k in self.model_fields_set}
        if "parties" in named:
            named["parties"] = _parties(named["parties"] or [])
        return named

    def command(
        self, case_id: UUID, actor: Actor, expected_version: int | None
    ) -> CorrectRegistration:
        return CorrectRegistration(
            case_id,
            actor=actor,
            expected_version=expected_version,
            reason=self.reason,
            changes=self.changes(),
            corrected_at=self.corrected_at,
        )


CORRECTABLE = frozenset(
    {"category", "subcategory", "street", "channel", "summary", "parties", "claim_amount"}
)


class AgreementIn(Request):
    """The mediation agreement (调解协议)."""

    form: AgreementForm
    amount: Money | None = None
    terms: Reason = Field(examples=["赵大海于三十日内赔偿王小明维修费1200元"])
    performance: Reason | None = Field(
        default=None,
        description="how the terms are to be performed (履行方式), printed on the agreement",
        examples=["银行转账一次性支付"],
    )
    perform_by: AwareDatetime | None = Field(
        default=None,
        description="by when (履行期限): not before resolved_at",
        examples=["2026-04-30T18:00:00+08:00"],
    )

    def value(self) -> Agreement:
        return Agreement(
            form=self.form,
            terms=self.terms,
            amount=self.amount,
            performance=self.performance,
            perform_by=self.perform_by,
        )


class ResolutionRequest(Request):
    """Close the case (结案) with its outcome."""

    outcome: Outcome
    resolved_at: BusinessTime = None
    agreement: AgreementIn | None = None
    referral: Referral | None = None
    note: Note | None = None

    def command(self, case_id: UUID, actor: Actor, expected_version: int | None) -> ResolveCase:
        return ResolveCase(
            case_id,
            actor=actor,
            expected_version=expected_version,
            outcome=self.outcome,
            resolved_at=self.resolved_at,
            agreement=None if self.agreement is None else self.agreement.value(),
            referral=self.referral,
            note=self.note,
        )


class FollowUpRequest(Request):
    """A follow-up visit on how the agreement is performed (回访)."""

    visited_at: BusinessTime = None
    fulfilment: Fulfilment
    satisfaction: int = Field(ge=1, le=5, examples=[5])
    note: Note | None = None

    def command(self, case_id: UUID, actor: Actor, expected_version: int | None) -> RecordFollowUp:
        return RecordFollowUp(
            case_id,
            actor=actor,
            expected_version=expected_version,
            fulfilment=self.fulfilment,
            satisfaction=self.satisfaction,
            visited_at=self.visited_at,
            note=self.note,
        )


class JudicialConfirmationRequest(Request):
    """The application for judicial confirmation (司法确认), later the court's ruling."""

    applied_at: BusinessTime = None
    ruling: Ruling | None = None
    ruled_at: BusinessTime = None

    def command(
        self, case_id: UUID, actor: Actor, expected_version: int | None
    ) -> RecordJudicialConfirmation:
        return RecordJudicialConfirmation(
            case_id,
            actor=actor,
            expected_version=expected_version,
            applied_at=self.applied_at,
            ruling=self.ruling,
            ruled_at=self.ruled_at,
        )


# -- answers ------------------------------------------------------------------------------


class CaseSummaryOut(BaseModel):
    """What every write answers: the case's id, number, status and new version."""

    id: UUID
    number: str = Field(examples=["2026-000123"])
    status: CaseStatus
    version: int = Field(examples=[3])


class ActorOut(BaseModel):
    id: str
    login: str = Field(examples=["zhang"])
    role: Role


class PartyOut(BaseModel):
    role: PartyRole
    name: str
    phone: str | None
    id_number: str | None


class SessionOut(BaseModel):
    held_at: TimeOut
    method: Method
    attendees: list[str]
    notes: str
    duration_minutes: int | None
    mediator: str


class AgreementOut(BaseModel):
    form: AgreementForm
    terms: str
    amount: MoneyOut
    performance: str | None = None
    perform_by: TimeOut | None = None


class DocumentOut(BaseModel):
    """A document in the case file (附卷材料); its bytes at `GET .../documents/{id}`."""

    id: UUID
    version: int = Field(description="the case's version that attached it", examples=[5])
    sha256: str = Field(description="of its bytes, as recorded in its event", examples=["9f86"])
    size: int = Field(description="bytes", examples=[482113])
    media_type: MediaType
    kind: DocumentKind
    title: str = Field(examples=["签署的调解协议书"])
    attached_at: TimeOut
    attached_by: ActorOut
    withdrawn_at: TimeOut | None
    withdrawn_by: ActorOut | None
    withdrawal_reason: str | None


class FollowUpOut(BaseModel):
    visited_at: TimeOut
    fulfilment: Fulfilment
    satisfaction: int
    note: str | None


class RepeatCaseOut(BaseModel):
    """Another case in which one of this case's parties (same phone or ID number) is a party."""

    id: UUID
    number: str = Field(examples=["2026-000045"])
    received_at: TimeOut
    status: CaseStatus


class CaseOut(BaseModel):
    """The full current state of a case, read from the event store."""

    id: UUID
    number: str = Field(examples=["2026-000123"])
    version: int
    status: CaseStatus
    category: Category
    subcategory: str | None
    street: str
    channel: Channel
    summary: str
    parties: list[PartyOut]
    claim_amount: MoneyOut
    received_at: TimeOut
    received_by: ActorOut
    organisation: str | None
    mediator: str | None
    routed_at: TimeOut | None
    due_at: TimeOut | None
    original_due_at: TimeOut | None
    extended: bool
    sessions: list[SessionOut]
    first_session_at: TimeOut | None
    risk_level: RiskLevel
    corrections: int
    outcome: Outcome | None
    resolved_at: TimeOut | None
    agreement: AgreementOut | None
    referral: Referral | None
    resolution_note: str | None
    follow_ups: list[FollowUpOut]
    judicial_applied_at: TimeOut | None
    judicial_ruling: Ruling | None
    judicial_ruled_at: TimeOut | None
    documents: list[DocumentOut] = Field(description="the case file's documents, withdrawn too")
    overdue: bool
    created_at: TimeOut
    modified_at: TimeOut


class CasePageOut(CaseOut):
    """The case's current state, with its repeat parties (重复当事人) from the board's index."""

    repeat_party: bool = Field(
        description="a party's phone or ID number is in another case received within 12 "
        "months (before or after this one)"
    )
    repeat_cases: list[RepeatCaseOut] = Field(
        description="those other cases that this reader may see, newest first"
    )


class EventOut(BaseModel):
    """One stored event: both times, who did it, what it says, and its hashes."""

    version: int
    type: str = Field(examples=["Routed"])
    recorded_at: TimeOut
    actor: ActorOut | None
    data: dict[str, Any]
    hash: str | None
    prev_hash: str | None
    position: int | None = Field(
        default=None, description="where the event is in the store (the case file gives it)"
    )


class HistoryOut(BaseModel):
    events: list[EventOut]
