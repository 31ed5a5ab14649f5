"""Snapshots that give back the tuples an aggregate held.

A snapshot stores the aggregate's attributes as JSON, which has arrays only: without this, a
case loaded from its snapshot would hold lists where the saved case held tuples (its sessions,
its follow-ups), and would differ from the same case replayed from its events.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import Snapshot


class TupleSnapshot(Snapshot):
    """Our aggregates hold tuples, never lists: every list restored is a tuple again."""

    def mutate(self, _: None) -> Any:
        aggregate = super().mutate(_)
        state = vars(aggregate)
        state.update(
            {k: tuple(v) for k, v in state.items() if type(v) is list and k != "_pending_events"}
        )
        return aggregate
