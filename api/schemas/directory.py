"""What a client needs to show codes and people in words: the caller, categories, names, loads."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.values import Role


class MeOut(BaseModel):
    """The token's holder, and for a mediator their mediator record."""

    login: str = Field(examples=["zhang"])
    name: str = Field(examples=["张调解"])
    role: Role
    mediator: str | None = Field(examples=["m1"])
    mediator_name: str | None = Field(examples=["张调解"])
    organisation: str | None = Field(examples=["room-1"])
    organisation_name: str | None = Field(examples=["东湖街道通解室"])


class Label(BaseModel):
    code: str = Field(examples=["neighbour"])
    zh: str = Field(examples=["邻里纠纷"])
    en: str = Field(examples=["neighbours"])


class CategoryOut(Label):
    subcategories: list[Label]


class CategoryList(BaseModel):
    items: list[CategoryOut]


class NamesOut(BaseModel):
    """Display names of the logins, mediators and organisations asked for (unknown: left out)."""

    users: dict[str, str] = Field(examples=[{"zhang": "张调解", "boss": "王主任"}])
    mediators: dict[str, str] = Field(examples=[{"m1": "张调解"}])
    organisations: dict[str, str] = Field(examples=[{"room-1": "东湖街道通解室"}])


class WorkloadOut(BaseModel):
    code: str = Field(examples=["m1"])
    name: str = Field(examples=["张调解"])
    organisation: str = Field(examples=["room-1"])
    active: bool
    open_cases: int = Field(description="cases routed to them and not resolved", examples=[7])
    overdue: int = Field(description="of those, past their deadline", examples=[1])


class WorkloadList(BaseModel):
    items: list[WorkloadOut]
