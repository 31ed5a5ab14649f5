"""Poisoned events: one event a view cannot apply is set aside, so it never stops the view.

A view applies a batch of events in one transaction, as fast as it can. When the batch raises
for its data (an OverflowError on a time near the year 9999, a KeyError, a value the database
refuses), `apply_isolating` finds the event at fault: it applies halves of the batch, each in
a savepoint, until the failing part is one event, which is *poisoned*: recorded in
`view_poisoned` (in the batch's own transaction, with the view's position), logged, counted,
and skipped; every other event of the batch is applied. A batch that applies in one go costs
one savepoint more than before; one poisoned event among n costs about 2n event applications.

Not poisoned, but raised as before (the batch is rolled back whole and retried by the worker):
the database's own failures (`Connection.failures`: a lost connection, a timeout, a missing
table), and a batch of `WHOLE_BATCH` or more events none of which applies: such a fault lies
with the view's code or the settings (a wrong cipher key), not with its events.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from projections.engine.catalog import ACTIVE, TRACKING

if TYPE_CHECKING:
    from projections.engine.ports import Connection
    from projections.engine.view import Tables, View, ViewEvent

POISONED = "view_poisoned"
WHOLE_BATCH = 10
"""A batch of this many events or more, none of which applies, is not poisoned: it stops."""
LATEST = 5
"""How many of a view's latest poisoned events its status shows."""
_MESSAGE = 500


@dataclass(frozen=True)
class PoisonedEvent:
    """An event a view set aside: where it is in the store, and what it raised."""

    position: int
    originator_id: UUID
    originator_version: int
    topic: str
    error: str  # the exception's class name
    message: str
    poisoned_at: datetime | None = None  # when the view set it aside (None until recorded)

    @classmethod
    def of(cls, event: ViewEvent, error: BaseException) -> PoisonedEvent:
        return cls.from_row(
            event.position, event.originator_id, event.originator_version, event.topic, error
        )

    @classmethod
    def from_row(
        cls, position: int, originator: Any, version: int, topic: str, error: BaseException
    ) -> PoisonedEvent:
        return cls(
            position=position,
            originator_id=originator if isinstance(originator, UUID) else UUID(str(originator)),
            originator_version=version,
            topic=topic,
            error=type(error).__name__,
            message=str(error)[:_MESSAGE],
        )

    @property
    def event_type(self) -> str:
        """The event's class name (`Routed`), from its topic (`domain.case:Case.Routed`)."""
        return self.topic.rsplit(".", 1)[-1].rsplit(":", 1)[-1]


class NothingAppliesError(Exception):
    """Every event of a batch of WHOLE_BATCH or more failed: a fault of the view or the
    settings, not of the events; the batch is retried, nothing is set aside."""

    def __init__(self, view: str, count: int, first: PoisonedEvent) -> None:
        super().__init__(
            f"view {view}: none of the {count} events of a batch applies (the first, at "
            f"position {first.position}: {first.error}: {first.message}); check the view's "
            "code and TONGJIE_CIPHER_KEY"
        )


def apply_isolating(
    conn: Connection, view: View, tables: Tables, events: Sequence[ViewEvent]
) -> list[PoisonedEvent]:
    """Apply `events` within the caller's transaction; return those set aside.

    Each attempt runs in a savepoint. After a failed one the view's memo is emptied (the
    attempt may have changed it; a view must never rely on it), and each half is tried again.
    """
    poisoned: list[PoisonedEvent] = []
    _apply(conn, view, tables, events, poisoned)
    return poisoned


def _apply(
    conn: Connection,
    view: View,
    tables: Tables,
    events: Sequence[ViewEvent],
    poisoned: list[PoisonedEvent],
) -> None:
    try:
        with conn.savepoint():
            view.apply_batch(conn, tables, events)
        return
    except conn.failures:
        raise
    except Exception as error:  # the events' fault, or one of them: find which
        tables.memo.clear()
        if len(events) == 1:
            poisoned.append(PoisonedEvent.of(events[0], error))
            return
    middle = len(events) // 2
    _apply(conn, view, tables, events[:middle], poisoned)
    _apply(conn, view, tables, events[middle:], poisoned)


def refuse_if_nothing_applies(view: str, count: int, poisoned: Sequence[PoisonedEvent]) -> None:
    if poisoned and count >= WHOLE_BATCH and len(poisoned) == count:
        raise NothingAppliesError(view, count, poisoned[0])


# -- the table ---------------------------------------------------------------------------------


def create_table(conn: Connection) -> None:
    """Within the catalog's creation (engine/catalog.py `ensure_catalog`)."""
    if conn.dialect == "postgres":
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {POISONED} ("
            "view_name text NOT NULL, generation integer NOT NULL, "
            "notification_id bigint NOT NULL, originator_id text NOT NULL, "
            "originator_version integer NOT NULL, topic text NOT NULL, "
            "error text NOT NULL, message text NOT NULL, "
            "poisoned_at timestamptz NOT NULL DEFAULT now(), "
            "PRIMARY KEY (view_name, generation, notification_id))"
        )
        return
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {POISONED} ("
        "view_name TEXT NOT NULL, generation INTEGER NOT NULL, "
        "notification_id INTEGER NOT NULL, originator_id TEXT NOT NULL, "
        "originator_version INTEGER NOT NULL, topic TEXT NOT NULL, "
        "error TEXT NOT NULL, message TEXT NOT NULL, "
        "poisoned_at TEXT NOT NULL, "
        "PRIMARY KEY (view_name, generation, notification_id))"
    )


def record(conn: Connection, view: str, generation: int, poisoned: Iterable[PoisonedEvent]) -> None:
    """Within the batch's transaction, beside the position that moves past them."""
    now = datetime.now(UTC)
    rows = [
        (
            view,
            generation,
            p.position,
            str(p.originator_id),
            p.originator_version,
            p.topic,
            p.error,
            p.message,
            now if conn.dialect == "postgres" else now.isoformat(),
        )
        for p in poisoned
    ]
    conn.executemany(
        f"INSERT INTO {POISONED} (view_name, generation, notification_id, originator_id, "
        "originator_version, topic, error, message, poisoned_at) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
        rows,
    )


def forget_generation(conn: Connection, view: str, generation: int) -> None:
    """A dropped generation's poisoned events go with it (a rebuild finds them again)."""
    conn.execute(
        f"DELETE FROM {POISONED} WHERE view_name = %s AND generation = %s", (view, generation)
    )


_ACTIVE = (
    f"FROM {POISONED} p JOIN {TRACKING} t ON t.view_name = p.view_name "
    "AND t.generation = p.generation WHERE t.status = %s"
)
_COLUMNS = (
    "p.view_name, p.notification_id, p.originator_id, p.originator_version, p.topic, "
    "p.error, p.message, p.poisoned_at"
)


def counts(conn: Connection) -> dict[str, int]:
    """How many events each view's active generation has set aside."""
    rows = conn.execute(f"SELECT p.view_name, count(*) {_ACTIVE} GROUP BY p.view_name", (ACTIVE,))
    return {str(name): int(count) for name, count in rows}


def poisoned_events(
    conn: Connection, view: str | None = None, limit: int | None = None
) -> dict[str, list[PoisonedEvent]]:
    """The active generations' poisoned events per view (of `view` only if named), newest
    first; at most `limit` per view."""
    where = " AND p.view_name = %s" if view is not None else ""
    params: list[Any] = [ACTIVE] + ([view] if view is not None else [])
    rows = conn.execute(
        f"SELECT {_COLUMNS} {_ACTIVE}{where} ORDER BY p.view_name, p.notification_id DESC",
        params,
    )
    found: dict[str, list[PoisonedEvent]] = {}
    for name, position, originator, version, topic, error, message, at in rows:
        events = found.setdefault(str(name), [])
        if limit is not None and len(events) >= limit:
            continue
        events.append(
            PoisonedEvent(
                position=int(position),
                originator_id=UUID(str(originator)),
                originator_version=int(version),
                topic=str(topic),
                error=str(error),
                message=str(message),
                poisoned_at=at if isinstance(at, datetime) else datetime.fromisoformat(str(at)),
            )
        )
    return found
