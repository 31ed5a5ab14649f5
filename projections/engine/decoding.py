"""Turning the store's rows into ViewEvents: decrypt, decompress, parse JSON.

It follows the application's mapper (`to_domain_event`) up to the JSON object and stops
there: no topic resolution, no transcoding into domain objects, no upcasting. Events whose
topic no view reads are never decoded. A view whose events need upcasting would decode them
with the mapper itself; none does yet. A row that cannot be decoded is poisoned for the view
(engine/poison.py), the others of its page decoded as usual.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

import orjson

from projections.engine.poison import PoisonedEvent
from projections.engine.view import ViewEvent

if TYPE_CHECKING:
    from eventsourcing.persistence import Mapper

    from projections.engine.ports import StoredRow


class Decoder:
    def __init__(self, mapper: Mapper[Any] | None = None) -> None:
        steps: list[Callable[[bytes], bytes]] = []
        if mapper is not None and mapper.cipher is not None:
            steps.append(mapper.cipher.decrypt)
        if mapper is not None and mapper.compressor is not None:
            steps.append(mapper.compressor.decompress)
        self._steps = steps

    def state(self, state: bytes) -> dict[str, Any]:
        for step in self._steps:
            state = step(state)
        data: dict[str, Any] = orjson.loads(state)
        return data

    def decode(self, rows: Sequence[StoredRow], topics: Collection[str]) -> list[ViewEvent]:
        """The rows whose topic is in `topics` (and state was read), decoded, in store order."""
        state = self.state if self._steps else orjson.loads
        return [
            ViewEvent(
                position,
                originator if type(originator) is UUID else UUID(str(originator)),
                version,
                topic,
                state(stored),
            )
            for position, originator, version, topic, stored in rows
            if stored is not None and topic in topics
        ]

    def decode_page(
        self, rows: Sequence[StoredRow], topics: Collection[str]
    ) -> tuple[list[ViewEvent], list[PoisonedEvent]]:
        """`decode`, and the rows that cannot be decoded (each with its error) beside."""
        try:
            return self.decode(rows, topics), []
        except Exception:  # one row at least: decode each, and set aside those that fail
            return self._each(rows, topics)

    def _each(
        self, rows: Sequence[StoredRow], topics: Collection[str]
    ) -> tuple[list[ViewEvent], list[PoisonedEvent]]:
        events: list[ViewEvent] = []
        undecodable: list[PoisonedEvent] = []
        for row in rows:
            try:
                events += self.decode([row], topics)
            except Exception as error:
                position, originator, version, topic, _ = row
                undecodable.append(
                    PoisonedEvent.from_row(position, originator, version, topic, error)
                )
        return events, undecodable
