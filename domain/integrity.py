"""Integrity of the record (案卷完整性): what an audit of the stored events can find wrong.

Every stored event carries a hash of its own bytes linked to the previous event of its case,
and a store-chain hash linked to the event stored before it. These values name what a check
of those chains found, in the words an auditor reports them in.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from uuid import UUID


class Tampering(Enum):
    """Why a stored event fails its check (or the document bytes it names do)."""

    CONTENT_CHANGED = "content_changed"  # its bytes no longer hash to what was recorded
    EVENT_MISSING = "event_missing"  # an event that was recorded is no longer stored
    EVENT_INSERTED = "event_inserted"  # stored, but never written by the write path in place
    ORDER_CHANGED = "order_changed"  # recorded elsewhere in its case's order
    CHAIN_BROKEN = "chain_broken"  # a link fails and nothing more specific can be said
    DOCUMENT_CHANGED = "document_changed"  # a document's bytes no longer hash to its event's
    DOCUMENT_MISSING = "document_missing"  # the bytes an event names are not stored


@dataclass(frozen=True)
class Finding:
    """One event that fails its check, or a loss the store chain shows.

    `originator_id` and `version` are None only for a loss that no case chain shows (the tail
    of a case cut off, a case removed whole): then `position` says where the store chain broke.
    """

    reason: Tampering
    originator_id: UUID | None
    version: int | None
    position: int | None
    detail: str
    topic: str | None = None  # the stored event's topic, when the event is there to read
    number: str | None = None  # the case's number, when known from the store


@dataclass(frozen=True)
class Digest:
    """The store-chain hash at a position: it commits to every event stored up to there."""

    position: int
    digest: str | None  # None only for an empty store


@dataclass(frozen=True)
class ChainCheck:
    """The check of one aggregate's chain (a case, or a user, an organisation...)."""

    originator_id: UUID
    events: int
    findings: tuple[Finding, ...]
    head_hash: str | None  # the stored hash of its last event: commits to its whole history

    @property
    def valid(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        """The finding at the lowest version (the first event an auditor should look at)."""
        versioned = [f for f in self.findings if f.version is not None]
        return min(versioned, key=lambda f: f.version or 0, default=None)


@dataclass(frozen=True)
class StoreCheck:
    """The check of the whole store: every case chain, the store chain, and a saved digest."""

    events_checked: int
    findings: tuple[Finding, ...]
    head: Digest  # how far the check went
    checked_against: Digest | None  # the digest the auditor gave, if any

    @property
    def valid(self) -> bool:
        return not self.findings
