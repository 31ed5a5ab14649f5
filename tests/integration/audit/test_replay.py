"""Replay at every version of a random history equals the state the case had at that version."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.dto import CaseDetails
from application.tongjie import Tongjie
from domain.case import Case, replayed
from domain.errors import DomainError
from domain.times import utcnow
from domain.values import (
    Agreement,
    AgreementForm,
    Fulfilment,
    Method,
    Outcome,
    Referral,
    RiskLevel,
    Ruling,
)
from tests.depth import examples
from tests.typed_equality import assert_same_aggregate, differences
from tests.world import World, make_world, registration

BY_STATUS = {
    "received": ["route", "reroute", "risk", "correct", "withdraw"],
    "routed": ["route", "reroute", "session", "extend", "risk", "correct", "withdraw"],
    "in_mediation": [
        "reroute", "session", "session", "extend", "risk", "correct",
        "agree", "agree_orally", "no_agreement", "withdraw",
    ],
    "resolved": ["follow_up", "judicial"],
}  # fmt: skip


def act(app: Tongjie, world: World, case_id: UUID, step: str) -> None:
    """Run one command as whoever may; a rule it breaks records nothing (and is skipped)."""
    case = app.reads.current(case_id)
    boss = world.supervisor
    mediator = world.other_mediator if case.mediator == "m2" else world.mediator
    cases = app.cases
    commands: dict[str, Callable[[], object]] = {
        "route": lambda: cases.route(case_id, actor=boss, organisation="room-1", mediator="m1"),
        "reroute": lambda: cases.route(
            case_id, actor=boss, organisation="centre-2", mediator="m2", note="改派"
        ),
        "session": lambda: cases.log_session(
            case_id, actor=mediator, method=Method.PHONE, attendees=["王小明"], notes="电话调解"
        ),
        "extend": lambda: cases.extend_deadline(
            case_id,
            actor=mediator,
            new_due_at=(case.due_at or utcnow()) + timedelta(days=10),
            reason="等待鉴定",
            parties_consent=True,
        ),
        "risk": lambda: cases.assess_risk(
            case_id, actor=boss, level=RiskLevel.ORANGE, reason="情绪激动"
        ),
        "correct": lambda: cases.correct_registration(
            case_id, actor=boss, reason="更正概要", changes={"summary": "更正后的概要"}
        ),
        "agree": lambda: cases.resolve(
            case_id,
            actor=mediator,
            outcome=Outcome.AGREEMENT,
            agreement=Agreement(AgreementForm.WRITTEN, "赔偿维修费", Decimal("800.00")),
        ),
        "agree_orally": lambda: cases.resolve(
            case_id,
            actor=mediator,
            outcome=Outcome.AGREEMENT,
            agreement=Agreement(AgreementForm.ORAL, "口头道歉"),
        ),
        "no_agreement": lambda: cases.resolve(
            case_id, actor=mediator, outcome=Outcome.NO_AGREEMENT, referral=Referral.LITIGATION
        ),
        "withdraw": lambda: cases.resolve(case_id, actor=boss, outcome=Outcome.WITHDRAWN),
        "follow_up": lambda: cases.record_follow_up(
            case_id, actor=mediator, fulfilment=Fulfilment.PARTIAL, satisfaction=3
        ),
        "judicial": lambda: cases.record_judicial_confirmation(
            case_id,
            actor=mediator,
            ruling=Ruling.CONFIRMED if case.judicial_applied_at else None,
        ),
    }
    with contextlib.suppress(DomainError):
        commands[step]()


def state(app: Tongjie, case_id: UUID) -> CaseDetails:
    """The case as its aggregate stands now, loaded the way commands load it."""
    case = app.store.repository.get(case_id)
    assert isinstance(case, Case)
    return same_moment(CaseDetails.of(case, utcnow()))


def same_moment(details: CaseDetails) -> CaseDetails:
    return dataclasses.replace(details, overdue=False)  # the only field that reads the clock


@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.data())
def test_replay_at_every_version_equals_the_state_then(
    tongjie: Tongjie, data: st.DataObject
) -> None:
    world = worlds.get(id(tongjie)) or worlds.setdefault(id(tongjie), make_world(tongjie))
    case_id = tongjie.cases.receive(actor=world.mediator, registration=registration()).id
    states = {1: state(tongjie, case_id)}
    for _ in range(data.draw(st.integers(1, 16), label="steps")):
        status = states[max(states)].status.value
        act(tongjie, world, case_id, data.draw(st.sampled_from(BY_STATUS[status]), label="step"))
        now = state(tongjie, case_id)
        states[now.version] = now
    history = tongjie.audit.verified_history(case_id)
    assert history.verification.valid
    assert [e.version for e in history.events] == list(range(1, len(states) + 1))
    recorded = [e.recorded_at for e in history.events]
    for version, then in states.items():
        assert same_moment(tongjie.reads.at_version(case_id, version)) == then
        moment = recorded[version - 1]
        if recorded.count(moment) == 1:
            assert same_moment(tongjie.reads.as_of(case_id, moment)) == then
    assert_fast_replay_is_the_librarys(tongjie, case_id)


def assert_fast_replay_is_the_librarys(tongjie: Tongjie, case_id: UUID) -> None:
    """The oracle of the fast replay: the events read through our recorder's rows and
    transcoder, folded by `CaseReplay`, are the library's events folded by `mutate`, type for
    type and value for value."""
    library = list(tongjie.store.events.get(case_id))
    assert tongjie.reads.events is not None
    fast = tongjie.reads.events.events_of(case_id)
    assert [type(e) for e in fast] == [type(e) for e in library]
    for ours, theirs in zip(fast, library, strict=True):
        assert not differences(vars(theirs), vars(ours))
    folded: Case | None = None
    for event in library:
        folded = event.mutate(folded)
    assert_same_aggregate(folded, replayed(fast))


worlds: dict[int, World] = {}
