"""The demo district: 16 streets (街道), their organisations, 300 mediators (解纷人), users.

Each street has a mediation room (通解室) and a non-litigation service centre; the district
adds its own service centre, three professional committees for the "three matters" and the
18 enterprise mediation organisations the bureau's report says were founded this year.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from demo.names import NameMaker
from domain.values import Actor, Category, OrganisationKind, Role

STREETS = (
    ("东湖街道", "donghu", 9), ("西山街道", "xishan", 6), ("南园街道", "nanyuan", 8),
    ("北塘街道", "beitang", 5), ("文峰街道", "wenfeng", 10), ("和平桥街道", "hepingqiao", 9),
    ("新城桥街道", "xinchengqiao", 8), ("青年路街道", "qingnianlu", 7), ("钟秀街道", "zhongxiu", 7),
    ("白鹭洲街道", "bailuzhou", 4), ("望江街道", "wangjiang", 6), ("学田街道", "xuetian", 7),
    ("虹桥街道", "hongqiao", 6), ("永兴街道", "yongxing", 5), ("城东街道", "chengdong", 6),
    ("临港街道", "lingang", 4),
)  # fmt: skip
"""Name, code and a weight for how many disputes the street brings (its population)."""

SEAT = "和平桥街道"
"""The street where the district's own bodies sit."""

PROFESSIONAL = (
    ("pro-family", "区婚姻家庭纠纷人民调解委员会", Category.FAMILY),
    ("pro-commercial", "区商事纠纷人民调解委员会", Category.COMMERCIAL),
    ("pro-property", "区物业纠纷人民调解委员会", Category.PROPERTY_MANAGEMENT),
)
ENTERPRISES = 18
"""Mediators per organisation: 16 rooms x 10, 16 street centres x 4, the district centre 4,
3 professional committees x 12 and 18 enterprises x 2: 300, the report's 解纷人."""


@dataclass(frozen=True)
class Street:
    name: str
    code: str
    weight: int


@dataclass(frozen=True)
class Org:
    code: str
    name: str
    kind: OrganisationKind
    street: str


@dataclass(frozen=True)
class Person:
    """A user of the demo: a mediator (with their mediator code) or a bureau official."""

    login: str
    name: str
    role: Role
    mediator: str | None = None


@dataclass
class District:
    streets: tuple[Street, ...]
    organisations: dict[str, Org]
    members: dict[str, tuple[str, ...]]  # organisation code -> mediator codes
    workload: dict[str, float]  # mediator code -> how much of the org's work they take
    people: tuple[Person, ...]
    actors: dict[str, Actor] = field(default_factory=dict)  # login -> actor, once users exist

    def room(self, street: Street) -> str:
        return f"{street.code}-room"

    def centre(self, street: Street) -> str:
        return f"{street.code}-centre"

    def enterprises(self) -> list[Org]:
        return [o for o in self.organisations.values() if o.kind is OrganisationKind.ENTERPRISE]

    def actor(self, login: str) -> Actor:
        return self.actors[login]


def plan_district(rng: random.Random, names: NameMaker) -> District:
    """The organisations, mediators and people of the district, from one random stream."""
    streets = tuple(Street(name, code, weight) for name, code, weight in STREETS)
    orgs: list[tuple[Org, int]] = []

    def add(code: str, name: str, kind: OrganisationKind, street: str, mediators: int) -> None:
        orgs.append((Org(code, name, kind, street), mediators))

    for street in streets:
        room, centre = f"{street.code}-room", f"{street.code}-centre"
        add(room, f"{street.name}通解室", OrganisationKind.STREET_ROOM, street.name, 10)
        add(centre, f"{street.name}非诉讼服务中心", OrganisationKind.SERVICE_CENTRE, street.name, 4)
    add("district-centre", "区非诉讼服务中心", OrganisationKind.SERVICE_CENTRE, SEAT, 4)
    for code, name, _ in PROFESSIONAL:
        add(code, name, OrganisationKind.PROFESSIONAL, SEAT, 12)
    companies: set[str] = set()
    while len(companies) < ENTERPRISES:
        companies.add(names.company())
    weights = [s.weight for s in streets]
    for index, company in enumerate(sorted(companies), start=1):
        street = rng.choices(streets, weights=weights)[0]
        name = f"{company}人民调解委员会"
        add(f"ent-{index:02d}", name, OrganisationKind.ENTERPRISE, street.name, 2)
    members: dict[str, tuple[str, ...]] = {}
    workload: dict[str, float] = {}
    people = [
        Person("admin", names.person(), Role.ADMIN),
        Person("supervisor", names.person(), Role.SUPERVISOR),
        Person("auditor", names.person(), Role.AUDITOR),
    ]
    for org, count in orgs:
        codes = tuple(f"{org.code}-{n:02d}" for n in range(1, count + 1))
        members[org.code] = codes
        for code in codes:
            workload[code] = rng.uniform(0.4, 1.6)
            people.append(Person(code, names.person(), Role.MEDIATOR, code))
    return District(
        streets=streets,
        organisations={org.code: org for org, _ in orgs},
        members=members,
        workload=workload,
        people=tuple(people),
    )
