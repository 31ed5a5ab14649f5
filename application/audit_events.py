"""Stored events, decoded for the audit one by one, so a damaged one does not hide the others."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from application.documents import NamedBytes
from application.dto import EventRecord
from application.ports import EventSource
from application.store import TongjieStore
from domain.case import Case, CaseReplay
from domain.numbering import CaseNumberSequence
from domain.values import Actor

CASE_TOPIC = get_topic(Case) + "."
NUMBER_ISSUED_TOPIC = get_topic(CaseNumberSequence.NumberIssued)
DOCUMENT_ATTACHED_TOPIC = get_topic(Case.DocumentAttached)
_ENVELOPE = ("originator_id", "originator_version", "timestamp", "originator_topic", "actor")
_PAGE = 1000


class ChainedEvent(Protocol):
    """A stored event with the hashes the write path stored beside it."""

    @property
    def notification_id(self) -> int: ...
    @property
    def originator_id(self) -> UUID: ...
    @property
    def originator_version(self) -> int: ...
    @property
    def topic(self) -> str: ...
    @property
    def state(self) -> bytes: ...
    @property
    def prev_hash(self) -> str | None: ...
    @property
    def hash(self) -> str | None: ...


def is_case(rows: Sequence[ChainedEvent]) -> bool:
    return any(row.topic.startswith(CASE_TOPIC) for row in rows)


def aggregate_of(topic: str | None) -> str | None:
    """`domain.case:Case.Received` -> `Case`."""
    if topic is None or ":" not in topic:
        return None
    return topic.split(":", 1)[1].split(".", 1)[0]


def decode(store: TongjieStore, row: ChainedEvent, events: EventSource | None = None) -> Any | None:
    """The domain event, or None when its stored bytes cannot be decoded (or decrypted);
    through `events` when given (the same event, decoded faster)."""
    if events is None:
        return decode_stored(
            store, StoredEvent(row.originator_id, row.originator_version, row.topic, row.state)
        )
    try:
        event = events.event_from(row.originator_id, row.originator_version, row.topic, row.state)
    except Exception:  # as decode_stored: damaged bytes fail in the cipher or the JSON
        return None
    return event if isinstance(getattr(event, "timestamp", None), datetime) else None


def decode_stored(store: TongjieStore, stored: StoredEvent) -> Any | None:
    try:
        event = store.mapper.to_domain_event(stored)
    except Exception:  # a damaged payload fails in the cipher, the decompressor or the JSON
        return None
    if not isinstance(getattr(event, "timestamp", None), datetime):
        return None  # decoded, but damaged: its envelope is gone
    return event


def record(event: Any, row: ChainedEvent) -> EventRecord:
    actor = getattr(event, "actor", None)
    data = dict(vars(event))  # then the envelope taken out: a thousand events, each in C
    for name in _ENVELOPE:
        data.pop(name, None)
    return EventRecord(
        version=row.originator_version,
        type=type(event).__name__,
        recorded_at=event.timestamp,
        actor=actor if isinstance(actor, Actor) else None,
        data=data,
        hash=row.hash,
        prev_hash=row.prev_hash,
        position=row.notification_id,
    )


def fold(events: Iterable[Any | None]) -> Case | None:
    """The case the events make, applied from the first (no snapshot), up to the first one
    that is unreadable or damaged beyond applying (the state after it cannot be known)."""
    replay = CaseReplay()
    for event in events:
        if event is None:
            break
        try:
            replay.apply(event)
        except Exception:  # a damaged payload that still decodes, with fields gone
            break
    return replay.case()


def number_from(store: TongjieStore, rows: Sequence[ChainedEvent]) -> str | None:
    """The case's number, from its Received event if that can still be read."""
    for row in rows:
        if row.originator_version == 1:
            event = decode(store, row)
            number = getattr(event, "number", None)
            return number if isinstance(number, str) else None
    return None


def issued_numbers(store: TongjieStore, head: int) -> Iterator[tuple[UUID, str, int]]:
    """Every case number issued up to `head`: (case id, number, its position)."""
    start = 1
    while True:
        page = store.recorder.select_notifications(
            start, _PAGE, stop=head, topics=[NUMBER_ISSUED_TOPIC]
        )
        for notification in page:
            event = decode_stored(store, notification)
            if event is not None:
                yield event.case_id, event.number, notification.id
        if len(page) < _PAGE:
            return
        start = page[-1].id + 1


def named_bytes(store: TongjieStore, rows: Sequence[ChainedEvent]) -> list[NamedBytes]:
    """The bytes the case's readable `DocumentAttached` events name (an unreadable event is
    the chain check's to report)."""
    named: list[NamedBytes] = []
    for row in rows:
        if row.topic == DOCUMENT_ATTACHED_TOPIC:
            event = decode(store, row)
            if isinstance(event, Case.DocumentAttached):
                named.append(_named(row.originator_id, row.originator_version, event))
    return named


def attached_documents(store: TongjieStore, head: int) -> Iterator[NamedBytes]:
    """The bytes every readable `DocumentAttached` event up to `head` names, in store order."""
    start = 1
    while True:
        page = store.recorder.select_notifications(
            start, _PAGE, stop=head, topics=[DOCUMENT_ATTACHED_TOPIC]
        )
        for notification in page:
            event = decode_stored(store, notification)
            if isinstance(event, Case.DocumentAttached):
                yield _named(
                    UUID(str(notification.originator_id)), notification.originator_version, event
                )
        if len(page) < _PAGE:
            return
        start = page[-1].id + 1


def _named(case_id: UUID, version: int, event: Case.DocumentAttached) -> NamedBytes:
    return NamedBytes(case_id, version, event.document_id, event.sha256)
