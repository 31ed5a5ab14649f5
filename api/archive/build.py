"""Write a resolved case's archive (归档) as a ZIP: its parts, the manifest, and the seal."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Mapping
from datetime import tzinfo
from typing import IO, Any

from api.archive.manifest import (
    AGREEMENT_HTML,
    CASE_FILE_HTML,
    CASE_FILE_JSON,
    DOCUMENTS,
    FORMAT,
    MANIFEST,
    canonical,
    seal,
    sha256,
)
from api.casefile.render import render_agreement, render_case_file
from api.encoding import case_file_json, jsonable
from application.audit_dto import CaseArchive
from domain.documents import EXTENSIONS
from domain.values import AgreementForm


def write_archive(
    archive: CaseArchive, zone: tzinfo, names: Mapping[str, str], out: IO[bytes]
) -> str:
    """Write the archive's ZIP to `out`; returns the manifest's SHA-256 (its seal)."""
    file = archive.file
    case = file.case
    assert case is not None, "Audit.archive: a readable case"
    when = file.generated_at.astimezone(zone)
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    pretty = json.dumps(case_file_json(file, zone), ensure_ascii=False, indent=2)
    parts: list[tuple[str, bytes]] = [
        (CASE_FILE_JSON, pretty.encode()),
        (CASE_FILE_HTML, render_case_file(file, zone, names).encode()),
    ]
    if case.agreement is not None and case.agreement.form is AgreementForm.WRITTEN:
        parts.append((AGREEMENT_HTML, render_agreement(file, zone, names).encode()))
    documents: list[dict[str, Any]] = []
    stored: list[tuple[str, bytes]] = []
    for archived in archive.documents:
        document = archived.document
        path = f"{DOCUMENTS}{document.id}{EXTENSIONS[document.media_type]}"
        stored.append((path, archived.content))
        documents.append(
            {
                "id": str(document.id),
                "version": document.version,
                "path": path,
                "sha256": document.sha256,
                "size": document.size,
                "media_type": document.media_type.value,
                "kind": document.kind.value,
                "title": document.title,
                "withdrawn": document.withdrawn,
            }
        )
    last = file.events[-1]
    manifest = canonical(
        {
            "format": FORMAT,
            "case_id": str(case.id),
            "number": case.number,
            "generated_at": jsonable(file.generated_at, zone),
            "verified": file.verification.valid,
            "head": {"version": last.version, "hash": last.hash, "position": last.position},
            "digest": jsonable(file.digest, zone),
            "events": [
                {
                    "version": event.version,
                    "type": event.type,
                    "position": event.position,
                    "hash": event.hash,
                    "prev_hash": event.prev_hash,
                }
                for event in file.events
            ],
            "documents": documents,
            "files": [
                {"path": path, "sha256": sha256(data), "size": len(data)} for path, data in parts
            ],
        }
    )
    with zipfile.ZipFile(out, "w") as zipped:
        _add(zipped, MANIFEST, manifest, stamp, zipfile.ZIP_DEFLATED)
        for path, data in parts:
            _add(zipped, path, data, stamp, zipfile.ZIP_DEFLATED)
        for path, data in stored:  # PDF, JPEG and PNG are compressed already
            _add(zipped, path, data, stamp, zipfile.ZIP_STORED)
        zipped.comment = seal(manifest)
    return sha256(manifest)


def _add(
    zipped: zipfile.ZipFile,
    name: str,
    data: bytes,
    stamp: tuple[int, int, int, int, int, int],
    compression: int,
) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)
    info.compress_type = compression
    zipped.writestr(info, data)
