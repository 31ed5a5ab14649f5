"""How every case command answers: ETag, X-Position, and the Idempotency-Key protocol.

A route parses, authorises and names its command; `CaseWrite.run` does the rest the same way
for all of them: a stored answer replayed, the answer recorded with the command's events. The
mediator's reach is checked by the use case on the case it loads (404, then 403, then the
case's state); with an Idempotency-Key it is checked first, so a replay never passes it.
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
    BearerCredentials,
    IdempotencyKey,
    IfMatch,
    authenticated,
    metrics_of,
    parse_if_match,
    reachable_case,
    require_role,
    tongjie_of,
)
from api.encoding import dumps, summary_json
from api.idempotency import Answer, Idempotency, check_key, supports_idempotency
from api.metrics import Metrics
from application.cases import RecordWith
from application.dto import CaseSummary
from application.tongjie import Tongjie
from domain.values import Actor, Role
from infrastructure.eventstore.idempotency import IdempotencyKeyExistsError

Command = Callable[[int | None, RecordWith | None], CaseSummary]
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
    """A case command's caller and request conditions; `run` answers it."""

    def __init__(
        self,
        actor: Actor,
        tongjie: Tongjie,
        metrics: Metrics,
        expected: int | None,
        keyed: KeyedRequest | None,
    ) -> None:
        self.actor = actor
        self.tongjie = tongjie
        self.metrics = metrics
        self.expected = expected
        self.keyed = keyed

    def run(
        self,
        event_type: str,
        command: Command,
        *,
        case_id: UUID | None = None,
        status: int = 200,
    ) -> Response:
        actor = self.actor
        idem = self._idempotency(actor)
        if idem is not None and case_id is not None and actor.role is Role.MEDIATOR:
            reachable_case(self.tongjie, actor, case_id)
        record_with: RecordWith | None = None
        if idem is not None:
            replayed = idem.replay()
            if replayed is not None:
                return replayed
            keyed = idem

            def record_with(summary: CaseSummary) -> dict[str, object]:
                return keyed.record_for(answer_for(summary, status))

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

    One dependency and not one each: FastAPI resolves every dependency anew on each request,
    at a cost that showed in a command's profile; and `async def`, so only the look-up of
    the token in the store takes a thread.
    """

    async def case_write(
        request: Request,
        credentials: BearerCredentials,
        if_match: IfMatch = None,
        idempotency_key: IdempotencyKey = None,
    ) -> CaseWrite:
        actor = await run_in_threadpool(authenticated, request, credentials)
        require_role(actor, allowed)
        expected = parse_if_match(if_match)
        tongjie = tongjie_of(request)
        keyed = None
        if idempotency_key is not None and supports_idempotency(tongjie.store.recorder):
            check_key(idempotency_key)
            keyed = KeyedRequest(idempotency_key, request.url.path, await request.body())
        return CaseWrite(actor, tongjie, metrics_of(request), expected, keyed)

    return case_write


ReceiverWrite = Annotated[CaseWrite, Depends(case_writer(Role.MEDIATOR, Role.SUPERVISOR))]
CaseHandlerWrite = Annotated[CaseWrite, Depends(case_writer(Role.MEDIATOR, Role.SUPERVISOR))]
AssignedMediatorWrite = Annotated[CaseWrite, Depends(case_writer(Role.MEDIATOR))]
SupervisorWrite = Annotated[CaseWrite, Depends(case_writer(Role.SUPERVISOR))]
