"""Monthly reports (月度通报), as the API takes and answers them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from api.schemas.cases import ActorOut
from api.schemas.common import Request, TimeOut

MONTH_PATTERN = r"^\d{4}-\d{2}$"


class ReportIssueRequest(Request):
    month: str = Field(
        pattern=MONTH_PATTERN,
        description="the month to report, YYYY-MM in the bureau's time zone; it must have ended",
        examples=["2026-03"],
    )


class ReportHeadOut(BaseModel):
    month: str = Field(examples=["2026-03"])
    from_: TimeOut = Field(alias="from", description="the month's start (inclusive)")
    to: TimeOut = Field(description="the next month's start (exclusive)")
    position: int = Field(description="the store position the figures were computed at")
    issued_at: TimeOut
    issued_by: ActorOut


class ReportListOut(BaseModel):
    items: list[ReportHeadOut] = Field(description="every report issued, the latest month first")


class DifferenceOut(BaseModel):
    dimension: str = Field(examples=["street"])
    key: str | None = Field(description="the row's value (null: the summary, or no one yet)")
    figure: str = Field(examples=["received"])
    reported: Any = Field(description="as issued", examples=[12])
    now: Any = Field(description="as the statistics count it now", examples=[11])


class ReportOut(ReportHeadOut):
    figures: list[str] = Field(
        description="the figures' names, as when the report was issued (docs/statistics.md)"
    )
    dimensions: dict[str, list[dict[str, Any]]] = Field(
        description="summary (one row, key null), category, street, organisation, mediator: "
        "rows of `key` and the figures, exactly as issued"
    )
    position_now: int = Field(description="the statistics' position the differences were read at")
    differences: list[DifferenceOut] = Field(
        description="each figure of the month that reads otherwise now (late entries, "
        "corrections, the cohort's cases settled since); the backlog figures, as of the moment "
        "they are read, are never compared"
    )


class ReportIssuedOut(ReportHeadOut):
    figures: list[str]
    dimensions: dict[str, list[dict[str, Any]]]
