"""What the application needs from the store beyond the library's, and what crosses to it.

The application owns these ports; infrastructure's recorders implement them (and import them
from here), and the composition root (api/bootstrap.py) hands them in as `RecorderPorts`. A
store without one (the library's own recorders) hands in None, and the feature is off: never
a probe at run time, so a misspelt method fails mypy instead of switching a feature off.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError, OperationalError

Answer = TypeVar("Answer", contravariant=True)  # conditions for any answer suit every answer

Unchanged = Mapping[UUID, int]
"""Originator id -> the version it must still have when a write is stored."""


# -- what a write stores and checks besides its events -------------------------------------------


@dataclass(frozen=True)
class IdempotencyRecord:
    """What a caller sent under an Idempotency-Key, and what it was answered."""

    key: str
    caller: str
    path: str
    fingerprint: str
    status: int
    headers: dict[str, str] = field(hash=False)
    body: bytes


@dataclass(frozen=True)
class StoredAnswer:
    """An idempotency record as stored: where its write ended in the store, and when."""

    key: str
    caller: str
    path: str
    fingerprint: str
    status: int
    headers: dict[str, str] = field(hash=False)
    body: bytes
    position: int | None
    created_at: datetime


@dataclass(frozen=True)
class WriteConditions(Generic[Answer]):
    """What the store does in a write's own transaction besides storing its events.

    `answer_record`: the write's idempotency record, given its answer (stored with the events,
    so a retry finds it); `unchanged`: originators the write was judged against (a caller the
    API process remembers), which must not have moved on, or nothing of it is stored.
    """

    answer_record: Callable[[Answer], IdempotencyRecord] | None = None
    unchanged: Unchanged | None = None

    def record_for(self, answer: Answer) -> IdempotencyRecord | None:
        return None if self.answer_record is None else self.answer_record(answer)


# -- what a recorder refuses, each its own error ---------------------------------------------------


class VersionConflictError(IntegrityError):
    """Another write took this version of an aggregate first; nothing of this write is stored.

    The one refusal a write retries on the fresh state. An `IntegrityError`, so the library's
    code paths (and callers of its `save`) still see what they expect.
    """


class IdempotencyKeyExistsError(Exception):
    """Another write already recorded this (caller, path, key); this one recorded nothing.

    Deliberately not an IntegrityError: retrying the write would not help, the stored answer
    is replayed instead (see `AnswerStore.find_idempotency`).
    """

    def __init__(self, caller: str, path: str, key: str) -> None:
        super().__init__(f"idempotency key exists: caller={caller!r} path={path!r} key={key!r}")
        self.caller = caller
        self.path = path
        self.key = key


class ChangedMeanwhileError(Exception):
    """An originator the write was judged against moved on; nothing of the write was stored."""

    def __init__(self, originator_id: UUID | str, expected: int, stored: int | None) -> None:
        super().__init__(f"{originator_id} is at version {stored}, the command expected {expected}")
        self.originator_id = originator_id
        self.expected = expected
        self.stored = stored


class CommitOutcomeUnknownError(OperationalError):
    """The connection was lost once COMMIT was sent: the write may be stored or not.

    Never retried by the store or the application: a second attempt could store it twice.
    The client retries it, with its Idempotency-Key (the first answer comes back if it was
    stored), or reads the case first. An `OperationalError`, so it answers 503 as any loss of
    the database does.
    """


# -- the ports ------------------------------------------------------------------------------------


class AnswerStore(Protocol):
    """A store that keeps `WriteConditions`: it stores a write's idempotency record with its
    events (found again here) and refuses a write whose `unchanged` originators moved on."""

    def find_idempotency(self, caller: str, path: str, key: str) -> StoredAnswer | None: ...


class WriteWitness(Protocol):
    """What the store's writer saw: how many times it found events another writer stored."""

    @property
    def foreign_writes(self) -> int: ...


class ChainLink(Protocol):
    """The hashes the write path stored beside one event."""

    @property
    def originator_version(self) -> int: ...
    @property
    def hash(self) -> str | None: ...
    @property
    def prev_hash(self) -> str | None: ...


class ChainSource(Protocol):
    """One aggregate's stored hashes, in version order."""

    def select_case_chain(self, originator_id: UUID) -> Sequence[ChainLink]: ...


class EventSource(Protocol):
    """One aggregate's events from its first, decoded: what `store.events.get(id)` answers,
    read faster (for replays, which read every event of a case)."""

    def events_of(self, originator_id: UUID) -> list[Any]: ...

    def event_from(self, originator_id: UUID, version: int, topic: str, state: bytes) -> Any:
        """One stored row's event, as the library's mapper makes it (or raises)."""
        ...


class BlobUnreadableError(Exception):
    """A stored blob's bytes cannot be decrypted (changed, or the wrong cipher key)."""

    def __init__(self, sha256: str, reason: str) -> None:
        super().__init__(f"blob {sha256} cannot be read: {reason}")
        self.sha256 = sha256
        self.reason = reason


class BlobStore(Protocol):
    """Documents' bytes, kept by their SHA-256 (content-addressed) beside the events.

    `put` returns only once the bytes are committed, so an event written after it never names
    missing bytes; the same bytes put twice are kept once. Encryption at rest, when the store
    has a key, is the store's business: `get` gives back the bytes as they were put.
    """

    def put(self, sha256: str, content: bytes) -> None: ...

    def get(self, sha256: str) -> bytes | None:
        """The bytes stored under `sha256` (None: none are); BlobUnreadableError when they
        cannot be decrypted. Not checked against `sha256` here: the caller checks."""
        ...

    def addresses(self) -> Iterator[str]:
        """Every address stored, in order (the audit finds blobs no event names)."""
        ...


@dataclass(frozen=True)
class RecorderPorts:
    """The ports the store's recorder offers (None: this recorder does not)."""

    answers: AnswerStore | None = None
    witness: WriteWitness | None = None
    chain: ChainSource | None = None


# -- what the triage reads from a view -------------------------------------------------------------


@dataclass(frozen=True)
class MediatorLoad:
    """A mediator's open cases and the latest routing to them, as a view counts them."""

    open_cases: int
    last_routed_at: datetime | None


@dataclass(frozen=True)
class Loads:
    by_mediator: Mapping[str, MediatorLoad]
    position: int
    """The store position the view had processed when it was read."""


class LoadsView(Protocol):
    """Each mediator's load, read from a view (the board), never from the store."""

    def __call__(self) -> Loads: ...
