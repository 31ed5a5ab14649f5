"""How the bureau's figures and times are shown (`GET /api/v1/display`): for the dashboard and
any client that shows rates and times as the bureau does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.deps import AnyRole, SettingsDep
from api.encoding import dumps
from api.problems import responses

router = APIRouter(prefix="/api/v1", tags=["statistics"])


class DisplayOut(BaseModel):
    timezone: str = Field(
        description="the bureau's time zone (TONGJIE_TIMEZONE): periods, months, weeks and "
        "the times a display shows follow it",
        examples=["Asia/Shanghai"],
    )
    utc_offset: str = Field(description="its offset from UTC now", examples=["+08:00"])
    rate_display: Literal["truncate", "half_up"] = Field(
        description="how a display shows a rate (TONGJIE_RATE_DISPLAY): truncated to two "
        "decimals as the bureau publishes (99.78%), or rounded half up (99.79%); the API's "
        "rates are exact numbers either way",
        examples=["truncate"],
    )


@router.get(
    "/display",
    response_model=DisplayOut,
    responses=responses(),
    summary="How the bureau shows its figures: its time zone and its rounding of rates",
)
def display(actor: AnyRole, settings: SettingsDep) -> Response:
    offset = datetime.now(UTC).astimezone(settings.zone).strftime("%z")
    body = {
        "timezone": settings.timezone,
        "utc_offset": f"{offset[:3]}:{offset[3:]}",
        "rate_display": settings.rate_display,
    }
    return Response(dumps(body), media_type="application/json")
