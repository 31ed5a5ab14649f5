"""The steps of a demo case: each one is a call of the case aggregate's own public method.

A step carries its business time and the acting user; applying it runs every rule that an
API request would run, so a demo case can hold nothing that a mediator could not record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.case import Case
from domain.values import (
    Actor,
    Agreement,
    Fulfilment,
    Method,
    Outcome,
    Referral,
    RiskLevel,
    Ruling,
)


@dataclass(frozen=True)
class Step:
    at: datetime
    actor: Actor

    def apply(self, case: Case) -> None:
        raise NotImplementedError


@dataclass(frozen=True)
class Route(Step):
    organisation: str
    mediator: str
    due_at: datetime | None = None
    note: str | None = None

    def apply(self, case: Case) -> None:
        case.route(
            organisation=self.organisation,
            mediator=self.mediator,
            actor=self.actor,
            routed_at=self.at,
            due_at=self.due_at,
            note=self.note,
        )


@dataclass(frozen=True)
class Session(Step):
    method: Method
    attendees: tuple[str, ...]
    notes: str
    minutes: int

    def apply(self, case: Case) -> None:
        case.log_session(
            method=self.method,
            attendees=self.attendees,
            notes=self.notes,
            actor=self.actor,
            held_at=self.at,
            duration_minutes=self.minutes,
        )


@dataclass(frozen=True)
class Extend(Step):
    new_due_at: datetime
    reason: str

    def apply(self, case: Case) -> None:
        case.extend_deadline(
            new_due_at=self.new_due_at,
            reason=self.reason,
            parties_consent=True,
            actor=self.actor,
            extended_at=self.at,
        )


@dataclass(frozen=True)
class Assess(Step):
    level: RiskLevel
    reason: str

    def apply(self, case: Case) -> None:
        case.assess_risk(
            level=self.level, reason=self.reason, actor=self.actor, assessed_at=self.at
        )


@dataclass(frozen=True)
class Correct(Step):
    reason: str
    changes: tuple[tuple[str, Any], ...]

    def apply(self, case: Case) -> None:
        case.correct_registration(
            reason=self.reason, changes=dict(self.changes), actor=self.actor, corrected_at=self.at
        )


@dataclass(frozen=True)
class Resolve(Step):
    outcome: Outcome
    agreement: Agreement | None = None
    referral: Referral | None = None
    note: str | None = None

    def apply(self, case: Case) -> None:
        case.resolve(
            outcome=self.outcome,
            actor=self.actor,
            resolved_at=self.at,
            agreement=self.agreement,
            referral=self.referral,
            note=self.note,
        )


@dataclass(frozen=True)
class FollowUp(Step):
    fulfilment: Fulfilment
    satisfaction: int
    note: str

    def apply(self, case: Case) -> None:
        case.record_follow_up(
            fulfilment=self.fulfilment,
            satisfaction=self.satisfaction,
            actor=self.actor,
            visited_at=self.at,
            note=self.note,
        )


@dataclass(frozen=True)
class ApplyForConfirmation(Step):
    """司法确认申请: the parties apply to the court together."""

    def apply(self, case: Case) -> None:
        case.record_judicial_confirmation(actor=self.actor, applied_at=self.at)


@dataclass(frozen=True)
class CourtRuling(Step):
    ruling: Ruling

    def apply(self, case: Case) -> None:
        case.record_judicial_confirmation(actor=self.actor, ruling=self.ruling, ruled_at=self.at)
