"""Who brings which dispute where: the registration of a demo case and where it is routed.

Shares follow the report's "three matters": family, commercial and property disputes in
roughly equal parts; a quarter of the commercial ones are brought by an enterprise. Where each
goes is what the bureau's routing rules say (demo/rules.py): most to the street's own room,
the specialised ones to the district's professional committees, the enterprises' to their
own mediation organisations.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from decimal import Decimal

from demo.district import District, Org, Street
from demo.draw import Weighted
from demo.names import NameMaker
from demo.rules import route_by_rules
from demo.texts import SUMMARIES
from domain.values import Actor, Category, Channel, Party, PartyRole, Registration

W = Weighted
CATEGORIES = W({Category.FAMILY: 34, Category.COMMERCIAL: 31, Category.PROPERTY_MANAGEMENT: 35})
SUBCATEGORIES = {
    Category.FAMILY: W({"marriage": 30, "inheritance": 15, "support": 15, "neighbour": 40}),
    Category.COMMERCIAL: W({"contract": 35, "debt": 25, "labour": 20, "consumer": 20}),
    Category.PROPERTY_MANAGEMENT: W({"fees": 35, "repairs": 25, "parking": 15, "nuisance": 25}),
}
ENTERPRISE_SUBCATEGORIES = W({"labour": 70, "contract": 20, "debt": 10})
CHANNEL_ORDER = (
    Channel.WALK_IN, Channel.HOTLINE, Channel.ONLINE, Channel.COURT_REFERRAL,
    Channel.POLICE_REFERRAL, Channel.PETITION_REFERRAL, Channel.GRID_WORKER,
)  # fmt: skip
CHANNELS = {
    category: W(dict(zip(CHANNEL_ORDER, weights, strict=True)))
    for category, weights in (
        (Category.FAMILY, (34, 12, 6, 8, 14, 4, 22)),
        (Category.COMMERCIAL, (30, 18, 18, 18, 6, 6, 4)),
        (Category.PROPERTY_MANAGEMENT, (24, 30, 14, 3, 4, 5, 20)),
    )
}
ENTERPRISE_SHARE = {Category.COMMERCIAL: 0.25}
"""The share of a category's disputes that an enterprise brings (to its own organisation)."""
CLAIMS = {  # yuan: (share of cases with a claim, low, high)
    "marriage": (0.5, 5_000, 200_000), "inheritance": (0.8, 50_000, 800_000),
    "support": (0.7, 5_000, 60_000), "neighbour": (0.6, 500, 20_000),
    "contract": (1.0, 5_000, 500_000), "debt": (1.0, 10_000, 300_000),
    "labour": (1.0, 3_000, 120_000), "consumer": (0.9, 200, 30_000),
    "fees": (1.0, 1_000, 15_000), "repairs": (0.6, 2_000, 80_000),
    "parking": (0.3, 500, 5_000), "nuisance": (0.1, 1_000, 10_000),
}  # fmt: skip
COMPANY_RESPONDENTS = {
    "labour": None,
    "consumer": "商贸",
    "repairs": "物业服务",
    "parking": "物业服务",
}


@dataclass(frozen=True)
class Intake:
    registration: Registration
    organisation: str
    mediator: str
    receiver: Actor
    rule: str
    """The routing rule that names `organisation` (demo/rules.py)."""


class IntakeMaker:
    def __init__(self, district: District, rng: random.Random, names: NameMaker) -> None:
        self.district = district
        self.rng = rng
        self.names = names
        self._streets = W({street: street.weight for street in district.streets})
        self._members = {
            org: (codes, W({code: district.workload[code] for code in codes}))
            for org, codes in district.members.items()
        }
        self._enterprises = district.enterprises()

    def make(self) -> Intake:
        rng = self.rng
        category = CATEGORIES.pick(rng)
        if rng.random() < ENTERPRISE_SHARE.get(category, 0):
            return self._enterprise_case()
        street = self._streets.pick(rng)
        subcategory = SUBCATEGORIES[category].pick(rng)
        channel = CHANNELS[category].pick(rng)
        receiver = self._receiver(street, channel)
        registration = self._registration(category, subcategory, street.name, channel)
        return self._routed(registration, receiver)

    def make_in(self, street: Street, category: Category, subcategory: str) -> Intake:
        """A dispute of this street and subcategory, routed where the rules say."""
        channel = CHANNELS[category].pick(self.rng)
        receiver = self._receiver(street, channel)
        registration = self._registration(category, subcategory, street.name, channel)
        return self._routed(replace(registration, subcategory=subcategory), receiver)

    def _routed(self, registration: Registration, receiver: Actor) -> Intake:
        """The intake, with the organisation the routing rules name and one of its mediators."""
        rule, organisation = route_by_rules(self.district, registration)
        mediator = self.mediator_of(organisation)
        return Intake(registration, organisation, mediator, receiver, rule)

    def mediator_of(self, organisation: str, other_than: str | None = None) -> str:
        codes, weights = self._members[organisation]
        chosen = weights.pick(self.rng)
        if chosen == other_than and len(codes) > 1:
            return codes[(codes.index(chosen) + 1) % len(codes)]
        return chosen

    def _enterprise_case(self) -> Intake:
        rng = self.rng
        org: Org = rng.choice(self._enterprises)
        subcategory = ENTERPRISE_SUBCATEGORIES.pick(rng)
        channel = Channel.ENTERPRISE if rng.random() < 0.75 else Channel.WALK_IN
        receiver = self.district.actor(self.mediator_of(org.code))
        registration = self._registration(Category.COMMERCIAL, subcategory, org.street, channel)
        return self._routed(registration, receiver)

    def _receiver(self, street: Street, channel: Channel) -> Actor:
        """Referrals from courts and petitions often reach the bureau first; the rest the street."""
        referral = channel in (Channel.COURT_REFERRAL, Channel.PETITION_REFERRAL)
        if referral and self.rng.random() < 0.4:
            return self.district.actor("supervisor")
        at_room = channel in (Channel.WALK_IN, Channel.GRID_WORKER) and self.rng.random() < 0.7
        desk = self.district.room(street) if at_room else self.district.centre(street)
        return self.district.actor(self.mediator_of(desk))

    def _registration(
        self, category: Category, kind: str, street: str, channel: Channel
    ) -> Registration:
        rng = self.rng
        parties = self._parties(kind)
        share, low, high = CLAIMS[kind]
        claim = _yuan(rng, low, high) if rng.random() < share else None
        return Registration(
            category=category,
            subcategory=None if rng.random() < 0.08 else kind,
            street=street,
            channel=channel,
            summary=rng.choice(SUMMARIES[kind]),
            parties=parties,
            claim_amount=claim,
        )

    def _parties(self, kind: str) -> tuple[Party, ...]:
        rng, names = self.rng, self.names
        phone = names.phone() if rng.random() < 0.7 else None
        applicant = Party(PartyRole.APPLICANT, names.person(), phone)
        if kind == "fees" and rng.random() < 0.6:
            applicant = Party(PartyRole.APPLICANT, names.company("物业服务"))
            return (applicant, Party(PartyRole.RESPONDENT, names.person()))
        if kind in COMPANY_RESPONDENTS:
            respondent = Party(PartyRole.RESPONDENT, names.company(COMPANY_RESPONDENTS[kind]))
            return (applicant, respondent)
        respondents = 2 if kind == "inheritance" and rng.random() < 0.3 else 1
        return (
            applicant,
            *(Party(PartyRole.RESPONDENT, names.person()) for _ in range(respondents)),
        )


def _yuan(rng: random.Random, low: int, high: int) -> Decimal:
    """A round sum between low and high, small sums commoner than large (log-uniform)."""
    amount = math.exp(rng.uniform(math.log(low), math.log(high)))
    step = 100 if amount >= 1_000 else 10
    return Decimal(max(step, int(amount) // step * step)).quantize(Decimal("0.01"))
