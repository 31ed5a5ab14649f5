"""The check of one aggregate's chain: each event's hash recomputed from its stored bytes.

Pure: rows in, findings out. The rows are the stored events of one case in version order, with
the hash columns the write path wrote. Hashing the stored bytes (not the decoded event) makes
the check indifferent to encryption at rest and to how the payload is encoded.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from domain.integrity import ChainCheck, Finding, Tampering
from infrastructure.audit.rehash import Rehasher
from infrastructure.eventstore.chain import ChainRow

# Failing events beyond this many are named without searching where they belong (bounded work).
MAX_SEARCHES = 64

event_hash = Rehasher().event_hash  # the write path's hash, recomputed fast


def recomputed(row: ChainRow, version: int | None = None, prev_hash: str | None = None) -> str:
    """The hash of the row's stored bytes, as the write path computed it."""
    return event_hash(
        row.originator_id,
        row.originator_version if version is None else version,
        row.topic,
        row.state,
        row.prev_hash if prev_hash is None else prev_hash,
    )


def is_intact(row: ChainRow) -> bool:
    return row.hash is not None and recomputed(row) == row.hash


def check_chain(
    originator_id: UUID, rows: Sequence[ChainRow], saved_head: tuple[int, str] | None = None
) -> ChainCheck:
    """Check versions 1..n are all there, in order, unchanged, each linked to the one before.

    `saved_head` (a version and its hash, from an earlier check or case file) also proves the
    case was not cut short, or rewritten, up to that version.
    """
    walk = _Walk(rows)
    for row in rows:
        walk.step(row)
    if saved_head is not None:
        _check_head(originator_id, rows, saved_head, walk.findings)
    findings = tuple(sorted(walk.findings.values(), key=lambda f: f.version or 0))
    head = rows[-1].hash if rows else None
    return ChainCheck(originator_id, len(rows), findings, head)


def _check_head(
    originator_id: UUID,
    rows: Sequence[ChainRow],
    saved_head: tuple[int, str],
    findings: dict[int, Finding],
) -> None:
    version, head_hash = saved_head
    if version in findings:
        return
    row = next((r for r in rows if r.originator_version == version), None)
    if row is None:
        top = max((r.originator_version for r in rows), default=0)
        if top < version:
            detail = f"versions {top + 1} to {version} were stored when the head was saved"
            if top + 1 == version:
                detail = f"version {version} was stored when the head was saved"
            position = rows[-1].notification_id if rows else None
            findings[top + 1] = Finding(
                Tampering.EVENT_MISSING, originator_id, top + 1, position, detail
            )
    elif row.hash != head_hash:
        detail = "its hash differs from the saved head: the history up to it was rewritten"
        findings[version] = Finding(
            Tampering.CHAIN_BROKEN, originator_id, version, row.notification_id, detail, row.topic
        )


class _Walk:
    """One pass in version order; the first reason found for a version is the one reported."""

    def __init__(self, rows: Sequence[ChainRow]) -> None:
        self.rows = rows
        self.by_hash = {row.hash: row for row in rows if row.hash is not None}
        self.top = max((row.originator_version for row in rows), default=0)
        self.findings: dict[int, Finding] = {}
        self.expected = 1
        self.previous: ChainRow | None = None
        self.previous_flagged = False
        self.previous_shift = 0
        self.searches = 0

    def flag(self, row: ChainRow, version: int, reason: Tampering, detail: str) -> None:
        if version not in self.findings:
            self.findings[version] = Finding(
                reason, row.originator_id, version, row.notification_id, detail, row.topic
            )

    def step(self, row: ChainRow) -> None:
        version = row.originator_version
        previous = self.previous
        gap = version > self.expected
        if gap:
            after = f"after position {previous.notification_id}" if previous else "at the start"
            self.flag(
                row,
                self.expected,
                Tampering.EVENT_MISSING,
                f"version {self.expected}"
                + (f" to {version - 1}" if version - 1 > self.expected else "")
                + f" is not stored ({after}, before position {row.notification_id})",
            )
        if previous is not None and row.notification_id < previous.notification_id:
            swapped = f"stored before version {previous.originator_version} (positions swapped)"
            self.flag(row, version, Tampering.ORDER_CHANGED, swapped)
            swapped = f"stored after version {version} (positions swapped)"
            self.flag(previous, previous.originator_version, Tampering.ORDER_CHANGED, swapped)
        expected_prev = previous.hash if previous is not None and not gap else None
        linked = gap or row.prev_hash == expected_prev
        shift = 0
        if is_intact(row):
            if not linked:
                self._unlinked(row)
        else:
            shift = self._changed(row, linked)
        self.previous_flagged = version in self.findings
        self.previous_shift = shift
        self.previous = row
        self.expected = version + 1

    def _unlinked(self, row: ChainRow) -> None:
        """Its bytes are as recorded, but it does not follow the event now before it."""
        version = row.originator_version
        if self.previous_flagged:
            return  # the event before it was changed: already reported there
        target = self.by_hash.get(row.prev_hash) if row.prev_hash is not None else None
        if target is not None:
            self.flag(
                row,
                version,
                Tampering.ORDER_CHANGED,
                f"was recorded right after version {target.originator_version}",
            )
        elif row.prev_hash is None:
            self.flag(row, version, Tampering.EVENT_INSERTED, "claims to be the first event")
        else:
            self.flag(
                row,
                version,
                Tampering.CHAIN_BROKEN,
                f"does not follow version {version - 1}: it or the one before was replaced",
            )

    def _changed(self, row: ChainRow, linked: bool) -> int:
        """Its bytes do not hash to its stored hash; return how far it moved, if it did."""
        version = row.originator_version
        if row.hash is None:
            self.flag(row, version, Tampering.EVENT_INSERTED, "has no hash: not written by Tongjie")
            return 0
        home = self._home(row)
        if home is not None:
            shift = home - version
            if self.previous_flagged and shift == self.previous_shift and shift != 0:
                return shift  # renumbered with the one before it: reported there
            if shift == 1 and row.prev_hash not in self.by_hash:
                detail = f"the event recorded as version {version} is gone; later ones renumbered"
                self.flag(row, version, Tampering.EVENT_MISSING, detail)
            else:
                detail = f"its content was recorded as version {home}"
                self.flag(row, version, Tampering.ORDER_CHANGED, detail)
            return shift
        if linked or self.previous_flagged:
            detail = "its stored bytes no longer hash to the hash recorded with it"
            self.flag(row, version, Tampering.CONTENT_CHANGED, detail)
        elif row.prev_hash is not None and row.prev_hash in self.by_hash:
            target = self.by_hash[row.prev_hash]
            detail = f"changed, and recorded right after version {target.originator_version}"
            self.flag(row, version, Tampering.ORDER_CHANGED, detail)
        else:
            detail = "neither its content nor its link to the event before it verifies"
            self.flag(row, version, Tampering.EVENT_INSERTED, detail)
        return 0

    def _home(self, row: ChainRow) -> int | None:
        """The version this row's bytes were recorded at, if it was moved or swapped."""
        shifted = row.originator_version + self.previous_shift
        if self.previous_shift and recomputed(row, shifted) == row.hash:
            return shifted  # moved with the event before it: no search needed
        if self.searches >= MAX_SEARCHES:
            return None
        self.searches += 1
        for version in range(1, self.top + 2):
            if version != row.originator_version and recomputed(row, version) == row.hash:
                return version
        for other in self.rows:
            if other is row or other.hash is None:
                continue
            rehashed = event_hash(
                row.originator_id,
                other.originator_version,
                row.topic,
                row.state,
                other.prev_hash,
            )
            if rehashed == other.hash:
                return other.originator_version
        return None
