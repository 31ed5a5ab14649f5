"""Users and their tokens (admins only). A token is shown once and never replayed."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from api.deps import Admin, IdempotencyDep, SettingsDep, TongjieDep
from api.encoding import dumps, jsonable
from api.idempotency import Answer, run_never_replayed, run_once
from api.problems import responses
from api.schemas.users import IssuedUserOut, TokenOut, UserCreateRequest, UserList
from application.dto import UserInfo

router = APIRouter(prefix="/api/v1/users", tags=["users"])

NO_STORE = {"Cache-Control": "no-store"}


def _json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(dumps(body), status_code=status, headers=headers, media_type="application/json")


@router.post(
    "",
    status_code=201,
    response_model=IssuedUserOut,
    responses=responses(400, 409, 413),
    summary="Add a user; the answer shows their token once",
)
def add_user(
    actor: Admin, body: UserCreateRequest, tongjie: TongjieDep, idempotency: IdempotencyDep
) -> Response:
    issued = run_never_replayed(
        idempotency,
        lambda conditions: tongjie.users.add(
            login=body.login,
            role=body.role,
            name=body.name,
            mediator=body.mediator,
            actor=actor,
            conditions=conditions,
        ),
    )
    user = issued.user
    answer = {
        "login": user.login,
        "name": user.name,
        "role": user.role,
        "mediator": user.mediator,
        "token": issued.token,
    }
    return _json(answer, 201, {**NO_STORE, "Location": f"/api/v1/users/{user.login}"})


@router.get("", response_model=UserList, responses=responses(), summary="Every user; never tokens")
def list_users(actor: Admin, tongjie: TongjieDep, settings: SettingsDep) -> Response:
    return _json({"items": [_user(u, settings) for u in tongjie.users.list()]})


@router.post(
    "/{login}/token",
    response_model=TokenOut,
    responses=responses(400, 404, 409, 413),
    summary="Issue a new token; the old one stops working at once",
)
def rotate_token(
    login: str, actor: Admin, tongjie: TongjieDep, idempotency: IdempotencyDep
) -> Response:
    issued = run_never_replayed(
        idempotency,
        lambda conditions: tongjie.users.rotate(login, actor=actor, conditions=conditions),
    )
    return _json({"login": issued.user.login, "token": issued.token}, headers=NO_STORE)


@router.delete(
    "/{login}", status_code=204, responses=responses(404, 409), summary="Revoke the user's token"
)
def revoke_user(
    login: str, actor: Admin, tongjie: TongjieDep, idempotency: IdempotencyDep
) -> Response:
    return run_once(
        idempotency,
        lambda conditions: tongjie.users.revoke(login, actor=actor, conditions=conditions),
        lambda _info: Answer(204, {}, b""),
    )


def _user(user: UserInfo, settings: SettingsDep) -> dict[str, object]:
    encoded: dict[str, object] = jsonable(user, settings.zone)
    return encoded
