"""A few months of a small district for the dashboard: every part of the page has something.

Times are relative to now (each step a fraction of the case's age), so the data obey the
domain's rules whatever day the tests run; the tests compare the page with the API, never with
numbers fixed here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

from application.tongjie import Tongjie
from domain.times import utcnow
from domain.values import (
    Actor,
    Agreement,
    AgreementForm,
    Category,
    Method,
    Outcome,
    Referral,
    RiskLevel,
)
from tests.world import OTHER_STREET, STREET, World, registration

CATEGORIES = [Category.FAMILY, Category.COMMERCIAL, Category.PROPERTY_MANAGEMENT]
SUMMARIES = ["楼上漏水引发邻里纠纷", "货款拖欠纠纷", "物业费与维修争议"]
# (age in days, what happens): "agreement", "no_agreement", "withdrawn", "open", "overdue",
# "due_soon", or a risk level for an open case.
PLAN: list[tuple[float, str]] = [
    (200, "agreement"),
    (170, "agreement"),
    (150, "no_agreement"),
    (130, "agreement"),
    (110, "agreement"),
    (95, "withdrawn"),
    (80, "agreement"),
    (66, "agreement"),
    (52, "no_agreement"),
    (45, "overdue"),
    (41, "overdue"),
    (38, "red"),
    (36, "agreement"),
    (28.5, "due_soon"),
    (21, "agreement"),
    (14, "orange"),
    (9, "yellow"),
    (6, "agreement"),
    (3, "open"),
    (1, "open"),
    (0.2, "open"),
]


@dataclass
class District:
    cases: list[UUID] = field(default_factory=list)
    live: list[UUID] = field(default_factory=list)
    """Cases in mediation by mediator m1 (zhang), for a test to resolve through the API."""


def populate(app: Tongjie, world: World) -> District:
    district = District()
    now = utcnow()
    for i, (age, fate) in enumerate(PLAN):
        received = now - timedelta(days=age)
        on_other_street = i % 3 == 2
        mediator = world.other_mediator if on_other_street else world.mediator
        case_id = app.cases.receive(
            actor=mediator,
            registration=registration(
                category=CATEGORIES[i % 3],
                subcategory=None,
                street=OTHER_STREET if on_other_street else STREET,
                summary=SUMMARIES[i % 3],
            ),
            received_at=received,
        ).id
        district.cases.append(case_id)
        if fate == "withdrawn":
            app.cases.resolve(
                case_id, actor=world.supervisor, outcome=Outcome.WITHDRAWN, resolved_at=received
            )
            continue
        _mediate(app, world, case_id, mediator, received, now, on_other_street)
        if fate in ("agreement", "no_agreement"):
            _resolve(app, case_id, mediator, fate, received + (now - received) * 0.5, i)
        elif fate in ("yellow", "orange", "red"):
            app.cases.assess_risk(
                case_id,
                actor=mediator,
                level=RiskLevel(fate),
                reason="当事人情绪激动，有激化风险",
                assessed_at=received + (now - received) * 0.4,
            )
        if fate == "open" and not on_other_street:
            district.live.append(case_id)
    return district


def _mediate(
    app: Tongjie,
    world: World,
    case_id: UUID,
    mediator: Actor,
    received: datetime,
    now: datetime,
    on_other_street: bool,
) -> None:
    age = now - received
    app.cases.route(
        case_id,
        actor=world.supervisor,
        organisation="centre-2" if on_other_street else "room-1",
        mediator="m2" if on_other_street else "m1",
        routed_at=received + age * 0.1,
    )
    app.cases.log_session(
        case_id,
        actor=mediator,
        method=Method.IN_PERSON,
        attendees=["申请人", "被申请人"],
        notes="双方陈述意见",
        held_at=received + age * 0.3,
    )


def _resolve(app: Tongjie, case_id: UUID, mediator: Actor, fate: str, at: datetime, i: int) -> None:
    if fate == "agreement":
        app.cases.resolve(
            case_id,
            actor=mediator,
            outcome=Outcome.AGREEMENT,
            resolved_at=at,
            agreement=Agreement(
                form=AgreementForm.WRITTEN,
                terms="被申请人分期赔偿",
                amount=Decimal(1000 + 250 * i),
            ),
        )
    else:
        app.cases.resolve(
            case_id,
            actor=mediator,
            outcome=Outcome.NO_AGREEMENT,
            resolved_at=at,
            referral=Referral.LITIGATION,
        )
