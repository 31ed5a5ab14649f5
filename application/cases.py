"""The one path every case command takes: load the case, judge, call it, save, retry a lost race."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import tzinfo
from typing import Concatenate, ParamSpec
from uuid import uuid4

from eventsourcing.domain import Aggregate

from application.commands import (
    AssessRisk,
    CaseCommand,
    Command,
    CorrectRegistration,
    ExtendDeadline,
    LogSession,
    ReceiveCase,
    RecordFollowUp,
    RecordJudicialConfirmation,
    ResolveCase,
    RouteCase,
    check_times,
)
from application.current import CommandCases
from application.dto import CaseSummary
from application.errors import BusyError, VersionMismatchError
from application.ports import VersionConflictError, WriteConditions, WriteWitness
from application.reference import ReferenceData
from application.store import TongjieStore
from application.triage import Triage
from domain.case import Case
from domain.errors import CaseNotFoundError, DomainError, NotAssignedMediatorError
from domain.numbering import CaseNumberSequence
from domain.reach import reaches
from domain.times import TimeBounds, business_time, utcnow

MAX_ATTEMPTS = 64

P = ParamSpec("P")


def _keywords(
    command: Callable[P, Command],
) -> Callable[Concatenate[CaseCommands, P], CaseSummary]:
    """The command's keyword form, `cases.route(case_id, actor=..., ...)`, for Python callers
    (tests, benchmarks): the command built from its fields, and handled; typed as the command.
    A convenience: a new command needs none (`cases.handle(NewCommand(...))`)."""

    def handled(self: CaseCommands, /, *args: P.args, **kwargs: P.kwargs) -> CaseSummary:
        return self.handle(command(*args, **kwargs))

    handled.__doc__ = command.__doc__
    return handled


class CaseCommands:
    def __init__(
        self,
        store: TongjieStore,
        reference: ReferenceData,
        timezone: tzinfo,
        witness: WriteWitness | None = None,
        auto_routing: Triage | None = None,
    ) -> None:
        """`auto_routing`: the triage that routes each new case a rule matches (else off)."""
        self.store = store
        self.auto_routing = auto_routing
        self.reference = reference
        self.timezone = timezone
        self.bounds = TimeBounds(timezone)
        self.current = CommandCases(store, witness)

    def handle(
        self, command: Command, conditions: WriteConditions[CaseSummary] | None = None
    ) -> CaseSummary:
        """Run `command`, stored under `conditions`. A lost race is run again on the fresh
        case, unless the command names the version it expects (then it is a mismatch)."""
        conditions = conditions or WriteConditions()
        check_times(command, self.bounds, utcnow())
        command = command.check(self.reference)
        if isinstance(command, ReceiveCase):
            return self._receive(command, conditions)
        case_id = command.case_id
        for attempt in range(MAX_ATTEMPTS):
            try:
                with self.current.checked_out(case_id) as checkout:
                    try:
                        _judge(checkout.case, command)
                    except (DomainError, VersionMismatchError):
                        if checkout.read_now:
                            raise
                        self.current.confirm(checkout)
                        _judge(checkout.case, command)
                    return self._save(checkout.case, conditions)
            except VersionConflictError:
                if command.expected_version is not None:
                    fresh = self.store.load(case_id, CaseNotFoundError(case_id))
                    raise VersionMismatchError(
                        case_id, command.expected_version, fresh.version
                    ) from None
                _back_off(attempt)
        raise BusyError(f"case {case_id} is too busy: try again")

    receive = _keywords(ReceiveCase)
    route = _keywords(RouteCase)
    log_session = _keywords(LogSession)
    extend_deadline = _keywords(ExtendDeadline)
    assess_risk = _keywords(AssessRisk)
    correct_registration = _keywords(CorrectRegistration)
    resolve = _keywords(ResolveCase)
    record_follow_up = _keywords(RecordFollowUp)
    record_judicial_confirmation = _keywords(RecordJudicialConfirmation)

    def _receive(
        self, command: ReceiveCase, conditions: WriteConditions[CaseSummary]
    ) -> CaseSummary:
        """A new case, numbered by its year's sequence (saved with it: racing intakes conflict
        on the sequence, and the loser takes the next number). With automatic routing, routed
        in the same transaction when a rule matches it: exactly once, or not at all."""
        if self.auto_routing is None:
            return self._receive_numbered(command, conditions, None)
        with self.auto_routing.lock:
            return self._receive_numbered(command, conditions, self.auto_routing)

    def _receive_numbered(
        self,
        command: ReceiveCase,
        conditions: WriteConditions[CaseSummary],
        triage: Triage | None,
    ) -> CaseSummary:
        at = business_time("received_at", command.received_at, utcnow())
        year = at.astimezone(self.timezone).year
        for attempt in range(MAX_ATTEMPTS):
            sequence = self.store.load_or_none(CaseNumberSequence.id_for(year))
            if not isinstance(sequence, CaseNumberSequence):
                sequence = CaseNumberSequence.start(year)
            case_id = uuid4()
            case = Case.receive(
                id=case_id,
                number=sequence.issue(case_id),
                registration=command.registration,
                actor=command.actor,
                received_at=at,
            )
            routed = triage is not None and triage.route_new(case)
            try:
                summary = self._save(case, conditions, sequence)
            except VersionConflictError:
                _back_off(attempt)
                continue
            if triage is not None and routed:
                triage.routed(case, summary.position)
            return summary
        raise BusyError("intake is too busy: try again")

    def _save(
        self, case: Case, conditions: WriteConditions[CaseSummary], *others: Aggregate
    ) -> CaseSummary:
        recorded = tuple(type(event).__name__ for event in case.pending_events)
        summary = CaseSummary(case.id, case.number, case.status, case.version, recorded=recorded)
        recordings = self.store.save_with(conditions, summary, *others, case)
        position = max(
            (r.notification.id for r in recordings if r.notification.id is not None),
            default=None,
        )
        return replace(summary, position=position)


def _judge(case: Case, command: CaseCommand) -> None:
    """The checks in their order: reach (403), If-Match (412), then the case's own rules."""
    if not reaches(command.actor, case.mediator, case.received_by):
        raise NotAssignedMediatorError(case.id, command.actor.login)
    if command.expected_version is not None and case.version != command.expected_version:
        raise VersionMismatchError(case.id, command.expected_version, case.version)
    command.apply_to(case)


def _back_off(attempt: int) -> None:
    time.sleep(random.uniform(0, min(0.002 * (attempt + 1), 0.05)))
