"""Reference data: organisations, mediators and the streets they serve (admins manage it)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import Admin, AnyRole, IdempotencyDep, ReferenceReader, TongjieDep
from api.encoding import dumps
from api.idempotency import Answer, run_once
from api.problems import responses
from api.schemas.reference import (
    MediatorCreateRequest,
    MediatorList,
    MediatorOut,
    OrganisationCreateRequest,
    OrganisationList,
    OrganisationOut,
    StreetList,
)
from application.dto import MediatorInfo, OrganisationInfo

router = APIRouter(prefix="/api/v1", tags=["reference data"])


def _organisation(info: OrganisationInfo) -> dict[str, object]:
    return {"code": info.code, "name": info.name, "kind": info.kind, "street": info.street}


def _mediator(info: MediatorInfo) -> dict[str, object]:
    return {
        "code": info.code,
        "name": info.name,
        "organisation": info.organisation,
        "active": info.active,
    }


def _json(body: object, status: int = 200) -> Answer:
    return Answer(status, {"content-type": "application/json"}, dumps(body))


@router.post(
    "/organisations",
    status_code=201,
    response_model=OrganisationOut,
    responses=responses(400, 409, 413),
    summary="Register an organisation",
)
def add_organisation(
    actor: Admin,
    body: OrganisationCreateRequest,
    tongjie: TongjieDep,
    idempotency: IdempotencyDep,
) -> Response:
    return run_once(
        idempotency,
        lambda conditions: tongjie.reference.add_organisation(
            code=body.code,
            name=body.name,
            kind=body.kind,
            street=body.street,
            actor=actor,
            conditions=conditions,
        ),
        lambda info: _json(_organisation(info), 201),
    )


@router.get(
    "/organisations",
    response_model=OrganisationList,
    responses=responses(),
    summary="Every organisation",
)
def list_organisations(actor: ReferenceReader, tongjie: TongjieDep) -> Response:
    items = [_organisation(o) for o in tongjie.reference.organisations()]
    return _json({"items": items}).response(None)


@router.post(
    "/mediators",
    status_code=201,
    response_model=MediatorOut,
    responses=responses(400, 409, 413),
    summary="Register a mediator of an organisation",
)
def add_mediator(
    actor: Admin, body: MediatorCreateRequest, tongjie: TongjieDep, idempotency: IdempotencyDep
) -> Response:
    return run_once(
        idempotency,
        lambda conditions: tongjie.reference.add_mediator(
            code=body.code,
            name=body.name,
            organisation=body.organisation,
            actor=actor,
            conditions=conditions,
        ),
        lambda info: _json(_mediator(info), 201),
    )


@router.get(
    "/mediators", response_model=MediatorList, responses=responses(), summary="Every mediator"
)
def list_mediators(actor: ReferenceReader, tongjie: TongjieDep) -> Response:
    items = [_mediator(m) for m in tongjie.reference.mediators()]
    return _json({"items": items}).response(None)


@router.post(
    "/mediators/{code}/deactivate",
    response_model=MediatorOut,
    responses=responses(400, 404, 409, 413),
    summary="Stop new routing to a mediator; their cases stay theirs",
)
def deactivate_mediator(
    code: str, actor: Admin, tongjie: TongjieDep, idempotency: IdempotencyDep
) -> Response:
    return run_once(
        idempotency,
        lambda conditions: tongjie.reference.deactivate_mediator(
            code, actor=actor, conditions=conditions
        ),
        lambda info: _json(_mediator(info)),
    )


@router.get(
    "/streets",
    response_model=StreetList,
    responses=responses(),
    summary="The streets that organisations serve",
)
def list_streets(actor: AnyRole, tongjie: TongjieDep) -> Response:
    return _json({"items": tongjie.reference.streets()}).response(None)
