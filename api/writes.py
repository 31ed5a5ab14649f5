"""How every case command answers: ETag, X-Position, and the Idempotency-Key protocol.

A route parses, authorises and names its command; `CaseWrite.run` does the rest the same way
for all of them: a stored answer replayed, the answer recorded with the command's events. The
mediator's reach is checked by the use case on the case it loads (404, then 403, then the
case's state); with an Idempotency-Key it is checked first, so a replay never passes it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request
from starlette.responses import Response

from api.deps import (
    IdempotencyKey,
    IfMatch,
    metrics_of,
    parse_if_match,
    reachable_case,
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
    def __init__(
        self,
        tongjie: Tongjie,
        metrics: Metrics,
        expected: int | None,
        keyed: KeyedRequest | None,
    ) -> None:
        self.tongjie = tongjie
        self.metrics = metrics
        self.expected = expected
        self.keyed = keyed

    def run(
        self,
        actor: Actor,
        event_type: str,
        command: Command,
        *,
        case_id: UUID | None = None,
        status: int = 200,
    ) -> Response:
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


async def case_write(
    request: Request, if_match: IfMatch = None, idempotency_key: IdempotencyKey = None
) -> CaseWrite:
    """One `async def` dependency that reads its headers itself: FastAPI resolves every nested
    dependency anew on each request, and runs a plain `def` one in its thread pool."""
    tongjie = tongjie_of(request)
    keyed = None
    if idempotency_key is not None and supports_idempotency(tongjie.store.recorder):
        check_key(idempotency_key)
        keyed = KeyedRequest(idempotency_key, request.url.path, await request.body())
    return CaseWrite(tongjie, metrics_of(request), parse_if_match(if_match), keyed)


CaseWriteDep = Annotated[CaseWrite, Depends(case_write)]
