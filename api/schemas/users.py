"""Users and their tokens: a token is shown once, in the answer that issues it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from api.schemas.common import Code, NoteText, Request, TimeOut
from domain.values import Role

Login = Code


class UserCreateRequest(Request):
    login: Login = Field(examples=["zhang"])
    name: NoteText = Field(default="", examples=["张调解"])
    role: Role
    mediator: Code | None = Field(default=None, examples=["m1"])


class IssuedUserOut(BaseModel):
    login: str = Field(examples=["zhang"])
    name: str = Field(examples=["张调解"])
    role: Role
    mediator: str | None
    token: str = Field(description="shown once: only its hash is stored")


class TokenOut(BaseModel):
    login: str
    token: str = Field(description="shown once: the old token stops working")


class UserOut(BaseModel):
    login: str
    name: str
    role: Role
    mediator: str | None
    revoked: bool
    created_at: TimeOut
    last_used_at: TimeOut | None


class UserList(BaseModel):
    items: list[UserOut]
