"""The audit: verification of one case and of the whole store, and the store's digest.

Every answer is computed from the stored events' bytes and hash columns, never from a view.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from api.deps import Auditing, SettingsDep, TongjieDep, roles
from api.encoding import dumps, jsonable, poisoned_json
from api.problems import InvalidFieldsError, responses
from api.schemas.audit import (
    HEX_HASH,
    CaseVerificationOut,
    DigestOut,
    StoreVerificationOut,
)
from domain.values import Actor, Role
from projections.views import Views

router = APIRouter(tags=["audit"])

Auditor = Annotated[Actor, Depends(roles(Role.AUDITOR))]


def _json(body: object) -> Response:
    return Response(dumps(body), media_type="application/json")


def _both_or_neither(first: tuple[str, object], second: tuple[str, object]) -> None:
    (first_name, first_value), (second_name, second_value) = first, second
    if first_value is not None and second_value is None:
        raise InvalidFieldsError(second_name, f"give it with {first_name}")
    if second_value is not None and first_value is None:
        raise InvalidFieldsError(first_name, f"give it with {second_name}")


@router.get(
    "/api/v1/cases/{case_id}/verify",
    response_model=CaseVerificationOut,
    responses=responses(404),
    summary="Verify a case's hash chain",
    description="Recomputes each event's hash from its stored bytes and checks each links to "
    "the one before. With `version` and `hash` (a head saved earlier: `events` and `head_hash` "
    "of an earlier answer), also proves the case was not cut short or rewritten since.",
)
def verify_case(
    case_id: UUID,
    actor: Auditing,
    tongjie: TongjieDep,
    settings: SettingsDep,
    version: Annotated[int | None, Query(ge=1, le=10**9)] = None,
    head_hash: Annotated[str | None, Query(alias="hash", pattern=HEX_HASH)] = None,
) -> Response:
    _both_or_neither(("version", version), ("hash", head_hash))
    result = tongjie.audit.verify_case(case_id, version=version, head_hash=head_hash)
    return _json(jsonable(result, settings.zone))


@router.get(
    "/api/v1/audit/digest",
    response_model=DigestOut,
    responses=responses(),
    summary="The store's digest: save it, verify against it later",
)
def digest(actor: Auditor, tongjie: TongjieDep, settings: SettingsDep) -> Response:
    return _json(jsonable(tongjie.audit.digest(), settings.zone))


@router.get(
    "/api/v1/audit/verify",
    response_model=StoreVerificationOut,
    responses=responses(),
    summary="Verify every case chain and the store chain, optionally against a saved digest",
    description="Reads the whole store in pages. Given `position` and `digest` from an "
    "earlier `/audit/digest`, also proves that nothing stored up to that position changed, "
    "including a case cut short at its tail, which no case chain can see.",
)
def verify_store(
    request: Request,
    actor: Auditor,
    tongjie: TongjieDep,
    settings: SettingsDep,
    position: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    digest: Annotated[str | None, Query(pattern=HEX_HASH)] = None,
) -> Response:
    if position != 0:  # the digest of an empty store (position 0) is null
        _both_or_neither(("position", position), ("digest", digest))
    result = tongjie.audit.verify_store(position, digest)
    views: Views | None = getattr(request.app.state, "views", None)
    poisoned = [] if views is None else views_poisoned(views, settings.zone)
    return _json({**jsonable(result, settings.zone), "poisoned": poisoned})


def views_poisoned(views: Views, zone: tzinfo) -> list[dict[str, Any]]:
    """The events the views set aside, in store order, each with its view's name."""
    found = [
        {"view": view, **poisoned_json(event, zone)}
        for view, events in views.engine.poisoned().items()
        for event in events
    ]
    return sorted(found, key=lambda item: (item["position"], item["view"]))
