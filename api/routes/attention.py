"""The attention list (需要关注): the open cases to look at now, and why, from the board."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from api.casefile.labels import value
from api.deps import SettingsDep
from api.encoding import dumps, jsonable
from api.problems import responses
from api.routes.views import POSITION_HEADER, BoardReader, MinPosition, ViewsDep, board_caught_up
from api.schemas.attention import AttentionOut
from domain.values import Role
from projections.board import Reach
from projections.board.attention import Attention, attention

router = APIRouter(prefix="/api/v1", tags=["views"])

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


def _reason(reason: Attention) -> dict[str, str]:
    zh, en = value(reason)
    return {"code": reason.value, "zh": zh, "en": en}


@router.get(
    "/attention",
    response_model=AttentionOut,
    responses={
        200: {"headers": POSITION_HEADER},
        **responses(422),
        504: {"description": "view behind"},
    },
    summary="The attention list (需要关注): open cases overdue, at risk, due soon, silent or "
    "unrouted, most urgent first",
    dependencies=[Depends(board_caught_up)],
)
def attention_list(
    actor: BoardReader,
    views: ViewsDep,
    settings: SettingsDep,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT,
    min_position: MinPosition = None,
) -> Response:
    """Open cases that are overdue, have a red risk, are due within 72 hours, have an orange
    risk, have had no session 7 days after their routing, or have waited more than one
    working day (Monday to Friday in the bureau's time zone; public holidays are not known)
    to be routed; each with its reasons, the most urgent case first. A mediator sees their
    own cases (as on the board)."""
    zone = settings.zone
    reach = Reach(actor.mediator, actor.id) if actor.role is Role.MEDIATOR else None
    found = attention(views.board.db, zone, reach, limit=limit, keys=views.board.keys)
    items = []
    for item in found.items:
        shown: dict[str, Any] = jsonable(item, zone)
        shown["reasons"] = [_reason(reason) for reason in item.reasons]
        items.append(shown)
    body = {
        "items": items,
        "counts": [{**_reason(r), "count": n} for r, n in found.counts.items()],
        "total": found.total,
    }
    return Response(
        dumps(body), media_type="application/json", headers={"X-Position": str(found.position)}
    )
