"""Users and their bearer tokens: issued once, stored only as a hash, checked in the store."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol
from uuid import UUID

from eventsourcing.application import LRUCache

from application.current import caught_up
from application.dto import IssuedToken, UserInfo
from application.ports import VersionConflictError, WriteConditions
from application.reference import ReferenceData
from application.store import TongjieStore
from domain.errors import (
    DuplicateCodeError,
    TokenInvalidError,
    UnknownMediatorError,
    UserNotFoundError,
)
from domain.reference import Mediator
from domain.user import TokenIndex, User
from domain.values import Actor, Role

TOKEN_BYTES = 32
KEPT = 10_000  # token indexes and users remembered between authentications
TOKEN_PREFIX = "tj_"  # noqa: S105 - a prefix that makes leaked tokens recognisable

USE_PRECISION = 60.0  # seconds: a token's use is recorded at most this often per process


class TokenUses(Protocol):
    """Where tokens' last uses are kept (beside the store; never events)."""

    def record_use(self, login: str, at: datetime) -> None: ...

    def last_uses(self) -> dict[str, datetime]: ...


@dataclass(frozen=True)
class Recalled:
    """A token's holder as this process last read them: `unchanged` names that read (the
    user's id and version), for a write stored only if the user is still so."""

    actor: Actor
    unchanged: Mapping[UUID, int]


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """SHA-256 suffices: a token carries 256 random bits, so it cannot be guessed offline."""
    return hashlib.sha256(token.encode()).hexdigest()


class Users:
    def __init__(
        self, store: TongjieStore, reference: ReferenceData, uses: TokenUses | None = None
    ) -> None:
        self.store = store
        self.reference = reference
        self.uses = uses
        self._noted: dict[str, float] = {}  # login -> when this process last recorded a use
        self._logins: LRUCache[str, str] = LRUCache(maxsize=KEPT)  # token hash -> login
        self._known: LRUCache[str, User] = LRUCache(maxsize=KEPT)  # users as last read

    def add(
        self,
        *,
        login: str,
        role: Role,
        name: str = "",
        mediator: str | None = None,
        actor: Actor | None = None,
        conditions: WriteConditions[UserInfo] | None = None,
    ) -> IssuedToken:
        """Add a user and issue their first token, which is shown once."""
        if mediator is not None and not isinstance(
            self.store.load_or_none(Mediator.id_for(mediator)), Mediator
        ):
            raise UnknownMediatorError(mediator)
        token = new_token()
        hashed = token_hash(token)
        user = User.add(
            login=login, name=name, role=role, mediator=mediator, token_hash=hashed, actor=actor
        )
        directory = self.reference.directory()
        if login in directory.users:
            raise DuplicateCodeError("user", login)
        directory.list_user(login)
        info = _user_info(user)
        index = TokenIndex.issue(token_hash=hashed, login=login)
        try:
            self.store.save_with(conditions, info, directory, user, index)
        except VersionConflictError:  # another admin added this login (or listed another)
            raise DuplicateCodeError("user", login) from None
        return IssuedToken(user=info, token=token)

    def rotate(
        self,
        login: str,
        *,
        actor: Actor | None = None,
        conditions: WriteConditions[UserInfo] | None = None,
    ) -> IssuedToken:
        """A new token; the old one stops working at once, on every process.

        `conditions` are given the user, never the token: nothing stored can replay it.
        """
        user = self._user(login)
        token = new_token()
        hashed = token_hash(token)
        user.rotate_token(token_hash=hashed, actor=actor)
        info = _user_info(user)
        index = TokenIndex.issue(token_hash=hashed, login=login)
        self.store.save_with(conditions, info, user, index)
        return IssuedToken(user=info, token=token)

    def revoke(
        self,
        login: str,
        *,
        actor: Actor | None = None,
        conditions: WriteConditions[UserInfo] | None = None,
    ) -> UserInfo:
        user = self._user(login)
        user.revoke(actor=actor)
        info = _user_info(user)
        self.store.save_with(conditions, info, user)
        return info

    def get(self, login: str) -> UserInfo:
        last = self.uses.last_uses() if self.uses is not None else {}
        return _user_info(self._user(login), last.get(login))

    def list(self) -> list[UserInfo]:
        last = self.uses.last_uses() if self.uses is not None else {}
        return [
            _user_info(self._user(login), last.get(login))
            for login in self.reference.directory().users
        ]

    def authenticate(self, token: str) -> Actor:
        """The user who holds this token, as the store has them now (never a view).

        A token's index never changes once issued, so which login it names is remembered;
        the user (a rotation, a revocation) is caught up with the store at every call.
        """
        hashed = token_hash(token)
        login = self._login_for(hashed)
        user = self._current_user(login) if login is not None else None
        if user is None or user.revoked or not hmac.compare_digest(user.token_hash, hashed):
            raise TokenInvalidError
        self._note_use(user.login)
        return user.actor

    def recall(self, token: str) -> Recalled | None:
        """The holder of this token as this process last read them, without reading the
        store; None if it has not read them, read them revoked or with another token, or
        their use is due to be recorded (`authenticate` does it).

        Not an authentication: only a write that is stored on condition that the user is
        still at `Recalled.unchanged` (checked under the store's write lock, in the write's
        own transaction) may use it, and any other answer must `authenticate` first.
        """
        hashed = token_hash(token)
        try:
            user = self._known.get(self._logins.get(hashed))
        except KeyError:
            return None
        if user.revoked or not hmac.compare_digest(user.token_hash, hashed):
            return None
        if self._use_due(user.login, time.monotonic()):
            return None
        return Recalled(user.actor, {user.id: user.version})

    def _note_use(self, login: str) -> None:
        """Record the use, at most once a minute per user in this process (not per request)."""
        if self.uses is None:
            return
        now = time.monotonic()
        if not self._use_due(login, now):
            return
        self._noted[login] = now  # racing threads may both record: harmless, once a minute
        self.uses.record_use(login, datetime.now(UTC))

    def _use_due(self, login: str, now: float) -> bool:
        last = self._noted.get(login)
        return self.uses is not None and (last is None or now - last >= USE_PRECISION)

    def _login_for(self, hashed: str) -> str | None:
        try:
            return self._logins.get(hashed)
        except KeyError:
            pass
        index = self.store.load_or_none(TokenIndex.id_for(hashed))
        if not isinstance(index, TokenIndex):
            return None  # never remembered: the token may be issued later
        self._logins.put(hashed, index.login)
        return index.login

    def _current_user(self, login: str) -> User | None:
        """The user as stored now: as last read, caught up with what was stored since."""
        try:
            known: User | None = self._known.get(login)
        except KeyError:
            known = None
        if known is None:
            found = self.store.load_or_none(User.id_for(login))
            user = found if isinstance(found, User) else None
        else:
            user = caught_up(self.store, known, shared=True)
        if user is not None and user is not known:
            self._known.put(login, user)  # racing threads may keep an older one: still caught up
        return user

    def _user(self, login: str) -> User:
        found = self.store.load(User.id_for(login), UserNotFoundError(login))
        assert isinstance(found, User)
        return found


def _user_info(user: User, last_used_at: datetime | None = None) -> UserInfo:
    return UserInfo(
        login=user.login,
        name=user.name,
        role=user.role.value,
        mediator=user.mediator,
        revoked=user.revoked,
        created_at=user.created_on,
        last_used_at=last_used_at,
    )
