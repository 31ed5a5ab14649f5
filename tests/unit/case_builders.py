"""Cases in every state, built through the aggregate's own commands (no I/O).

Times are fixed relative to one moment well in the past, so every business time of a built case
is valid and tests can step before or after any of them.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from domain.case import Case
from domain.values import (
    Actor,
    Agreement,
    AgreementForm,
    Category,
    Channel,
    Method,
    Outcome,
    Party,
    PartyRole,
    Referral,
    Registration,
    Role,
)

NOW = datetime.now(UTC).replace(microsecond=0)
T0 = NOW - timedelta(days=120)
"""When the built cases were received."""
ROUTED_AT = T0 + timedelta(hours=2)
HELD_AT = T0 + timedelta(days=3)
RESOLVED_AT = T0 + timedelta(days=10)

ZHANG = Actor(id="u-zhang", login="zhang", role=Role.MEDIATOR, mediator="m1")
LI = Actor(id="u-li", login="li", role=Role.MEDIATOR, mediator="m2")
BOSS = Actor(id="u-boss", login="boss", role=Role.SUPERVISOR)
AUDIT = Actor(id="u-audit", login="audit", role=Role.AUDITOR)
ADMIN = Actor(id="u-admin", login="admin", role=Role.ADMIN)


def registration(**changes: Any) -> Registration:
    base: dict[str, Any] = {
        "category": Category.FAMILY,
        "subcategory": "neighbour",
        "street": "东湖街道",
        "channel": Channel.WALK_IN,
        "summary": "楼上漏水引发邻里纠纷",
        "parties": (
            Party(PartyRole.APPLICANT, "王小明", "13800000000", "110101199001010011"),
            Party(PartyRole.RESPONDENT, "赵大海"),
        ),
        "claim_amount": Decimal("1200.00"),
    }
    base.update(changes)
    return Registration(**base)


def written(amount: str | None = "800.50") -> Agreement:
    return Agreement(
        AgreementForm.WRITTEN, "被申请人赔偿维修费", Decimal(amount) if amount else None
    )


def oral() -> Agreement:
    return Agreement(AgreementForm.ORAL, "双方互谅互让")


def received(receiver: Actor = ZHANG) -> Case:
    return Case.receive(
        id=uuid4(),
        number="2026-000001",
        registration=registration(),
        actor=receiver,
        received_at=T0,
    )


def routed(receiver: Actor = ZHANG) -> Case:
    case = received(receiver)
    case.route(organisation="room-1", mediator="m1", actor=BOSS, routed_at=ROUTED_AT)
    return case


def in_mediation() -> Case:
    case = routed()
    case.log_session(
        method=Method.IN_PERSON,
        attendees=["王小明", "赵大海"],
        notes="双方陈述",
        actor=ZHANG,
        held_at=HELD_AT,
    )
    return case


def resolved(outcome: Outcome = Outcome.AGREEMENT, agreement: Agreement | None = None) -> Case:
    case = in_mediation()
    if outcome is Outcome.AGREEMENT:
        case.resolve(
            outcome=outcome, actor=ZHANG, resolved_at=RESOLVED_AT, agreement=agreement or written()
        )
    elif outcome is Outcome.NO_AGREEMENT:
        case.resolve(
            outcome=outcome, actor=ZHANG, resolved_at=RESOLVED_AT, referral=Referral.LITIGATION
        )
    else:
        case.resolve(outcome=outcome, actor=ZHANG, resolved_at=RESOLVED_AT)
    return case


def state(case: Case) -> dict[str, Any]:
    """Everything the case holds, pending events included, as a deep copy."""
    return copy.deepcopy({**vars(case), "_pending": list(case.pending_events)})
