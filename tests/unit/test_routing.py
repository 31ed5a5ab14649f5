"""Routing rules: each field of a match, the first match wins, a kind found by the street,
and the balance's choice of a mediator (domain/routing.py, domain/routing_rules.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import InvalidValueError
from domain.routing import (
    Candidate,
    CaseFacts,
    OrganisationPlace,
    RoutingRule,
    RuleMatch,
    RuleTarget,
    choose,
    first_match,
    matches,
    target_organisation,
)
from domain.routing_rules import KnownPlaces, RoutingRules, check_rules
from domain.values import Actor, Category, Channel, OrganisationKind, RiskLevel, Role

FACTS = CaseFacts(
    category=Category.FAMILY,
    subcategory="neighbour",
    street="东湖街道",
    channel=Channel.WALK_IN,
    claim_amount=Decimal("1200.00"),
    risk_level=RiskLevel.YELLOW,
)
PLACES = (
    OrganisationPlace("donghu-room", OrganisationKind.STREET_ROOM, "东湖街道"),
    OrganisationPlace("xishan-room", OrganisationKind.STREET_ROOM, "西山街道"),
    OrganisationPlace("pro-family", OrganisationKind.PROFESSIONAL, "和平桥街道"),
)
ROOM = RuleTarget(organisation_kind=OrganisationKind.STREET_ROOM)
ACTOR = Actor(id="a", login="boss", role=Role.SUPERVISOR)


@pytest.mark.parametrize(
    ("match", "expected"),
    [
        (RuleMatch(), True),
        (RuleMatch(category=Category.FAMILY), True),
        (RuleMatch(category=Category.COMMERCIAL), False),
        (RuleMatch(subcategory="neighbour"), True),
        (RuleMatch(subcategory="marriage"), False),
        (RuleMatch(street="东湖街道"), True),
        (RuleMatch(street="西山街道"), False),
        (RuleMatch(channel=Channel.WALK_IN), True),
        (RuleMatch(channel=Channel.HOTLINE), False),
        (RuleMatch(claim_amount_min=Decimal("1200.00")), True),  # inclusive
        (RuleMatch(claim_amount_min=Decimal("1200.01")), False),
        (RuleMatch(claim_amount_max=Decimal("1200.00")), True),  # inclusive
        (RuleMatch(claim_amount_max=Decimal("1199.99")), False),
        (RuleMatch(risk_level=RiskLevel.YELLOW), True),
        (RuleMatch(risk_level=RiskLevel.RED), False),
        (RuleMatch(category=Category.FAMILY, street="西山街道"), False),  # every field holds
    ],
)
def test_each_field_of_a_match(match: RuleMatch, expected: bool) -> None:
    assert matches(match, FACTS) is expected


def test_a_case_with_no_claim_meets_no_amount_bound() -> None:
    unclaimed = replace(FACTS, claim_amount=None)
    assert not matches(RuleMatch(claim_amount_min=Decimal(0)), unclaimed)
    assert not matches(RuleMatch(claim_amount_max=Decimal(10**9)), unclaimed)
    assert matches(RuleMatch(category=Category.FAMILY), unclaimed)


def test_the_first_match_wins() -> None:
    rules = [
        RoutingRule("commercial", RuleMatch(category=Category.COMMERCIAL), ROOM),
        RoutingRule("family", RuleMatch(category=Category.FAMILY), ROOM),
        RoutingRule("everything", RuleMatch(), RuleTarget(organisation="pro-family")),
    ]
    assert first_match(rules, FACTS) is rules[1]
    assert first_match(rules[2:] + rules[:2], FACTS) is rules[2]
    assert first_match(rules[:1], FACTS) is None


def test_a_kind_is_the_organisation_serving_the_street() -> None:
    assert target_organisation(ROOM, "东湖街道", PLACES) == "donghu-room"
    assert target_organisation(ROOM, "西山街道", PLACES) == "xishan-room"
    assert target_organisation(ROOM, "和平桥街道", PLACES) is None
    centre = RuleTarget(organisation_kind=OrganisationKind.SERVICE_CENTRE)
    assert target_organisation(centre, "东湖街道", PLACES) is None
    by_code = RuleTarget(organisation="pro-family")
    assert target_organisation(by_code, "西山街道", PLACES) == "pro-family"


def test_a_rule_reads_back_as_it_was_stored() -> None:
    rule = RoutingRule(
        "big",
        RuleMatch(
            category=Category.COMMERCIAL,
            subcategory="debt",
            street="东湖街道",
            channel=Channel.ONLINE,
            claim_amount_min=Decimal("100000"),
            claim_amount_max=Decimal("900000.5"),
            risk_level=RiskLevel.ORANGE,
        ),
        RuleTarget(organisation="pro-family"),
    )
    plain = rule.to_plain()
    assert plain["match"]["claim_amount_min"] == "100000.00"
    assert RoutingRule.from_plain(plain) == rule
    assert RoutingRule("any", RuleMatch(), ROOM).to_plain() == {
        "name": "any",
        "match": {},
        "target": {"organisation_kind": "street_room"},
    }


def _refused(rules: list[RoutingRule]) -> str:
    with pytest.raises(InvalidValueError) as raised:
        check_rules(rules, KnownPlaces(PLACES))
    return raised.value.field


def test_what_a_rule_names_must_exist() -> None:
    fine = RoutingRule("fine", RuleMatch(), ROOM)
    nowhere = RuleTarget(organisation="nowhere")
    centre = RuleTarget(organisation_kind=OrganisationKind.SERVICE_CENTRE)
    assert _refused([fine, fine, RoutingRule("x", RuleMatch(), nowhere)]) == "rules.1.name"
    assert _refused([fine, RoutingRule("x", RuleMatch(), nowhere)]) == "rules.1.target.organisation"
    assert _refused([RoutingRule("x", RuleMatch(), centre)]) == "rules.0.target.organisation_kind"
    assert _refused([RoutingRule("x", RuleMatch(street="火星"), ROOM)]) == "rules.0.match.street"
    wrong = RuleMatch(category=Category.FAMILY, subcategory="debt")
    assert _refused([RoutingRule("x", wrong, ROOM)]) == "rules.0.match.subcategory"
    assert _refused([RoutingRule("x", RuleMatch(subcategory="x"), ROOM)]) == (
        "rules.0.match.subcategory"
    )
    upside_down = RuleMatch(claim_amount_min=Decimal(10), claim_amount_max=Decimal(1))
    assert _refused([RoutingRule("x", upside_down, ROOM)]) == "rules.0.match.claim_amount_max"
    both = RuleTarget(organisation="pro-family", organisation_kind=OrganisationKind.STREET_ROOM)
    assert _refused([RoutingRule("x", RuleMatch(), both)]) == "rules.0.target"
    assert _refused([RoutingRule(" ", RuleMatch(), ROOM)]) == "rules.0.name"


def test_a_refused_list_records_nothing() -> None:
    book = RoutingRules.open()
    book.collect_events()
    with pytest.raises(InvalidValueError):
        book.replace(
            [RoutingRule("x", RuleMatch(), RuleTarget(organisation="nowhere"))],
            actor=ACTOR,
            known=KnownPlaces(PLACES),
        )
    assert book.collect_events() == []
    book.replace([RoutingRule("x", RuleMatch(), ROOM)], actor=ACTOR, known=KnownPlaces(PLACES))
    assert [type(e).__name__ for e in book.collect_events()] == ["RulesReplaced"]
    assert book.rules[0].name == "x"
    assert book.replaced_by == ACTOR


NOW = datetime(2026, 5, 1, tzinfo=UTC)


def test_the_balance_chooses_fewest_then_least_recent_then_code() -> None:
    def c(code: str, n: int, hours: float | None, eligible: bool = True) -> Candidate:
        at = None if hours is None else NOW - timedelta(hours=hours)
        return Candidate(code, n, at, eligible, None if eligible else "away")

    assert choose([c("a", 3, 1), c("b", 2, 1), c("c", 2, 0)]).mediator == "b"  # type: ignore[union-attr]
    assert choose([c("a", 2, 1), c("b", 2, 5)]).mediator == "b"  # type: ignore[union-attr]
    assert choose([c("b", 2, 1), c("a", 2, 1)]).mediator == "a"  # type: ignore[union-attr]
    assert choose([c("a", 2, 1), c("b", 2, None)]).mediator == "b"  # type: ignore[union-attr]
    assert choose([c("a", 0, None, eligible=False), c("b", 9, 0)]).mediator == "b"  # type: ignore[union-attr]
    assert choose([c("a", 0, None, eligible=False)]) is None
    assert choose([]) is None
