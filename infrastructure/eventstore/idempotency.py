"""Idempotency records: a command's key and its answer, stored with the command's events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class IdempotencyRecord:
    """What a caller sent under a key, and what it was answered."""

    key: str
    caller: str
    path: str
    fingerprint: str
    status: int
    headers: dict[str, str] = field(hash=False)
    body: bytes


@dataclass(frozen=True)
class StoredAnswer:
    """An idempotency record as stored: where its command ended in the store, and when."""

    key: str
    caller: str
    path: str
    fingerprint: str
    status: int
    headers: dict[str, str] = field(hash=False)
    body: bytes
    position: int | None
    created_at: datetime


class IdempotencyKeyExistsError(Exception):
    """Another command already recorded this (caller, path, key); this one recorded nothing.

    Deliberately not an IntegrityError: retrying the command would not help, the stored
    answer should be replayed instead (see `find_idempotency`).
    """

    def __init__(self, caller: str, path: str, key: str) -> None:
        super().__init__(f"idempotency key exists: caller={caller!r} path={path!r} key={key!r}")
        self.caller = caller
        self.path = path
        self.key = key
