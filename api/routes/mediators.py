"""Mediators: who they are, the categories of dispute they take and when they are away.

Admins register and deactivate mediators; supervisors and admins say what each takes and
when each is away, which routing then respects (domain/eligibility.py).
"""

from __future__ import annotations

from datetime import tzinfo

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import Admin, IdempotencyDep, ReferenceReader, SettingsDep, Staffing, TongjieDep
from api.encoding import dumps
from api.idempotency import Answer, run_once
from api.problems import responses
from api.schemas.reference import (
    AbsenceRequest,
    CategoriesRequest,
    MediatorCreateRequest,
    MediatorList,
    MediatorOut,
)
from application.dto import MediatorInfo
from domain.times import in_zone

router = APIRouter(prefix="/api/v1", tags=["reference data"])


def _mediator(info: MediatorInfo, zone: tzinfo) -> dict[str, object]:
    return {
        "code": info.code,
        "name": info.name,
        "organisation": info.organisation,
        "active": info.active,
        "categories": list(info.categories),
        "absences": [
            {
                "from": in_zone(a.start, zone).isoformat(),
                "to": in_zone(a.end, zone).isoformat(),
                "reason": a.reason,
            }
            for a in info.absences
        ],
    }


def _json(body: object, status: int = 200) -> Answer:
    return Answer(status, {"content-type": "application/json"}, dumps(body))


@router.post(
    "/mediators",
    status_code=201,
    response_model=MediatorOut,
    responses=responses(400, 409, 413),
    summary="Register a mediator of an organisation",
)
def add_mediator(
    actor: Admin,
    body: MediatorCreateRequest,
    tongjie: TongjieDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Response:
    """A mediator (解纷人) of one organisation, taking the categories given (default every
    category); a user of role mediator names this code."""
    return run_once(
        idempotency,
        lambda conditions: tongjie.reference.add_mediator(
            code=body.code,
            name=body.name,
            organisation=body.organisation,
            categories=body.categories,
            actor=actor,
            conditions=conditions,
        ),
        lambda info: _json(_mediator(info, settings.zone), 201),
    )


@router.get(
    "/mediators", response_model=MediatorList, responses=responses(), summary="Every mediator"
)
def list_mediators(actor: ReferenceReader, tongjie: TongjieDep, settings: SettingsDep) -> Response:
    """Every mediator, active or not, with the categories they take and their absences."""
    items = [_mediator(m, settings.zone) for m in tongjie.reference.mediators()]
    return _json({"items": items}).response(None)


@router.get(
    "/mediators/{code}",
    response_model=MediatorOut,
    responses=responses(404),
    summary="One mediator",
)
def get_mediator(
    code: str, actor: ReferenceReader, tongjie: TongjieDep, settings: SettingsDep
) -> Response:
    """The mediator, the categories they take and the periods they are away."""
    return _json(_mediator(tongjie.reference.mediator(code), settings.zone)).response(None)


@router.post(
    "/mediators/{code}/deactivate",
    response_model=MediatorOut,
    responses=responses(400, 404, 409, 413),
    summary="Stop new routing to a mediator; their cases stay theirs",
)
def deactivate_mediator(
    code: str,
    actor: Admin,
    tongjie: TongjieDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Response:
    """The mediator can no longer be routed new cases; the cases routed to them stay theirs."""
    return run_once(
        idempotency,
        lambda conditions: tongjie.reference.deactivate_mediator(
            code, actor=actor, conditions=conditions
        ),
        lambda info: _json(_mediator(info, settings.zone)),
    )


@router.put(
    "/mediators/{code}/categories",
    response_model=MediatorOut,
    responses=responses(400, 404, 409, 413),
    summary="The categories of dispute a mediator takes",
)
def set_categories(
    code: str,
    body: CategoriesRequest,
    actor: Staffing,
    tongjie: TongjieDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Response:
    """From now on the mediator takes these categories (the whole list, at least one):
    routing a case of another category to them needs an override. Cases they have stay."""
    return run_once(
        idempotency,
        lambda conditions: tongjie.reference.set_categories(
            code, body.categories, actor=actor, conditions=conditions
        ),
        lambda info: _json(_mediator(info, settings.zone)),
    )


@router.post(
    "/mediators/{code}/absences",
    status_code=201,
    response_model=MediatorOut,
    responses=responses(400, 404, 409, 413),
    summary="A period a mediator is away",
)
def record_absence(
    code: str,
    body: AbsenceRequest,
    actor: Staffing,
    tongjie: TongjieDep,
    settings: SettingsDep,
    idempotency: IdempotencyDep,
) -> Response:
    """The mediator is away from `from` to `to` (leave, training, illness): routing a case to
    them at a time in that period needs an override. Cases they have stay theirs."""
    return run_once(
        idempotency,
        lambda conditions: tongjie.reference.record_absence(
            code,
            start=body.start,
            end=body.end,
            reason=body.reason,
            actor=actor,
            conditions=conditions,
        ),
        lambda info: _json(_mediator(info, settings.zone), 201),
    )
