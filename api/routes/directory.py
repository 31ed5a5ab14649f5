"""Reads that let a client show codes and people in words: the caller (`/me`), the categories,
display names, and each mediator's open cases (from the board view) for routing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from api.casefile.labels import subcategory, value
from api.deps import AnyRole, Auditing, CaseReader, TongjieDep
from api.encoding import dumps
from api.problems import responses
from api.routes.views import POSITION_HEADER, ViewsDep
from api.schemas.directory import CategoryList, MeOut, NamesOut, WorkloadList
from domain.errors import NotFoundError
from domain.values import SUBCATEGORIES, Category
from projections.board.workload import workloads

router = APIRouter(prefix="/api/v1", tags=["reference data"])

MAX_NAMES = 100


def _json(body: object, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(body), media_type="application/json", headers=headers)


@router.get("/me", response_model=MeOut, responses=responses(), summary="Who this token is")
def me(actor: AnyRole, tongjie: TongjieDep) -> Response:
    """The caller's login, display name and role; a mediator's mediator code and organisation."""
    user = tongjie.users.get(actor.login)
    body: dict[str, object] = {
        "login": user.login,
        "name": user.name,
        "role": user.role,
        "mediator": user.mediator,
        "mediator_name": None,
        "organisation": None,
        "organisation_name": None,
    }
    if user.mediator is not None:
        mediator = tongjie.reference.mediator(user.mediator)
        organisation = tongjie.reference.organisation(mediator.organisation)
        body |= {
            "mediator_name": mediator.name,
            "organisation": organisation.code,
            "organisation_name": organisation.name,
        }
    return _json(body)


@router.get(
    "/categories",
    response_model=CategoryList,
    responses=responses(),
    summary="The categories and their subcategories, with Chinese and English labels",
)
def categories(actor: AnyRole) -> Response:
    items = []
    for category in Category:
        zh, en = value(category)
        subs = sorted(SUBCATEGORIES[category])
        items.append(
            {
                "code": category.value,
                "zh": zh,
                "en": en,
                "subcategories": [
                    {"code": code, "zh": subcategory(code)[0], "en": subcategory(code)[1]}
                    for code in subs
                ],
            }
        )
    return _json({"items": items})


Codes = Annotated[list[str], Query(max_length=MAX_NAMES)]


@router.get(
    "/names",
    response_model=NamesOut,
    responses=responses(),
    summary="Display names of users (by login), mediators and organisations (by code)",
)
def names(
    actor: CaseReader,
    tongjie: TongjieDep,
    login: Codes = [],  # noqa: B006 (FastAPI copies a query list's default)
    mediator: Codes = [],  # noqa: B006
    organisation: Codes = [],  # noqa: B006
) -> Response:
    """For a case's page: who acted (the history names logins) and whom it is routed to."""
    found: dict[str, dict[str, str]] = {"users": {}, "mediators": {}, "organisations": {}}
    lookups: list[tuple[str, list[str], Callable[[str], str]]] = [
        ("users", login, lambda code: tongjie.users.get(code).name),
        ("mediators", mediator, lambda code: tongjie.reference.mediator(code).name),
        ("organisations", organisation, lambda code: tongjie.reference.organisation(code).name),
    ]
    for group, codes, name_of in lookups:
        for code in dict.fromkeys(codes):
            try:
                found[group][code] = name_of(code)
            except NotFoundError:
                continue
    return _json(found)


@router.get(
    "/workload",
    response_model=WorkloadList,
    responses={200: {"headers": POSITION_HEADER}, **responses()},
    summary="Each mediator's open and overdue cases, from the board (for routing)",
)
def workload(actor: Auditing, tongjie: TongjieDep, views: ViewsDep) -> Response:
    """Every mediator (active or not), with the cases routed to them that are not resolved."""
    counted = workloads(views.board.db)
    items = []
    for info in tongjie.reference.mediators():
        load = counted.by_mediator.get(info.code)
        items.append(
            {
                "code": info.code,
                "name": info.name,
                "organisation": info.organisation,
                "active": info.active,
                "open_cases": load.open_cases if load else 0,
                "overdue": load.overdue if load else 0,
            }
        )
    return _json({"items": items}, {"X-Position": str(counted.position)})
