"""One batch, one transaction: the view's rows and its position commit together or not at all."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from projections.engine.catalog import BUILDING, Generation, advance
from projections.engine.view import Tables, View, ViewEvent

if TYPE_CHECKING:
    from projections.engine.ports import Connection

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
) -> Generation:
    """Apply `events` and move the position to `position` (the last notification read).

    `memo` is the view's memory from the batch that committed `generation.position` (see
    `Tables.memo`); the caller must not hand it on if this raises. Raises
    PositionMovedError, rolling back, if another writer moved the position first.
    """
    with conn.transaction():
        if conn.dialect == "postgres" and generation.status == BUILDING:
            # Nobody reads a building generation: its batches need not wait for the WAL's
            # flush. A crash may lose the last ones, but each with its own position (commits
            # stay atomic and in order), so they are applied again, once.
            conn.execute("SET LOCAL synchronous_commit = off")
        advance(conn, generation, position)
        if events:
            tables = Tables(view.name, generation.generation, {} if memo is None else memo)
            view.apply_batch(conn, tables, events)
        if conn.dialect == "postgres":
            conn.execute("SELECT pg_notify(%s, %s)", (VIEWS_CHANNEL, f"{view.name}:{position}"))
        if fault is not None:
            fault("before_commit", position)
    return replace(generation, position=position)
