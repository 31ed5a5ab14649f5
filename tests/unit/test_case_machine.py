"""Random command sequences against one case, checked against a model of what domain.md allows.

Every command is tried with random actors (right and wrong ones), random business times (in
order, out of order, in the future) and random arguments. The model says whether the command is
allowed; allowed commands must record exactly one event, refused ones must raise a domain error
and record nothing. The invariants are checked after every step.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from domain.case import Case
from domain.case import replayed as linear_replay
from domain.errors import DomainError
from domain.values import (
    SUBCATEGORIES,
    Actor,
    Agreement,
    AgreementForm,
    CaseStatus,
    Category,
    Fulfilment,
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
from tests.typed_equality import assert_same_aggregate
from tests.unit.case_builders import ADMIN, AUDIT, BOSS, LI, ZHANG, registration

WANG = Actor(id="u-wang", login="wang", role=Role.MEDIATOR, mediator="m3")
CHEN = Actor(id="u-chen", login="chen", role=Role.SUPERVISOR)
EVERYONE = [ZHANG, LI, WANG, BOSS, CHEN, AUDIT, ADMIN]
BY_CODE = {"m1": ZHANG, "m2": LI, "m3": WANG}
ACTORS = st.sampled_from(["right"] * 14 + EVERYONE)
"""Mostly the one who may act ("right", resolved by `who`), else anyone at all."""
MEDIATORS = {"m1": "room-1", "m2": "centre-2", "m3": "room-1"}

START = datetime.now(UTC).replace(microsecond=0) - timedelta(days=500)
FUTURE = timedelta.max  # a marker: "a time beyond the clock skew"
GOOD_STEPS = [timedelta(0), timedelta(hours=1), timedelta(hours=30), timedelta(days=10)]
BAD_STEPS = [timedelta(hours=-48), timedelta(seconds=-1), timedelta(days=31), FUTURE]
STEPS = st.sampled_from(GOOD_STEPS * 4 + BAD_STEPS)
"""Forward from the latest business time, mostly; sometimes back, far ahead or in the future."""
MONTH = timedelta(days=30)
SKEW = timedelta(minutes=5)
OPEN = {CaseStatus.RECEIVED, CaseStatus.ROUTED, CaseStatus.IN_MEDIATION}
ASSIGNED = {CaseStatus.ROUTED, CaseStatus.IN_MEDIATION}
LEGAL = {
    (CaseStatus.RECEIVED, CaseStatus.ROUTED),
    (CaseStatus.ROUTED, CaseStatus.IN_MEDIATION),
    (CaseStatus.RECEIVED, CaseStatus.RESOLVED),
    (CaseStatus.ROUTED, CaseStatus.RESOLVED),
    (CaseStatus.IN_MEDIATION, CaseStatus.RESOLVED),
}
CORRECTIONS: list[dict[str, Any]] = [
    {},
    {"summary": "更正后的摘要"},
    {"summary": " "},
    {"category": Category.COMMERCIAL},
    {"category": Category.COMMERCIAL, "subcategory": "debt"},
    {"category": Category.PROPERTY_MANAGEMENT, "subcategory": "fees"},
    {"category": Category.FAMILY, "subcategory": "inheritance"},
    {"subcategory": None},
    {"subcategory": "parking"},
    {"street": "西山街道"},
    {"parties": (Party(PartyRole.APPLICANT, "甲"),)},
    {"parties": (Party(PartyRole.APPLICANT, "甲"), Party(PartyRole.RESPONDENT, "乙"))},
]


PROBES_RECEIVED = [
    "routed by a mediator",
    "withdrawn by another mediator",
    "withdrawn in the future",
    "risk by another mediator",
    "correction without a respondent",
    "correction to a foreign subcategory",
]
PROBES_ASSIGNED = [
    "routed by a mediator",
    "session before routing",
    "session by a supervisor",
    "extension too long",
    "second extension",
    "extension without consent",
    "risk by another mediator",
    "withdrawn by another mediator",
]
PROBES_IN_MEDIATION = [
    "agreement by a supervisor",
    "no referral",
    "agreement with a referral",
    "resolved before the last session",
    "withdrawn in the future",
]
"""Commands just across one rule's line, by the one who may act (see `probe_an_open_case`)."""


def valid_registration(reg: Registration) -> bool:
    """The model's own reading of a valid registration (independent of domain.registration)."""
    roles = {p.role for p in reg.parties}
    return (
        (reg.subcategory is None or reg.subcategory in SUBCATEGORIES[reg.category])
        and bool(reg.summary.strip())
        and bool(reg.street.strip())
        and roles == {PartyRole.APPLICANT, PartyRole.RESPONDENT}
        and all(p.name.strip() for p in reg.parties)
    )


@dataclass
class Model:
    """What the case should be, kept by the test alone."""

    receiver: Actor
    received_at: datetime
    registration: Registration
    events: int = 1
    status: CaseStatus = CaseStatus.RECEIVED
    mediator: str | None = None
    routed_at: datetime | None = None
    due_at: datetime | None = None
    original_due_at: datetime | None = None
    extended: bool = False
    sessions: list[tuple[datetime, str]] = field(default_factory=list)
    risk: RiskLevel = RiskLevel.NONE
    corrections: int = 0
    outcome: Outcome | None = None
    form: AgreementForm | None = None
    resolved_at: datetime | None = None
    follow_ups: int = 0
    applied_at: datetime | None = None
    ruling: Ruling | None = None
    cursor: datetime = START

    def assigned(self, actor: Actor) -> bool:
        return actor.role is Role.MEDIATOR and actor.mediator == self.mediator is not None

    def assigned_or_supervisor(self, actor: Actor) -> bool:
        return actor.role is Role.SUPERVISOR or self.assigned(actor)

    def handler(self, actor: Actor) -> bool:
        if self.status is CaseStatus.RECEIVED:
            return actor.role is Role.SUPERVISOR or (
                actor.role is Role.MEDIATOR and actor.id == self.receiver.id
            )
        return self.assigned_or_supervisor(actor)


def not_future(at: datetime) -> bool:
    return at <= datetime.now(UTC) + SKEW


def not_before(at: datetime, *bounds: datetime | None) -> bool:
    return all(at >= b for b in bounds if b is not None)


class CaseMachine(RuleBasedStateMachine):
    case: Case
    model: Model

    def __init__(self) -> None:
        super().__init__()
        self.statuses: list[CaseStatus] = []

    def who(self, actor: Actor | str, *, handler: bool = False) -> Actor:
        """The actor drawn, or for "right" the one who may act: the assigned mediator (before
        routing, for a handler's command, the receiver)."""
        if isinstance(actor, Actor):
            return actor
        m = self.model
        if handler and m.status is CaseStatus.RECEIVED:
            return m.receiver
        return BY_CODE.get(m.mediator or "", ZHANG)

    def at(self, step: timedelta, since: datetime | None = None) -> datetime:
        """A business time `step` after the latest one recorded (or after `since`)."""
        if step is FUTURE:
            return datetime.now(UTC) + timedelta(days=1)
        return (since or self.model.cursor) + step

    def attempt(self, allowed: bool, command: Callable[[], None], *times: datetime) -> bool:
        """Run the command; check it records one event if allowed, nothing if not."""
        before = snapshot(self.case)
        version = self.case.version
        if allowed:
            command()
            assert self.case.version == version + 1
            self.model.events += 1
            self.model.cursor = max(self.model.cursor, *times)
        else:
            with pytest.raises(DomainError):
                command()
            assert snapshot(self.case) == before
        return allowed

    # -- commands ------------------------------------------------------------------------

    @initialize(
        receiver=st.sampled_from([ZHANG, LI, BOSS]),
        step=st.sampled_from([timedelta(0), timedelta(hours=5)]),
        mediator=st.sampled_from(sorted(MEDIATORS)),
        depth=st.sampled_from([0, 0, 1, 2, 2, 3]),
    )
    def receive(self, receiver: Actor, step: timedelta, mediator: str, depth: int) -> None:
        """A new case; most runs then take it a few steps on (routed, mediated, resolved)."""
        at = START + step
        reg = registration()
        self.case = Case.receive(
            id=uuid4(), number="2026-000001", registration=reg, actor=receiver, received_at=at
        )
        self.model = Model(receiver=receiver, received_at=at, registration=reg, cursor=at)
        self.statuses.append(self.case.status)
        for _ in range(depth):
            self.advance(mediator, AgreementForm.WRITTEN, Outcome.AGREEMENT, False, 0)
            self.statuses.append(self.case.status)

    @rule(actor=st.sampled_from(EVERYONE))
    def receive_with_a_role_that_may_not(self, actor: Actor) -> None:
        allowed = actor.role in (Role.MEDIATOR, Role.SUPERVISOR)
        if allowed:
            Case.receive(id=uuid4(), number="2026-000002", registration=registration(), actor=actor)
        else:
            with pytest.raises(DomainError):
                Case.receive(
                    id=uuid4(), number="2026-000002", registration=registration(), actor=actor
                )

    @rule(
        actor=ACTORS,
        mediator=st.sampled_from(sorted(MEDIATORS)),
        step=STEPS,
        due=st.sampled_from(
            [None, None, "same", timedelta(hours=-1), timedelta(days=10), MONTH, timedelta(days=45)]
        ),
    )
    def route(
        self, actor: Actor | str, mediator: str, step: timedelta, due: timedelta | str | None
    ) -> None:
        """The deadline is set at the first routing (at most 30 days after it) and a re-routing
        may only name the deadline the case has ("same")."""
        m = self.model
        actor = BOSS if actor == "right" else self.who(actor)
        at = self.at(step)
        if isinstance(due, str):  # "same"
            due_at = m.due_at or at + MONTH
        else:
            due_at = None if due is None else at + due
        if m.due_at is None:
            deadline_ok = due_at is None or at <= due_at <= at + MONTH
        else:
            deadline_ok = due_at is None or due_at == m.due_at
        allowed = (
            m.status in OPEN
            and actor.role is Role.SUPERVISOR
            and not_future(at)
            and not_before(at, m.received_at, m.routed_at)
            and deadline_ok
        )

        def command() -> None:
            self.case.route(
                organisation=MEDIATORS[mediator],
                mediator=mediator,
                actor=actor,
                routed_at=at,
                due_at=due_at,
            )

        if self.attempt(allowed, command, at):
            if m.due_at is None:
                m.due_at = m.original_due_at = due_at or at + MONTH
            m.mediator, m.routed_at = mediator, at
            if m.status is CaseStatus.RECEIVED:
                m.status = CaseStatus.ROUTED

    @rule(
        actor=ACTORS,
        step=STEPS,
        notes=st.sampled_from(["双方到场", "双方到场", "双方到场", " "]),
        duration=st.sampled_from([None, None, 45, 0]),
        since_routing=st.booleans(),
    )
    def log_session(
        self,
        actor: Actor | str,
        step: timedelta,
        notes: str,
        duration: int | None,
        since_routing: bool,
    ) -> None:
        m = self.model
        actor = self.who(actor)
        at = self.at(step, m.routed_at if since_routing else None)
        allowed = (
            m.status in ASSIGNED
            and m.assigned(actor)
            and bool(notes.strip())
            and (duration is None or duration > 0)
            and not_future(at)
            and not_before(at, m.routed_at)
        )

        def command() -> None:
            self.case.log_session(
                method=Method.VIDEO,
                attendees=["甲", "乙"],
                notes=notes,
                actor=actor,
                held_at=at,
                duration_minutes=duration,
            )

        if self.attempt(allowed, command, at):
            assert m.mediator is not None
            m.sessions.append((at, m.mediator))
            m.status = CaseStatus.IN_MEDIATION

    @rule(
        actor=ACTORS,
        step=STEPS,
        past_original=st.sampled_from([-5, 0, 10, 30, 31]),
        consent=st.sampled_from([True, True, False]),
        reason=st.sampled_from(["出差", "出差", ""]),
    )
    def extend_deadline(
        self, actor: Actor | str, step: timedelta, past_original: int, consent: bool, reason: str
    ) -> None:
        m = self.model
        actor = self.who(actor)
        at = self.at(step)
        new_due = (m.original_due_at or START) + timedelta(days=past_original)
        allowed = (
            m.status in ASSIGNED
            and m.assigned_or_supervisor(actor)
            and consent
            and bool(reason.strip())
            and not_future(at)
            and not_before(at, m.routed_at)
            and not m.extended
            and m.due_at is not None
            and m.original_due_at is not None
            and m.due_at <= new_due <= m.original_due_at + MONTH
        )

        def command() -> None:
            self.case.extend_deadline(
                new_due_at=new_due,
                reason=reason,
                parties_consent=consent,
                actor=actor,
                extended_at=at,
            )

        if self.attempt(allowed, command, at):
            m.due_at, m.extended = new_due, True

    @rule(
        actor=ACTORS,
        step=STEPS,
        level=st.sampled_from(list(RiskLevel)),
        reason=st.sampled_from(["情绪激动", ""]),
    )
    def assess_risk(
        self, actor: Actor | str, step: timedelta, level: RiskLevel, reason: str
    ) -> None:
        m = self.model
        actor = self.who(actor, handler=True)
        at = self.at(step)
        allowed = (
            m.status in OPEN
            and m.handler(actor)
            and bool(reason.strip())
            and not_future(at)
            and not_before(at, m.received_at)
        )

        def command() -> None:
            self.case.assess_risk(level=level, reason=reason, actor=actor, assessed_at=at)

        if self.attempt(allowed, command, at):
            m.risk = level

    @rule(actor=ACTORS, step=STEPS, changes=st.sampled_from(CORRECTIONS))
    def correct_registration(
        self, actor: Actor | str, step: timedelta, changes: dict[str, Any]
    ) -> None:
        m = self.model
        actor = self.who(actor, handler=True)
        at = self.at(step)
        corrected = replace(m.registration, **changes)
        allowed = (
            m.status in OPEN
            and m.handler(actor)
            and bool(changes)
            and valid_registration(corrected)
            and not_future(at)
            and not_before(at, m.received_at)
        )

        def command() -> None:
            self.case.correct_registration(
                reason="登记有误", changes=dict(changes), actor=actor, corrected_at=at
            )

        if self.attempt(allowed, command, at):
            m.registration = corrected
            m.corrections += 1

    @rule(
        actor=ACTORS,
        step=STEPS,
        outcome=st.sampled_from(list(Outcome)),
        form=st.sampled_from(list(AgreementForm)),
        fields=st.sampled_from(["right", "right", "right", "none", "both", "swapped"]),
    )
    def resolve(
        self,
        actor: Actor | str,
        step: timedelta,
        outcome: Outcome,
        form: AgreementForm,
        fields: str,
        since_last_session: bool = False,
    ) -> None:
        m = self.model
        actor = self.who(actor, handler=outcome is Outcome.WITHDRAWN)
        last_session = max((s[0] for s in m.sessions), default=None)
        at = self.at(step, last_session if since_last_session else None)
        right = (outcome is Outcome.AGREEMENT, outcome is Outcome.NO_AGREEMENT)
        wants_agreement, wants_referral = {
            "right": right,
            "none": (False, False),
            "both": (True, True),
            "swapped": (not right[0], not right[1]),
        }[fields]
        agreement = Agreement(form, "分期赔偿") if wants_agreement else None
        referral = Referral.LITIGATION if wants_referral else None
        if outcome is Outcome.WITHDRAWN:
            who = (
                m.handler(actor)
                if m.status is CaseStatus.RECEIVED
                else m.assigned_or_supervisor(actor)
            )
            in_state = m.status in OPEN
        else:
            who = m.assigned(actor)
            in_state = m.status is CaseStatus.IN_MEDIATION
        allowed = (
            (wants_agreement, wants_referral) == right
            and in_state
            and who
            and not_future(at)
            and not_before(at, m.received_at, m.routed_at, last_session)
        )

        def command() -> None:
            self.case.resolve(
                outcome=outcome, actor=actor, resolved_at=at, agreement=agreement, referral=referral
            )

        if self.attempt(allowed, command, at):
            m.status, m.outcome, m.resolved_at = CaseStatus.RESOLVED, outcome, at
            m.form = agreement.form if agreement else None

    @rule(actor=ACTORS, step=STEPS, satisfaction=st.integers(0, 6))
    def record_follow_up(self, actor: Actor | str, step: timedelta, satisfaction: int) -> None:
        m = self.model
        actor = self.who(actor)
        at = self.at(step)
        allowed = (
            m.status is CaseStatus.RESOLVED
            and m.outcome is Outcome.AGREEMENT
            and m.assigned(actor)
            and 1 <= satisfaction <= 5
            and not_future(at)
            and not_before(at, m.resolved_at)
        )

        def command() -> None:
            self.case.record_follow_up(
                fulfilment=Fulfilment.PARTIAL, satisfaction=satisfaction, actor=actor, visited_at=at
            )

        if self.attempt(allowed, command, at):
            m.follow_ups += 1

    @rule(
        actor=ACTORS,
        step=STEPS,
        ruling=st.sampled_from([None, Ruling.CONFIRMED, Ruling.REJECTED]),
        ruled_step=st.sampled_from([None, timedelta(hours=-1), timedelta(days=3)]),
    )
    def record_judicial_confirmation(
        self,
        actor: Actor | str,
        step: timedelta,
        ruling: Ruling | None,
        ruled_step: timedelta | None,
    ) -> None:
        m = self.model
        actor = self.who(actor)
        at = self.at(step)
        applied = m.applied_at or at
        ruled_at = None if ruled_step is None else applied + ruled_step
        ruled = ruled_at or datetime.now(UTC)
        allowed = (
            m.status is CaseStatus.RESOLVED
            and m.outcome is Outcome.AGREEMENT
            and m.form is AgreementForm.WRITTEN
            and m.assigned(actor)
            and m.ruling is None
            and m.resolved_at is not None
            and (
                ruling is not None
                if m.applied_at is not None
                else not_future(at) and m.resolved_at <= at <= m.resolved_at + MONTH
            )
            and (ruled_at is None if ruling is None else not_future(ruled) and ruled >= applied)
        )

        def command() -> None:
            self.case.record_judicial_confirmation(
                actor=actor, applied_at=at, ruling=ruling, ruled_at=ruled_at
            )

        if self.attempt(allowed, command, applied):
            m.applied_at, m.ruling = applied, ruling

    @rule(
        mediator=st.sampled_from(sorted(MEDIATORS)),
        form=st.sampled_from(list(AgreementForm)),
        outcome=st.sampled_from([Outcome.AGREEMENT] * 3 + [Outcome.NO_AGREEMENT]),
        aside=st.booleans(),
        past_original=st.sampled_from([0, 10, 30, 31]),
        close=st.booleans(),
    )
    def advance(
        self,
        mediator: str,
        form: AgreementForm,
        outcome: Outcome,
        aside: bool,
        past_original: int,
        close: bool = True,
    ) -> None:
        """The next step of the lifecycle, done right, so that runs reach the later states."""
        hour = timedelta(hours=1)
        m = self.model
        if m.status is CaseStatus.RECEIVED:
            self.route(actor="right", mediator=mediator, step=hour, due=None)
        elif m.status in ASSIGNED and aside:
            self.extend_deadline(
                actor="right", step=hour, past_original=past_original, consent=True, reason="出差"
            )
        elif m.status is CaseStatus.ROUTED or (m.status is CaseStatus.IN_MEDIATION and not close):
            self.log_session(
                actor="right", step=hour, notes="调解", duration=None, since_routing=False
            )
        elif m.status is CaseStatus.IN_MEDIATION:
            self.resolve(actor="right", step=hour, outcome=outcome, form=form, fields="right")
        elif aside:
            self.record_follow_up(actor="right", step=hour, satisfaction=4)
        else:
            ruling = None if m.applied_at is None else Ruling.CONFIRMED
            self.record_judicial_confirmation(
                actor="right", step=hour, ruling=ruling, ruled_step=None
            )

    @precondition(lambda self: self.model.status is CaseStatus.RECEIVED)
    @rule(kind=st.sampled_from(PROBES_RECEIVED))
    def probe_a_received_case(self, kind: str) -> None:
        self.probe_an_open_case(kind)

    @precondition(lambda self: self.model.status in ASSIGNED)
    @rule(kind=st.sampled_from(PROBES_ASSIGNED))
    def probe_an_assigned_case(self, kind: str) -> None:
        self.probe_an_open_case(kind)

    @precondition(lambda self: self.model.status is CaseStatus.IN_MEDIATION)
    @rule(kind=st.sampled_from(PROBES_IN_MEDIATION))
    def probe_a_case_in_mediation(self, kind: str) -> None:
        self.probe_an_open_case(kind)

    def probe_an_open_case(self, kind: str) -> None:
        """A command just across one rule's line, by the one who may act: random draws alone
        reach these lines too rarely. The model still decides what is allowed."""
        hour = timedelta(hours=1)
        other = WANG if LI.id == self.model.receiver.id or self.model.mediator == "m2" else LI
        if kind == "routed by a mediator":
            self.route(actor=ZHANG, mediator="m1", step=hour, due=None)
        elif kind.startswith("session"):
            actor: Actor | str = BOSS if kind == "session by a supervisor" else "right"
            self.log_session(
                actor=actor,
                step=-timedelta(seconds=1) if actor == "right" else hour,
                notes="调解",
                duration=None,
                since_routing=True,
            )
        elif kind.startswith(("extension", "second extension")):
            self.extend_deadline(
                actor="right",
                step=hour,
                past_original=31 if kind == "extension too long" else 30,
                consent=kind != "extension without consent",
                reason="出差",
            )
        elif kind == "risk by another mediator":
            self.assess_risk(actor=other, step=hour, level=RiskLevel.RED, reason="冲突")
        elif kind.startswith("correction"):
            changes = CORRECTIONS[10] if kind.endswith("respondent") else CORRECTIONS[8]
            self.correct_registration(actor="right", step=hour, changes=changes)
        elif kind in ("withdrawn by another mediator", "withdrawn in the future"):
            self.resolve(
                actor=other if kind.endswith("mediator") else "right",
                step=hour if kind.endswith("mediator") else FUTURE,
                outcome=Outcome.WITHDRAWN,
                form=AgreementForm.ORAL,
                fields="right",
            )
        else:
            outcome = Outcome.NO_AGREEMENT if kind == "no referral" else Outcome.AGREEMENT
            self.resolve(
                actor=BOSS if kind == "agreement by a supervisor" else "right",
                step=-timedelta(seconds=1) if kind.endswith("session") else hour,
                outcome=outcome,
                form=AgreementForm.WRITTEN,
                fields={"no referral": "none", "agreement with a referral": "both"}.get(
                    kind, "right"
                ),
                since_last_session=kind.endswith("session"),
            )

    @precondition(lambda self: self.model.status is CaseStatus.RESOLVED)
    @rule(
        kind=st.sampled_from(
            [
                "judicial confirmation too late",
                "judicial confirmation in the future",
                "judicial confirmation by a supervisor",
                "second ruling",
                "satisfaction out of range",
                "follow-up by a supervisor",
                "resolved again",
            ]
        )
    )
    def probe_a_resolved_case(self, kind: str) -> None:
        """As above, after the resolution."""
        hour = timedelta(hours=1)
        if kind.startswith("judicial") or kind == "second ruling":
            self.record_judicial_confirmation(
                actor=BOSS if kind.endswith("supervisor") else "right",
                step={
                    "judicial confirmation too late": timedelta(days=31),
                    "judicial confirmation in the future": FUTURE,
                }.get(kind, hour),
                ruling=Ruling.CONFIRMED if kind == "second ruling" else None,
                ruled_step=None,
            )
        elif kind == "resolved again":
            self.resolve(
                actor="right",
                step=hour,
                outcome=Outcome.WITHDRAWN,
                form=AgreementForm.ORAL,
                fields="right",
            )
        else:
            self.record_follow_up(
                actor=BOSS if kind.endswith("supervisor") else "right",
                step=hour,
                satisfaction=0 if kind.startswith("satisfaction") else 3,
            )

    # -- invariants ------------------------------------------------------------------------

    @invariant()
    def version_counts_the_events(self) -> None:
        events = self.case.pending_events
        assert self.case.version == self.model.events == len(events)
        assert [e.originator_version for e in events] == list(range(1, len(events) + 1))

    @invariant()
    def status_moves_only_forward(self) -> None:
        previous, current = self.statuses[-1], self.case.status
        assert current is self.model.status
        assert previous is current or (previous, current) in LEGAL
        self.statuses.append(current)

    @invariant()
    def resolves_once_and_then_only_follow_ups_and_judicial_confirmation(self) -> None:
        events = self.case.pending_events
        ends = [i for i, e in enumerate(events) if isinstance(e, Case.Resolved)]
        assert len(ends) == (self.case.status is CaseStatus.RESOLVED)
        after = events[ends[0] + 1 :] if ends else []
        allowed = (Case.FollowUpRecorded, Case.JudicialConfirmationRecorded)
        assert all(isinstance(e, allowed) for e in after)

    @invariant()
    def deadline_is_extended_once_by_at_most_thirty_days(self) -> None:
        case, m = self.case, self.model
        extensions = [e for e in case.pending_events if isinstance(e, Case.DeadlineExtended)]
        assert len(extensions) <= 1
        assert case.extended == bool(extensions) == m.extended
        assert (case.due_at, case.original_due_at) == (m.due_at, m.original_due_at)
        if case.due_at is not None:
            assert case.original_due_at is not None
            assert case.due_at <= case.original_due_at + MONTH

    @invariant()
    def deadline_moves_only_at_the_first_routing_and_by_the_extension(self) -> None:
        """Set once, at the first routing (at most 30 days after it); a re-routing carries it
        unchanged; only the one extension moves it."""
        due: datetime | None = None
        for event in self.case.pending_events:
            if isinstance(event, Case.Routed):
                if due is None:
                    assert event.routed_at <= event.due_at <= event.routed_at + MONTH
                else:
                    assert event.due_at == due
                due = event.due_at
            elif isinstance(event, Case.DeadlineExtended):
                assert due is not None
                assert event.new_due_at >= due
                due = event.new_due_at
        assert self.case.due_at == due

    @invariant()
    def each_event_was_recorded_by_someone_who_may(self) -> None:
        assigned: str | None = None
        for event in self.case.pending_events:
            actor: Actor = vars(event)["actor"]
            is_assigned = actor.role is Role.MEDIATOR and actor.mediator == assigned is not None
            is_receiver = actor.role is Role.MEDIATOR and actor.id == self.model.receiver.id
            handler = actor.role is Role.SUPERVISOR or (
                is_assigned if assigned is not None else is_receiver
            )
            if isinstance(event, Case.Routed):
                assert actor.role is Role.SUPERVISOR
                assigned = event.mediator
            elif isinstance(event, Case.Resolved) and event.outcome is Outcome.WITHDRAWN:
                assert handler
            elif isinstance(event, Case.DeadlineExtended):
                assert is_assigned or actor.role is Role.SUPERVISOR
            elif isinstance(event, Case.RiskAssessed | Case.RegistrationCorrected):
                assert handler
            elif not isinstance(event, Case.Received):  # sessions, resolution and after
                assert is_assigned, event
        held = [(s.held_at, s.mediator) for s in self.case.sessions]
        assert held == self.model.sessions

    @invariant()
    def state_matches_the_model(self) -> None:
        case, m = self.case, self.model
        assert case.mediator == m.mediator
        assert case.risk_level is m.risk
        assert (case.registration, case.corrections) == (m.registration, m.corrections)
        assert (case.outcome, case.resolved_at) == (m.outcome, m.resolved_at)
        assert len(case.follow_ups) == m.follow_ups
        assert (case.judicial_applied_at, case.judicial_ruling) == (m.applied_at, m.ruling)
        if case.resolved_at is not None and case.sessions:
            assert case.resolved_at >= max(s.held_at for s in case.sessions)

    @invariant()
    def replaying_the_events_gives_the_same_case(self) -> None:
        replayed: Any = None
        for event in self.case.pending_events:
            replayed = event.mutate(replayed)
        assert isinstance(replayed, Case)
        assert without_pending(replayed) == without_pending(self.case)

    @invariant()
    def the_linear_replay_folds_as_the_library_does(self) -> None:
        """`CaseReplay` (histories grown as lists, then tuples) against `event.mutate`."""
        assert_same_aggregate(self.case, linear_replay(self.case.pending_events))


def snapshot(case: Case) -> tuple[dict[str, Any], list[Any]]:
    """The case's state and pending events; every value it holds is immutable, so a shallow
    copy shows any change (a deep copy made the machine three times slower)."""
    return without_pending(case), list(case.pending_events)


def without_pending(case: Case) -> dict[str, Any]:
    return {k: v for k, v in vars(case).items() if k != "_pending_events"}


CaseMachine.TestCase.settings = settings(
    max_examples=100,
    stateful_step_count=30,
    deadline=None,
    derandomize=os.environ.get("CI", "").lower() in ("1", "true", "yes"),
)
test_case_lifecycle = CaseMachine.TestCase
