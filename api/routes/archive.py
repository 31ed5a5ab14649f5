"""The archive (归档) of a resolved case: one ZIP with its case file, agreement and documents.

The ZIP is written to a temporary file (documents may add up to many megabytes), then
streamed; its format, and how `tongjie audit verify-archive` checks it offline, are in
api/archive/.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import IO
from uuid import UUID

from fastapi import APIRouter
from starlette.responses import Response, StreamingResponse

from api.archive.build import write_archive
from api.deps import Auditing, SettingsDep, TongjieDep
from api.problems import responses
from api.routes.case_file import names_in
from api.writes import CASES_PATH

router = APIRouter(prefix=CASES_PATH, tags=["audit"])

ARCHIVE_PATH = "GET /api/v1/cases/{id}/archive"
_CHUNK = 1024 * 1024
_IN_MEMORY = 8 * 1024 * 1024


@router.get(
    "/{case_id}/archive",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "the archive's ZIP; `X-Archive-Seal` is its manifest's SHA-256",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
        **responses(404, 409, 500),
    },
    summary="The archive (归档) of a resolved case, to verify offline",
    description="A ZIP with the case file (JSON and printable HTML), the agreement (for a "
    "written one), every document and a manifest of every event's hash and every document's "
    "SHA-256, sealed in the ZIP's comment. `tongjie audit verify-archive FILE.zip` checks it "
    "with no database. 409 for a case not resolved; 500 `document-tampered` if a document's "
    "bytes fail their check (never archived).",
)
def archive(case_id: UUID, actor: Auditing, tongjie: TongjieDep, settings: SettingsDep) -> Response:
    contents = tongjie.audit.archive(case_id)
    tongjie.read_log.record(actor, [case_id], ARCHIVE_PATH)
    names = names_in(tongjie, contents.file)
    out = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY)  # noqa: SIM115 - closed by _chunks
    try:
        seal = write_archive(contents, settings.zone, names, out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    number = contents.file.case.number if contents.file.case else str(case_id)
    headers = {
        "Content-Disposition": f'attachment; filename="{number}-archive.zip"',
        "X-Archive-Seal": seal,
        "Cache-Control": "no-store",
    }
    return StreamingResponse(_chunks(out), media_type="application/zip", headers=headers)


def _chunks(out: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := out.read(_CHUNK):
            yield chunk
    finally:
        out.close()
