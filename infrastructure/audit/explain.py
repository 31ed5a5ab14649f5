"""Turn what the store scan saw into findings that name the case and version where they can.

A case chain names what it sees itself (a changed, moved or slipped-in event, one missing in
the middle). A break of the store chain is reported only where no case finding explains it:
an event slipped in with a well-formed case link, or a loss no case chain can see (a case cut
short at its tail). A case removed whole is named from the number issued to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from uuid import UUID

from domain.integrity import ChainCheck, Finding, Tampering
from infrastructure.audit.source import Issued
from infrastructure.audit.store_order import Break, resolve
from infrastructure.audit.store_scan import MAX_SEGMENTS, ScanResult
from infrastructure.eventstore.chain import ChainRow

_BREAK_DETAILS = {
    Tampering.EVENT_INSERTED: "its store-chain hash does not follow the event stored before it, "
    "and the chain goes on without it: it was slipped in",
    Tampering.CHAIN_BROKEN: "its store-chain hash follows neither the event stored before it "
    "nor lets the chain go on: it was changed, moved or slipped in",
    Tampering.ORDER_CHANGED: "the store chain says it was stored elsewhere in the store's "
    "order: it (and the events that follow it in the chain) was moved",
}
_SPECIFIC = (Tampering.EVENT_INSERTED, Tampering.ORDER_CHANGED)


def explain(
    result: ScanResult,
    checks: Sequence[tuple[Sequence[ChainRow], ChainCheck]],
    issued: Issued | None,
    head: int,
    *,
    losses_seen: bool = False,
) -> list[Finding]:
    found: dict[tuple[UUID | None, int | None, int | None], Finding] = {}
    case_gaps: list[tuple[int, int]] = []
    for rows, check in checks:
        for finding in check.findings:
            found[finding.originator_id, finding.version, None] = finding
            if finding.reason is Tampering.EVENT_MISSING and finding.position is not None:
                below = [
                    r.notification_id for r in rows if r.originator_version < (finding.version or 0)
                ]
                case_gaps.append((max(below, default=0), finding.position))

    def flagged(row: ChainRow) -> bool:
        return (row.originator_id, row.originator_version, None) in found

    losses: list[Break] = []
    for loss in resolve(result.segments, flagged):
        row = loss.row
        if loss.reason is Tampering.EVENT_MISSING:
            if not any(_overlap((loss.after, row.notification_id), gap) for gap in case_gaps):
                losses.append(loss)
            continue
        key = (row.originator_id, row.originator_version, None)
        known = found.get(key)
        if known is None:
            found[key] = Finding(
                loss.reason,
                row.originator_id,
                row.originator_version,
                row.notification_id,
                _BREAK_DETAILS[loss.reason],
                row.topic,
            )
        elif known.reason is Tampering.CHAIN_BROKEN and loss.reason in _SPECIFIC:
            found[key] = replace(known, reason=loss.reason, detail=_BREAK_DETAILS[loss.reason])
    removed: list[str] = []
    if issued is not None and (losses or losses_seen):
        for case_id, number, position in issued(head):
            if case_id in result.cases:
                continue
            detail = (
                f"case {number} was numbered at position {position}, "
                "but none of its events is stored"
            )
            found[case_id, 1, None] = Finding(
                Tampering.EVENT_MISSING, case_id, 1, position + 1, detail, number=number
            )
            removed.append(number)
            losses = [b for b in losses if not b.after < position + 1 < b.row.notification_id]
    cause = "a case cut short at its tail, or removed whole"
    if removed:
        cause = f"events of case {', '.join(removed)}, removed whole, or a case cut short"
    for loss in losses:
        first, last = loss.after + 1, loss.row.notification_id - 1
        span = f"position {first}" if first == last else f"positions {first} to {last}"
        detail = (
            f"the store chain is broken before position {loss.row.notification_id}: "
            f"events stored at {span} are gone ({cause})"
        )
        found[None, None, loss.row.notification_id] = Finding(
            Tampering.EVENT_MISSING, None, None, loss.row.notification_id, detail
        )
    if result.overflow:
        detail = f"the store chain breaks in more than {MAX_SEGMENTS} places: not all are listed"
        found[None, None, 0] = Finding(Tampering.CHAIN_BROKEN, None, None, None, detail)
    return sorted(found.values(), key=_order)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Whether some position lies strictly inside both open intervals."""
    return max(a[0], b[0]) + 1 < min(a[1], b[1])


def _order(finding: Finding) -> tuple[int, int]:
    return (finding.position or 0, finding.version or 0)
