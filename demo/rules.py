"""The demo bureau's routing rules (分流规则): how the district routes, written down.

The "three matters" each have their line: family disputes go to the street's own 通解室,
except inheritance and the courts' referrals, which the district's family committee takes;
commercial disputes with 50,000 yuan or more at stake go to the commercial committee, the
rest to the street's non-litigation service centre, and those brought by an enterprise to the
enterprise's own mediation organisation; property-management disputes over repairs or of
10,000 yuan or more go to the property committee, the rest to the street's room; what the
letters-and-visits office passes on goes to the district's service centre. Every case a rule
names an organisation for (all of the demo's) is routed there.
"""

from __future__ import annotations

from decimal import Decimal

from demo.district import District
from domain.routing import (
    CaseFacts,
    OrganisationPlace,
    RoutingRule,
    RuleMatch,
    RuleTarget,
    first_match,
    target_organisation,
)
from domain.routing_rules import KnownPlaces, RoutingRules
from domain.values import Actor, Category, Channel, OrganisationKind, Registration

FAMILY, COMMERCIAL, PROPERTY = Category.FAMILY, Category.COMMERCIAL, Category.PROPERTY_MANAGEMENT
ROOM = RuleTarget(organisation_kind=OrganisationKind.STREET_ROOM)
CENTRE = RuleTarget(organisation_kind=OrganisationKind.SERVICE_CENTRE)


def _rule(name: str, target: RuleTarget, **match: object) -> RoutingRule:
    return RoutingRule(name, RuleMatch(**match), target)  # type: ignore[arg-type]


RULES = (
    _rule(
        "涉企纠纷到企业调解组织",
        RuleTarget(organisation_kind=OrganisationKind.ENTERPRISE),
        channel=Channel.ENTERPRISE,
    ),
    _rule(
        "信访转交到区非诉中心",
        RuleTarget(organisation="district-centre"),
        channel=Channel.PETITION_REFERRAL,
    ),
    _rule(
        "继承纠纷到家事委员会",
        RuleTarget(organisation="pro-family"),
        category=FAMILY,
        subcategory="inheritance",
    ),
    _rule(
        "法院委派家事到家事委员会",
        RuleTarget(organisation="pro-family"),
        category=FAMILY,
        channel=Channel.COURT_REFERRAL,
    ),
    _rule("家事热线到街道非诉中心", CENTRE, category=FAMILY, channel=Channel.HOTLINE),
    _rule("家事到街道通解室", ROOM, category=FAMILY),
    _rule(
        "大额商事到商事委员会",
        RuleTarget(organisation="pro-commercial"),
        category=COMMERCIAL,
        claim_amount_min=Decimal(50_000),
    ),
    _rule("商事到街道非诉中心", CENTRE, category=COMMERCIAL),
    _rule(
        "物业维修到物业委员会",
        RuleTarget(organisation="pro-property"),
        category=PROPERTY,
        subcategory="repairs",
    ),
    _rule(
        "大额物业到物业委员会",
        RuleTarget(organisation="pro-property"),
        category=PROPERTY,
        claim_amount_min=Decimal(10_000),
    ),
    _rule("其余到街道通解室", ROOM),
)


def places(district: District) -> tuple[OrganisationPlace, ...]:
    return tuple(
        OrganisationPlace(o.code, o.kind, o.street) for o in district.organisations.values()
    )


def route_by_rules(district: District, registration: Registration) -> tuple[str, str]:
    """The rule the case matches and the organisation it names (every demo case has both)."""
    facts = CaseFacts(
        category=registration.category,
        subcategory=registration.subcategory,
        street=registration.street,
        channel=registration.channel,
        claim_amount=registration.claim_amount,
    )
    rule = first_match(RULES, facts)
    assert rule is not None, "the last rule catches every case"
    organisation = target_organisation(rule.target, registration.street, places(district))
    assert organisation is not None, f"{rule.name}: nothing serves {registration.street}"
    return rule.name, organisation


def rules_record(district: District, actor: Actor) -> RoutingRules:
    """The rules as the bureau's supervisor set them, before the year's first case."""
    book = RoutingRules.open()
    book.replace(RULES, actor=actor, known=KnownPlaces(places(district)))
    return book
