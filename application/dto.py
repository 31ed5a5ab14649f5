"""Plain data the use cases return: never an aggregate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.case import Case
from domain.values import (
    Absence,
    Actor,
    Agreement,
    CaseStatus,
    Document,
    FollowUp,
    Outcome,
    Referral,
    Registration,
    RiskLevel,
    Ruling,
    Session,
)


@dataclass(frozen=True)
class CaseSummary:
    """What a write answers: the case's id, number, status and new version; where its last
    event is in the store, and the names of the case's events it recorded."""

    id: UUID
    number: str
    status: CaseStatus
    version: int
    position: int | None = None
    recorded: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseDetails:
    """The full current state of a case."""

    id: UUID
    number: str
    version: int
    status: CaseStatus
    registration: Registration
    received_at: datetime
    received_by: Actor
    organisation: str | None
    mediator: str | None
    routed_at: datetime | None
    due_at: datetime | None
    original_due_at: datetime | None
    extended: bool
    sessions: tuple[Session, ...]
    first_session_at: datetime | None
    risk_level: RiskLevel
    corrections: int
    outcome: Outcome | None
    resolved_at: datetime | None
    agreement: Agreement | None
    referral: Referral | None
    resolution_note: str | None
    follow_ups: tuple[FollowUp, ...]
    judicial_applied_at: datetime | None
    judicial_ruling: Ruling | None
    judicial_ruled_at: datetime | None
    documents: tuple[Document, ...]
    overdue: bool
    created_at: datetime
    modified_at: datetime

    @classmethod
    def of(cls, case: Case, now: datetime) -> CaseDetails:
        return cls(
            id=case.id,
            number=case.number,
            version=case.version,
            status=case.status,
            registration=case.registration,
            received_at=case.received_at,
            received_by=case.received_by,
            organisation=case.organisation,
            mediator=case.mediator,
            routed_at=case.routed_at,
            due_at=case.due_at,
            original_due_at=case.original_due_at,
            extended=case.extended,
            sessions=case.sessions,
            first_session_at=case.first_session_at,
            risk_level=case.risk_level,
            corrections=case.corrections,
            outcome=case.outcome,
            resolved_at=case.resolved_at,
            agreement=case.agreement,
            referral=case.referral,
            resolution_note=case.resolution_note,
            follow_ups=case.follow_ups,
            judicial_applied_at=case.judicial_applied_at,
            judicial_ruling=case.judicial_ruling,
            judicial_ruled_at=case.judicial_ruled_at,
            documents=case.documents,
            overdue=case.is_overdue(now),
            created_at=case.created_on,
            modified_at=case.modified_on,
        )


@dataclass(frozen=True)
class EventRecord:
    """One stored event of a case, as an auditor reads it."""

    version: int
    type: str
    recorded_at: datetime
    actor: Actor | None
    data: dict[str, Any]
    hash: str | None = None
    prev_hash: str | None = None
    position: int | None = None  # where it is in the store (the audit's reads know it)


@dataclass(frozen=True)
class OrganisationInfo:
    code: str
    name: str
    kind: str
    street: str


@dataclass(frozen=True)
class MediatorInfo:
    code: str
    name: str
    organisation: str
    active: bool
    categories: tuple[str, ...] = ()
    """The categories of dispute they take."""
    absences: tuple[Absence, ...] = ()
    """The periods they are away, in the order recorded."""


@dataclass(frozen=True)
class UserInfo:
    login: str
    name: str
    role: str
    mediator: str | None
    revoked: bool
    created_at: datetime
    last_used_at: datetime | None = None


@dataclass(frozen=True)
class IssuedToken:
    """A token shown once: only its hash is stored."""

    user: UserInfo
    token: str = field(repr=False)


MONEY_QUANTUM = Decimal("0.01")
