"""Reads of one case, always from the event store: current state, history, replay."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from application.dto import CaseDetails, EventRecord
from application.ports import ChainLink, ChainSource, EventSource
from application.store import TongjieStore
from domain.case import Case, replayed
from domain.errors import CaseNotFoundError, InvalidValueError
from domain.times import utcnow
from domain.values import Actor

_ENVELOPE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


class CaseReads:
    def __init__(
        self,
        store: TongjieStore,
        chain: ChainSource | None = None,
        events: EventSource | None = None,
    ) -> None:
        """`chain`: the hashes stored beside the events, shown in a case's history; `events`:
        a faster read of a case's events than the library's (the same events)."""
        self.store = store
        self.chain = chain
        self.events = events

    def current(self, case_id: UUID) -> CaseDetails:
        case = self.store.load(case_id, CaseNotFoundError(case_id))
        if not isinstance(case, Case):
            raise CaseNotFoundError(case_id)
        return CaseDetails.of(case, utcnow())

    def history(self, case_id: UUID) -> list[EventRecord]:
        """Every event in order, with both times, the actor, its data and its hashes."""
        events = self._events(case_id)
        links: dict[int, ChainLink] = {}
        if self.chain is not None:
            links = {
                link.originator_version: link for link in self.chain.select_case_chain(case_id)
            }
        return [_record(event, links.get(event.originator_version)) for event in events]

    def at_version(self, case_id: UUID, version: int) -> CaseDetails:
        if version < 1:
            raise InvalidValueError("version", "must be 1 or more")
        events = self._events(case_id)
        if version > events[-1].originator_version:
            latest = events[-1].originator_version
            raise InvalidValueError("version", f"the case has {latest} versions")
        events = [e for e in events if e.originator_version <= version]
        return self._fold(case_id, events, events[-1].timestamp)

    def as_of(self, case_id: UUID, moment: datetime) -> CaseDetails:
        """The case as it stood at `moment`, by the time each event was recorded."""
        events = self._events(case_id)
        before = [e for e in events if e.timestamp <= moment]
        if not before:
            raise InvalidValueError("as_of", f"the case did not exist yet at {moment.isoformat()}")
        return self._fold(case_id, before, moment)

    def _events(self, case_id: UUID) -> list[Any]:
        """The case's events from the first, never from a snapshot."""
        if self.events is not None:
            events = self.events.events_of(case_id)
        else:
            events = list(self.store.events.get(case_id))
        if not events or not isinstance(events[0], Case.Received):
            raise CaseNotFoundError(case_id)
        return events

    def _fold(self, case_id: UUID, events: Iterable[Any], now: datetime) -> CaseDetails:
        case = replayed(events)
        if case is None:
            raise CaseNotFoundError(case_id)
        return CaseDetails.of(case, now)


def _record(event: Any, link: ChainLink | None) -> EventRecord:
    attributes = vars(event)
    actor = attributes.get("actor")
    return EventRecord(
        version=event.originator_version,
        type=type(event).__name__,
        recorded_at=event.timestamp,
        actor=actor if isinstance(actor, Actor) else None,
        data={k: v for k, v in attributes.items() if k not in _ENVELOPE},
        hash=link.hash if link else None,
        prev_hash=link.prev_hash if link else None,
    )
