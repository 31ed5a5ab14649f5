"""Verification of the chains the write path stores: of one case, and of the whole store.

The application reaches this through a small protocol of its own (application/audit.py),
handed in by the composition root; this module reads rows from the recorder and names every
event that fails, and why.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from uuid import UUID

from domain.integrity import ChainCheck, Digest, Finding, StoreCheck, Tampering
from infrastructure.audit.case_chain import check_chain
from infrastructure.audit.explain import explain
from infrastructure.audit.source import ChainSource, Issued, Progress
from infrastructure.audit.store_scan import ScanResult, StoreScan
from infrastructure.eventstore.chain import ChainRow


class ChainVerifier:
    def __init__(self, source: ChainSource, *, page_size: int = 1000, max_suspects: int = 1000):
        self.source = source
        self.page_size = page_size
        self.max_suspects = max_suspects

    def head(self) -> Digest:
        """The store's last position and its chain hash: a digest to save and check later."""
        position, digest = self.source.last_chain_position()
        return Digest(position, digest)

    def check_case(
        self, case_id: UUID, saved_head: tuple[int, str] | None = None
    ) -> tuple[list[ChainRow], ChainCheck]:
        """The case's stored events (one read) and the check of its chain."""
        rows = self.source.select_case_chain(case_id)
        return rows, check_chain(case_id, rows, saved_head)

    def verify_store(
        self,
        position: int | None = None,
        digest: str | None = None,
        *,
        progress: Progress | None = None,
        issued: Issued | None = None,
    ) -> StoreCheck:
        """Every case chain and the store chain, up to the last position when it starts.

        Given a digest saved earlier, also proves nothing up to its position changed: the
        store chain recomputed from the stored bytes must reproduce it.
        """
        head = self.head()
        scan = StoreScan(position)
        for page in self._pages(head.position):
            scan.feed(page)
            if progress is not None:
                progress(page[-1].notification_id, head.position)
        result = scan.finish()
        suspects = sorted(result.suspects)[: self.max_suspects]
        checks = [self._suspect(case_id, head.position) for case_id in suspects]
        lost = (
            position is not None
            and position > 0
            and (not result.position_seen or result.recomputed_at_position != digest)
        )
        findings = explain(result, checks, issued, head.position, losses_seen=lost)
        if len(result.suspects) > self.max_suspects:
            more = len(result.suspects) - self.max_suspects
            detail = f"{more} more aggregates fail their checks: verify them one by one"
            findings.append(Finding(Tampering.CHAIN_BROKEN, None, None, None, detail))
        if position is not None:
            findings.extend(_against_digest(result, findings, position, digest))
        checked_against = Digest(position, digest) if position is not None else None
        return StoreCheck(result.events, tuple(findings), head, checked_against)

    def _suspect(self, case_id: UUID, head: int) -> tuple[list[ChainRow], ChainCheck]:
        rows = [r for r in self.source.select_case_chain(case_id) if r.notification_id <= head]
        return rows, check_chain(case_id, rows)

    def _pages(self, head: int) -> Iterator[list[ChainRow]]:
        """Pages up to `head`; the next page is read while the caller checks this one."""
        if head <= 0:
            return
        size = self.page_size
        with ThreadPoolExecutor(1, thread_name_prefix="tongjie-audit-read") as reader:
            future = reader.submit(self.source.select_chain, 1, size)
            while True:
                page = future.result()
                if not page:
                    return
                last = page[-1].notification_id
                more = len(page) == size and last < head
                if more:
                    future = reader.submit(self.source.select_chain, last + 1, size)
                if last > head:
                    page = [row for row in page if row.notification_id <= head]
                if page:
                    yield page
                if not more:
                    return


def _against_digest(
    result: ScanResult, findings: list[Finding], position: int, digest: str | None
) -> list[Finding]:
    if position <= 0:
        return []
    if not result.position_seen:
        detail = (
            f"no event is stored at position {position} any more: events up to the digest's "
            "position were removed (a case cut short at its tail, or removed whole)"
        )
        return [Finding(Tampering.EVENT_MISSING, None, None, position, detail)]
    if result.recomputed_at_position == digest:
        return []
    if any(f.position is not None and f.position <= position for f in findings):
        return []  # the change that moved the digest is reported already
    detail = (
        f"the store chain recomputed up to position {position} does not reproduce the saved "
        "digest: an event up to there was changed, replaced or removed, and the chain rewritten"
    )
    return [Finding(Tampering.CHAIN_BROKEN, None, None, position, detail)]
