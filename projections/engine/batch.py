"""One batch, one transaction: the view's rows and its position commit together or not at all.

An event the view cannot apply (or decode) is poisoned: set aside in the same transaction, so
the view goes on past it (engine/poison.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import structlog

from projections.engine import poison
from projections.engine.catalog import BUILDING, Generation, advance
from projections.engine.view import Tables, View, ViewEvent

if TYPE_CHECKING:
    from projections.engine.poison import PoisonedEvent
    from projections.engine.ports import Connection

log = structlog.get_logger(__name__)

VIEWS_CHANNEL = "tongjie_views"
"""PostgreSQL channel on which a committed batch announces `view:position` to other processes."""

FaultHook = Callable[[str, int], None]
"""Called as `hook(stage, position)` at `"before_commit"`: tests raise or kill there."""


def commit_batch(
    conn: Connection,
    view: View,
    generation: Generation,
    events: Sequence[ViewEvent],
    position: int,
    fault: FaultHook | None = None,
    memo: dict[str, Any] | None = None,
    undecodable: Sequence[PoisonedEvent] = (),
) -> Generation:
    """Apply `events` and move the position to `position` (the last notification read).

    `memo` is the view's memory from the batch that committed `generation.position` (see
    `Tables.memo`); the caller must not hand it on if this raises. Raises
    PositionMovedError, rolling back, if another writer moved the position first.
    `undecodable`: the batch's events that could not be decoded, poisoned with the others.
    """
    poisoned = list(undecodable)
    with conn.transaction():
        if conn.dialect == "postgres" and generation.status == BUILDING:
            # Nobody reads a building generation: its batches need not wait for the WAL's
            # flush. A crash may lose the last ones, but each with its own position (commits
            # stay atomic and in order), so they are applied again, once.
            conn.execute("SET LOCAL synchronous_commit = off")
        advance(conn, generation, position)
        if events:
            tables = Tables(view.name, generation.generation, {} if memo is None else memo)
            poisoned += poison.apply_isolating(conn, view, tables, events)
        if poisoned:
            poison.refuse_if_nothing_applies(view.name, len(events) + len(undecodable), poisoned)
            poison.record(conn, view.name, generation.generation, poisoned)
        if conn.dialect == "postgres":
            conn.execute("SELECT pg_notify(%s, %s)", (VIEWS_CHANNEL, f"{view.name}:{position}"))
        if fault is not None:
            fault("before_commit", position)
    for event in poisoned:
        log.warning(
            "view_event_poisoned",
            view=view.name,
            generation=generation.generation,
            position=event.position,
            case_id=str(event.originator_id),
            version=event.originator_version,
            event_type=event.event_type,
            error=event.error,
            message=event.message,
        )
    return replace(generation, position=position)
