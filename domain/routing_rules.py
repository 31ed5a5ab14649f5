"""The routing rules (分流规则) as reference data with an audited history of their own.

One aggregate with a fixed id holds the whole ordered list; each change replaces the list
(`RulesReplaced`, with who did it), so the history shows every list the bureau ever had.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValueError
from domain.reference import derived_id
from domain.routing import OrganisationPlace, RoutingRule
from domain.text import blank
from domain.values import SUBCATEGORIES, Actor

MAX_RULES = 500
MAX_NAME = 100


@dataclass(frozen=True)
class KnownPlaces:
    """The reference data a rule may name: the organisations (code, kind, street)."""

    organisations: tuple[OrganisationPlace, ...]

    @property
    def streets(self) -> frozenset[str]:
        return frozenset(o.street for o in self.organisations)


class RoutingRules(Aggregate):
    """The bureau's routing rules, in order: the first that a case matches decides."""

    class Opened(Aggregate.Created):
        pass

    class RulesReplaced(Aggregate.Event):
        """The whole ordered list replaced (as JSON data: `RoutingRule.to_plain`)."""

        rules: list[dict[str, Any]]
        actor: Actor

        def apply(self, aggregate: Any) -> None:
            aggregate.rules = tuple(RoutingRule.from_plain(r) for r in self.rules)
            aggregate.replaced_by = self.actor

    ID = derived_id("routing-rules", "the-bureau")

    def __init__(self) -> None:
        self.rules: tuple[RoutingRule, ...] = ()
        self.replaced_by: Actor | None = None

    @classmethod
    def open(cls) -> RoutingRules:
        return cls._create(cls.Opened, id=cls.ID)

    def replace(self, rules: Sequence[RoutingRule], *, actor: Actor, known: KnownPlaces) -> None:
        """Replace the list; every rule must name only what exists, and each its own name."""
        check_rules(rules, known)
        self.trigger_event(
            self.RulesReplaced, rules=[rule.to_plain() for rule in rules], actor=actor
        )


def check_rules(rules: Sequence[RoutingRule], known: KnownPlaces) -> None:
    """Each broken rule is a 422 naming its field (`rules.2.target.organisation`)."""
    if len(rules) > MAX_RULES:
        raise InvalidValueError("rules", f"at most {MAX_RULES} rules")
    names: set[str] = set()
    for index, rule in enumerate(rules):
        at = f"rules.{index}"
        if blank(rule.name) or len(rule.name) > MAX_NAME:
            raise InvalidValueError(f"{at}.name", f"not blank, at most {MAX_NAME} characters")
        if rule.name in names:
            raise InvalidValueError(f"{at}.name", f"{rule.name!r} names an earlier rule too")
        names.add(rule.name)
        _check_match(at, rule, known)
        _check_target(at, rule, known)


def _check_match(at: str, rule: RoutingRule, known: KnownPlaces) -> None:
    match = rule.match
    if match.subcategory is not None:
        allowed: Iterable[str] = (
            SUBCATEGORIES[match.category]
            if match.category is not None
            else set().union(*SUBCATEGORIES.values())
        )
        if match.subcategory not in allowed:
            of = f" of {match.category.value}" if match.category is not None else ""
            raise InvalidValueError(
                f"{at}.match.subcategory", f"no subcategory {match.subcategory!r}{of}"
            )
    if match.street is not None and match.street not in known.streets:
        raise InvalidValueError(
            f"{at}.match.street", f"no organisation serves the street {match.street!r}"
        )
    for bound in ("claim_amount_min", "claim_amount_max"):
        value = getattr(match, bound)
        if value is not None and (not value.is_finite() or value < 0):
            raise InvalidValueError(f"{at}.match.{bound}", "a non-negative amount in yuan")
    low, high = match.claim_amount_min, match.claim_amount_max
    if low is not None and high is not None and low > high:
        raise InvalidValueError(
            f"{at}.match.claim_amount_max", "must not be less than claim_amount_min"
        )


def _check_target(at: str, rule: RoutingRule, known: KnownPlaces) -> None:
    target = rule.target
    if (target.organisation is None) == (target.organisation_kind is None):
        raise InvalidValueError(
            f"{at}.target", "names either an organisation or an organisation_kind"
        )
    if target.organisation is not None:
        if all(o.code != target.organisation for o in known.organisations):
            raise InvalidValueError(
                f"{at}.target.organisation", f"no organisation {target.organisation!r}"
            )
    elif all(o.kind is not target.organisation_kind for o in known.organisations):
        kind = target.organisation_kind.value if target.organisation_kind else ""
        raise InvalidValueError(
            f"{at}.target.organisation_kind", f"no organisation of kind {kind!r} is registered"
        )
