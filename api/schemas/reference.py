"""Organisations, mediators and streets."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field

from api.schemas.common import PLANNED_BOUNDS, Code, LongText, Request, ShortText
from domain.values import Category, OrganisationKind


class OrganisationCreateRequest(Request):
    code: Code
    name: ShortText = Field(examples=["东湖街道通解室"])
    kind: OrganisationKind
    street: ShortText = Field(examples=["东湖街道"])


class OrganisationOut(BaseModel):
    code: str = Field(examples=["room-1"])
    name: str = Field(examples=["东湖街道通解室"])
    kind: OrganisationKind
    street: str = Field(examples=["东湖街道"])


class OrganisationList(BaseModel):
    items: list[OrganisationOut]


Categories = Annotated[
    list[Category],
    Field(
        min_length=1,
        max_length=len(Category),
        description="the categories of dispute the mediator takes (at least one)",
        examples=[["family", "property_management"]],
    ),
]


class MediatorCreateRequest(Request):
    code: Code = Field(examples=["m1"])
    name: ShortText = Field(examples=["张调解"])
    organisation: Code
    categories: Categories | None = Field(
        default=None, description="the categories they take; default every category"
    )


class CategoriesRequest(Request):
    """The categories of dispute a mediator takes from now on."""

    categories: Categories


class AbsenceRequest(Request):
    """A period the mediator is away: routing a case to them then needs an override."""

    start: AwareDatetime = Field(
        alias="from",
        description=f"when the absence starts (ISO 8601 with offset). {PLANNED_BOUNDS}",
        examples=["2026-05-01T00:00:00+08:00"],
    )
    end: AwareDatetime = Field(
        alias="to",
        description=f"when it ends, after `from` (exclusive). {PLANNED_BOUNDS}",
        examples=["2026-05-08T00:00:00+08:00"],
    )
    reason: LongText = Field(examples=["年假"])


class AbsenceOut(BaseModel):
    start: datetime = Field(alias="from")
    end: datetime = Field(alias="to")
    reason: str = Field(examples=["年假"])


class MediatorOut(BaseModel):
    code: str = Field(examples=["m1"])
    name: str = Field(examples=["张调解"])
    organisation: str = Field(examples=["room-1"])
    active: bool
    categories: list[Category] = Field(description="the categories of dispute they take")
    absences: list[AbsenceOut] = Field(description="the periods they are away, as recorded")


class MediatorList(BaseModel):
    items: list[MediatorOut]


class StreetList(BaseModel):
    items: list[str] = Field(examples=[["东湖街道", "西山街道"]])
