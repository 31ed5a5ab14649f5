"""Routing rules (分流规则) and the choice of a mediator: pure functions, no I/O.

A rule says which organisation a kind of case goes to: its `match` names what the case must
be (every field given must hold), its `target` an organisation by code, or by kind (the one of
that kind that serves the case's street). The first rule that matches decides. Among the
eligible mediators of that organisation the one with the fewest open cases is chosen; ties go
to the one routed to least recently, then by code, so that work spreads evenly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from domain.values import Category, Channel, OrganisationKind, RiskLevel, shared

MATCH_FIELDS = (
    "category",
    "subcategory",
    "street",
    "channel",
    "claim_amount_min",
    "claim_amount_max",
    "risk_level",
)


@shared
@dataclass(frozen=True)
class RuleMatch:
    """What a case must be for the rule to apply; a field left None matches anything.
    The claimed amount's bounds are inclusive; a case with no amount claimed matches no bound."""

    category: Category | None = None
    subcategory: str | None = None
    street: str | None = None
    channel: Channel | None = None
    claim_amount_min: Decimal | None = None
    claim_amount_max: Decimal | None = None
    risk_level: RiskLevel | None = None


@shared
@dataclass(frozen=True)
class RuleTarget:
    """Where the rule sends a case: one organisation, or the organisation of a kind that serves
    the case's street (exactly one of the two)."""

    organisation: str | None = None
    organisation_kind: OrganisationKind | None = None


@shared
@dataclass(frozen=True)
class RoutingRule:
    name: str
    match: RuleMatch
    target: RuleTarget

    def to_plain(self) -> dict[str, Any]:
        """The rule as JSON data, as an event stores it and the API answers it."""
        match = {
            name: _plain(getattr(self.match, name))
            for name in MATCH_FIELDS
            if getattr(self.match, name) is not None
        }
        target: dict[str, str] = (
            {"organisation": self.target.organisation}
            if self.target.organisation is not None
            else {"organisation_kind": _plain(self.target.organisation_kind)}
        )
        return {"name": self.name, "match": match, "target": target}

    @classmethod
    def from_plain(cls, data: Mapping[str, Any]) -> RoutingRule:
        match = data.get("match", {})
        target = data.get("target", {})

        def amount(name: str) -> Decimal | None:
            value = match.get(name)
            return None if value is None else Decimal(str(value))

        kind = target.get("organisation_kind")
        return cls(
            name=data["name"],
            match=RuleMatch(
                category=_enum(Category, match.get("category")),
                subcategory=match.get("subcategory"),
                street=match.get("street"),
                channel=_enum(Channel, match.get("channel")),
                claim_amount_min=amount("claim_amount_min"),
                claim_amount_max=amount("claim_amount_max"),
                risk_level=_enum(RiskLevel, match.get("risk_level")),
            ),
            target=RuleTarget(
                organisation=target.get("organisation"),
                organisation_kind=None if kind is None else OrganisationKind(kind),
            ),
        )


def _plain(value: object) -> str:
    if isinstance(value, Category | Channel | RiskLevel | OrganisationKind):
        return str(value.value)
    if isinstance(value, Decimal):
        return format(value, ".2f")  # yuan, as every amount is answered
    return str(value)


def _enum(kind: Any, value: str | None) -> Any:
    return None if value is None else kind(value)


@dataclass(frozen=True)
class CaseFacts:
    """What a rule may look at in a case: its registration as it stands, and its risk."""

    category: Category
    subcategory: str | None
    street: str
    channel: Channel
    claim_amount: Decimal | None
    risk_level: RiskLevel = RiskLevel.NONE


def matches(match: RuleMatch, facts: CaseFacts) -> bool:
    """Every field the rule names holds for the case."""
    if match.category is not None and match.category is not facts.category:
        return False
    if match.subcategory is not None and match.subcategory != facts.subcategory:
        return False
    if match.street is not None and match.street != facts.street:
        return False
    if match.channel is not None and match.channel is not facts.channel:
        return False
    if match.risk_level is not None and match.risk_level is not facts.risk_level:
        return False
    if match.claim_amount_min is not None and (
        facts.claim_amount is None or facts.claim_amount < match.claim_amount_min
    ):
        return False
    return match.claim_amount_max is None or (
        facts.claim_amount is not None and facts.claim_amount <= match.claim_amount_max
    )


def first_match(rules: Iterable[RoutingRule], facts: CaseFacts) -> RoutingRule | None:
    """The first rule, in the list's order, that the case matches: the first match wins."""
    return next((rule for rule in rules if matches(rule.match, facts)), None)


@dataclass(frozen=True)
class OrganisationPlace:
    """An organisation as the rules see it: its kind and the street it serves."""

    code: str
    kind: OrganisationKind
    street: str


def target_organisation(
    target: RuleTarget, street: str, organisations: Iterable[OrganisationPlace]
) -> str | None:
    """The organisation's code a target names for a case on `street`: the code itself, or the
    organisation of the kind that serves the street (the first by code if several do); None
    when no organisation of that kind serves it."""
    if target.organisation is not None:
        return target.organisation
    serving = sorted(
        o.code for o in organisations if o.kind is target.organisation_kind and o.street == street
    )
    return serving[0] if serving else None


@dataclass(frozen=True)
class Candidate:
    """A mediator of the target organisation, as the suggestion weighs them."""

    mediator: str
    open_cases: int
    last_routed_at: datetime | None
    eligible: bool
    reason: str | None
    """Why they are not eligible (None when they are)."""


def ranked(candidates: Sequence[Candidate]) -> list[Candidate]:
    """The eligible first, by fewest open cases, then routed to least recently (never before
    first), then by code; the ineligible after them by code."""

    def key(c: Candidate) -> tuple[bool, int, bool, float, str]:
        at = c.last_routed_at
        return (
            not c.eligible,
            c.open_cases,
            at is not None,
            at.timestamp() if at else 0,
            c.mediator,
        )

    return sorted(candidates, key=key)


def choose(candidates: Sequence[Candidate]) -> Candidate | None:
    """The mediator the balance chooses: fewest open cases, least recently routed, by code."""
    order = ranked(candidates)
    return order[0] if order and order[0].eligible else None
