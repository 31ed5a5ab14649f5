"""Organisations, mediators and streets."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.common import Code, Request, ShortText
from domain.values import OrganisationKind


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


class MediatorCreateRequest(Request):
    code: Code = Field(examples=["m1"])
    name: ShortText = Field(examples=["张调解"])
    organisation: Code


class MediatorOut(BaseModel):
    code: str = Field(examples=["m1"])
    name: str = Field(examples=["张调解"])
    organisation: str = Field(examples=["room-1"])
    active: bool


class MediatorList(BaseModel):
    items: list[MediatorOut]


class StreetList(BaseModel):
    items: list[str] = Field(examples=[["东湖街道", "西山街道"]])
