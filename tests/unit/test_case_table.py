"""The "allowed when" column of domain.md, state by state and command by command.

Each command is given valid arguments by the right actor, so only the case's state decides:
allowed commands record one event, the others raise the state's error and record nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from domain.case import Case
from domain.errors import CaseResolvedError, WrongStateError
from domain.values import CaseStatus, Fulfilment, Method, Outcome, Referral, RiskLevel
from tests.unit.case_builders import (
    BOSS,
    RESOLVED_AT,
    ZHANG,
    in_mediation,
    received,
    resolved,
    routed,
    state,
    written,
)

LATER = RESOLVED_AT + timedelta(days=1)

COMMANDS: dict[str, Callable[[Case], None]] = {
    "route": lambda c: c.route(organisation="room-2", mediator="m1", actor=BOSS, routed_at=LATER),
    "log_session": lambda c: c.log_session(
        method=Method.PHONE, attendees=["王小明"], notes="电话调解", actor=ZHANG, held_at=LATER
    ),
    "extend_deadline": lambda c: c.extend_deadline(
        new_due_at=c.due_at + timedelta(days=10) if c.due_at else LATER,
        reason="当事人外出",
        parties_consent=True,
        actor=ZHANG,
        extended_at=LATER,
    ),
    "assess_risk": lambda c: c.assess_risk(
        level=RiskLevel.YELLOW, reason="情绪激动", actor=ZHANG, assessed_at=LATER
    ),
    "correct_registration": lambda c: c.correct_registration(  # as a resolved case allows
        reason="街道登记错误", changes={"street": "西山街道"}, actor=BOSS, corrected_at=LATER
    ),
    "resolve_agreement": lambda c: c.resolve(
        outcome=Outcome.AGREEMENT, actor=ZHANG, resolved_at=LATER, agreement=written()
    ),
    "resolve_no_agreement": lambda c: c.resolve(
        outcome=Outcome.NO_AGREEMENT, actor=ZHANG, resolved_at=LATER, referral=Referral.OTHER
    ),
    "withdraw": lambda c: c.resolve(outcome=Outcome.WITHDRAWN, actor=ZHANG, resolved_at=LATER),
    "record_follow_up": lambda c: c.record_follow_up(
        fulfilment=Fulfilment.FULFILLED, satisfaction=5, actor=ZHANG, visited_at=LATER
    ),
    "record_judicial_confirmation": lambda c: c.record_judicial_confirmation(
        actor=ZHANG, applied_at=LATER
    ),
}

OPEN_ONLY = {"route", "assess_risk", "withdraw"}
ANY = {"correct_registration"}  # a resolved case: by a supervisor (tests/unit/test_case_rules.py)
ALLOWED: dict[CaseStatus, set[str]] = {
    CaseStatus.RECEIVED: OPEN_ONLY | ANY,
    CaseStatus.ROUTED: OPEN_ONLY | ANY | {"log_session", "extend_deadline"},
    CaseStatus.IN_MEDIATION: OPEN_ONLY
    | ANY
    | {"log_session", "extend_deadline", "resolve_agreement", "resolve_no_agreement"},
    CaseStatus.RESOLVED: ANY | {"record_follow_up", "record_judicial_confirmation"},
}
BUILDERS: dict[CaseStatus, Callable[[], Case]] = {
    CaseStatus.RECEIVED: received,
    CaseStatus.ROUTED: routed,
    CaseStatus.IN_MEDIATION: in_mediation,
    CaseStatus.RESOLVED: resolved,
}

CELLS = [(status, name) for status in CaseStatus for name in COMMANDS]


@pytest.mark.parametrize(("status", "name"), CELLS, ids=[f"{s.value}-{n}" for s, n in CELLS])
def test_each_command_is_allowed_only_in_its_states(status: CaseStatus, name: str) -> None:
    case = BUILDERS[status]()
    assert case.status is status
    before = state(case)
    version = case.version
    if name in ALLOWED[status]:
        COMMANDS[name](case)
        assert case.version == version + 1
        assert len(case.pending_events) == len(before["_pending"]) + 1
        return
    expected = CaseResolvedError if status is CaseStatus.RESOLVED else WrongStateError
    with pytest.raises(WrongStateError) as raised:
        COMMANDS[name](case)
    assert type(raised.value) is expected
    assert state(case) == before


@pytest.mark.parametrize(
    ("status", "name", "after"),
    [
        (CaseStatus.RECEIVED, "route", CaseStatus.ROUTED),
        (CaseStatus.ROUTED, "route", CaseStatus.ROUTED),
        (CaseStatus.IN_MEDIATION, "route", CaseStatus.IN_MEDIATION),
        (CaseStatus.ROUTED, "log_session", CaseStatus.IN_MEDIATION),
        (CaseStatus.IN_MEDIATION, "log_session", CaseStatus.IN_MEDIATION),
        (CaseStatus.ROUTED, "extend_deadline", CaseStatus.ROUTED),
        (CaseStatus.RECEIVED, "assess_risk", CaseStatus.RECEIVED),
        (CaseStatus.IN_MEDIATION, "correct_registration", CaseStatus.IN_MEDIATION),
        (CaseStatus.IN_MEDIATION, "resolve_agreement", CaseStatus.RESOLVED),
        (CaseStatus.IN_MEDIATION, "resolve_no_agreement", CaseStatus.RESOLVED),
        (CaseStatus.RECEIVED, "withdraw", CaseStatus.RESOLVED),
        (CaseStatus.ROUTED, "withdraw", CaseStatus.RESOLVED),
        (CaseStatus.IN_MEDIATION, "withdraw", CaseStatus.RESOLVED),
        (CaseStatus.RESOLVED, "record_follow_up", CaseStatus.RESOLVED),
        (CaseStatus.RESOLVED, "correct_registration", CaseStatus.RESOLVED),
    ],
)
def test_each_allowed_command_enters_the_state_of_the_table(
    status: CaseStatus, name: str, after: CaseStatus
) -> None:
    case = BUILDERS[status]()
    COMMANDS[name](case)
    assert case.status is after
