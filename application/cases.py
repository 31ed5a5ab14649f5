"""Use cases that change a case: load it, call it, save it."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import IntegrityError

from application.current import CommandCases
from application.dto import CaseSummary
from application.errors import BusyError, VersionMismatchError
from application.reference import ReferenceData
from application.store import RecordWith, TongjieStore, recorded_with
from domain.case import Case
from domain.errors import CaseNotFoundError, DomainError, NotAssignedMediatorError
from domain.numbering import CaseNumberSequence
from domain.times import business_time, utcnow
from domain.values import (
    Actor,
    Agreement,
    Fulfilment,
    Method,
    Outcome,
    Referral,
    Registration,
    RiskLevel,
    Role,
    Ruling,
)

MAX_ATTEMPTS = 64


class CaseCommands:
    def __init__(self, store: TongjieStore, reference: ReferenceData, timezone: tzinfo) -> None:
        self.store = store
        self.reference = reference
        self.timezone = timezone
        self.current = CommandCases(store)

    # -- intake ----------------------------------------------------------------------------

    def receive(
        self,
        *,
        actor: Actor,
        registration: Registration,
        received_at: datetime | None = None,
        record_with: RecordWith[CaseSummary] | None = None,
    ) -> CaseSummary:
        """Register and number a new case (受理登记)."""
        self.reference.require_street(registration.street)
        at = business_time("received_at", received_at, utcnow())
        year = at.astimezone(self.timezone).year
        for attempt in range(MAX_ATTEMPTS):
            sequence = self.store.load_or_none(CaseNumberSequence.id_for(year))
            if not isinstance(sequence, CaseNumberSequence):
                sequence = CaseNumberSequence.start(year)
            case_id = uuid4()
            number = sequence.issue(case_id)
            case = Case.receive(
                id=case_id, number=number, registration=registration, actor=actor, received_at=at
            )
            try:
                return self._save(case, record_with, sequence)
            except IntegrityError as error:
                _raise_unless_retryable(error)
                _back_off(attempt)
        raise BusyError("intake is too busy: try again")

    # -- the steps of a case ----------------------------------------------------------------

    def route(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        organisation: str,
        mediator: str,
        routed_at: datetime | None = None,
        due_at: datetime | None = None,
        note: str | None = None,
        expected_version: int | None = None,
        record_with: RecordWith[CaseSummary] | None = None,
    ) -> CaseSummary:
        self.reference.require_routable(organisation, mediator)
        return self._act(
            case_id,
            actor,
            expected_version,
            record_with,
            lambda case: case.route(
                organisation=organisation,
                mediator=mediator,
                actor=actor,
                routed_at=routed_at,
                due_at=due_at,
                note=note,
            ),
        )

    def log_session(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        method: Method,
        attendees: list[str],
        notes: str,
        held_at: datetime | None = None,
        duration_minutes: int | None = None,
        expected_version: int | None = None,
        record_with: RecordWith[CaseSummary] | None = None,
    ) -> CaseSummary:
        return self._act(
            case_id,
            actor,
            expected_version,
            record_with,
            lambda case: case.log_session(
                method=method,
                attendees=attendees,
                notes=notes,
                actor=actor,
                held_at=held_at,
                duration_minutes=duration_minutes,
            ),
        )

    def extend_deadline(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        new_due_at: datetime,
        reason: str,
        parties_consent: bool,
        extended_at: datetime | None = None,
        expected_version: int | None = None,
        record_with: RecordWith[CaseSummary] | None = None,
    ) -> CaseSummary:
        return self._act(
            case_id,
            actor,
            expected_version,
            record_with,
            lambda case: case.extend_deadline(
                new_due_at=new_due_at,
                reason=reason,
                parties_consent=parties_consent,
                actor=actor,
                extended_at=extended_at,
            ),
        )

    def assess_risk(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        level: RiskLevel,
        reason: str,
        assessed_at: datetime | None = None,
        expected_version: int | None = None,
        record_with: RecordWith[CaseSummary] | None = None,
    ) -> CaseSummary:
        return self._act(
            case_id,
            actor,
            expected_version,
            record_with,
            lambda case: case.assess_risk(
                level=level, reason=reason, actor=actor, assessed_at=assessed_at
            ),
        )

    def correct_registration(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        reason: str,
        changes: dict[str, Any],
        corrected_at: datetime | None = None,
        expected_version: int | None = None,
        record_with: RecordWith[CaseSummary] | None = None,
    ) -> CaseSummary:
        if "street" in changes:
            self.reference.require_street(changes["street"])
        return self._act(
            case_id,
            actor,
            expected_version,
            record_with,
            lambda case: case.correct_registration(
                reason=reason, changes=changes, actor=actor, corrected_at=corrected_at
            ),
        )

    def resolve(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        outcome: Outcome,
        resolved_at: datetime | None = None,
        agreement: Agreement | None = None,
        referral: Referral | None = None,
        note: str | None = None,
        expected_version: int | None = None,
        record_with: RecordWith[CaseSummary] | None = None,
    ) -> CaseSummary:
        return self._act(
            case_id,
            actor,
            expected_version,
            record_with,
            lambda case: case.resolve(
                outcome=outcome,
                actor=actor,
                resolved_at=resolved_at,
                agreement=agreement,
                referral=referral,
                note=note,
            ),
        )

    def record_follow_up(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        fulfilment: Fulfilment,
        satisfaction: int,
        visited_at: datetime | None = None,
        note: str | None = None,
        expected_version: int | None = None,
        record_with: RecordWith[CaseSummary] | None = None,
    ) -> CaseSummary:
        return self._act(
            case_id,
            actor,
            expected_version,
            record_with,
            lambda case: case.record_follow_up(
                fulfilment=fulfilment,
                satisfaction=satisfaction,
                actor=actor,
                visited_at=visited_at,
                note=note,
            ),
        )

    def record_judicial_confirmation(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        applied_at: datetime | None = None,
        ruling: Ruling | None = None,
        ruled_at: datetime | None = None,
        expected_version: int | None = None,
        record_with: RecordWith[CaseSummary] | None = None,
    ) -> CaseSummary:
        return self._act(
            case_id,
            actor,
            expected_version,
            record_with,
            lambda case: case.record_judicial_confirmation(
                actor=actor, applied_at=applied_at, ruling=ruling, ruled_at=ruled_at
            ),
        )

    # -- load, call, save -----------------------------------------------------------------

    def _act(
        self,
        case_id: UUID,
        actor: Actor,
        expected_version: int | None,
        record_with: RecordWith[CaseSummary] | None,
        command: Callable[[Case], None],
    ) -> CaseSummary:
        """Run a command on the current case; a lost race is retried on the fresh state,
        unless the caller named the version it expects (then it is a mismatch)."""
        for attempt in range(MAX_ATTEMPTS):
            try:
                with self.current.checked_out(case_id) as checkout:
                    try:
                        _judge(checkout.case, actor, expected_version, command)
                    except (DomainError, VersionMismatchError):
                        if checkout.read_now:
                            raise
                        self.current.confirm(checkout)
                        _judge(checkout.case, actor, expected_version, command)
                    return self._save(checkout.case, record_with)
            except IntegrityError as error:
                _raise_unless_retryable(error)
                if expected_version is not None:
                    fresh = self.store.load(case_id, CaseNotFoundError(case_id))
                    raise VersionMismatchError(case_id, expected_version, fresh.version) from None
                _back_off(attempt)
        raise BusyError(f"case {case_id} is too busy: try again")

    def _save(
        self, case: Case, record_with: RecordWith[CaseSummary] | None, *others: Any
    ) -> CaseSummary:
        summary = CaseSummary(case.id, case.number, case.status, case.version)
        extra = recorded_with(record_with, summary)
        recordings = self.store.save(*others, case, **extra)
        position = max(
            (r.notification.id for r in recordings if r.notification.id is not None),
            default=None,
        )
        return CaseSummary(case.id, case.number, case.status, case.version, position)


def _judge(
    case: Case, actor: Actor, expected_version: int | None, command: Callable[[Case], None]
) -> None:
    """The checks in their order (reach 403, If-Match 412, then the case's own rules)."""
    require_reach(case, actor)
    if expected_version is not None and case.version != expected_version:
        raise VersionMismatchError(case.id, expected_version, case.version)
    command(case)


def require_reach(case: Case, actor: Actor) -> None:
    """A mediator acts only on a case they can read: routed to them, or received by them and
    not routed yet. Checked before the case's state, so such a case answers 403, never 409."""
    if actor.role is not Role.MEDIATOR:
        return
    if case.mediator is not None:
        reached = case.mediator == actor.mediator
    else:
        reached = case.received_by.id == actor.id
    if not reached:
        raise NotAssignedMediatorError(case.id, actor.login)


def _raise_unless_retryable(error: IntegrityError) -> None:
    """A conflict on a case's version is retried; any other integrity error is not."""
    if getattr(error, "retryable", True) is False:
        raise error


def _back_off(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.002 * (attempt + 1), 0.05)))
