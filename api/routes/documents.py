"""The case file's documents (附卷材料): attach (multipart), list, and read back checked.

The upload is multipart, so it has its own endpoint; the command it builds, `AttachDocument`,
goes the one way every case command goes (`CaseWrite.run`). Before it, in this order: the
form is read (streamed, 20 MiB at most: api/middleware.py) and judged (422), the case must
exist (404) and be within the caller's reach (403), and only then are the bytes stored and
committed, so the event written after them never names missing bytes.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.responses import Response

from api.deps import CaseReader, SettingsDep, TongjieDep, reachable_case
from api.encoding import dumps, jsonable
from api.problems import BodyTooLargeError, InvalidFieldsError, responses
from api.schemas.documents import (
    UPLOAD_SCHEMA,
    DocumentAttachedOut,
    DocumentForm,
    DocumentsOut,
)
from api.writes import CASES_PATH, WRITE_OPENAPI, CaseWrite, Created, case_writer, write_responses
from application.commands import AttachDocument
from application.documents import Kept
from domain.documents import EXTENSIONS, MAX_DOCUMENT_BYTES, check_size, media_type_of
from domain.values import MediaType, Role

router = APIRouter(prefix=CASES_PATH, tags=["documents"])

DocumentWriter = Annotated[
    CaseWrite,
    Depends(case_writer(Role.MEDIATOR, Role.SUPERVISOR, recall=False, body_keyed=False)),
]
_FORM_FIELDS = 8

DOCUMENT_PATH = "GET /api/v1/cases/{id}/documents/{document_id}"

OWN_ENDPOINT = (AttachDocument,)
"""The case command routed here rather than by a line of api/routes/case_writes.py."""


@router.post(
    "/{case_id}/documents",
    status_code=201,
    response_model=DocumentAttachedOut,
    openapi_extra={
        **WRITE_OPENAPI,
        "requestBody": {
            "required": True,
            "content": {"multipart/form-data": {"schema": UPLOAD_SCHEMA}},
        },
    },
    responses=write_responses(201, "attached; Location names the document"),
    summary="Attach a document to the case file (附卷)",
    description="A PDF, JPEG or PNG file (judged by its first bytes, not by its name or the "
    "content type sent), at most 20 MiB (413 beyond, and nothing is stored), with its `kind` "
    "and `title`; by whoever may write the case, in any state. Records `DocumentAttached` "
    "with the document's id, SHA-256, size and media type; the bytes are stored first. "
    "An `Idempotency-Key` retry is compared by the file's SHA-256 and the form's fields.",
)
async def attach_document(case_id: UUID, request: Request, write: DocumentWriter) -> Response:
    form, content = await _read_upload(request)
    tongjie = write.tongjie
    await run_in_threadpool(reachable_case, tongjie, write.actor, case_id)
    kept = await run_in_threadpool(tongjie.documents.keep, content)
    command = form.command(case_id, write.actor, write.expected, kept)
    write.fingerprinted(dumps({**form.model_dump(mode="json"), "sha256": kept.sha256}))
    created = Created(
        location=f"{CASES_PATH}/{case_id}/documents/{command.document_id}",
        body={"document": _attached(command.document_id, form, kept)},
    )
    return await run_in_threadpool(lambda: write.run(command, status=201, created=created))


@router.get(
    "/{case_id}/documents",
    response_model=DocumentsOut,
    responses=responses(404),
    summary="The case file's documents, withdrawn ones too",
)
def list_documents(
    case_id: UUID, actor: CaseReader, tongjie: TongjieDep, settings: SettingsDep
) -> Response:
    reachable_case(tongjie, actor, case_id)
    documents = tongjie.documents.of_case(case_id)
    body = {"items": jsonable(documents, settings.zone)}
    return Response(dumps(body), media_type="application/json")


@router.get(
    "/{case_id}/documents/{document_id}",
    response_class=Response,
    responses={
        200: {
            "description": "the document's bytes, checked against its event's SHA-256",
            "content": {
                media_type.value: {"schema": {"type": "string", "format": "binary"}}
                for media_type in MediaType
            },
        },
        **responses(404, 500),
    },
    summary="A document's bytes, checked against the SHA-256 its event recorded",
    description="Bytes that no longer hash to their event's SHA-256, or that are gone, are "
    "never served: 500 `document-tampered`, naming the case, version and document.",
)
def document_content(
    case_id: UUID, document_id: UUID, actor: CaseReader, tongjie: TongjieDep
) -> Response:
    if actor.role is Role.MEDIATOR:
        reachable_case(tongjie, actor, case_id)
    found = tongjie.documents.content(case_id, document_id)
    tongjie.read_log.record(actor, [case_id], DOCUMENT_PATH)  # a document names its parties
    document = found.document
    extension = EXTENSIONS[document.media_type]
    headers = {
        "Content-Disposition": _inline(
            f"{found.number}-{document.id}{extension}",
            f"{found.number}-{document.title}{extension}",
        ),
        "ETag": f'"{document.sha256}"',
        "X-Content-SHA256": document.sha256,
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "sandbox; default-src 'none'",
    }
    return Response(found.content, media_type=document.media_type.value, headers=headers)


async def _read_upload(request: Request) -> tuple[DocumentForm, bytes]:
    """The form's fields, validated (422 naming each), and the file's bytes, judged."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise InvalidFieldsError("file", "send the document as multipart/form-data")
    try:
        async with request.form(max_files=1, max_fields=_FORM_FIELDS) as form:
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise InvalidFieldsError("file", "a file is required (a form field named file)")
            content = await file.read(MAX_DOCUMENT_BYTES + 1)
            fields = {k: v for k, v in form.multi_items() if k != "file"}
    except HTTPException as error:  # the multipart body cannot be parsed
        detail = f"the multipart body cannot be read: {error.detail}"
        raise InvalidFieldsError("file", detail) from None
    if len(content) > MAX_DOCUMENT_BYTES:
        raise BodyTooLargeError(f"the document is over {MAX_DOCUMENT_BYTES // 2**20} MiB")
    if any(not isinstance(value, str) for value in fields.values()):
        raise InvalidFieldsError("file", "send one file only, in the field named file")
    try:
        document_form = DocumentForm.model_validate(fields)
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors()]
        ) from None
    media_type_of(content)
    check_size(len(content))
    return document_form, content


def _attached(document_id: UUID, form: DocumentForm, kept: Kept) -> dict[str, Any]:
    return {
        "id": str(document_id),
        "sha256": kept.sha256,
        "size": kept.size,
        "media_type": kept.media_type.value,
        "kind": form.kind.value,
        "title": form.title,
    }


def _inline(ascii_name: str, name: str) -> str:
    """Content-Disposition with an ASCII name and the real one (RFC 6266, RFC 5987)."""
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
