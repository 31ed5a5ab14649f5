"""A store with three cases whose events interleave, on SQLite and PostgreSQL, with and
without encryption at rest; and the raw SQL to tamper with it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.cipher import AESCipher

from api.bootstrap import build_application
from application.tongjie import Tongjie
from domain.integrity import Digest
from domain.values import Agreement, AgreementForm, Fulfilment, Method, Outcome, RiskLevel
from infrastructure.settings import Settings
from tests.integration.audit.tamper import RawEvents
from tests.world import World, make_world, registration


@dataclass
class Scene:
    app: Tongjie
    raw: RawEvents
    world: World
    a: UUID  # 6 events; its last is followed in the store by b's last
    b: UUID  # 6 events; its last is the last event of the store
    c: UUID  # 3 events
    numbers: dict[UUID, str]
    digest: Digest  # saved before any tampering


@pytest.fixture(params=["plain", "encrypted"])
def audit_settings(request: pytest.FixtureRequest, database_url: str) -> Settings:
    key = AESCipher.create_key(16) if request.param == "encrypted" else None
    return Settings(database_url=database_url, cipher_key=key)


def steps(app: Tongjie, world: World, case_id: UUID) -> list[Callable[[], object]]:
    """The steps after receipt of a case that ends in an agreement and a follow-up."""
    zhang, boss = world.mediator, world.supervisor
    agreement = Agreement(AgreementForm.WRITTEN, "赵大海赔偿维修费800元", Decimal("800.00"))
    return [
        lambda: app.cases.route(case_id, actor=boss, organisation="room-1", mediator="m1"),
        lambda: app.cases.log_session(
            case_id, actor=zhang, method=Method.IN_PERSON, attendees=["王小明"], notes="第一次调解"
        ),
        lambda: app.cases.assess_risk(
            case_id, actor=zhang, level=RiskLevel.YELLOW, reason="情绪激动"
        ),
        lambda: app.cases.resolve(
            case_id, actor=zhang, outcome=Outcome.AGREEMENT, agreement=agreement
        ),
        lambda: app.cases.record_follow_up(
            case_id, actor=zhang, fulfilment=Fulfilment.FULFILLED, satisfaction=5
        ),
    ]


@pytest.fixture
def scene(audit_settings: Settings) -> Iterator[Scene]:
    app = build_application(audit_settings)
    try:
        world = make_world(app)
        received = [
            app.cases.receive(actor=world.mediator, registration=registration()) for _ in range(3)
        ]
        a, b, c = (s.id for s in received)
        plans = [steps(app, world, a), steps(app, world, b), steps(app, world, c)[:2]]
        for index in range(5):
            for plan in plans:
                if index < len(plan):
                    plan[index]()
        yield Scene(
            app=app,
            raw=RawEvents(audit_settings, app),
            world=world,
            a=a,
            b=b,
            c=c,
            numbers={s.id: s.number for s in received},
            digest=app.audit.digest(),
        )
    finally:
        app.close()
