"""Reference data: organisations and the streets they serve (admins manage it); mediators
are in `mediators.py`."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import Admin, AnyRole, IdempotencyDep, ReferenceReader, TongjieDep
from api.encoding import dumps
from api.idempotency import Answer, run_once
from api.problems import responses
from api.schemas.reference import (
    OrganisationCreateRequest,
    OrganisationList,
    OrganisationOut,
    StreetList,
)
from application.dto import OrganisationInfo

router = APIRouter(prefix="/api/v1", tags=["reference data"])


def _organisation(info: OrganisationInfo) -> dict[str, object]:
    return {"code": info.code, "name": info.name, "kind": info.kind, "street": info.street}


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
    """An organisation (a street's mediation room, an enterprise's committee, a professional
    committee or a service centre) and the street it serves; its code is unique for good."""
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
    """Every organisation registered, with its kind and street."""
    items = [_organisation(o) for o in tongjie.reference.organisations()]
    return _json({"items": items}).response(None)


@router.get(
    "/streets",
    response_model=StreetList,
    responses=responses(),
    summary="The streets that organisations serve",
)
def list_streets(actor: AnyRole, tongjie: TongjieDep) -> Response:
    """The streets (街道) that organisations serve: a case's `street` is one of them."""
    return _json({"items": tongjie.reference.streets()}).response(None)
