"""What routes depend on, as `Annotated` aliases: the application, the caller, their role.

Everything comes from `app.state`, built once in the app's lifespan (api/app.py). Dependencies
that do no I/O are `async def`: FastAPI runs a plain `def` dependency in its thread pool, one
hand-over per dependency and request; only the token's lookup in the store needs a thread.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.idempotency import Idempotency
from api.metrics import Metrics
from api.problems import (
    ForbiddenError,
    InvalidFieldsError,
    NotAuthenticatedError,
    StoreNotConnectedError,
    TooManyFailuresError,
)
from api.ratelimit import FailedAuthLimiter
from application.dto import CaseDetails
from application.tongjie import Tongjie
from application.users import Recalled
from domain.errors import TokenInvalidError
from domain.reach import reaches
from domain.values import Actor, Role
from infrastructure.settings import Settings

ACTOR_SCOPE_KEY = "tongjie.actor"


def tongjie_of(request: Request) -> Tongjie:
    """The application; 503 while the store has not been reached since the server started."""
    tongjie: Tongjie | None = getattr(request.app.state, "tongjie", None)
    if tongjie is None:
        raise StoreNotConnectedError
    return tongjie


def metrics_of(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


async def get_tongjie(request: Request) -> Tongjie:
    return tongjie_of(request)


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_metrics(request: Request) -> Metrics:
    return metrics_of(request)


TongjieDep = Annotated[Tongjie, Depends(get_tongjie)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
MetricsDep = Annotated[Metrics, Depends(get_metrics)]

bearer = HTTPBearer(
    auto_error=False, description="the token issued by an admin or `tongjie users add`"
)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


BearerCredentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def current_actor(request: Request, credentials: BearerCredentials) -> Actor:
    """The token's holder, as the store has them on every request (never a stale cache)."""
    return authenticated(request, credentials)


def authenticated(request: Request, credentials: HTTPAuthorizationCredentials | None) -> Actor:
    """What `current_actor` does, for a dependency that does more (it blocks: a thread's)."""
    tongjie = tongjie_of(request)  # not a dependency: each one costs FastAPI a resolution
    limiter: FailedAuthLimiter = request.app.state.limiter
    address = client_address(request)
    locked = limiter.retry_after(address, credentials.credentials if credentials else None)
    if locked is not None:
        raise TooManyFailuresError(
            "too many failed authentications from this address (or with this token)",
            {"Retry-After": str(locked)},
        )
    if credentials is None:
        raise NotAuthenticatedError(
            "send Authorization: Bearer <token>", {"WWW-Authenticate": "Bearer"}
        )
    try:
        actor = tongjie.users.authenticate(credentials.credentials)
    except TokenInvalidError:
        retry_after = limiter.fail(address, credentials.credentials)
        if retry_after is not None:
            raise TooManyFailuresError(
                "too many failed authentications from this address (or with this token)",
                {"Retry-After": str(retry_after)},
            ) from None
        raise NotAuthenticatedError(
            "unknown or revoked token", {"WWW-Authenticate": 'Bearer error="invalid_token"'}
        ) from None
    request.scope[ACTOR_SCOPE_KEY] = actor.login
    return actor


def recalled(
    request: Request, credentials: HTTPAuthorizationCredentials | None, allowed: tuple[Role, ...]
) -> Recalled | None:
    """The caller as this process last read them, if that lets them make this write; no I/O.

    Only for a write the store makes on condition that the user is unchanged since (see
    `Users.recall`; a store that keeps answers keeps that condition too, see
    `application.ports.AnswerStore`); None whenever `authenticated` must answer instead.
    """
    tongjie = tongjie_of(request)
    limiter: FailedAuthLimiter = request.app.state.limiter
    if (
        credentials is None
        or tongjie.answers is None
        or limiter.retry_after(client_address(request), credentials.credentials) is not None
    ):
        return None
    found = tongjie.users.recall(credentials.credentials)
    if found is None or found.actor.role not in allowed:
        return None
    request.scope[ACTOR_SCOPE_KEY] = found.actor.login
    return found


CurrentActor = Annotated[Actor, Depends(current_actor)]


def roles(*allowed: Role) -> Callable[[Actor], Coroutine[Any, Any, Actor]]:
    """A guard that lets only `allowed` roles through (403 for the others)."""

    async def guard(actor: CurrentActor) -> Actor:
        require_role(actor, allowed)
        return actor

    guard.roles = allowed  # type: ignore[attr-defined] # for the OpenAPI document (api/openapi.py)
    return guard


def require_role(actor: Actor, allowed: tuple[Role, ...]) -> None:
    if actor.role not in allowed:
        names = [role.a for role in allowed]
        who = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
        raise ForbiddenError(f"{actor.role.a} may not do this: only {who} may")


AnyRole = CurrentActor
CaseReader = Annotated[Actor, Depends(roles(Role.MEDIATOR, Role.SUPERVISOR, Role.AUDITOR))]
Auditing = Annotated[Actor, Depends(roles(Role.SUPERVISOR, Role.AUDITOR))]
ReferenceReader = Annotated[Actor, Depends(roles(Role.ADMIN, Role.SUPERVISOR, Role.AUDITOR))]
Admin = Annotated[Actor, Depends(roles(Role.ADMIN))]
Staffing = Annotated[Actor, Depends(roles(Role.SUPERVISOR, Role.ADMIN))]
"""Who says which categories a mediator takes and when they are away."""


# -- which cases a mediator reaches ------------------------------------------------------------


def reachable_case(tongjie: Tongjie, actor: Actor, case_id: UUID) -> CaseDetails:
    """The case's current state if it exists (else 404) and this actor reaches it (else 403)."""
    case = tongjie.reads.current(case_id)
    if not reaches(actor, case.mediator, case.received_by):
        raise ForbiddenError(f"case {case_id} is not routed to {actor.login}")
    return case


# -- conditional and idempotent writes ----------------------------------------------------------


IF_MATCH_DESCRIPTION = 'the ETag of the version this write expects ("3"); 412 if it moved on'
IDEMPOTENCY_KEY_DESCRIPTION = "makes a retry safe: the same key and body get the first answer"
IdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", description=IDEMPOTENCY_KEY_DESCRIPTION)
]


def parse_if_match(if_match: str | None) -> int | None:
    if if_match is None or if_match.strip() == "*":
        return None
    value = if_match.strip().removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 18:
        raise InvalidFieldsError("If-Match", 'an ETag of this API: the version in quotes ("3")')
    return int(value)


async def idempotency(
    request: Request, actor: CurrentActor, key: IdempotencyKey = None
) -> Idempotency | None:
    """The request's Idempotency-Key, if it has one and the store keeps answers."""
    answers = tongjie_of(request).answers
    if key is None or answers is None:
        return None
    body = await request.body()
    return Idempotency(answers, actor.login, request.url.path, key, body)


IdempotencyDep = Annotated[Idempotency | None, Depends(idempotency)]
