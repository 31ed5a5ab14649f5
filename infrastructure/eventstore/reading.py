"""One aggregate's events read for a replay: the library's answer, decoded faster.

The library's repository reads a row into a `StoredEvent`, decodes its JSON with the standard
library's parser and a callback for every JSON object, and builds the event. Here the rows
come as plain tuples, orjson parses them, our transcoder's walk decodes them
(`TongjieTranscoder.decode_parsed`), and the event is built as the library's mapper builds it.
Whatever this path cannot take as the mapper would (a cipher's or compressor's error, a
payload only the library's decoder reads, an event to upcast) goes through the mapper itself,
so an answer or an error is always the library's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import resolve_topic

from infrastructure.transcodings import TongjieTranscoder

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from uuid import UUID

    from eventsourcing.persistence import Mapper

StateRow = tuple[int, str, bytes]
"""An event's version, topic and stored state."""


class StateSource(Protocol):
    def select_states(self, originator_id: UUID) -> Sequence[StateRow]:
        """One aggregate's rows in version order."""
        ...


class EventReader:
    """`events_of(id)` equals `list(store.events.get(id))` (held so by tests), faster."""

    def __init__(self, source: StateSource, mapper: Mapper[Any]) -> None:
        self._source = source
        self._mapper = mapper
        steps: list[Callable[[bytes], bytes]] = []
        if mapper.cipher is not None:
            steps.append(mapper.cipher.decrypt)
        if mapper.compressor is not None:
            steps.append(mapper.compressor.decompress)
        self._steps = steps
        transcoder = mapper.transcoder
        self._transcoder = transcoder if isinstance(transcoder, TongjieTranscoder) else None
        self._classes: dict[str, type[Any]] = {}

    def events_of(self, originator_id: UUID) -> list[Any]:
        rows = self._source.select_states(originator_id)
        return [self.event_from(originator_id, *row) for row in rows]

    def event_from(self, originator_id: UUID, version: int, topic: str, state: bytes) -> Any:
        """The event of one stored row, as `mapper.to_domain_event` makes it (or raises)."""
        if self._transcoder is None:
            return self._by_mapper(originator_id, (version, topic, state))
        row = (version, topic, state)
        cls = self._classes.get(topic)
        try:
            if cls is None:
                cls = self._classes[topic] = resolve_topic(topic)
            for step in self._steps:
                state = step(state)
            assert self._transcoder is not None
            data = self._transcoder.decode_parsed(self._transcoder.parse(state))
            if type(data) is not dict or "class_version" in data:
                raise TypeError(topic)  # not an event's state, or one to upcast
            if getattr(cls, "class_version", 1) != 1:
                raise TypeError(topic)
        except Exception:
            return self._by_mapper(originator_id, row)
        data["originator_id"] = originator_id
        data["originator_version"] = version
        event = object.__new__(cls)
        object.__setattr__(event, "__dict__", data)
        return event

    def _by_mapper(self, originator_id: UUID, row: StateRow) -> Any:
        version, topic, state = row
        return self._mapper.to_domain_event(StoredEvent(originator_id, version, topic, state))
