"""How every case command answers: ETag, X-Position, and the Idempotency-Key protocol.

A route parses, authorises and names its command; `CaseWrite.run` does the rest the same way
for all of them: a stored answer replayed, the answer recorded with the command's events. The
mediator's reach is checked by the use case on the case it loads (404, then 403, then the
case's state); with an Idempotency-Key it is checked first, so a replay never passes it.

A caller this process has read before is not read again for a write without a key: the write
is stored on condition that the user is still as read (the store checks it under its write
lock, in the write's transaction), so a rotated or revoked token never writes; any other
outcome (an error, the user changed) authenticates the caller anew and runs the write again.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

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
from api.idempotency import Answer, Idempotency, check_key, supports_idempotency
from api.metrics import Metrics
from api.problems import CONFIRM_CALLER_KEY
from application.dto import CaseSummary
from application.store import RecordWith
from application.tongjie import Tongjie
from application.users import Recalled
from domain.values import Actor, Role
from infrastructure.eventstore.idempotency import IdempotencyKeyExistsError

Command = Callable[[int | None, RecordWith[CaseSummary] | None], CaseSummary]
"""A use case, given the expected version (If-Match) and what to record with its events."""

CASES_PATH = "/api/v1/cases"


def answer_for(summary: CaseSummary, status: int) -> Answer:
    headers = {"ETag": f'"{summary.version}"', "content-type": "application/json"}
    if status == 201:
        headers["Location"] = f"{CASES_PATH}/{summary.id}"
    return Answer(status, headers, dumps(summary_json(summary)))


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

    def run(
        self,
        event_type: str,
        command: Command,
        *,
        case_id: UUID | None = None,
        status: int = 200,
    ) -> Response:
        if self.recalled is not None and self._authenticate is not None:
            try:
                return self._run(event_type, command, case_id, status, self.recalled)
            except Exception:  # any answer but a stored write, as the store has the caller
                self.recalled = None
                self.actor = self._authenticate()
        return self._run(event_type, command, case_id, status, None)

    def _run(
        self,
        event_type: str,
        command: Command,
        case_id: UUID | None,
        status: int,
        recalled: Recalled | None,
    ) -> Response:
        actor = self.actor
        idem = self._idempotency(actor)
        if idem is not None and case_id is not None and actor.role is Role.MEDIATOR:
            reachable_case(self.tongjie, actor, case_id)
        record_with: RecordWith[CaseSummary] | None = None
        if idem is not None:
            replayed = idem.replay()
            if replayed is not None:
                return replayed
            keyed = idem

            def record_with(summary: CaseSummary) -> dict[str, object]:
                return keyed.record_for(answer_for(summary, status))

        elif recalled is not None:
            unchanged = recalled.unchanged

            def record_with(summary: CaseSummary) -> dict[str, object]:
                return {"unchanged": unchanged}

        try:
            summary = command(self.expected, record_with)
        except IdempotencyKeyExistsError:
            assert idem is not None
            return idem.replay_after_race()
        self.metrics.appended(event_type)
        return answer_for(summary, status).response(summary.position)

    def _idempotency(self, actor: Actor) -> Idempotency | None:
        if self.keyed is None:
            return None
        store = self.tongjie.store.recorder
        keyed = self.keyed
        return Idempotency(store, actor.login, keyed.path, keyed.key, keyed.body)  # type: ignore[arg-type]


def case_writer(*allowed: Role) -> Callable[..., Coroutine[Any, Any, CaseWrite]]:
    """The one dependency of a case command: its caller, who must have one of the `allowed`
    roles (401, 429, 403 as every route's), its If-Match and its Idempotency-Key.

    One dependency with no parameter but the request, its headers read here: FastAPI resolves
    every dependency and parameter anew on each request, at a cost that showed in a command's
    profile. The routes document the bearer token and the two headers (`WRITE_OPENAPI`, the
    same operation FastAPI wrote for them as parameters). `async def`, so only the look-up of
    the token in the store takes a thread.
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

        known = None if idempotency_key is not None else recalled(request, credentials, allowed)
        if known is not None:
            request.scope[CONFIRM_CALLER_KEY] = authenticate  # before any answer but success
        actor = known.actor if known else await run_in_threadpool(authenticate)
        expected = parse_if_match(if_match)
        tongjie = tongjie_of(request)
        keyed = None
        if idempotency_key is not None and supports_idempotency(tongjie.store.recorder):
            check_key(idempotency_key)
            keyed = KeyedRequest(idempotency_key, request.url.path, await request.body())
        return CaseWrite(actor, tongjie, metrics_of(request), expected, keyed, known, authenticate)

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


ReceiverWrite = Annotated[CaseWrite, Depends(case_writer(Role.MEDIATOR, Role.SUPERVISOR))]
CaseHandlerWrite = Annotated[CaseWrite, Depends(case_writer(Role.MEDIATOR, Role.SUPERVISOR))]
AssignedMediatorWrite = Annotated[CaseWrite, Depends(case_writer(Role.MEDIATOR))]
SupervisorWrite = Annotated[CaseWrite, Depends(case_writer(Role.SUPERVISOR))]
