"""The access log of reads, as the API answers it."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.common import TimeOut


class CaseReadOut(BaseModel):
    seq: int = Field(description="the line's number in the whole log", examples=[1042])
    read_at: TimeOut
    actor_id: str
    login: str = Field(examples=["zhang"])
    role: str = Field(examples=["mediator"])
    path: str = Field(examples=["GET /api/v1/cases/{id}/history"])


class CaseReadsOut(BaseModel):
    case_id: UUID
    reads: list[CaseReadOut]
