"""The attention list's answer (需要关注)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from projections.board.attention import Attention


class LabelledReason(BaseModel):
    code: Attention = Field(description="a stable code, the most urgent first")
    zh: str = Field(examples=["已超期"])
    en: str = Field(examples=["overdue"])


class ReasonCount(LabelledReason):
    count: int = Field(description="the cases listed with this reason (one may have several)")


class AttentionItemOut(BaseModel):
    id: UUID
    number: str = Field(examples=["2026-000123"])
    category: str = Field(examples=["family"])
    subcategory: str | None = Field(examples=["neighbour"])
    street: str = Field(examples=["东湖街道"])
    summary: str = Field(examples=["楼上漏水引发邻里纠纷"])
    status: str = Field(examples=["routed"])
    organisation: str | None = Field(examples=["room-1"])
    mediator: str | None = Field(examples=["m1"])
    received_at: datetime
    routed_at: datetime | None = Field(description="the latest routing")
    last_session_at: datetime | None = Field(description="the latest session held")
    due_at: datetime | None
    risk_level: str = Field(examples=["orange"])
    reasons: list[LabelledReason] = Field(description="why it is listed, the most urgent first")


class AttentionOut(BaseModel):
    items: list[AttentionItemOut] = Field(description="the most urgent first, up to `limit`")
    counts: list[ReasonCount] = Field(description="every reason, in order of urgency")
    total: int = Field(description="the cases listed in all (beyond `limit` too)")
