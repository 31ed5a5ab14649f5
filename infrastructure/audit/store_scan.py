"""One streaming pass over the whole store, in position order, with memory bounded by the cases.

Per event it recomputes the event hash from the stored bytes and checks three things: its
case's version and link follow the last event seen of that case (else the case is a suspect,
checked in full afterwards), its store-chain hash follows the event stored before it, and the
store chain recomputed from the bytes, at a saved digest's position, reproduces that digest.

A break in the store chain is explained with one event of look-ahead: if the next event links
to the chain before the break, the event at the break was inserted; if it links to the event
at the break, events before that one are missing; else the chain is broken there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from domain.integrity import Tampering
from infrastructure.audit.rehash import Rehasher, chain_hash
from infrastructure.eventstore.chain import ChainRow


@dataclass(frozen=True)
class Break:
    """Where the store chain fails: about `row`, after the event accepted at `after`."""

    reason: Tampering
    row: ChainRow
    after: int  # the position of the last event the chain accepted before it (0: none)


@dataclass
class ScanResult:
    events: int
    cases: dict[UUID, tuple[int, str | None]]  # last version and hash seen of each aggregate
    suspects: set[UUID]
    breaks: list[Break]
    position_seen: bool  # an event is stored at the digest's position
    recomputed_at_position: str | None  # the store chain recomputed up to there
    last_position: int


@dataclass
class StoreScan:
    """Feed it pages of rows in position order, then `finish()`."""

    position: int | None = None  # a saved digest's position, to recompute the chain up to
    events: int = 0
    cases: dict[UUID, tuple[int, str | None]] = field(default_factory=dict)
    suspects: set[UUID] = field(default_factory=set)
    breaks: list[Break] = field(default_factory=list)
    _anchor: str | None = None  # stored chain hash of the last accepted event
    _anchor_before: str | None = None
    _last: ChainRow | None = None
    _last_position: int = 0
    _position_before: int = 0
    _pending: ChainRow | None = None
    _broken_since_accept: bool = False
    _running: str | None = None  # the chain recomputed from the bytes, up to `position`
    _position_seen: bool = False
    _rehasher: Rehasher = field(default_factory=Rehasher)

    def feed(self, rows: Sequence[ChainRow]) -> None:
        event_hash = self._rehasher.event_hash
        cases = self.cases
        suspects = self.suspects
        until = self.position if self.position is not None else 0
        anchor = self._anchor
        running = self._running
        for row in rows:
            oid = row.originator_id
            version = row.originator_version
            stored = row.hash
            own = event_hash(oid, version, row.topic, row.state, row.prev_hash)
            last = cases.get(oid)
            if own != stored or (
                (version != 1 or row.prev_hash is not None)
                if last is None
                else (version != last[0] + 1 or row.prev_hash != last[1])
            ):
                suspects.add(oid)
            cases[oid] = (version, stored)
            expected = chain_hash(anchor, stored) if stored is not None else None
            if row.notification_id <= until:
                if own == stored and running == anchor and expected is not None:
                    running = expected
                else:
                    running = chain_hash(running, own)
                if row.notification_id == until:
                    self._position_seen = True
            if expected is not None and self._pending is None and row.chain_hash == expected:
                self._anchor_before = anchor
                anchor = expected
                self._position_before = self._last_position
                self._last_position = row.notification_id
                self._last = row
            else:
                self._anchor = anchor
                self._break(row)
                anchor = self._anchor
        self._anchor = anchor
        self._running = running
        self.events += len(rows)

    def _accept(self, row: ChainRow) -> None:
        self._broken_since_accept = False
        self._anchor_before = self._anchor
        self._anchor = row.chain_hash
        self._position_before = self._last_position
        self._last_position = row.notification_id
        self._last = row

    def _links(self, prev: str | None, row: ChainRow) -> bool:
        return (
            row.hash is not None
            and row.chain_hash is not None
            and row.chain_hash == chain_hash(prev, row.hash)
        )

    def _break(self, row: ChainRow) -> None:
        pending = self._pending
        if pending is None:
            last = self._last
            if last is not None and self._links(self._anchor_before, row):
                # The event accepted last carried a well-formed chain hash, yet the chain
                # goes on from the one before it: it was slipped in.
                self.breaks.append(Break(Tampering.EVENT_INSERTED, last, self._position_before))
                self._anchor = self._anchor_before
                self._last_position = self._position_before
                self._accept(row)
            else:
                self._pending = row
            return
        if self._links(self._anchor, row):
            self.breaks.append(Break(Tampering.EVENT_INSERTED, pending, self._last_position))
            self._pending = None
            self._accept(row)
        elif self._links(pending.chain_hash, row):
            if not self._broken_since_accept:  # else what is gone is the event moved away
                self.breaks.append(Break(Tampering.EVENT_MISSING, pending, self._last_position))
            self._pending = None
            self._accept(pending)
            self._accept(row)
        else:
            self.breaks.append(Break(Tampering.CHAIN_BROKEN, pending, self._last_position))
            self._broken_since_accept = True
            self._pending = row

    def finish(self) -> ScanResult:
        pending = self._pending
        if pending is not None:
            self.breaks.append(Break(self._tail_reason(pending), pending, self._last_position))
            self._pending = None
        return ScanResult(
            events=self.events,
            cases=self.cases,
            suspects=self.suspects,
            breaks=self.breaks,
            position_seen=self._position_seen,
            recomputed_at_position=self._running,
            last_position=self._last_position,
        )

    def _tail_reason(self, row: ChainRow) -> Tampering:
        """The last event does not link, and no event follows to tell why."""
        if row.hash is None or row.chain_hash is None:
            return Tampering.EVENT_INSERTED  # the write path always writes both
        if row.notification_id == self._last_position + 1:
            return Tampering.EVENT_INSERTED  # nothing can be missing between the two
        if row.originator_id in self.suspects:
            return Tampering.EVENT_INSERTED
        return Tampering.EVENT_MISSING
