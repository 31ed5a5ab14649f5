"""The case commands, one frozen dataclass each: who asks what of which case.

A command is built once (the API builds it from its request model) and handled by one path
(`CaseCommands.handle`): load the case, check that the actor reaches it and that it is at the
version they expect, `apply_to` it, save, retry a lost race. Each command's fields are the
keywords of the case's method it calls, and pass straight through; the case's method keeps
every rule. A command that needs reference data (a mediator, a known street) says so in
`check`, which runs before the case is loaded and hands back the command with what it found.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar, Protocol, Self
from uuid import UUID, uuid4

from domain.case import Case
from domain.eligibility import Standing
from domain.times import TimeBounds
from domain.values import (
    Actor,
    Agreement,
    DocumentKind,
    Fulfilment,
    MediaType,
    Method,
    Outcome,
    Referral,
    Registration,
    RiskLevel,
    Ruling,
)


class ReferenceChecks(Protocol):
    """The reference data a command may need to exist (application.reference has it)."""

    def routable(self, organisation: str, mediator: str) -> Standing:
        """The mediator named, as reference data knows them (the organisation exists)."""
        ...

    def require_street(self, street: str, field: str = "street") -> None: ...


@dataclass(frozen=True, kw_only=True)
class ReceiveCase:
    """受理登记: register and number a new dispute."""

    actor: Actor
    registration: Registration
    received_at: datetime | None = None

    deadlines: ClassVar[frozenset[str]] = frozenset()

    def check(self, reference: ReferenceChecks) -> Self:
        reference.require_street(self.registration.street)
        return self


_NOT_ARGUMENTS = frozenset({"case_id", "expected_version"})


@dataclass(frozen=True, kw_only=True)
class CaseCommand(ABC):
    """A command on an existing case: the case, who acts, and the version they expect
    (If-Match; None: whatever version the case is at)."""

    case_id: UUID = field(kw_only=False)
    actor: Actor
    expected_version: int | None = None

    deadlines: ClassVar[frozenset[str]] = frozenset()
    """The fields that are deadlines (they may lie ahead); every other time is a business
    time (it happened: not in the future)."""

    def check(self, reference: ReferenceChecks) -> Self:
        """Reference data this command needs, checked before the case is loaded: the
        command with what the case needs of it (most: the command as it is)."""
        return self

    @abstractmethod
    def apply_to(self, case: Case) -> None:
        """Call the case's method for this command (it checks the rules, then records)."""

    def arguments(self) -> dict[str, Any]:
        """The keywords of the case's method: the actor and this command's own fields."""
        return {name: value for name, value in vars(self).items() if name not in _NOT_ARGUMENTS}


@dataclass(frozen=True, kw_only=True)
class RouteCase(CaseCommand):
    """分流交办: assign (or re-assign) the case to an organisation and one of its mediators."""

    organisation: str
    mediator: str
    routed_at: datetime | None = None
    due_at: datetime | None = None
    note: str | None = None
    rule: str | None = None
    """The routing rule the system routes by (automatic routing: application/triage.py)."""
    override_reason: str | None = None
    standing: Standing | None = None
    """The mediator as reference data knows them: `check` finds it, the case judges it."""

    deadlines = frozenset({"due_at"})

    def check(self, reference: ReferenceChecks) -> Self:
        return replace(self, standing=reference.routable(self.organisation, self.mediator))

    def apply_to(self, case: Case) -> None:
        case.route(**self.arguments())


@dataclass(frozen=True, kw_only=True)
class LogSession(CaseCommand):
    """调解记录: one mediation session held."""

    method: Method
    attendees: Sequence[str]
    notes: str
    held_at: datetime | None = None
    duration_minutes: int | None = None

    def apply_to(self, case: Case) -> None:
        case.log_session(**self.arguments())


@dataclass(frozen=True, kw_only=True)
class ExtendDeadline(CaseCommand):
    """延期: once, by at most 30 days, with the parties' consent."""

    new_due_at: datetime
    reason: str
    parties_consent: bool
    extended_at: datetime | None = None

    deadlines = frozenset({"new_due_at"})

    def apply_to(self, case: Case) -> None:
        case.extend_deadline(**self.arguments())


@dataclass(frozen=True, kw_only=True)
class AssessRisk(CaseCommand):
    """风险研判: the risk that the dispute escalates."""

    level: RiskLevel
    reason: str
    assessed_at: datetime | None = None

    def apply_to(self, case: Case) -> None:
        case.assess_risk(**self.arguments())


@dataclass(frozen=True, kw_only=True)
class CorrectRegistration(CaseCommand):
    """登记更正: the registration as it should have been; the fields named change, and why."""

    reason: str
    changes: Mapping[str, Any]
    corrected_at: datetime | None = None

    def check(self, reference: ReferenceChecks) -> Self:
        if "street" in self.changes:
            reference.require_street(self.changes["street"])
        return self

    def apply_to(self, case: Case) -> None:
        case.correct_registration(**self.arguments())


@dataclass(frozen=True, kw_only=True)
class ResolveCase(CaseCommand):
    """结案: agreement, no agreement (with its referral) or withdrawn."""

    outcome: Outcome
    resolved_at: datetime | None = None
    agreement: Agreement | None = None
    referral: Referral | None = None
    note: str | None = None

    def apply_to(self, case: Case) -> None:
        case.resolve(**self.arguments())


@dataclass(frozen=True, kw_only=True)
class RecordFollowUp(CaseCommand):
    """回访: how the agreement is being performed."""

    fulfilment: Fulfilment
    satisfaction: int
    visited_at: datetime | None = None
    note: str | None = None

    def apply_to(self, case: Case) -> None:
        case.record_follow_up(**self.arguments())


@dataclass(frozen=True, kw_only=True)
class RecordJudicialConfirmation(CaseCommand):
    """司法确认: the application to the court, and later its ruling."""

    applied_at: datetime | None = None
    ruling: Ruling | None = None
    ruled_at: datetime | None = None

    def apply_to(self, case: Case) -> None:
        case.record_judicial_confirmation(**self.arguments())


@dataclass(frozen=True, kw_only=True)
class AttachDocument(CaseCommand):
    """附卷: a document added to the case file. Its bytes are stored first
    (`Documents.keep`, which gives the SHA-256, size and media type named here)."""

    sha256: str
    size: int
    media_type: MediaType
    kind: DocumentKind
    title: str
    attached_at: datetime | None = None
    document_id: UUID = field(default_factory=uuid4)

    def apply_to(self, case: Case) -> None:
        case.attach_document(**self.arguments())


@dataclass(frozen=True, kw_only=True)
class WithdrawDocument(CaseCommand):
    """撤回材料: a document marked wrong, with the reason; it stays in the case file."""

    document_id: UUID
    reason: str
    withdrawn_at: datetime | None = None

    def apply_to(self, case: Case) -> None:
        case.withdraw_document(**self.arguments())


Command = ReceiveCase | CaseCommand


def check_times(command: Command, bounds: TimeBounds, now: datetime) -> None:
    """Every time the command carries within the bounds every time obeys (domain/times.py),
    whatever the command: checked before the case is loaded, a 422 naming the field."""
    for name, value in vars(command).items():
        if isinstance(value, datetime):
            if name in command.deadlines:
                bounds.deadline(name, value, now)
            else:
                bounds.business_time(name, value, now)
