"""Rising disputes, as the API answers them."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import TimeOut


class HotspotCaseOut(BaseModel):
    id: UUID
    number: str = Field(examples=["2026-004512"])
    received_at: TimeOut


class HotspotOut(BaseModel):
    street: str = Field(examples=["文峰街道"])
    category: str = Field(examples=["property_management"])
    subcategory: str | None = Field(examples=["parking"])
    count: int = Field(description="receipts in the last 30 days", examples=[14])
    expected: float = Field(description="what the baseline predicts for 30 days", examples=[4.1])
    baseline_count: int = Field(description="receipts in the baseline", examples=[50])
    p_value: float = Field(description="P(X >= count) under a constant rate", examples=[0.0002])
    cases: list[HotspotCaseOut] = Field(description="the cell's cases of the last 30 days")


class HotspotsOut(BaseModel):
    as_of: TimeOut
    window_from: TimeOut = Field(description="the 30 days' start (as_of - 30 days)")
    baseline_from: TimeOut = Field(
        description="the baseline's start: 365 days before window_from, or the first receipt"
    )
    cells_tested: int = Field(description="street × subcategory cells with a receipt")
    hotspots: list[HotspotOut] = Field(description="the rising cells, most significant first")
    test: str = Field(description="the test, in words")
