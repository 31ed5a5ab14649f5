"""How every case command answers: ETag, X-Position, and the Idempotency-Key protocol.

A route names its command, its body and the roles that may send it (api/routes/case_writes.py);
the body builds the command, and `CaseWrite.run` does the rest the same way for all of them: a
stored answer replayed, the answer recorded with the command's events. The mediator's reach is
checked by the use case on the case it loads (404, then 403, then the case's state); with an
Idempotency-Key it is checked first, so a replay never passes it.

A caller this process has read before is not read again for a write without a key: the write
is stored on condition that the user is still as read (the store checks it under its write
lock, in the write's transaction), so a rotated or revoked token never writes. If the user
changed (the store refused the write and stored nothing), the caller is authenticated anew
and the write runs again; any other error is answered once the caller is authenticated anew,
and the write never runs twice (its COMMIT may have an unknown outcome: a 503).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Annotated, Any, Generic, Protocol, TypeVar
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Request
from fastapi.openapi.models import Example
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.command_route import CaseCommandAPIRoute
from api.deps import (
    IDEMPOTENCY_KEY_DESCRIPTION,
    IF_MATCH_DESCRIPTION,
    authenticated,
    bearer,
    metrics_of,
    parse_if_match,
    reachable_case,
    recalled,
    require_role,
    tongjie_of,
)
from api.encoding import dumps, summary_json
from api.idempotency import Answer, Idempotency, check_key
from api.metrics import Metrics
from api.openapi import Rules
from api.problems import CONFIRM_CALLER_KEY, DATABASE_DOWN, responses
from api.schemas.cases import CaseSummaryOut
from application.commands import CaseCommand, Command
from application.dto import CaseSummary
from application.ports import ChangedMeanwhileError, IdempotencyKeyExistsError, WriteConditions
from application.tongjie import Tongjie
from application.users import Recalled
from domain.values import Actor, Role

CASES_PATH = "/api/v1/cases"


def answer_for(summary: CaseSummary, status: int, created: Created | None = None) -> Answer:
    headers = {"ETag": f'"{summary.version}"', "content-type": "application/json"}
    body = summary_json(summary)
    if created is not None:
        headers["Location"] = created.location
        body.update(created.body)
    elif status == 201:
        headers["Location"] = f"{CASES_PATH}/{summary.id}"
    return Answer(status, headers, dumps(body))


@dataclass(frozen=True)
class Created:
    """What a write made besides the case's new version (a document): where it is, and what
    the answer says of it beside the case's summary."""

    location: str
    body: dict[str, Any]


@dataclass(frozen=True)
class KeyedRequest:
    """An Idempotency-Key as sent (checked already), with what it is scoped to."""

    key: str
    path: str
    body: bytes


class CaseWrite:
    """A case command's caller and request conditions; `run` answers it.

    `recalled`: the caller as this process last read them (then `actor` is theirs), and
    `authenticate` reads them from the store (401, 429, 403 as every route's).
    """

    def __init__(
        self,
        actor: Actor,
        tongjie: Tongjie,
        metrics: Metrics,
        expected: int | None,
        keyed: KeyedRequest | None,
        recalled: Recalled | None = None,
        authenticate: Callable[[], Actor] | None = None,
    ) -> None:
        self.actor = actor
        self.tongjie = tongjie
        self.metrics = metrics
        self.expected = expected
        self.keyed = keyed
        self.recalled = recalled
        self._authenticate = authenticate

    def fingerprinted(self, body: bytes) -> None:
        """Compare a retry under the Idempotency-Key by `body` rather than the request's (an
        upload's multipart body differs in its boundary each time it is sent)."""
        if self.keyed is not None:
            self.keyed = replace(self.keyed, body=body)

    def run(
        self, command: Command, *, status: int = 200, created: Created | None = None
    ) -> Response:
        if self.recalled is not None and self._authenticate is not None:
            try:
                return self._run(command, status, self.recalled, created)
            except ChangedMeanwhileError:  # nothing stored: the caller changed since read
                self.recalled = None
                self.actor = self._authenticate()
                command = replace(command, actor=self.actor)
            except DATABASE_DOWN:  # lost, maybe at COMMIT (the write may be stored): a 503
                raise
            except Exception:
                # Any other answer is given as the store has the caller now (401 for a revoked
                # token), never by running the command again: the same user is judged the same.
                self._authenticate()
                raise
        return self._run(command, status, None, created)

    def _run(
        self, command: Command, status: int, recalled: Recalled | None, created: Created | None
    ) -> Response:
        idem = self._idempotency(command.actor)
        if (
            idem is not None
            and isinstance(command, CaseCommand)
            and command.actor.role is Role.MEDIATOR
        ):
            reachable_case(self.tongjie, command.actor, command.case_id)
        conditions: WriteConditions[CaseSummary] = WriteConditions()
        if idem is not None:
            replayed = idem.replay()
            if replayed is not None:
                return replayed
            conditions = idem.conditions(lambda summary: answer_for(summary, status, created))
        elif recalled is not None:
            conditions = WriteConditions(unchanged=recalled.unchanged)
        try:
            summary = self.tongjie.cases.handle(command, conditions)
        except IdempotencyKeyExistsError:
            assert idem is not None
            return idem.replay_after_race()
        for event_type in summary.recorded:
            self.metrics.appended(event_type)
        return answer_for(summary, status, created).response(summary.position)

    def _idempotency(self, actor: Actor) -> Idempotency | None:
        answers = self.tongjie.answers
        if self.keyed is None or answers is None:
            return None
        keyed = self.keyed
        return Idempotency(answers, actor.login, keyed.path, keyed.key, keyed.body)


def case_writer(
    *allowed: Role, recall: bool = True, body_keyed: bool = True
) -> Callable[..., Coroutine[Any, Any, CaseWrite]]:
    """The one dependency of a case command: its caller, who must have one of the `allowed`
    roles (401, 429, 403 as every route's), its If-Match and its Idempotency-Key.

    One dependency with no parameter but the request, its headers read here: FastAPI resolves
    every dependency and parameter anew on each request, at a cost that showed in a command's
    profile. The routes document the bearer token and the two headers (`WRITE_OPENAPI`, the
    same operation FastAPI wrote for them as parameters). `async def`, so only the look-up of
    the token in the store takes a thread.

    `recall=False`: the caller is always read from the store (a write that stores bytes
    before its event, which no later condition could take back). `body_keyed=False`: the
    body is not read here; the route gives what a retry is compared by (`fingerprinted`).
    """

    async def case_write(request: Request) -> CaseWrite:
        credentials = await bearer(request)  # as the bearer dependency answers, not resolved
        headers = request.headers
        if_match = headers.get("if-match")
        idempotency_key = headers.get("idempotency-key")

        def authenticate() -> Actor:
            request.scope.pop(CONFIRM_CALLER_KEY, None)
            actor = authenticated(request, credentials)
            require_role(actor, allowed)
            return actor

        known = (
            None
            if idempotency_key is not None or not recall
            else recalled(request, credentials, allowed)
        )
        if known is not None:
            request.scope[CONFIRM_CALLER_KEY] = authenticate  # before any answer but success
        actor = known.actor if known else await run_in_threadpool(authenticate)
        expected = parse_if_match(if_match)
        tongjie = tongjie_of(request)
        keyed = None
        if idempotency_key is not None and tongjie.answers is not None:
            check_key(idempotency_key)
            body = await request.body() if body_keyed else b""
            keyed = KeyedRequest(idempotency_key, request.url.path, body)
        return CaseWrite(actor, tongjie, metrics_of(request), expected, keyed, known, authenticate)

    case_write.roles = allowed  # type: ignore[attr-defined] # for the OpenAPI document
    return case_write


def _optional_header(name: str, description: str) -> dict[str, Any]:
    """A header parameter as FastAPI documents an optional `Header()` of type `str | None`."""
    return {
        "name": name,
        "in": "header",
        "required": False,
        "schema": {
            "anyOf": [{"type": "string"}, {"type": "null"}],
            "description": description,
            "title": name,
        },
        "description": description,
    }


WRITE_OPENAPI: dict[str, Any] = {
    "parameters": [
        _optional_header("If-Match", IF_MATCH_DESCRIPTION),
        _optional_header("Idempotency-Key", IDEMPOTENCY_KEY_DESCRIPTION),
    ],
    "security": [{bearer.scheme_name: []}],
}
"""What a case command's operation adds to the OpenAPI document (`openapi_extra`): the
headers and the bearer token `case_write` reads itself."""

_HEADERS = {
    "ETag": {"description": 'the case\'s new version, quoted ("3")', "schema": {"type": "string"}},
    "X-Position": {
        "description": "the store position of the last event written",
        "schema": {"type": "string"},
    },
}


def write_responses(status: int, description: str) -> dict[int | str, dict[str, Any]]:
    """A case command's documented answers: its success (with ETag and X-Position), and the
    problems every command may answer."""
    return {
        status: {"description": description, "headers": _HEADERS},
        **responses(400, 404, 409, 412, 413),
    }


def _writer(*allowed: Role) -> Any:
    """A route's `CaseWrite` parameter, for callers with one of the `allowed` roles."""
    return Annotated[CaseWrite, Depends(case_writer(*allowed))]


# -- the routes of the commands on a case -------------------------------------------------------

C = TypeVar("C", bound=CaseCommand, covariant=True)


class CaseCommandBody(Protocol[C]):
    """A case command's request model: it builds its command."""

    def command(self, case_id: UUID, actor: Actor, expected_version: int | None) -> C: ...


@dataclass(frozen=True)
class CaseCommandRoute(Generic[C]):
    """One command on a case: POST `path` with a `body` that builds `command`, sent by one of
    `roles`; `answer` says what its 200 means, `summary` names it in the OpenAPI document,
    `rules` the states it needs and when it is a 409, `examples` bodies an integrator copies."""

    path: str
    command: type[C]
    body: type[CaseCommandBody[C]]
    roles: tuple[Role, ...]
    answer: str
    summary: str
    rules: Rules
    examples: dict[str, Example]

    def add_to(self, router: APIRouter) -> None:
        endpoint = _CaseCommandEndpoint(self.body, self.roles, self.examples)
        endpoint.rules = self.rules
        router.add_api_route(
            self.path,
            endpoint,
            route_class_override=CaseCommandAPIRoute,
            methods=["POST"],
            name=re.sub(r"(?<!^)(?=[A-Z])", "_", self.command.__name__).lower(),
            response_model=CaseSummaryOut,
            openapi_extra=WRITE_OPENAPI,
            responses=write_responses(200, self.answer),
            summary=self.summary,
            description=inspect.cleandoc(self.command.__doc__ or ""),
        )


class _CaseCommandEndpoint:
    """What FastAPI calls for one `CaseCommandRoute`: its signature names the route's body
    model and roles, as a route written out by hand would, so FastAPI validates and documents
    the same; the call builds the command and runs it."""

    rules: Rules | None = None

    def __init__(
        self,
        body: type[CaseCommandBody[CaseCommand]],
        roles: tuple[Role, ...],
        examples: dict[str, Example],
    ) -> None:
        parameter = inspect.Parameter
        documented = Annotated[body, Body(openapi_examples=examples)]  # type: ignore[valid-type]
        self.__signature__ = inspect.Signature(
            [
                parameter("case_id", parameter.POSITIONAL_OR_KEYWORD, annotation=UUID),
                parameter("body", parameter.POSITIONAL_OR_KEYWORD, annotation=documented),
                parameter("write", parameter.POSITIONAL_OR_KEYWORD, annotation=_writer(*roles)),
            ],
            return_annotation=Response,
        )

    def __call__(
        self, case_id: UUID, body: CaseCommandBody[CaseCommand], write: CaseWrite
    ) -> Response:
        return write.run(body.command(case_id, write.actor, write.expected))
