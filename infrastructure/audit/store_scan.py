"""One streaming pass over the whole store, in position order, with memory bounded by the cases.

Per event it recomputes the event hash from the stored bytes and checks three things: its
case's version and link follow the last event seen of that case (else the case is a suspect,
checked in full afterwards), its store-chain hash follows the event stored right before it
(else a new segment of the chain starts there, kept with the few events before it for the
resolver, store_order.py), and the store chain recomputed from the bytes, at a saved digest's
position, reproduces that digest.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from uuid import UUID

from infrastructure.audit.rehash import Rehasher, chain_hash
from infrastructure.eventstore.chain import ChainRow

WINDOW = 3  # events kept before each break: enough to see one slipped in with a forged link
MAX_SEGMENTS = 100_000  # beyond this many breaks, the rest are not resolved one by one


@dataclass
class Segment:
    """A run of events whose store-chain hashes each follow the one stored before it."""

    head: ChainRow
    index: int
    after: int  # the position of the event stored before its head (0: none)
    rows: int = 0
    tail: list[ChainRow] = field(default_factory=list)  # its last events, oldest first


@dataclass
class ScanResult:
    events: int
    cases: dict[UUID, tuple[int, str | None]]  # last version and hash seen of each aggregate
    suspects: set[UUID]
    segments: list[Segment]
    overflow: bool  # more breaks than MAX_SEGMENTS
    position_seen: bool  # an event is stored at the digest's position
    recomputed_at_position: str | None  # the store chain recomputed up to there


@dataclass
class StoreScan:
    """Feed it pages of rows in position order, then `finish()`."""

    position: int | None = None  # a saved digest's position, to recompute the chain up to
    events: int = 0
    cases: dict[UUID, tuple[int, str | None]] = field(default_factory=dict)
    suspects: set[UUID] = field(default_factory=set)
    segments: list[Segment] = field(default_factory=list)
    _overflow: bool = False
    _previous_chain: str | None = None  # the stored chain hash of the event before
    _last_position: int = 0
    _segment: Segment | None = None
    _window: deque[ChainRow] = field(default_factory=lambda: deque(maxlen=WINDOW))
    _running: str | None = None  # the chain recomputed from the bytes, up to `position`
    _position_seen: bool = False
    _rehasher: Rehasher = field(default_factory=Rehasher)

    def feed(self, rows: Sequence[ChainRow]) -> None:
        event_hash = self._rehasher.event_hash
        cases = self.cases
        suspects = self.suspects
        until = self.position if self.position is not None else 0
        previous = self._previous_chain
        running = self._running
        segment = self._segment
        window = self._window
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
            expected = chain_hash(previous, stored) if stored is not None else None
            if row.notification_id <= until:
                if own == stored and running == previous and expected is not None:
                    running = expected
                else:
                    running = chain_hash(running, own)
                if row.notification_id == until:
                    self._position_seen = True
            if segment is None or expected is None or row.chain_hash != expected:
                segment = self._start(row, segment)
            segment.rows += 1
            window.append(row)
            previous = row.chain_hash
            self._last_position = row.notification_id
        self._previous_chain = previous
        self._running = running
        self._segment = segment
        self.events += len(rows)

    def _start(self, head: ChainRow, current: Segment | None) -> Segment:
        if current is not None:
            current.tail = list(self._window)[-current.rows :]
        if len(self.segments) >= MAX_SEGMENTS:
            self._overflow = True
            assert current is not None
            return current
        segment = Segment(head, len(self.segments), self._last_position)
        self.segments.append(segment)
        return segment

    def finish(self) -> ScanResult:
        if self._segment is not None:
            self._segment.tail = list(self._window)[-self._segment.rows :]
        return ScanResult(
            events=self.events,
            cases=self.cases,
            suspects=self.suspects,
            segments=self.segments,
            overflow=self._overflow,
            position_seen=self._position_seen,
            recomputed_at_position=self._running,
        )
