"""Bodies and answers of the case file's documents (附卷材料)."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from api.schemas.cases import CaseSummaryOut, DocumentOut
from api.schemas.common import BusinessTime, LongText, Request, ShortText
from application.commands import AttachDocument, WithdrawDocument
from application.documents import Kept
from domain.values import Actor, DocumentKind, MediaType


class DocumentForm(Request):
    """The form fields of an upload (multipart/form-data), besides its `file`."""

    kind: DocumentKind
    title: ShortText = Field(examples=["签署的调解协议书"])
    attached_at: BusinessTime = None

    def command(
        self, case_id: UUID, actor: Actor, expected_version: int | None, kept: Kept
    ) -> AttachDocument:
        return AttachDocument(
            case_id,
            actor=actor,
            expected_version=expected_version,
            sha256=kept.sha256,
            size=kept.size,
            media_type=kept.media_type,
            kind=self.kind,
            title=self.title,
            attached_at=self.attached_at,
        )


class DocumentWithdrawalRequest(Request):
    """Mark a wrong document withdrawn (撤回材料), with the reason; it stays in the file."""

    document_id: UUID
    reason: LongText = Field(examples=["上传错误：不是本案的协议"])
    withdrawn_at: BusinessTime = None

    def command(
        self, case_id: UUID, actor: Actor, expected_version: int | None
    ) -> WithdrawDocument:
        return WithdrawDocument(
            case_id,
            actor=actor,
            expected_version=expected_version,
            document_id=self.document_id,
            reason=self.reason,
            withdrawn_at=self.withdrawn_at,
        )


EXAMPLE_SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


class AttachedDocumentOut(BaseModel):
    """The document just attached: its id, and what was stored."""

    id: UUID
    sha256: str = Field(
        examples=["9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"]
    )
    size: int = Field(examples=[482113])
    media_type: MediaType
    kind: DocumentKind
    title: str = Field(examples=["签署的调解协议书"])


class DocumentAttachedOut(CaseSummaryOut):
    """The case's new summary, and the document attached (also named by `Location`)."""

    document: AttachedDocumentOut


class DocumentsOut(BaseModel):
    items: list[DocumentOut]


UPLOAD_SCHEMA = {
    "type": "object",
    "required": ["file", "kind", "title"],
    "properties": {
        "file": {
            "type": "string",
            "format": "binary",
            "description": "a PDF, JPEG or PNG file (judged by its bytes), at most 20 MiB",
        },
        "kind": {"type": "string", "enum": [kind.value for kind in DocumentKind]},
        "title": {"type": "string", "minLength": 1, "maxLength": 100},
        "attached_at": {
            "type": "string",
            "format": "date-time",
            "description": "when it was added to the file (ISO 8601 with offset); default now",
        },
    },
}
"""The upload's body as the OpenAPI document states it (the route reads the form itself)."""
