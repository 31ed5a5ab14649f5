"""Plain Python over the store's events: every case's history, and replaying it by command.

No view, no statistics module: the demo is checked against the histories themselves.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any
from uuid import UUID

from application.store import TongjieStore
from domain.case import Case
from domain.numbering import CaseNumberSequence
from domain.reference import Mediator, Organisation

PAGE = 5_000
RECORDED = {"timestamp"}  # when the store recorded an event: set by the system, not the data


@dataclass
class Histories:
    cases: dict[UUID, list[Any]]
    numbers: dict[UUID, str]  # case id -> number, from the sequences' NumberIssued events
    organisations: dict[str, Organisation.Registered]
    mediators: dict[str, Mediator.Registered]
    users: list[Any]


def read_histories(store: TongjieStore) -> Histories:
    """Every event of the store, from the notification log, decoded and grouped."""
    cases: dict[UUID, list[Any]] = defaultdict(list)
    histories = Histories(cases, {}, {}, {}, [])
    start = 1
    while True:
        page = store.recorder.select_notifications(start, PAGE)
        for notification in page:
            event = store.mapper.to_domain_event(notification)
            if isinstance(event, Case.Received) or event.originator_id in cases:
                cases[event.originator_id].append(event)
            elif isinstance(event, CaseNumberSequence.NumberIssued):
                histories.numbers[event.case_id] = event.number
            elif isinstance(event, Organisation.Registered):
                histories.organisations[event.code] = event
            elif isinstance(event, Mediator.Registered):
                histories.mediators[event.code] = event
            elif type(event).__name__ == "Added":
                histories.users.append(event)
        if len(page) < PAGE:
            return histories
        start = page[-1].id + 1


def data(event: Any) -> dict[str, Any]:
    """An event's business data: all but the time the store recorded it (a tuple comes back
    from JSON as a list, as the event's own apply code expects)."""
    return {
        k: tuple(v) if isinstance(v, list) else v
        for k, v in vars(event).items()
        if k not in RECORDED
    }


def fold(events: list[Any]) -> Case:
    """The case from its first event, as a replay builds it (no snapshot, no cache)."""
    case: Any = None
    for event in events:
        case = event.mutate(case)
    assert isinstance(case, Case)
    return case


def replay_by_command(events: list[Any]) -> None:
    """Run each stored event again as the command that made it, through every rule of the
    aggregate, and check that the command produces the very same event."""
    first = events[0]
    assert isinstance(first, Case.Received)
    case = Case.receive(
        id=first.originator_id,
        number=first.number,
        registration=first.registration,
        actor=first.actor,
        received_at=first.received_at,
    )
    _same(case, first)
    for stored in events[1:]:
        _COMMANDS[type(stored).__name__](case, stored)
        _same(case, stored)


def _same(case: Case, stored: Any) -> None:
    (made,) = case.collect_events()
    assert type(made) is type(stored)
    assert data(made) == data(stored), (data(made), data(stored))


def _correct(case: Case, e: Any) -> None:
    old, new = case.registration, e.registration
    changes = {
        f.name: getattr(new, f.name)
        for f in fields(new)
        if getattr(new, f.name) != getattr(old, f.name)
    }
    case.correct_registration(
        reason=e.reason, changes=changes, actor=e.actor, corrected_at=e.corrected_at
    )


def _judicial(case: Case, e: Any) -> None:
    if case.judicial_applied_at is None:
        case.record_judicial_confirmation(
            actor=e.actor, applied_at=e.applied_at, ruling=e.ruling, ruled_at=e.ruled_at
        )
    else:
        case.record_judicial_confirmation(actor=e.actor, ruling=e.ruling, ruled_at=e.ruled_at)


_COMMANDS: dict[str, Any] = {
    "Routed": lambda c, e: c.route(
        organisation=e.organisation,
        mediator=e.mediator,
        actor=e.actor,
        routed_at=e.routed_at,
        due_at=e.due_at,
        note=e.note,
    ),
    "Mediated": lambda c, e: c.log_session(
        method=e.method,
        attendees=e.attendees,
        notes=e.notes,
        actor=e.actor,
        held_at=e.held_at,
        duration_minutes=e.duration_minutes,
    ),
    "DeadlineExtended": lambda c, e: c.extend_deadline(
        new_due_at=e.new_due_at,
        reason=e.reason,
        parties_consent=e.parties_consent,
        actor=e.actor,
        extended_at=e.extended_at,
    ),
    "RiskAssessed": lambda c, e: c.assess_risk(
        level=e.level, reason=e.reason, actor=e.actor, assessed_at=e.assessed_at
    ),
    "RegistrationCorrected": _correct,
    "Resolved": lambda c, e: c.resolve(
        outcome=e.outcome,
        actor=e.actor,
        resolved_at=e.resolved_at,
        agreement=e.agreement,
        referral=e.referral,
        note=e.note,
    ),
    "FollowUpRecorded": lambda c, e: c.record_follow_up(
        fulfilment=e.fulfilment,
        satisfaction=e.satisfaction,
        actor=e.actor,
        visited_at=e.visited_at,
        note=e.note,
    ),
    "JudicialConfirmationRecorded": _judicial,
}
