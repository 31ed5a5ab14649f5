"""Where the store chain breaks, what happened: events slipped in, gone, or moved.

The scan cut the store into segments, each a run whose chain hashes follow one another. A
segment's head names, through its chain hash, the event it was stored after: found among the
last events of the other segments, that gives the store's original order. Then:

- events the chain goes around (the events before and after them link directly) were
  slipped in: EVENT_INSERTED;
- a head whose predecessor is nowhere had events stored before it that are gone:
  EVENT_MISSING (the tail of a case cut off, a case removed whole);
- segments stored out of their original order were moved: the longest run of segments still
  in order stays, weighted by their events (and not counting events that their own case
  chains already show changed), and the others are ORDER_CHANGED.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from domain.integrity import Tampering
from infrastructure.audit.rehash import chain_hash
from infrastructure.audit.store_scan import Segment
from infrastructure.eventstore.chain import ChainRow

MAX_ORDERED = 2_000  # segments beyond this are reported broken, not put back in order

GENESIS = (-1, -1)


@dataclass(frozen=True)
class Break:
    """What the store chain shows about `row`; for a loss, `row` follows the gap after `after`."""

    reason: Tampering
    row: ChainRow
    after: int


def links(previous: str | None, row: ChainRow) -> bool:
    return (
        row.hash is not None
        and row.chain_hash is not None
        and row.chain_hash == chain_hash(previous, row.hash)
    )


def resolve(segments: Sequence[Segment], flagged: Callable[[ChainRow], bool]) -> list[Break]:
    if not segments or (len(segments) == 1 and links(None, segments[0].head)):
        return []
    if len(segments) > MAX_ORDERED:
        return [Break(Tampering.CHAIN_BROKEN, s.head, s.after) for s in segments[1:]]
    preds = {s.index: _predecessor(s, segments) for s in segments}
    breaks: list[Break] = []
    inserted: set[int] = set()
    for s in segments:  # events slipped in with a well-formed link, at a segment's end
        pred = preds[s.index]
        if pred is not None and pred != GENESIS:
            owner = segments[pred[0]]
            for row in owner.tail[pred[1] + 1 :]:
                breaks.append(Break(Tampering.EVENT_INSERTED, row, owner.after))
    succ = {pred[0]: index for index, pred in preds.items() if pred is not None and pred != GENESIS}
    for s in segments:
        pred = preds[s.index]
        if pred is None or pred == GENESIS or pred[0] >= s.index - 1:
            continue
        for between in segments[pred[0] + 1 : s.index]:  # the chain goes around them
            if preds[between.index] is None and between.index not in succ:
                inserted.add(between.index)
                breaks.extend(
                    Break(Tampering.EVENT_INSERTED, r, between.after) for r in _rows(between)
                )
    for s in segments:
        if preds[s.index] is None and s.index not in inserted:
            breaks.append(_loss(s, segments))
    breaks.extend(_moved(segments, preds, succ, inserted, flagged))
    return breaks


def _predecessor(segment: Segment, segments: Sequence[Segment]) -> tuple[int, int] | None:
    """The segment and offset in its tail of the event this head was stored after."""
    head = segment.head
    if links(None, head):
        return GENESIS
    for other in segments:
        if other.index == segment.index:
            continue
        for offset in range(len(other.tail) - 1, -1, -1):
            if links(other.tail[offset].chain_hash, head):
                return (other.index, offset)
    return None


def _rows(segment: Segment) -> list[ChainRow]:
    """Its events, when the scan kept them all; else its head."""
    return segment.tail if segment.rows <= len(segment.tail) else [segment.head]


def _loss(segment: Segment, segments: Sequence[Segment]) -> Break:
    """No event it could follow is stored: events before it are gone, or it was slipped in."""
    head = segment.head
    last = segment.index == len(segments) - 1
    if head.hash is None or head.chain_hash is None:
        return Break(Tampering.EVENT_INSERTED, head, segment.after)
    if last and segment.rows == 1 and head.notification_id == segment.after + 1:
        return Break(Tampering.EVENT_INSERTED, head, segment.after)  # nothing gone between
    return Break(Tampering.EVENT_MISSING, head, segment.after)


def _moved(
    segments: Sequence[Segment],
    preds: dict[int, tuple[int, int] | None],
    succ: dict[int, int],
    inserted: set[int],
    flagged: Callable[[ChainRow], bool],
) -> list[Break]:
    """Segments out of the original order: all but the heaviest run still in order."""
    order: list[int] = []
    starts = [s.index for s in segments if preds[s.index] in (None, GENESIS)]
    seen: set[int] = set()
    for start in sorted(starts, key=lambda i: (preds[i] != GENESIS, i)):
        index: int | None = start
        while index is not None and index not in seen and index not in inserted:
            seen.add(index)
            order.append(index)
            index = succ.get(index)
    order.extend(s.index for s in segments if s.index not in seen and s.index not in inserted)
    # Among equally heavy explanations, keep the segments that sit where the original order
    # puts them (a swap of two events leaves the ones between them in place).
    in_place = [i == j for i, j in zip(order, sorted(order), strict=True)]
    weights = [
        _weight(segments[i], flagged) + 0.5 * same for i, same in zip(order, in_place, strict=True)
    ]
    kept = set(_heaviest_increasing(order, weights))
    return [
        Break(Tampering.ORDER_CHANGED, segments[i].head, segments[i].after)
        for i in order
        if i not in kept
    ]


def _weight(segment: Segment, flagged: Callable[[ChainRow], bool]) -> float:
    shown = sum(1 for row in _rows(segment) if flagged(row))
    return max(segment.rows - shown, 0) + 0.001


def _heaviest_increasing(values: list[int], weights: list[float]) -> list[int]:
    """The subsequence of increasing values with the greatest total weight."""
    best = list(weights)
    back = [-1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i] and best[j] + weights[i] > best[i]:
                best[i] = best[j] + weights[i]
                back[i] = j
    if not values:
        return []
    i = max(range(len(values)), key=lambda k: best[k])
    kept: list[int] = []
    while i >= 0:
        kept.append(values[i])
        i = back[i]
    return kept
