"""Triage (分流交办): the routing rules, read and replaced whole, and a case's suggestion."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Header
from starlette.responses import Response

from api.deps import (
    IF_MATCH_DESCRIPTION,
    IdempotencyDep,
    SettingsDep,
    TongjieDep,
    parse_if_match,
    roles,
)
from api.encoding import actor_json, dumps
from api.idempotency import Answer, run_once
from api.problems import PreconditionRequiredError, responses
from api.schemas import examples
from api.schemas.routing import RulesHistoryOut, RulesOut, RulesReplaceRequest, SuggestionOut
from application.routing_rules import RulesInfo
from application.triage import Suggestion
from domain.times import in_zone
from domain.values import Actor, Role

router = APIRouter(prefix="/api/v1", tags=["triage"])

RulesReader = Annotated[Actor, Depends(roles(Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN))]
RulesWriter = Annotated[Actor, Depends(roles(Role.SUPERVISOR, Role.ADMIN))]
Supervisor = Annotated[Actor, Depends(roles(Role.SUPERVISOR))]
IfMatch = Annotated[
    str | None, Header(alias="If-Match", description=f"required: {IF_MATCH_DESCRIPTION}")
]


def _rules(info: RulesInfo) -> Answer:
    body = {"version": info.version, "rules": [rule.to_plain() for rule in info.rules]}
    headers = {"ETag": f'"{info.version}"', "content-type": "application/json"}
    return Answer(200, headers, dumps(body))


@router.get(
    "/routing-rules",
    response_model=RulesOut,
    responses=responses(),
    summary="The routing rules (分流规则), in order",
)
def get_rules(actor: RulesReader, tongjie: TongjieDep) -> Response:
    """The ordered list: the first rule a case matches names its organisation. `ETag` is the
    list's version, which a replacement names in `If-Match`."""
    return _rules(tongjie.routing_rules.current()).response(None)


@router.put(
    "/routing-rules",
    response_model=RulesOut,
    responses=responses(400, 412, 413, 428),
    summary="Replace the whole list of routing rules",
)
def put_rules(
    actor: RulesWriter,
    body: Annotated[RulesReplaceRequest, Body(openapi_examples=examples.ROUTING_RULES)],
    tongjie: TongjieDep,
    idempotency: IdempotencyDep,
    if_match: IfMatch = None,
) -> Response:
    """The new list replaces the old one whole, if it is still at the version `If-Match`
    names (428 without it, 412 when another replaced it meanwhile). Every organisation, kind,
    subcategory and street a rule names must exist, and each rule has its own name: else a
    422 naming the field (`rules.2.target.organisation`), and nothing is recorded. Every list
    is kept in the rules' history, with who set it."""
    expected = parse_if_match(if_match)
    if expected is None:
        raise PreconditionRequiredError('send If-Match: "<version>" of the list it replaces')
    rules = body.routing_rules()
    return run_once(
        idempotency,
        lambda conditions: tongjie.routing_rules.replace(
            rules, actor=actor, expected_version=expected, conditions=conditions
        ),
        _rules,
    )


@router.get(
    "/routing-rules/history",
    response_model=RulesHistoryOut,
    responses=responses(),
    summary="Every list of routing rules ever set, with who set it and when",
)
def get_rules_history(actor: RulesReader, tongjie: TongjieDep, settings: SettingsDep) -> Response:
    """The rules' audited history, the first list first: each with its `version`, when it
    was stored (`recorded_at`) and who set it (`actor`)."""
    items = [
        {
            "version": found.version,
            "recorded_at": in_zone(found.recorded_at, settings.zone).isoformat(),
            "actor": actor_json(found.actor),
            "rules": [rule.to_plain() for rule in found.rules],
        }
        for found in tongjie.routing_rules.history()
    ]
    return Response(dumps({"items": items}), media_type="application/json")


def _suggestion(suggestion: Suggestion) -> dict[str, object]:
    return {
        "organisation": suggestion.organisation,
        "mediator": suggestion.mediator,
        "rule": suggestion.rule,
        "candidates": [
            {
                "mediator": c.mediator,
                "open_cases": c.open_cases,
                "eligible": c.eligible,
                "reason": c.reason,
            }
            for c in suggestion.candidates
        ],
        "reason": suggestion.reason,
    }


@router.get(
    "/cases/{case_id}/routing-suggestion",
    response_model=SuggestionOut,
    responses=responses(404, 409),
    summary="Where the routing rules and the balance of work would route the case",
)
def get_suggestion(case_id: UUID, actor: Supervisor, tongjie: TongjieDep) -> Response:
    """The rule the case matches names the organisation; of its eligible mediators the one
    with the fewest open cases is suggested (ties: the one routed to least recently, then by
    code), counted on the board (a view, so a routing of the last moments may not count
    yet). Every other candidate says why they were passed over. No rule matches: both null,
    and `reason` says so."""
    body = _suggestion(tongjie.triage.suggestion(case_id))
    return Response(dumps(body), media_type="application/json")
