"""Pure hash planning for a command's events: case chains and the store chain.

The writer calls this inside its transaction, with what it read under the lock, so the
chains have no gaps or forks whatever the number of writers or processes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from infrastructure.eventstore.hashing import chain_hash, event_hash

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from eventsourcing.persistence import StoredEvent


class ChainRow(NamedTuple):
    """A stored event with its position and hash columns, as the audit reads it."""

    notification_id: int
    originator_id: UUID
    originator_version: int
    topic: str
    state: bytes
    prev_hash: str | None
    hash: str | None
    chain_hash: str | None


class HashedEvent(NamedTuple):
    """A stored event about to be inserted, with its hash columns computed."""

    originator_id: UUID | str
    originator_version: int
    topic: str
    state: bytes
    prev_hash: str | None
    hash: str
    chain_hash: str


# Per originator: its highest stored version and that event's hash; None if it has none.
Latest = dict[UUID | str, tuple[int, str | None] | None]
HashBelow = Callable[[UUID | str, int], str | None]


def as_uuid(originator_id: UUID | str) -> UUID:
    return originator_id if isinstance(originator_id, UUID) else UUID(originator_id)


class PlannedCommand(NamedTuple):
    events: list[HashedEvent]
    latest: Latest  # entries to merge into the group's view once the command is stored
    last_chain_hash: str | None


def plan_command(
    stored_events: Sequence[StoredEvent],
    latest: Mapping[UUID | str, tuple[int, str | None] | None],
    last_chain_hash: str | None,
    hash_below: HashBelow,
) -> PlannedCommand:
    """Hash one command's events as if stored right after everything `latest` describes.

    `hash_below(originator_id, version)` answers the stored hash of the highest version
    below `version`; it is only asked when `latest` cannot tell (an originator it does not
    know, or a version at or below one already stored, which will conflict anyway).
    """
    by_originator: dict[UUID | str, list[StoredEvent]] = {}
    for stored in stored_events:
        by_originator.setdefault(stored.originator_id, []).append(stored)

    hashes: dict[tuple[UUID | str, int], tuple[str | None, str]] = {}
    updates: Latest = {}
    for originator_id, events in by_originator.items():
        events.sort(key=lambda e: e.originator_version)
        is_known = originator_id in latest
        known = latest.get(originator_id)
        prev: str | None
        for index, stored in enumerate(events):
            version = stored.originator_version
            if index > 0:
                prev = hashes[originator_id, events[index - 1].originator_version][1]
            elif not is_known or (known is not None and known[0] >= version):
                prev = hash_below(originator_id, version)
            elif known is None:
                prev = None
            else:
                prev = known[1]
            this = event_hash(as_uuid(originator_id), version, stored.topic, stored.state, prev)
            hashes[originator_id, version] = (prev, this)
        top = events[-1].originator_version
        if known is None or known[0] < top:
            updates[originator_id] = (top, hashes[originator_id, top][1])

    hashed: list[HashedEvent] = []
    chain = last_chain_hash
    for stored in stored_events:
        prev, this = hashes[stored.originator_id, stored.originator_version]
        chain = chain_hash(chain, this)
        hashed.append(
            HashedEvent(
                stored.originator_id,
                stored.originator_version,
                stored.topic,
                bytes(stored.state),
                prev,
                this,
                chain,
            )
        )
    return PlannedCommand(hashed, updates, chain)
