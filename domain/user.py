"""Users and their tokens: an audited history of who may act, with which role."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValueError
from domain.reference import derived_id
from domain.text import blank
from domain.values import Actor, Role


def check_login(login: str) -> None:
    if not login or len(login) > 64 or not all(c.isalnum() or c in "._-" for c in login):
        raise InvalidValueError("login", "letters, digits, '.', '-' or '_', at most 64")
    if not login.isascii():
        raise InvalidValueError("login", "ASCII letters and digits only")


class User(Aggregate):
    """A person who signs in with a bearer token. Only the token's hash is ever stored."""

    class Added(Aggregate.Created):
        login: str
        name: str
        role: Role
        mediator: str | None
        token_hash: str
        actor: Actor | None

    class TokenRotated(Aggregate.Event):
        token_hash: str
        actor: Actor | None

        def apply(self, aggregate: Any) -> None:
            aggregate.token_hash = self.token_hash

    class Revoked(Aggregate.Event):
        actor: Actor | None

        def apply(self, aggregate: Any) -> None:
            aggregate.revoked = True

    def __init__(
        self,
        login: str,
        name: str,
        role: Role,
        mediator: str | None,
        token_hash: str,
        actor: Actor | None,
    ) -> None:
        self.login = login
        self.name = name
        self.role = role
        self.mediator = mediator
        self.token_hash = token_hash
        self.revoked = False

    @staticmethod
    def id_for(login: str) -> UUID:
        return derived_id("user", login)

    @classmethod
    def add(
        cls,
        *,
        login: str,
        name: str,
        role: Role,
        mediator: str | None,
        token_hash: str,
        actor: Actor | None,
    ) -> User:
        """`actor` is None when the command line adds a user (the machine's operator)."""
        check_login(login)
        if role is Role.SYSTEM:
            raise InvalidValueError("role", "system is Tongjie's own, never a user's")
        if role is Role.MEDIATOR and not mediator:
            raise InvalidValueError("mediator", "a mediator user names their mediator code")
        if role is not Role.MEDIATOR and mediator:
            raise InvalidValueError("mediator", "only a mediator user has a mediator code")
        return cls._create(
            cls.Added,
            id=cls.id_for(login),
            login=login,
            name=login if blank(name) else name.strip(),
            role=role,
            mediator=mediator,
            token_hash=token_hash,
            actor=actor,
        )

    @property
    def actor(self) -> Actor:
        return Actor(id=str(self.id), login=self.login, role=self.role, mediator=self.mediator)

    def rotate_token(self, *, token_hash: str, actor: Actor | None) -> None:
        """A new token; the old one stops working at once. A revoked user stays revoked."""
        self.trigger_event(self.TokenRotated, token_hash=token_hash, actor=actor)

    def revoke(self, *, actor: Actor | None) -> None:
        if not self.revoked:
            self.trigger_event(self.Revoked, actor=actor)


class TokenIndex(Aggregate):
    """Maps a token's hash to its user, so authentication is two loads by id, no scan."""

    class Issued(Aggregate.Created):
        login: str

    def __init__(self, login: str) -> None:
        self.login = login

    @staticmethod
    def id_for(token_hash: str) -> UUID:
        return derived_id("token", token_hash)

    @classmethod
    def issue(cls, *, token_hash: str, login: str) -> TokenIndex:
        return cls._create(cls.Issued, id=cls.id_for(token_hash), login=login)
