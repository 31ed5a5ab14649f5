"""The mediation case (人民调解案件): one event-sourced aggregate, its events and its rules.

Public methods check every rule and compute times and defaults once, then trigger an event.
Each event's `apply` only assigns state, because it runs again at every replay.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.documents import SHA256_HEX, check_size
from domain.eligibility import Standing, ineligibility
from domain.errors import (
    CaseResolvedError,
    ClosedCaseCorrectionError,
    DeadlineFixedError,
    DeadlineTooLateError,
    DocumentNotFoundError,
    DocumentWithdrawnError,
    ExtensionTooLongError,
    IneligibleMediatorError,
    InvalidValueError,
    JudicialConfirmationStateError,
    JudicialConfirmationTooLateError,
    NoAgreementError,
    NotAssignedMediatorError,
    OralAgreementError,
    RoleNotAllowedError,
    SecondExtensionError,
    TimeOrderError,
    WrongStateError,
)
from domain.reach import reaches
from domain.registration import check_registration
from domain.snapshots import TupleSnapshot
from domain.text import blank
from domain.times import (
    JUDICIAL_CONFIRMATION_PERIOD,
    MAX_EXTENSION,
    MEDIATION_PERIOD,
    aware,
    business_time,
    utcnow,
    within_horizon,
)
from domain.values import (
    Actor,
    Agreement,
    AgreementForm,
    CaseStatus,
    Document,
    DocumentKind,
    FollowUp,
    Fulfilment,
    Ineligibility,
    MediaType,
    Method,
    Outcome,
    Referral,
    Registration,
    RiskLevel,
    Role,
    Ruling,
    Session,
)

OPEN = (CaseStatus.RECEIVED, CaseStatus.ROUTED, CaseStatus.IN_MEDIATION)
CORRECTABLE_WHEN_RESOLVED = frozenset({"category", "subcategory", "street", "channel", "parties"})
"""What a supervisor may correct in a resolved case's registration: which dispute it was and
where, never the summary or the amount claimed (what the mediation was about)."""
PERFORMANCE_HORIZON = timedelta(days=3653)
"""The latest an agreement may be performed by: ten years after it (payments by instalments)."""
ASSIGNED = (CaseStatus.ROUTED, CaseStatus.IN_MEDIATION)
_IN_MEDIATION = CaseStatus.IN_MEDIATION

T = TypeVar("T")


def _appended(history: tuple[T, ...], item: T) -> tuple[T, ...]:
    """`history` with `item` at its end. A case holds its histories as tuples; a replay
    (`CaseReplay`) holds them as lists while it folds, and they grow in place."""
    if isinstance(history, list):
        history.append(item)
        return cast("tuple[T, ...]", history)
    return (*history, item)


class Case(Aggregate):
    """A dispute from intake (受理) to resolution (结案) and follow-up (回访)."""

    Snapshot = TupleSnapshot
    documents: tuple[Document, ...] = ()
    """The case file's documents; a class default too, for a case restored from a snapshot
    taken before documents existed."""

    class Received(Aggregate.Created):
        """受理登记: the case is registered and numbered."""

        number: str
        registration: Registration
        received_at: datetime
        actor: Actor

    class Routed(Aggregate.Event):
        """分流交办: assigned (or re-assigned) to an organisation and a mediator."""

        organisation: str
        mediator: str
        routed_at: datetime
        due_at: datetime
        note: str | None
        actor: Actor
        rule: str | None = None
        """The routing rule that chose the organisation, when the system routed the case
        (events recorded before automatic routing have none)."""
        override_reason: str | None = None
        """Why the supervisor routed to a mediator who could not take the case."""
        overridden: Ineligibility | None = None
        """What the override set aside (domain/eligibility.py); None: nothing."""

        def apply(self, aggregate: Any) -> None:
            case: Case = aggregate
            case.organisation = self.organisation
            case.mediator = self.mediator
            case.routed_at = self.routed_at
            if case.first_routed_at is None:
                case.first_routed_at = self.routed_at
            # Since the deadline holds, a re-routing carries the deadline the case has; cases
            # recorded before could move it at a re-routing, and replay as they were recorded.
            if case.due_at != self.due_at:
                case.original_due_at = self.due_at
            case.due_at = self.due_at
            if case.status is CaseStatus.RECEIVED:
                case.status = CaseStatus.ROUTED

    class Mediated(Aggregate.Event):
        """调解记录: one mediation session held and recorded."""

        held_at: datetime
        method: Method
        attendees: tuple[str, ...]
        notes: str
        duration_minutes: int | None
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            case: Case = aggregate
            case.sessions = _appended(
                case.sessions,
                Session(
                    held_at=self.held_at,
                    method=self.method,
                    attendees=tuple(self.attendees),
                    notes=self.notes,
                    duration_minutes=self.duration_minutes,
                    mediator=self.actor.mediator or self.actor.login,
                ),
            )
            case.status = _IN_MEDIATION  # an enum's member read from its class costs more

    class DeadlineExtended(Aggregate.Event):
        """延期: once, by at most 30 days, with the parties' consent."""

        new_due_at: datetime
        reason: str
        parties_consent: bool
        extended_at: datetime
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            case: Case = aggregate
            case.due_at = self.new_due_at
            case.extended = True

    class RiskAssessed(Aggregate.Event):
        """风险研判: the risk that the dispute escalates."""

        level: RiskLevel
        reason: str
        assessed_at: datetime
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            case: Case = aggregate
            case.risk_level = self.level

    class RegistrationCorrected(Aggregate.Event):
        """登记更正: the registration as it should have been; views follow it."""

        reason: str
        registration: Registration
        corrected_at: datetime
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            case: Case = aggregate
            case.registration = self.registration
            case.corrections += 1

    class Resolved(Aggregate.Event):
        """结案: agreement, no agreement (with a referral) or withdrawn."""

        outcome: Outcome
        resolved_at: datetime
        agreement: Agreement | None
        referral: Referral | None
        note: str | None
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            case: Case = aggregate
            case.status = CaseStatus.RESOLVED
            case.outcome = self.outcome
            case.resolved_at = self.resolved_at
            case.agreement = self.agreement
            case.referral = self.referral
            case.resolution_note = self.note

    class FollowUpRecorded(Aggregate.Event):
        """回访: how the agreement is being performed."""

        visited_at: datetime
        fulfilment: Fulfilment
        satisfaction: int
        note: str | None
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            case: Case = aggregate
            case.follow_ups = _appended(
                case.follow_ups,
                FollowUp(self.visited_at, self.fulfilment, self.satisfaction, self.note),
            )

    class JudicialConfirmationRecorded(Aggregate.Event):
        """司法确认: the application to the court, and later its ruling."""

        applied_at: datetime
        ruling: Ruling | None
        ruled_at: datetime | None
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            case: Case = aggregate
            case.judicial_applied_at = self.applied_at
            case.judicial_ruling = self.ruling
            case.judicial_ruled_at = self.ruled_at

    class DocumentAttached(Aggregate.Event):
        """附卷: a document added to the case file; its bytes were stored before, by SHA-256."""

        document_id: UUID
        sha256: str
        size: int
        media_type: MediaType
        kind: DocumentKind
        title: str
        attached_at: datetime
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            case: Case = aggregate
            document = Document(
                id=self.document_id,
                version=self.originator_version,
                sha256=self.sha256,
                size=self.size,
                media_type=self.media_type,
                kind=self.kind,
                title=self.title,
                attached_at=self.attached_at,
                attached_by=self.actor,
            )
            case.documents = (*case.documents, document)

    class DocumentWithdrawn(Aggregate.Event):
        """撤回材料: a document marked wrong, with the reason; it stays in the file."""

        document_id: UUID
        reason: str
        withdrawn_at: datetime
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            case: Case = aggregate
            case.documents = tuple(
                replace(
                    d,
                    withdrawn_at=self.withdrawn_at,
                    withdrawn_by=self.actor,
                    withdrawal_reason=self.reason,
                )
                if d.id == self.document_id
                else d
                for d in case.documents
            )

    def __init__(
        self, number: str, registration: Registration, received_at: datetime, actor: Actor
    ) -> None:
        self.number = number
        self.registration = registration
        self.received_at = received_at
        self.received_by = actor
        self.status = CaseStatus.RECEIVED
        self.organisation: str | None = None
        self.mediator: str | None = None
        self.routed_at: datetime | None = None
        self.first_routed_at: datetime | None = None
        self.due_at: datetime | None = None
        self.original_due_at: datetime | None = None
        self.extended = False
        self.sessions: tuple[Session, ...] = ()
        self.risk_level = RiskLevel.NONE
        self.corrections = 0
        self.outcome: Outcome | None = None
        self.resolved_at: datetime | None = None
        self.agreement: Agreement | None = None
        self.referral: Referral | None = None
        self.resolution_note: str | None = None
        self.follow_ups: tuple[FollowUp, ...] = ()
        self.judicial_applied_at: datetime | None = None
        self.judicial_ruling: Ruling | None = None
        self.judicial_ruled_at: datetime | None = None
        self.documents = ()

    # -- intake --------------------------------------------------------------------------

    @classmethod
    def receive(
        cls,
        *,
        id: UUID,
        number: str,
        registration: Registration,
        actor: Actor,
        received_at: datetime | None = None,
    ) -> Case:
        """Register a new dispute (受理). Mediators and supervisors receive cases."""
        if actor.role not in (Role.MEDIATOR, Role.SUPERVISOR):
            raise RoleNotAllowedError(actor.login, actor.role, "receive a case")
        check_registration(registration)
        at = business_time("received_at", received_at, utcnow())
        return cls._create(
            cls.Received,
            id=id,
            number=number,
            registration=registration,
            received_at=at,
            actor=actor,
        )

    # -- routing ---------------------------------------------------------------------------

    def route(
        self,
        *,
        organisation: str,
        mediator: str,
        actor: Actor,
        routed_at: datetime | None = None,
        due_at: datetime | None = None,
        note: str | None = None,
        rule: str | None = None,
        override_reason: str | None = None,
        standing: Standing | None = None,
    ) -> None:
        """Assign the case to an organisation and a mediator (分流交办); a supervisor's act,
        or the system's by a routing `rule` (automatic routing).

        The caller has checked that both exist. `standing` is the mediator as reference data
        knows them: whether they can take the case is judged here (domain/eligibility.py),
        and a reason that may be overridden is, when the supervisor gives `override_reason`.
        None only where the caller has judged the records itself (the demo's bulk load).
        """
        self._require_state("route", OPEN)
        if actor.role is not (Role.SYSTEM if rule is not None else Role.SUPERVISOR):
            raise RoleNotAllowedError(actor.login, actor.role, "route a case")
        if override_reason is not None and blank(override_reason):
            raise InvalidValueError("override_reason", "must not be empty")
        at = business_time("routed_at", routed_at, utcnow())
        overridden = self._overridden(standing, organisation, at, override_reason)
        self._not_before("routed_at", at, self.received_at, self.routed_at)
        due = self._deadline(at, due_at)
        self.trigger_event(
            self.Routed,
            organisation=organisation,
            mediator=mediator,
            routed_at=at,
            due_at=due,
            note=note,
            actor=actor,
            rule=rule,
            override_reason=override_reason,
            overridden=overridden,
        )

    def _overridden(
        self,
        standing: Standing | None,
        organisation: str,
        at: datetime,
        override_reason: str | None,
    ) -> Ineligibility | None:
        """What the routing overrides (None: nothing), or the error if it may not."""
        if standing is None:
            return None
        reason = ineligibility(standing, organisation, self.registration.category, at)
        if reason is None:
            return None
        if override_reason is None or not reason.overridable:
            raise IneligibleMediatorError(
                reason.code, reason.template, reason.times, overridable=reason.overridable
            )
        return reason.code

    def _deadline(self, routed_at: datetime, due_at: datetime | None) -> datetime:
        """The deadline is set once, at the first routing: 30 days after it, or earlier if
        the supervisor says so. A re-routing keeps it; only the extension moves it."""
        if self.due_at is not None:
            if due_at is not None and aware("due_at", due_at) != self.due_at:
                raise DeadlineFixedError(self.id, self.due_at)
            return self.due_at
        latest = routed_at + MEDIATION_PERIOD
        if due_at is None:
            return latest
        due = aware("due_at", due_at)
        self._not_before("due_at", due, routed_at)
        if due > latest:
            raise DeadlineTooLateError(latest)
        return due

    # -- mediation -------------------------------------------------------------------------

    def log_session(
        self,
        *,
        method: Method,
        attendees: Sequence[str],
        notes: str,
        actor: Actor,
        held_at: datetime | None = None,
        duration_minutes: int | None = None,
    ) -> None:
        """Record one mediation session; only the assigned mediator does."""
        self._require_state("log a session on", ASSIGNED)
        self._require_assigned(actor)
        if blank(notes):
            raise InvalidValueError("notes", "must not be empty")
        if duration_minutes is not None and duration_minutes <= 0:
            raise InvalidValueError("duration_minutes", "must be positive")
        at = business_time("held_at", held_at, utcnow())
        self._not_before("held_at", at, self.routed_at)
        self.trigger_event(
            self.Mediated,
            held_at=at,
            method=method,
            attendees=tuple(attendees),
            notes=notes,
            duration_minutes=duration_minutes,
            actor=actor,
        )

    def extend_deadline(
        self,
        *,
        new_due_at: datetime,
        reason: str,
        parties_consent: bool,
        actor: Actor,
        extended_at: datetime | None = None,
    ) -> None:
        """Extend the deadline once, by at most 30 days, with the parties' consent (延期)."""
        self._require_state("extend the deadline of", ASSIGNED)
        self._require_assigned_or_supervisor(actor)
        if parties_consent is not True:
            raise InvalidValueError("parties_consent", "the parties must consent (true)")
        if blank(reason):
            raise InvalidValueError("reason", "must not be empty")
        new_due = aware("new_due_at", new_due_at)
        at = business_time("extended_at", extended_at, utcnow())
        self._not_before("extended_at", at, self.routed_at)
        if self.extended:
            raise SecondExtensionError(self.id)
        assert self.due_at is not None
        assert self.original_due_at is not None
        self._not_before("new_due_at", new_due, self.due_at)
        assert self.routed_at is not None
        within_horizon("new_due_at", new_due, self.routed_at)
        latest = self.original_due_at + MAX_EXTENSION
        if new_due > latest:
            raise ExtensionTooLongError(self.id, latest)
        self.trigger_event(
            self.DeadlineExtended,
            new_due_at=new_due,
            reason=reason,
            parties_consent=True,
            extended_at=at,
            actor=actor,
        )

    def assess_risk(
        self,
        *,
        level: RiskLevel,
        reason: str,
        actor: Actor,
        assessed_at: datetime | None = None,
    ) -> None:
        """Record the risk that the dispute escalates (风险研判)."""
        self._require_state("assess the risk of", OPEN)
        self._require_handler(actor)
        if blank(reason):
            raise InvalidValueError("reason", "must not be empty")
        at = business_time("assessed_at", assessed_at, utcnow())
        self._not_before("assessed_at", at, self.received_at)
        self.trigger_event(
            self.RiskAssessed, level=level, reason=reason, assessed_at=at, actor=actor
        )

    def correct_registration(
        self,
        *,
        reason: str,
        changes: Mapping[str, Any],
        actor: Actor,
        corrected_at: datetime | None = None,
    ) -> None:
        """Correct the registration (登记更正); `changes` names the fields that change.

        An open case: by its handler. A resolved case: by a supervisor, and only what says
        which dispute it was and where (category, subcategory, street, channel, parties), never
        what was claimed or agreed; the figures follow, the history keeps what it was.
        """
        if self.status is CaseStatus.RESOLVED:
            self._require_closed_correction(actor, changes)
        else:
            self._require_handler(actor)
        if blank(reason):
            raise InvalidValueError("reason", "must not be empty")
        if not changes:
            raise InvalidValueError("category", "name at least one field to correct")
        corrected = replace(self.registration, **changes)
        check_registration(corrected)
        at = business_time("corrected_at", corrected_at, utcnow())
        self._not_before("corrected_at", at, self.received_at)
        self.trigger_event(
            self.RegistrationCorrected,
            reason=reason,
            registration=corrected,
            corrected_at=at,
            actor=actor,
        )

    # -- resolution and after ------------------------------------------------------------

    def resolve(
        self,
        *,
        outcome: Outcome,
        actor: Actor,
        resolved_at: datetime | None = None,
        agreement: Agreement | None = None,
        referral: Referral | None = None,
        note: str | None = None,
    ) -> None:
        """Close the case (结案) with its outcome; a case resolves once."""
        _check_outcome_fields(outcome, agreement, referral)
        if outcome is Outcome.WITHDRAWN:
            self._require_state("withdraw", OPEN)
            self._require_handler(actor)
        else:
            self._require_state(f"resolve with {outcome.value}", (CaseStatus.IN_MEDIATION,))
            self._require_assigned(actor)
        at = business_time("resolved_at", resolved_at, utcnow())
        if agreement is not None and agreement.perform_by is not None:
            perform_by = aware("agreement.perform_by", agreement.perform_by)
            if perform_by < at:
                raise InvalidValueError("agreement.perform_by", "must not be before resolved_at")
            if perform_by > at + PERFORMANCE_HORIZON:
                raise InvalidValueError(
                    "agreement.perform_by", "must be at most 10 years after resolved_at"
                )
        last_session = max((s.held_at for s in self.sessions), default=None)
        self._not_before("resolved_at", at, self.received_at, self.routed_at, last_session)
        self.trigger_event(
            self.Resolved,
            outcome=outcome,
            resolved_at=at,
            agreement=agreement,
            referral=referral,
            note=note,
            actor=actor,
        )

    def record_follow_up(
        self,
        *,
        fulfilment: Fulfilment,
        satisfaction: int,
        actor: Actor,
        visited_at: datetime | None = None,
        note: str | None = None,
    ) -> None:
        """Record a follow-up visit (回访) on an agreement."""
        if not 1 <= satisfaction <= 5:
            raise InvalidValueError("satisfaction", "must be between 1 and 5")
        self._require_agreement("record a follow-up")
        self._require_assigned(actor)
        at = business_time("visited_at", visited_at, utcnow())
        self._not_before("visited_at", at, self.resolved_at)
        self.trigger_event(
            self.FollowUpRecorded,
            visited_at=at,
            fulfilment=fulfilment,
            satisfaction=satisfaction,
            note=note,
            actor=actor,
        )

    def record_judicial_confirmation(
        self,
        *,
        actor: Actor,
        applied_at: datetime | None = None,
        ruling: Ruling | None = None,
        ruled_at: datetime | None = None,
    ) -> None:
        """Record the application for judicial confirmation (司法确认), then the court's ruling."""
        self._require_agreement("record a judicial confirmation")
        assert self.agreement is not None
        assert self.resolved_at is not None
        if self.agreement.form is not AgreementForm.WRITTEN:
            raise OralAgreementError(self.id)
        self._require_assigned(actor)
        now = utcnow()
        if self.judicial_ruling is not None:
            raise JudicialConfirmationStateError(self.id, "the court has ruled already")
        if self.judicial_applied_at is None:
            applied = business_time("applied_at", applied_at, now)
            self._not_before("applied_at", applied, self.resolved_at)
            if applied > self.resolved_at + JUDICIAL_CONFIRMATION_PERIOD:
                raise JudicialConfirmationTooLateError(self.id)
        else:
            if ruling is None:
                raise JudicialConfirmationStateError(
                    self.id, "applied for already: record the court's ruling"
                )
            applied = self.judicial_applied_at
        ruled: datetime | None = None
        if ruling is not None:
            ruled = business_time("ruled_at", ruled_at, now)
            self._not_before("ruled_at", ruled, applied)
        elif ruled_at is not None:
            raise InvalidValueError("ruling", "ruled_at needs the ruling")
        self.trigger_event(
            self.JudicialConfirmationRecorded,
            applied_at=applied,
            ruling=ruling,
            ruled_at=ruled,
            actor=actor,
        )

    # -- the case file's documents --------------------------------------------------------

    def attach_document(
        self,
        *,
        document_id: UUID,
        sha256: str,
        size: int,
        media_type: MediaType,
        kind: DocumentKind,
        title: str,
        actor: Actor,
        attached_at: datetime | None = None,
    ) -> None:
        """Add a document to the case file (附卷), in any state; by whoever may write the case.

        Its bytes are stored before (by their SHA-256), so the event never names missing bytes.
        """
        self._require_writer(actor, "attach a document")
        if blank(title):
            raise InvalidValueError("title", "must not be empty")
        if not SHA256_HEX.match(sha256):
            raise InvalidValueError("file", "its SHA-256 must be 64 lowercase hex digits")
        check_size(size)
        if any(d.id == document_id for d in self.documents):
            raise InvalidValueError("document_id", f"document {document_id} exists already")
        at = business_time("attached_at", attached_at, utcnow())
        self._not_before("attached_at", at, self.received_at)
        self.trigger_event(
            self.DocumentAttached,
            document_id=document_id,
            sha256=sha256,
            size=size,
            media_type=media_type,
            kind=kind,
            title=title,
            attached_at=at,
            actor=actor,
        )

    def withdraw_document(
        self,
        *,
        document_id: UUID,
        reason: str,
        actor: Actor,
        withdrawn_at: datetime | None = None,
    ) -> None:
        """Mark a document wrong (撤回材料), with the reason: it is never deleted or replaced."""
        self._require_writer(actor, "withdraw a document")
        if blank(reason):
            raise InvalidValueError("reason", "must not be empty")
        document = self.document(document_id)
        if document.withdrawn:
            raise DocumentWithdrawnError(self.id, document_id)
        at = business_time("withdrawn_at", withdrawn_at, utcnow())
        self._not_before("withdrawn_at", at, document.attached_at)
        self.trigger_event(
            self.DocumentWithdrawn,
            document_id=document_id,
            reason=reason,
            withdrawn_at=at,
            actor=actor,
        )

    def document(self, document_id: UUID) -> Document:
        for document in self.documents:
            if document.id == document_id:
                return document
        raise DocumentNotFoundError(self.id, document_id)

    # -- derived ----------------------------------------------------------------------------

    @property
    def first_session_at(self) -> datetime | None:
        return min((s.held_at for s in self.sessions), default=None)

    def is_overdue(self, now: datetime) -> bool:
        return (
            self.status is not CaseStatus.RESOLVED
            and self.due_at is not None
            and (self.due_at < now)
        )

    # -- rules shared by the commands ------------------------------------------------------

    def _require_state(self, command: str, allowed: tuple[CaseStatus, ...]) -> None:
        if self.status in allowed:
            return
        if self.status is CaseStatus.RESOLVED:
            raise CaseResolvedError(self.id, command)
        raise WrongStateError(self.id, command, self.status.value)

    def _require_agreement(self, command: str) -> None:
        if self.status is not CaseStatus.RESOLVED:
            raise WrongStateError(self.id, command, self.status.value)
        if self.outcome is not Outcome.AGREEMENT:
            raise NoAgreementError(self.id, command)

    def _require_assigned(self, actor: Actor) -> None:
        """The case's assigned mediator, and only them."""
        if not (
            actor.role is Role.MEDIATOR
            and self.mediator is not None
            and actor.mediator == self.mediator
        ):
            raise NotAssignedMediatorError(self.id, actor.login)

    def _require_assigned_or_supervisor(self, actor: Actor) -> None:
        if actor.role is not Role.SUPERVISOR:
            self._require_assigned(actor)

    def _require_closed_correction(self, actor: Actor, changes: Mapping[str, Any]) -> None:
        if actor.role is not Role.SUPERVISOR:
            raise ClosedCaseCorrectionError(
                self.id, "only a supervisor corrects the registration of a resolved case"
            )
        kept = sorted(set(changes) - CORRECTABLE_WHEN_RESOLVED)
        if kept:
            raise ClosedCaseCorrectionError(
                self.id,
                f"a resolved case keeps its {' and '.join(kept)}: correct its category, "
                "subcategory, street, channel or parties",
            )

    def _require_handler(self, actor: Actor) -> None:
        """A supervisor, or a mediator who reaches the case (its assigned mediator; before
        routing, the one who received it)."""
        if actor.role is Role.SUPERVISOR:
            return
        if actor.role is not Role.MEDIATOR or not reaches(actor, self.mediator, self.received_by):
            raise NotAssignedMediatorError(self.id, actor.login)

    def _require_writer(self, actor: Actor, command: str) -> None:
        """Whoever may write the case: a supervisor, or a mediator who reaches it."""
        if actor.role not in (Role.MEDIATOR, Role.SUPERVISOR):
            raise RoleNotAllowedError(actor.login, actor.role, command)
        self._require_handler(actor)

    def _not_before(self, field: str, at: datetime, *earlier: datetime | None) -> None:
        bound = max((t for t in earlier if t is not None), default=None)
        if bound is not None and at < bound:
            raise TimeOrderError(self.id, field, bound)


class CaseReplay:
    """Folds a case's events from the first, as the library's `event.mutate(case)` does, in
    time linear in the events.

    A case's histories are tuples, and each event that adds to one makes a new tuple: a replay
    of a case with a thousand sessions would copy half a million items. While folding, the
    histories are lists that the events' `apply` extend in place (`_appended`); `case()` hands
    the case back holding tuples again, as a case does.
    """

    HISTORIES = ("sessions", "follow_ups")

    def __init__(self) -> None:
        self._case: Case | None = None

    def apply(self, event: Aggregate.Event) -> None:
        """Apply the next event; raises as `event.mutate` does (a gap, another case...)."""
        case = self._case
        if case is None:
            self._created(event)
        elif (
            event.originator_version == case._version + 1
            and (event.originator_id is case._id or event.originator_id == case._id)
            and type(event).mutate is _MUTATE
        ):
            # What the library's `mutate` does once its checks pass, without its calls through
            # the aggregate's properties: a long case folds a thousand events.
            event.apply(case)
            case._version = event.originator_version
            case._modified_on = event.timestamp
        else:  # the library's error (a gap, another case), or an event with its own mutate
            self._case = _a_case(event, event.mutate(case))

    def _created(self, event: Aggregate.Event) -> None:
        case = self._case = _a_case(event, event.mutate(None))
        state = vars(case)
        for name in self.HISTORIES:
            state[name] = list(state[name])

    def case(self) -> Case | None:
        """The case folded so far (None before its first event), holding tuples."""
        case = self._case
        if case is not None:
            state = vars(case)
            for name in self.HISTORIES:
                if isinstance(state[name], list):
                    state[name] = tuple(state[name])
        return case


_MUTATE = Aggregate.Event.mutate


def _a_case(event: Aggregate.Event, mutated: Any) -> Case:
    if not isinstance(mutated, Case):
        raise TypeError(f"{type(event).__name__} does not make a case")
    return mutated


def replayed(events: Iterable[Aggregate.Event]) -> Case | None:
    """The case its events make, applied from the first (no snapshot); see `CaseReplay`."""
    replay = CaseReplay()
    for event in events:
        replay.apply(event)
    return replay.case()


def _check_outcome_fields(
    outcome: Outcome, agreement: Agreement | None, referral: Referral | None
) -> None:
    if outcome is Outcome.AGREEMENT:
        if agreement is None:
            raise InvalidValueError("agreement", "an agreement needs its form and terms")
        if blank(agreement.terms):
            raise InvalidValueError("agreement.terms", "must not be empty")
        if agreement.amount is not None and agreement.amount < Decimal(0):
            raise InvalidValueError("agreement.amount", "must not be negative")
        if agreement.performance is not None and blank(agreement.performance):
            raise InvalidValueError("agreement.performance", "must not be blank when given")
    elif agreement is not None:
        raise InvalidValueError("agreement", f"only an agreement has one, not {outcome.value}")
    if outcome is Outcome.NO_AGREEMENT and referral is None:
        raise InvalidValueError("referral", "a mediation without agreement names its referral")
    if outcome is not Outcome.NO_AGREEMENT and referral is not None:
        raise InvalidValueError(
            "referral", f"only no_agreement has a referral, not {outcome.value}"
        )
