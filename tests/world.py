"""A small district for tests: one street room, two mediators, one user of each role."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from application.tongjie import Tongjie
from domain.values import (
    Actor,
    Category,
    Channel,
    OrganisationKind,
    Party,
    PartyRole,
    Registration,
    Role,
)

STREET = "东湖街道"
OTHER_STREET = "西山街道"


@dataclass
class World:
    mediator: Actor
    other_mediator: Actor
    supervisor: Actor
    auditor: Actor
    admin: Actor
    tokens: dict[str, str]


def make_world(app: Tongjie) -> World:
    root = Actor(id="setup", login="setup", role=Role.ADMIN)
    app.reference.add_organisation(
        code="room-1",
        name="东湖街道通解室",
        kind=OrganisationKind.STREET_ROOM,
        street=STREET,
        actor=root,
    )
    app.reference.add_organisation(
        code="centre-2",
        name="西山街道非诉讼服务中心",
        kind=OrganisationKind.SERVICE_CENTRE,
        street=OTHER_STREET,
        actor=root,
    )
    app.reference.add_mediator(code="m1", name="张调解", organisation="room-1", actor=root)
    app.reference.add_mediator(code="m2", name="李调解", organisation="centre-2", actor=root)
    tokens: dict[str, str] = {}
    actors: dict[str, Actor] = {}
    for login, role, mediator in [
        ("zhang", Role.MEDIATOR, "m1"),
        ("li", Role.MEDIATOR, "m2"),
        ("boss", Role.SUPERVISOR, None),
        ("audit", Role.AUDITOR, None),
        ("admin", Role.ADMIN, None),
    ]:
        issued = app.users.add(login=login, role=role, mediator=mediator)
        tokens[login] = issued.token
        actors[login] = app.users.authenticate(issued.token)
    return World(
        mediator=actors["zhang"],
        other_mediator=actors["li"],
        supervisor=actors["boss"],
        auditor=actors["audit"],
        admin=actors["admin"],
        tokens=tokens,
    )


def registration(**changes: object) -> Registration:
    base: dict[str, object] = {
        "category": Category.FAMILY,
        "subcategory": "neighbour",
        "street": STREET,
        "channel": Channel.WALK_IN,
        "summary": "楼上漏水引发邻里纠纷",
        "parties": (
            Party(PartyRole.APPLICANT, "王小明", "13800000000", "110101199001010011"),
            Party(PartyRole.RESPONDENT, "赵大海"),
        ),
        "claim_amount": Decimal("1200.00"),
    }
    base.update(changes)
    return Registration(**base)  # type: ignore[arg-type]
