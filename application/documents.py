"""Documents in the case file (附卷材料): their bytes kept first, then the event that names them.

A document's bytes go to the blob store, by their SHA-256, and are committed there before
`DocumentAttached` is written (through the one handler path of every case command): an event
that was acknowledged never names bytes that are missing. A write cut short between the two
leaves bytes that no event names (an orphan), which is harmless and the audit lists.
Every read of a document's bytes checks them against the SHA-256 its event recorded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.cases import CaseCommands
from application.commands import AttachDocument
from application.dto import CaseSummary
from application.errors import DocumentsUnavailableError, DocumentTamperedError
from application.ports import BlobStore, BlobUnreadableError, WriteConditions
from application.store import TongjieStore
from domain.case import Case
from domain.documents import check_size, media_type_of
from domain.errors import CaseNotFoundError
from domain.integrity import Tampering
from domain.values import Actor, Document, DocumentKind, MediaType


@dataclass(frozen=True)
class Kept:
    """Bytes stored and committed: what `DocumentAttached` will name."""

    sha256: str
    size: int
    media_type: MediaType


@dataclass(frozen=True)
class DocumentContent:
    """A document, and its bytes as checked against its event's SHA-256."""

    document: Document
    number: str
    content: bytes


@dataclass(frozen=True)
class AttachedDocument:
    """What attaching answers: the case's new summary, and the document it attached."""

    summary: CaseSummary
    document_id: UUID
    kept: Kept


@dataclass(frozen=True)
class NamedBytes:
    """What a `DocumentAttached` event says of its bytes: the case, the version that attached
    them, the document and their SHA-256."""

    case_id: UUID
    version: int
    document_id: UUID
    sha256: str

    @classmethod
    def of(cls, case_id: UUID, document: Document) -> NamedBytes:
        return cls(case_id, document.version, document.id, document.sha256)


@dataclass(frozen=True)
class DocumentFault:
    """A document whose bytes fail their check: which case, version and document, and why."""

    named: NamedBytes
    reason: Tampering
    detail: str


class Documents:
    def __init__(self, store: TongjieStore, cases: CaseCommands, blobs: BlobStore | None) -> None:
        self.store = store
        self.cases = cases
        self._blobs = blobs

    @property
    def blobs(self) -> BlobStore:
        if self._blobs is None:
            msg = "this application was built without a store for documents (api/bootstrap.py)"
            raise DocumentsUnavailableError(msg)
        return self._blobs

    def keep(self, content: bytes) -> Kept:
        """Judge the bytes (a PDF, JPEG or PNG by its magic number; not empty, at most 20 MiB)
        and store them; committed on return. Refused bytes are not stored."""
        media_type = media_type_of(content)
        check_size(len(content))
        sha256 = hashlib.sha256(content).hexdigest()
        self.blobs.put(sha256, content)
        return Kept(sha256, len(content), media_type)

    def attach(
        self, command: AttachDocument, conditions: WriteConditions[CaseSummary] | None = None
    ) -> CaseSummary:
        """Record `DocumentAttached` for bytes kept already (`keep`), by the one command path."""
        return self.cases.handle(command, conditions)

    def attach_bytes(
        self,
        case_id: UUID,
        *,
        actor: Actor,
        content: bytes,
        kind: DocumentKind,
        title: str,
        attached_at: datetime | None = None,
    ) -> AttachedDocument:
        """Keep the bytes, then attach them: for Python callers (the API keeps them itself,
        once it has checked the caller reaches the case)."""
        kept = self.keep(content)
        command = AttachDocument(
            case_id,
            actor=actor,
            sha256=kept.sha256,
            size=kept.size,
            media_type=kept.media_type,
            kind=kind,
            title=title,
            attached_at=attached_at,
        )
        return AttachedDocument(self.attach(command), command.document_id, kept)

    # -- reads ---------------------------------------------------------------------------------

    def of_case(self, case_id: UUID) -> tuple[Document, ...]:
        return self._case(case_id).documents

    def content(self, case_id: UUID, document_id: UUID) -> DocumentContent:
        """The document's bytes, checked against its event's SHA-256; DocumentTamperedError
        when they are gone or changed (never served)."""
        case = self._case(case_id)
        document = case.document(document_id)
        return DocumentContent(document, case.number, self.checked(case_id, document))

    def checked(self, case_id: UUID, document: Document) -> bytes:
        named = NamedBytes.of(case_id, document)
        content, fault = self._read(named)
        if fault is not None:
            raise DocumentTamperedError(
                case_id, named.version, named.document_id, fault.reason, fault.detail
            )
        assert content is not None
        return content

    # -- the audit -----------------------------------------------------------------------------

    def faults(self, named: Iterable[NamedBytes]) -> list[DocumentFault]:
        """The documents whose bytes are gone or changed, read one at a time."""
        found: list[DocumentFault] = []
        for each in named:
            _, fault = self._read(each)
            if fault is not None:
                found.append(fault)
        return found

    def orphans(self, named: set[str]) -> tuple[str, ...]:
        """Stored bytes that no event names (a write cut short between the two)."""
        return tuple(address for address in self.blobs.addresses() if address not in named)

    def _read(self, named: NamedBytes) -> tuple[bytes | None, DocumentFault | None]:
        def fault(reason: Tampering, detail: str) -> tuple[None, DocumentFault]:
            return None, DocumentFault(named, reason, detail)

        try:
            content = self.blobs.get(named.sha256)
        except BlobUnreadableError as error:
            return fault(
                Tampering.DOCUMENT_CHANGED, f"its stored bytes cannot be decrypted ({error.reason})"
            )
        if content is None:
            return fault(
                Tampering.DOCUMENT_MISSING, f"no bytes are stored for its SHA-256 {named.sha256}"
            )
        actual = hashlib.sha256(content).hexdigest()
        if actual != named.sha256:
            return fault(
                Tampering.DOCUMENT_CHANGED,
                f"its stored bytes hash to {actual}, not to the SHA-256 {named.sha256} "
                "its event recorded",
            )
        return content, None

    def _case(self, case_id: UUID) -> Case:
        case = self.store.load(case_id, CaseNotFoundError(case_id))
        if not isinstance(case, Case):
            raise CaseNotFoundError(case_id)
        return case
