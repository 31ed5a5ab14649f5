"""The audit's use cases: digests, verification of a case and of the store, the case file.

The checks themselves read the hash columns the write path stores; they reach this module
through the `Verifier` protocol, handed in by the composition root (api/bootstrap.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol
from uuid import UUID

from application.audit_dto import (
    ArchivedDocument,
    CaseArchive,
    CaseFile,
    CaseVerification,
    InvalidEvent,
    StoreVerification,
    VerifiedHistory,
)
from application.audit_events import (
    ChainedEvent,
    aggregate_of,
    attached_documents,
    decode,
    fold,
    is_case,
    issued_numbers,
    named_bytes,
    number_from,
    record,
)
from application.documents import DocumentFault, Documents
from application.dto import CaseDetails, EventRecord
from application.errors import UnreadableEventError
from application.ports import EventSource
from application.read_log import ReadLog
from application.store import TongjieStore
from domain.errors import CaseNotFoundError, NoWrittenAgreementError, WrongStateError
from domain.integrity import ChainCheck, Digest, Finding, StoreCheck, Tampering
from domain.reads import READ_LOG
from domain.times import utcnow
from domain.values import AgreementForm, CaseStatus

Progress = Callable[[int, int], None]
"""Told (position reached, last position to check) as a store verification goes."""


class Verifier(Protocol):
    def head(self) -> Digest: ...

    def check_case(
        self, case_id: UUID, saved_head: tuple[int, str] | None = None
    ) -> tuple[Sequence[ChainedEvent], ChainCheck]: ...

    def verify_store(
        self,
        position: int | None = None,
        digest: str | None = None,
        *,
        progress: Progress | None = None,
        issued: Callable[[int], Iterable[tuple[UUID, str, int]]] | None = None,
    ) -> StoreCheck: ...


class AuditUnavailableError(RuntimeError):
    """The application was built without the event store's hash chains."""


class Audit:
    def __init__(
        self,
        store: TongjieStore,
        verifier: Verifier | None,
        read_log: ReadLog | None = None,
        documents: Documents | None = None,
        events: EventSource | None = None,
    ) -> None:
        """`read_log`: the access log of reads, chained too; `documents`: the documents' bytes,
        checked against their events' SHA-256; `events`: decodes a stored row as the library
        does, faster (see CaseReads)."""
        self.store = store
        self._verifier = verifier
        self.read_log = read_log or ReadLog(None)
        self.documents = documents
        self._events = events

    @property
    def verifier(self) -> Verifier:
        if self._verifier is None:
            msg = "this application was built without the event store's chains (api/bootstrap.py)"
            raise AuditUnavailableError(msg)
        return self._verifier

    def digest(self) -> Digest:
        """The store's last position and chain hash: save it, verify against it later."""
        return self.verifier.head()

    def verify_case(
        self, case_id: UUID, *, version: int | None = None, head_hash: str | None = None
    ) -> CaseVerification:
        """The check of the case's chain; with a head saved earlier (a version and its hash,
        from a case file), also that the case was not cut short or rewritten up to it."""
        saved = (version, head_hash) if version is not None and head_hash is not None else None
        rows, check = self.verifier.check_case(case_id, saved)
        if not rows:
            return self._removed(case_id)
        if not is_case(rows):
            raise CaseNotFoundError(case_id)
        return self._case_verification(case_id, rows, check)

    def verified_history(self, case_id: UUID) -> VerifiedHistory:
        """Every event with its hashes, and the check of their chain, from one read."""
        rows, check, decoded = self._read(case_id)
        return VerifiedHistory(
            events=_records(rows, decoded),
            verification=self._case_verification(case_id, rows, check),
            unreadable=_unreadable(rows, decoded),
        )

    def case_file(self, case_id: UUID, *, with_documents: bool = True) -> CaseFile:
        """The case file (卷宗), with the check of its chain (and, `with_documents`, of its
        documents' bytes) and the store's current digest."""
        digest = self.verifier.head()
        rows, check, decoded = self._read(case_id)
        case = fold(decoded)
        now = utcnow()
        verification = self._case_verification(case_id, rows, check, with_documents)
        return CaseFile(
            case=CaseDetails.of(case, now) if case is not None else None,
            events=_records(rows, decoded),
            unreadable=_unreadable(rows, decoded),
            verification=verification,
            digest=digest,
            generated_at=now,
        )

    def agreement(self, case_id: UUID) -> CaseFile:
        """The case file of a case resolved with a written agreement, from which its
        agreement (调解协议书) is printed; 409 for any other case. Its chain is checked,
        not its documents' bytes (the agreement prints none of them)."""
        file = self.case_file(case_id, with_documents=False)
        case = file.case
        if case is None or file.unreadable:
            version = file.unreadable[0] if file.unreadable else 1
            raise UnreadableEventError(case_id, version, "the agreement is made from every event")
        if case.status is not CaseStatus.RESOLVED:
            raise NoWrittenAgreementError(case_id, f"the case is {case.status.value}")
        if case.agreement is None:
            outcome = case.outcome.value if case.outcome else "no outcome"
            raise NoWrittenAgreementError(case_id, f"it was resolved with {outcome}")
        if case.agreement.form is not AgreementForm.WRITTEN:
            raise NoWrittenAgreementError(case_id, "the agreement was oral")
        return file

    def archive(self, case_id: UUID) -> CaseArchive:
        """The archive (归档) of a resolved case: its case file, and every document's bytes,
        each checked against its event's SHA-256 as it is read (DocumentTamperedError: never
        archived, so an archive's case file holds only documents that pass)."""
        file = self.case_file(case_id, with_documents=False)
        case = file.case
        if file.unreadable:
            reason = "an archive holds every event, and this one cannot be read"
            raise UnreadableEventError(case_id, file.unreadable[0], reason)
        if case is None or case.status is not CaseStatus.RESOLVED:
            status = case.status.value if case is not None else "unreadable"
            raise WrongStateError(case_id, "archive", status)
        if self.documents is None:
            return CaseArchive(file, ())
        documents = tuple(
            ArchivedDocument(d, self.documents.checked(case_id, d)) for d in case.documents
        )
        return CaseArchive(file, documents)

    def verify_store(
        self,
        position: int | None = None,
        digest: str | None = None,
        progress: Progress | None = None,
    ) -> StoreVerification:
        """Every chain of the store, and the access log's; with a saved digest, also that
        nothing up to it changed."""
        checked = self.verifier.verify_store(
            position,
            digest,
            progress=progress,
            issued=lambda head: issued_numbers(self.store, head),
        )
        reads = self.read_log.verify()
        numbers: dict[UUID, str | None] = {}
        invalid = [self._named(finding, numbers) for finding in checked.findings]
        invalid += [_read_log_invalid(finding) for finding in reads.findings]
        documents_checked = 0
        orphans: tuple[str, ...] = ()
        if self.documents is not None:
            named = list(attached_documents(self.store, checked.head.position))
            documents_checked = len(named)
            for fault in self.documents.faults(named):
                invalid.append(_faulty(fault, self._number(fault.named.case_id, numbers)))
            orphans = self.documents.orphans({n.sha256 for n in named})
        return StoreVerification(
            valid=not invalid,
            events_checked=checked.events_checked,
            invalid=tuple(invalid),
            head=checked.head,
            checked_against=checked.checked_against,
            documents_checked=documents_checked,
            orphan_blobs=orphans,
            reads_checked=reads.lines,
        )

    # -- naming ----------------------------------------------------------------------------

    def _removed(self, case_id: UUID) -> CaseVerification:
        """No event of the case is stored: it never existed, or it was removed whole."""
        head = self.verifier.head().position
        number = next((n for c, n, _ in issued_numbers(self.store, head) if c == case_id), None)
        if number is None:
            raise CaseNotFoundError(case_id)
        missing = InvalidEvent(
            case_id=case_id,
            number=number,
            version=1,
            reason=Tampering.EVENT_MISSING,
            position=None,
            aggregate="Case",
            detail=f"case {number} was numbered, but none of its events is stored",
        )
        return CaseVerification(
            case_id=case_id,
            number=number,
            valid=False,
            events=0,
            first_invalid_version=1,
            reason=Tampering.EVENT_MISSING,
            invalid=(missing,),
            head_hash=None,
        )

    def _read(self, case_id: UUID) -> tuple[Sequence[ChainedEvent], ChainCheck, list[Any]]:
        """The case's stored rows, the check of their chain, and each decoded (None: damaged)."""
        rows, check = self.verifier.check_case(case_id)
        if not rows or not is_case(rows):
            raise CaseNotFoundError(case_id)
        return rows, check, [decode(self.store, row, self._events) for row in rows]

    def _case_verification(
        self,
        case_id: UUID,
        rows: Sequence[ChainedEvent],
        check: ChainCheck,
        with_documents: bool = True,
    ) -> CaseVerification:
        """The chain's check, and the check of the bytes its documents' events name."""
        number = number_from(self.store, rows)
        invalid = [_invalid(f, number) for f in check.findings]
        if self.documents is not None and with_documents:
            faults = self.documents.faults(named_bytes(self.store, rows))
            invalid.extend(_faulty(fault, number) for fault in faults)
        first = min(
            (i for i in invalid if i.version is not None),
            key=lambda i: i.version or 0,
            default=None,
        )
        return CaseVerification(
            case_id=case_id,
            number=number,
            valid=not invalid,
            events=check.events,
            first_invalid_version=first.version if first else None,
            reason=first.reason if first else None,
            invalid=tuple(invalid),
            head_hash=check.head_hash,
        )

    def _named(self, finding: Finding, numbers: dict[UUID, str | None]) -> InvalidEvent:
        case_id = finding.originator_id
        number = finding.number
        if number is None and case_id is not None and aggregate_of(finding.topic) == "Case":
            number = self._number(case_id, numbers)
        return _invalid(finding, number)

    def _number(self, case_id: UUID, numbers: dict[UUID, str | None]) -> str | None:
        if case_id not in numbers:
            rows, _ = self.verifier.check_case(case_id)
            numbers[case_id] = number_from(self.store, rows)
        return numbers[case_id]


def _records(rows: Sequence[ChainedEvent], decoded: list[Any]) -> tuple[EventRecord, ...]:
    return tuple(record(e, row) for row, e in zip(rows, decoded, strict=True) if e is not None)


def _unreadable(rows: Sequence[ChainedEvent], decoded: list[Any]) -> tuple[int, ...]:
    return tuple(row.originator_version for row, e in zip(rows, decoded, strict=True) if e is None)


def _read_log_invalid(finding: Finding) -> InvalidEvent:
    """A line of the access log that fails its check: `position` is its line number."""
    return InvalidEvent(
        case_id=finding.originator_id,
        number=None,
        version=None,
        reason=finding.reason,
        position=finding.position,
        aggregate=READ_LOG,
        detail=finding.detail,
    )


def _invalid(finding: Finding, number: str | None) -> InvalidEvent:
    return InvalidEvent(
        case_id=finding.originator_id,
        number=number,
        version=finding.version,
        reason=finding.reason,
        position=finding.position,
        aggregate=aggregate_of(finding.topic) or ("Case" if finding.number else None),
        detail=finding.detail,
    )


def _faulty(fault: DocumentFault, number: str | None) -> InvalidEvent:
    named = fault.named
    return InvalidEvent(
        case_id=named.case_id,
        number=number,
        version=named.version,
        reason=fault.reason,
        position=None,
        aggregate="Case",
        detail=f"document {named.document_id}: {fault.detail}",
        document_id=named.document_id,
    )
