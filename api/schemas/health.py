"""Answers of the operations endpoints."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Health(BaseModel):
    status: str = Field(examples=["ok"])
    instance: str = Field(
        description="this server's name, new at each start (`tongjie serve` prints it)",
        examples=["5d1c0b7a9e2f"],
    )


class Readiness(BaseModel):
    status: str = Field(examples=["ready"])
    database: str = Field(examples=["reachable"])
