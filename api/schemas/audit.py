"""Answers of the audit: verification of a case and of the store, digests, the case file."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.cases import CaseOut, EventOut
from api.schemas.common import TimeOut
from api.schemas.views import PoisonedEventOut
from domain.integrity import Tampering

HEX_HASH = r"^[0-9a-f]{64}$"


class InvalidEventOut(BaseModel):
    """One event that fails verification, and why."""

    case_id: UUID | None = Field(
        description="the aggregate's id (see `aggregate`); null for a loss only the store "
        "chain shows (the tail of a case cut off)"
    )
    number: str | None = Field(examples=["2026-000123"])
    version: int | None = Field(examples=[3])
    reason: Tampering
    position: int | None = Field(description="where it shows in the store", examples=[4711])
    aggregate: str | None = Field(examples=["Case"], description="Case, User, Organisation...")
    detail: str = Field(examples=["its stored bytes no longer hash to the hash recorded with it"])
    document_id: UUID | None = Field(
        default=None,
        description="a document whose bytes fail (document_changed, document_missing); "
        "`version` is the event that attached it",
    )


class CaseVerificationOut(BaseModel):
    """The check of one case's hash chain, recomputed from its stored bytes."""

    valid: bool
    events: int = Field(examples=[6])
    first_invalid_version: int | None
    reason: Tampering | None
    case_id: UUID
    number: str | None = Field(examples=["2026-000123"])
    head_hash: str | None = Field(
        description="the last event's hash: keep it with `events`, and pass both later as "
        "`?version=&hash=` to prove the case was not cut short or rewritten since"
    )
    invalid: list[InvalidEventOut]


class DigestOut(BaseModel):
    """A hash that commits to every event stored up to `position`."""

    position: int = Field(examples=[4711])
    digest: str | None = Field(examples=["3b1e" + "0" * 60], description="null: empty store")


class PoisonedInViewOut(PoisonedEventOut):
    """An event a view set aside: not tampering (its chain is checked with the others), but
    the view lacks what it says until an operator acts (docs/projections.md)."""

    view: str = Field(examples=["board"])


class StoreVerificationOut(BaseModel):
    """Every case chain and the store chain; against a saved digest, if one was given."""

    valid: bool = Field(description="no event was changed, removed or slipped in")
    events_checked: int = Field(examples=[40123])
    documents_checked: int = Field(
        default=0, description="documents whose bytes were checked", examples=[812]
    )
    invalid: list[InvalidEventOut]
    orphan_blobs: list[str] = Field(
        default_factory=list,
        description="SHA-256 of stored bytes no event names (an upload cut short): not a failure",
    )
    poisoned: list[PoisonedInViewOut] = Field(
        description="events a view set aside because applying them failed: not tampering, "
        "and no effect on `valid`"
    )
    head: DigestOut = Field(description="how far the verification went, and the digest there")
    checked_against: DigestOut | None = Field(description="the saved digest given, if any")
    reads_checked: int = Field(
        description="lines of the access log of reads checked (its chain, like the store's)",
        examples=[1520],
    )


class CaseFileOut(BaseModel):
    """The case file (卷宗): the case, its history, and the check of both."""

    case: CaseOut | None = Field(description="null when not even the first event can be read")
    events: list[EventOut]
    unreadable_versions: list[int] = Field(
        description="versions whose stored bytes can no longer be decoded"
    )
    verification: CaseVerificationOut
    digest: DigestOut = Field(
        description="the store's digest when the file was made: verify against it later"
    )
    generated_at: TimeOut
