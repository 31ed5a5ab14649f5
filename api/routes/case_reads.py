"""Reads of one case, always current: read from the event store, never from a view.

`/verify` and `/file` on the same paths belong to the audit and case-file routers.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime
from starlette.responses import Response

from api.deps import Auditing, CaseReader, SettingsDep, TongjieDep, reachable_case
from api.encoding import case_json, dumps, event_json, jsonable
from api.problems import InvalidFieldsError, responses
from api.schemas.cases import CaseOut, CasePageOut, HistoryOut
from api.schemas.views import bounded
from api.writes import CASES_PATH
from application.dto import CaseDetails
from domain.values import Actor, Role
from projections.board import Reach
from projections.views import Views

router = APIRouter(prefix=CASES_PATH, tags=["case reads"])

READ = responses(404)
CASE_PATH = "GET /api/v1/cases/{id}"
HISTORY_PATH = "GET /api/v1/cases/{id}/history"
REPLAY_PATH = "GET /api/v1/cases/{id}/replay"


def _json(body: object, etag: int | None = None) -> Response:
    headers = {"ETag": f'"{etag}"'} if etag is not None else None
    return Response(dumps(body), headers=headers, media_type="application/json")


@router.get(
    "/{case_id}",
    response_model=CasePageOut,
    responses={
        200: {"headers": {"ETag": {"description": "the version", "schema": {"type": "string"}}}},
        **READ,
    },
    summary="The case's current state",
)
def get_case(
    case_id: UUID, request: Request, actor: CaseReader, tongjie: TongjieDep, settings: SettingsDep
) -> Response:
    """Read from the event store, never from a view: always current. `ETag` is the case's
    version, for `If-Match` on the next command. With `repeat_party`: a party's phone or ID
    number is in another case received within 12 months; `repeat_cases`: those of them this
    reader may see."""
    case = reachable_case(tongjie, actor, case_id)
    tongjie.read_log.record(actor, [case_id], CASE_PATH)
    body = case_json(case, settings.zone, for_orjson=True)
    body.update(repeats_json(getattr(request.app.state, "views", None), case, actor, settings))
    return _json(body, etag=case.version)


def repeats_json(
    views: Views | None, case: CaseDetails, actor: Actor, settings: SettingsDep
) -> dict[str, object]:
    """The case's repeat parties, from the board's index of parties (eventually consistent)."""
    if views is None:
        return {"repeat_party": False, "repeat_cases": []}
    reach = Reach(actor.mediator, actor.id) if actor.role is Role.MEDIATOR else None
    found = views.board.repeats(case.id, case.registration.parties, case.received_at, reach)
    return {
        "repeat_party": found.repeat_party,
        "repeat_cases": [jsonable(other, settings.zone) for other in found.others],
    }


@router.get(
    "/{case_id}/history",
    response_model=HistoryOut,
    responses=READ,
    summary="Every event of the case in order, with its hashes",
)
def get_history(
    case_id: UUID, actor: CaseReader, tongjie: TongjieDep, settings: SettingsDep
) -> Response:
    """Each event with its business data, who recorded it (`actor`), when it was stored
    (`recorded_at`) and its hash chain (`hash`, `prev_hash`), from the first event."""
    reachable_case(tongjie, actor, case_id)
    events = tongjie.reads.history(case_id)
    tongjie.read_log.record(actor, [case_id], HISTORY_PATH)
    return _json({"events": [event_json(event, settings.zone) for event in events]})


@router.get(
    "/{case_id}/replay",
    response_model=CaseOut,
    responses=READ,
    summary="The case as it stood at a version, or at a moment (by recorded_at)",
)
def replay_case(
    case_id: UUID,
    actor: Auditing,
    tongjie: TongjieDep,
    settings: SettingsDep,
    version: Annotated[int | None, Query(ge=1, le=10**9)] = None,
    as_of: Annotated[
        AwareDatetime | None,
        Query(description="ISO 8601 with offset; not before 2000-01-01 in the bureau's zone"),
    ] = None,
) -> Response:
    """Replayed from the first event: `version=N` stops after event N; `as_of` (a time with
    offset) stops at the last event recorded by then. Exactly one of the two."""
    if (version is None) == (as_of is None):
        raise InvalidFieldsError("version", "give either version or as_of")
    if version is not None:
        case = tongjie.reads.at_version(case_id, version)
    else:
        assert as_of is not None
        case = tongjie.reads.as_of(case_id, bounded("as_of", as_of, settings.zone))
    tongjie.read_log.record(actor, [case_id], REPLAY_PATH)
    return _json(case_json(case, settings.zone, for_orjson=True), etag=case.version)
