"""Rising disputes (矛盾纠纷排查): `GET /api/v1/stats/hotspots` for supervisors.

Registered before the statistics' router, whose `/stats/{dimension}` would take the path.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.responses import Response

from api.deps import SettingsDep, roles
from api.encoding import dumps, jsonable
from api.problems import InvalidFieldsError, responses
from api.routes.views import POSITION_HEADER, ViewsDep, board_caught_up
from api.schemas.hotspots import HotspotsOut
from api.schemas.views import moment
from domain.values import Actor, Role
from projections.hotspots import ALPHA, MIN_COUNT

router = APIRouter(prefix="/api/v1/stats", tags=["statistics"])

Supervisor = Annotated[Actor, Depends(roles(Role.SUPERVISOR))]
TEST = (
    f"a cell is a hotspot when its receipts of the last 30 days number at least {MIN_COUNT}, "
    "exceed the expected count (its baseline's receipts × 30 / the baseline's days), and the "
    "conditional test of two Poisson counts gives P(X >= count) < "
    f"{ALPHA} with X ~ Binomial(count + baseline count, 30 / (30 + the baseline's days))"
)


@router.get(
    "/hotspots",
    response_model=HotspotsOut,
    responses={
        200: {"headers": POSITION_HEADER},
        **responses(422),
        504: {"description": "view behind"},
    },
    summary="Rising disputes: street × subcategory cells whose last 30 days exceed their past",
    description=TEST
    + ". The baseline is the twelve months before the 30 days (or since the first case "
    "stored, if less). Read from the board (X-Position).",
    dependencies=[Depends(board_caught_up)],
)
def hotspots(
    actor: Supervisor,
    views: ViewsDep,
    settings: SettingsDep,
    as_of: Annotated[
        str | None,
        Query(
            description="the moment the 30 days end: a date or a time with offset; now if left out"
        ),
    ] = None,
) -> Response:
    at = moment("as_of", as_of, settings.zone)  # not before 2000-01-01 in the bureau's zone
    if at is not None and at > datetime.now(UTC) + timedelta(days=366):
        raise InvalidFieldsError("as_of", "from 2000-01-01 to a year from now")
    found = views.hotspots.find(at)
    body: dict[str, Any] = jsonable(found, settings.zone)
    position = body.pop("position")
    body["test"] = TEST
    return Response(
        dumps(body), media_type="application/json", headers={"X-Position": str(position)}
    )
