"""How every case command answers: ETag, X-Position, and the Idempotency-Key protocol.

A route parses, authorises and names its command; `CaseWrite.run` does the rest the same way
for all of them: the mediator's reach, a stored answer replayed, the answer recorded with the
command's events.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends
from starlette.responses import Response

from api.deps import (
    ExpectedVersion,
    IdempotencyDep,
    MetricsDep,
    TongjieDep,
    reachable_case,
)
from api.encoding import dumps, summary_json
from api.idempotency import Answer, Idempotency
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


class CaseWrite:
    def __init__(
        self,
        tongjie: TongjieDep,
        metrics: MetricsDep,
        expected: ExpectedVersion,
        idempotency: IdempotencyDep,
    ) -> None:
        self.tongjie: Tongjie = tongjie
        self.metrics = metrics
        self.expected = expected
        self.idempotency: Idempotency | None = idempotency

    def run(
        self,
        actor: Actor,
        event_type: str,
        command: Command,
        *,
        case_id: UUID | None = None,
        status: int = 200,
    ) -> Response:
        if case_id is not None and actor.role is Role.MEDIATOR:
            reachable_case(self.tongjie, actor, case_id)
        idem = self.idempotency
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


CaseWriteDep = Annotated[CaseWrite, Depends()]
