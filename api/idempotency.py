"""Idempotency-Key: a retried POST gets the first answer, and records nothing new.

Keys are scoped to the caller (their login) and the path. The answer is stored by the write
path in the same transaction as the command's events (see `record_for`), so a retry after a
timeout, a restart or on another server process finds it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from starlette.responses import Response

from api.problems import IdempotencyKeyReusedError, InvalidFieldsError
from application.ports import (
    AnswerStore,
    IdempotencyKeyExistsError,
    IdempotencyRecord,
    StoredAnswer,
    WriteConditions,
)
from domain.errors import DomainError

MAX_KEY_LENGTH = 200

Info = TypeVar("Info")
Result = TypeVar("Result")
Write = Callable[[WriteConditions[Info]], Info]
"""A use case, given the conditions its write is stored under."""


def fingerprint(body: bytes) -> str:
    """SHA-256 of the body in canonical JSON, so key order and spacing do not matter."""
    try:
        canonical = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:
        canonical = body
    return hashlib.sha256(canonical).hexdigest()


def check_key(key: str) -> None:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise InvalidFieldsError("Idempotency-Key", f"1 to {MAX_KEY_LENGTH} printable chars")


@dataclass(frozen=True)
class Answer:
    """An answer as it is stored and replayed: X-Position is added from the store's position."""

    status: int
    headers: dict[str, str] = field(hash=False)
    body: bytes

    def response(self, position: int | None) -> Response:
        headers = dict(self.headers)
        if position is not None:
            headers["X-Position"] = str(position)
        media_type = headers.pop("content-type", None)
        return Response(self.body, status_code=self.status, headers=headers, media_type=media_type)


class Idempotency:
    """One request's key: look the answer up first, then record it with the command."""

    def __init__(self, store: AnswerStore, caller: str, path: str, key: str, body: bytes) -> None:
        check_key(key)
        self.store = store
        self.caller = caller
        self.path = path
        self.key = key
        self.fingerprint = fingerprint(body)

    def stored(self) -> StoredAnswer | None:
        """The first answer under this key; 409 if it was given to another body."""
        found = self.store.find_idempotency(self.caller, self.path, self.key)
        if found is not None and found.fingerprint != self.fingerprint:
            raise IdempotencyKeyReusedError(
                "this Idempotency-Key was used with another body on this path"
            )
        return found

    def replay(self, *, with_position: bool = True) -> Response | None:
        """The first answer, if any; `with_position`: with the X-Position its write had (a case
        write's answer carries one, reference data's does not)."""
        found = self.stored()
        if found is None:
            return None
        position = found.position if with_position else None
        return Answer(found.status, dict(found.headers), found.body).response(position)

    def replay_after_race(self, *, with_position: bool = True) -> Response:
        """A concurrent twin stored its answer first: wait until it can be read, and replay it."""
        for _ in range(50):
            replayed = self.replay(with_position=with_position)
            if replayed is not None:
                return replayed
            time.sleep(0.01)
        raise IdempotencyKeyReusedError("this Idempotency-Key is being used by another request")

    def record_for(self, answer: Answer) -> IdempotencyRecord:
        """The record that stores `answer` under this key with the command's events."""
        return IdempotencyRecord(
            key=self.key,
            caller=self.caller,
            path=self.path,
            fingerprint=self.fingerprint,
            status=answer.status,
            headers=dict(answer.headers),
            body=answer.body,
        )

    def conditions(self, answer: Callable[[Info], Answer]) -> WriteConditions[Info]:
        """A write stored with its answer, `answer(info)` of what the use case returns."""
        return WriteConditions(answer_record=lambda info: self.record_for(answer(info)))

    def marker(self) -> WriteConditions[object]:
        """A body-less record: the key was used, and its answer (a token) is never replayed."""
        used = self.record_for(Answer(status=201, headers={}, body=b""))
        return WriteConditions(answer_record=lambda _info: used)


def run_once(
    idempotency: Idempotency | None, write: Write[Info], answer: Callable[[Info], Answer]
) -> Response:
    """A write of reference data or users under an optional key, replayed if answered before.

    `write(conditions)` runs the use case, which stores this answer's idempotency record in
    the same transaction as its events: a retry after a timeout, a crash or on another
    process gets the first answer, and records nothing.
    """
    if idempotency is None:
        return answer(write(WriteConditions())).response(None)
    replayed = idempotency.replay(with_position=False)
    if replayed is not None:
        return replayed
    try:
        info = write(idempotency.conditions(answer))
    except IdempotencyKeyExistsError:  # a concurrent twin answered first: its answer it is
        return idempotency.replay_after_race(with_position=False)
    except DomainError:
        # A twin that committed between our look-up and our command makes it fail (the code
        # is taken): the twin's answer is this request's too.
        replayed = idempotency.replay(with_position=False)
        if replayed is not None:
            return replayed
        raise
    return answer(info).response(None)


def run_never_replayed(
    idempotency: Idempotency | None, write: Callable[[WriteConditions[object]], Result]
) -> Result:
    """A write whose answer carries a token, under an optional key: the key is stored with the
    write's events as a body-less marker, so a retry is a 409 and never shows the token."""
    if idempotency is None:
        return write(WriteConditions())
    never_replay(idempotency)
    try:
        return write(idempotency.marker())
    except IdempotencyKeyExistsError:
        raise _never_replayed() from None


def never_replay(idempotency: Idempotency | None) -> None:
    """A key already used for an answer that carried a token: 409, the token is never stored."""
    if idempotency is not None and idempotency.store.find_idempotency(
        idempotency.caller, idempotency.path, idempotency.key
    ):
        raise _never_replayed()


def _never_replayed() -> IdempotencyKeyReusedError:
    return IdempotencyKeyReusedError(
        "this Idempotency-Key was used already; a token is never replayed: list the users"
    )
