"""Routing rules and suggestions (分流规则、分流建议)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.cases import ActorOut
from api.schemas.common import Code, Money, MoneyOut, Request, ShortText, TimeOut
from domain.routing import RoutingRule, RuleMatch, RuleTarget
from domain.routing_rules import MAX_RULES
from domain.values import Category, Channel, OrganisationKind, RiskLevel


class RuleMatchIn(Request):
    """What a case must be for the rule to apply: every field given must hold (none: any
    case). The claimed amount's bounds are inclusive, and a case with no claim meets none."""

    category: Category | None = None
    subcategory: ShortText | None = Field(default=None, examples=["neighbour"])
    street: ShortText | None = Field(default=None, examples=["东湖街道"])
    channel: Channel | None = None
    claim_amount_min: Money | None = None
    claim_amount_max: Money | None = None
    risk_level: RiskLevel | None = None


class RuleTargetIn(Request):
    """Either an organisation's code, or a kind: the organisation of that kind that serves
    the case's street."""

    organisation: Code | None = None
    organisation_kind: OrganisationKind | None = None


class RuleIn(Request):
    name: ShortText = Field(examples=["家事到街道通解室"])
    match: RuleMatchIn = Field(default_factory=RuleMatchIn)
    target: RuleTargetIn

    def rule(self) -> RoutingRule:
        return RoutingRule(
            name=self.name,
            match=RuleMatch(**self.match.model_dump()),
            target=RuleTarget(**self.target.model_dump()),
        )


class RulesReplaceRequest(Request):
    """The whole ordered list: the first rule a case matches decides where it goes."""

    rules: list[RuleIn] = Field(max_length=MAX_RULES)

    def routing_rules(self) -> list[RoutingRule]:
        return [rule.rule() for rule in self.rules]


class RuleMatchOut(BaseModel):
    category: Category | None = None
    subcategory: str | None = None
    street: str | None = None
    channel: Channel | None = None
    claim_amount_min: MoneyOut = None
    claim_amount_max: MoneyOut = None
    risk_level: RiskLevel | None = None


class RuleTargetOut(BaseModel):
    organisation: str | None = None
    organisation_kind: OrganisationKind | None = None


class RuleOut(BaseModel):
    name: str
    match: RuleMatchOut = Field(description="only the fields the rule names")
    target: RuleTargetOut = Field(description="organisation or organisation_kind")


class RulesOut(BaseModel):
    version: int = Field(description="the list's version (0: none set yet); also the ETag")
    rules: list[RuleOut]


class RulesSetOut(BaseModel):
    version: int
    recorded_at: TimeOut
    actor: ActorOut
    rules: list[RuleOut]


class RulesHistoryOut(BaseModel):
    items: list[RulesSetOut]


class CandidateOut(BaseModel):
    mediator: str = Field(examples=["m1"])
    open_cases: int
    eligible: bool
    reason: str | None = Field(
        description="why they were passed over (null for the mediator suggested)"
    )


class SuggestionOut(BaseModel):
    organisation: str | None = Field(examples=["room-1"])
    mediator: str | None = Field(examples=["m1"])
    rule: str | None = Field(description="the rule that matched", examples=["家事到街道通解室"])
    candidates: list[CandidateOut]
    reason: str | None = Field(
        description="why no organisation or no mediator is suggested (null when both are)"
    )
