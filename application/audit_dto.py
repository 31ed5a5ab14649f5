"""What the audit's use cases return: plain data, never a row or an aggregate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from application.dto import CaseDetails, EventRecord
from domain.integrity import Digest, Tampering
from domain.values import Document


@dataclass(frozen=True)
class InvalidEvent:
    """One event that fails verification, named as an auditor reports it.

    `case_id` is the aggregate's id (a case, or a user, an organisation: see `aggregate`);
    it and `version` are None only for a loss the store chain shows at `position` but no case
    chain can name (the tail of a case cut off).
    """

    case_id: UUID | None
    number: str | None
    version: int | None
    reason: Tampering
    position: int | None
    aggregate: str | None
    detail: str
    document_id: UUID | None = None  # a document whose bytes fail, attached at `version`


@dataclass(frozen=True)
class CaseVerification:
    """The check of one case's chain: `{valid, events, first_invalid_version, reason}`."""

    case_id: UUID
    number: str | None
    valid: bool
    events: int
    first_invalid_version: int | None
    reason: Tampering | None
    invalid: tuple[InvalidEvent, ...]
    head_hash: str | None  # the last event's hash: commits to the whole history


@dataclass(frozen=True)
class StoreVerification:
    valid: bool
    events_checked: int
    invalid: tuple[InvalidEvent, ...]
    head: Digest  # the position the check went up to, and its stored digest
    checked_against: Digest | None  # the saved digest it was given, if any
    documents_checked: int = 0
    orphan_blobs: tuple[str, ...] = ()  # stored bytes no event names (a write cut short)
    reads_checked: int = 0  # lines of the access log of reads checked (domain/reads.py)


@dataclass(frozen=True)
class VerifiedHistory:
    """Every event of a case, decoded from the same rows its chain was verified on."""

    events: tuple[EventRecord, ...]
    verification: CaseVerification
    unreadable: tuple[int, ...]  # versions whose stored bytes could not be decoded


@dataclass(frozen=True)
class CaseFile:
    """The case file (卷宗): the case as it stands, its history, and the proof of both."""

    case: CaseDetails | None  # None when not even its first event can be read
    events: tuple[EventRecord, ...]
    unreadable: tuple[int, ...]
    verification: CaseVerification
    digest: Digest  # the store's digest when the file was made: re-verify against it later
    generated_at: datetime


@dataclass(frozen=True)
class ArchivedDocument:
    """A document of an archive, and its bytes as checked against its event's SHA-256."""

    document: Document
    content: bytes


@dataclass(frozen=True)
class CaseArchive:
    """What the archive (归档) of a resolved case holds: its case file and every document."""

    file: CaseFile
    documents: tuple[ArchivedDocument, ...]
