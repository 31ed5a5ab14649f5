"""Reading the store's notification log for the views: rows, not the library's objects.

A row is `(notification id, originator id, originator version, topic, state)`, with `state`
None for an event of a topic the reader does not want. On PostgreSQL the log is read with one
statement of our own: only these five columns (not the hash chain's), in binary, as tuples,
and the state only of wanted topics; that reads about twice as fast as the recorder's
`select_notifications` (which builds a dict, then a Notification, per row). Any other
recorder is read through `select_notifications`. Either way a page is the next `limit`
notifications in store order, whatever their topics, so a short page means caught up.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Protocol

from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder

StoredRow = tuple[int, Any, int, str, "bytes | None"]


class LogReader(Protocol):
    def read(self, after: int, limit: int) -> list[StoredRow]:
        """The next `limit` rows of the log with ids above `after`, in order."""
        ...


def log_reader(recorder: ApplicationRecorder, topics: Collection[str]) -> LogReader:
    if isinstance(recorder, PostgresApplicationRecorder):
        return PostgresLog(recorder, topics)
    return RecorderLog(recorder, topics)


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


class PostgresLog:
    def __init__(self, recorder: PostgresApplicationRecorder, topics: Collection[str]) -> None:
        self._datastore = recorder.datastore
        self._topics = sorted(topics)
        self._statement = SQL(
            "SELECT notification_id, originator_id, originator_version, topic, "
            "CASE WHEN topic = ANY(%s) THEN state END FROM {schema}.{table} "
            "WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
        ).format(
            schema=Identifier(recorder.datastore.schema),
            table=Identifier(recorder.events_table_name),
        )

    def read(self, after: int, limit: int) -> list[StoredRow]:
        with (
            self._datastore.get_connection() as conn,
            conn.cursor(binary=True, row_factory=tuple_row) as cursor,
        ):
            cursor.execute(self._statement, (self._topics, after, limit), prepare=True)
            return cursor.fetchall()
