"""Where each view stands: its position, the store's head, and its lag in events and seconds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from projections.engine import poison
from projections.engine.catalog import BUILDING, generations
from projections.engine.values import timestamp
from projections.engine.worker import ERROR, LIVE, REBUILDING, STANDBY, STARTING

if TYPE_CHECKING:
    from eventsourcing.persistence import ApplicationRecorder

    from projections.engine.decoding import Decoder
    from projections.engine.poison import PoisonedEvent
    from projections.engine.ports import Database

BEHIND = "behind"
MISSING = "missing"
_TOLD_BY_WORKER = (STANDBY, ERROR, REBUILDING, STARTING)


@dataclass(frozen=True)
class ViewStatus:
    name: str
    position: int
    lag_events: int
    lag_seconds: float
    status: str
    generation: int | None
    version: int | None
    poisoned: int = 0
    """Events the active generation set aside (engine/poison.py)."""
    latest_poisoned: Sequence[PoisonedEvent] = field(default=())
    """The latest few of them, newest first."""


@dataclass(frozen=True)
class ProjectionsStatus:
    head: int
    views: list[ViewStatus]


def read_status(
    db: Database,
    recorder: ApplicationRecorder,
    decoder: Decoder,
    names: Sequence[str],
    local_states: Mapping[str, str],
) -> ProjectionsStatus:
    """Read from the database, so any process reports what the workers (anywhere) did.

    `lag_events` counts notification ids, so a rare id the database skipped (a rolled-back
    insert) counts too; `lag_seconds` is the age of the oldest event the view has not applied.
    """
    head = int(recorder.max_notification_id() or 0)
    now = datetime.now(UTC)
    views: list[ViewStatus] = []
    with db.connection() as conn:
        try:
            set_aside = poison.counts(conn)
        except conn.missing_table:  # made by the next worker to start (an older one runs)
            conn.rollback()
            set_aside = {}
        latest = (
            poison.poisoned_events(conn, limit=poison.LATEST) if any(set_aside.values()) else {}
        )
        for name in names:
            gens = generations(conn, name)
            current = next((g for g in gens if g.status == "active"), None)
            position = current.position if current else 0
            lag = max(head - position, 0)
            seconds = _lag_seconds(recorder, decoder, position, now) if lag else 0.0
            if any(g.status == BUILDING for g in gens):
                status = REBUILDING
            elif current is None:
                status = MISSING
            else:
                status = LIVE if lag == 0 else BEHIND
            local = local_states.get(name)
            if local in _TOLD_BY_WORKER:
                status = local
            views.append(
                ViewStatus(
                    name=name,
                    position=position,
                    lag_events=lag,
                    lag_seconds=round(seconds, 3),
                    status=status,
                    generation=current.generation if current else None,
                    version=current.version if current else None,
                    poisoned=set_aside.get(name, 0),
                    latest_poisoned=tuple(latest.get(name, ())),
                )
            )
    return ProjectionsStatus(head=head, views=views)


def _lag_seconds(
    recorder: ApplicationRecorder, decoder: Decoder, position: int, now: datetime
) -> float:
    oldest = recorder.select_notifications(start=position, limit=1, inclusive_of_start=False)
    if not oldest:
        return 0.0
    recorded = timestamp(decoder.state(oldest[0].state)["timestamp"])
    return max((now - recorded).total_seconds(), 0.0)
