"""Reading the store's notification log for the views through the library's recorder.

A row is `(notification id, originator id, originator version, topic, state)`, with `state`
None for an event of a topic the reader does not want. This reader works with any recorder
(`select_notifications`); on PostgreSQL the composition root hands the engine a faster one
of its own SQL (`infrastructure/views/log.py`). Either way a page is the next `limit`
notifications in store order, whatever their topics, so a short page means caught up.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder

    from projections.engine.ports import StoredRow


class RecorderLog:
    def __init__(self, recorder: ApplicationRecorder, topics: Collection[str]) -> None:
        self._recorder = recorder
        self._topics = frozenset(topics)

    def read(self, after: int, limit: int) -> list[StoredRow]:
        notifications = self._recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        topics = self._topics
        return [
            (
                n.id,
                n.originator_id,
                n.originator_version,
                n.topic,
                n.state if n.topic in topics else None,
            )
            for n in notifications
        ]
