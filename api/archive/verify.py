"""Check an archive's ZIP offline, with nothing but the file: `tongjie audit verify-archive`.

Each part is checked against the manifest (its SHA-256 and size), the manifest against its
seal in the ZIP's comment and its canonical form, every document against the SHA-256 its event
recorded, the events' hashes against each other (each links to the one before, the last is
the head), and the case file's JSON against the manifest (the same events, hashes and
documents). Every disagreement is named: the part, what is wrong, and for a document its
case version and id.

An archive rewritten through and through (every part, the manifest and its seal) agrees with
itself: the head it prints, checked against the store or a head saved earlier
(`tongjie audit verify --case ID --version N --hash H`), is what such a rewrite cannot fake.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from api.archive.manifest import (
    CASE_FILE_JSON,
    FORMAT,
    MANIFEST,
    SEAL_PREFIX,
    canonical,
    sha256,
)


@dataclass(frozen=True)
class ArchiveFinding:
    """One part of the archive that fails its check, and why."""

    part: str  # a path in the ZIP, or "archive" for the ZIP itself
    problem: str  # changed, missing, unlisted, unreadable, inconsistent
    detail: str
    version: int | None = None
    document_id: str | None = None


@dataclass(frozen=True)
class ArchiveCheck:
    valid: bool
    case_id: str | None
    number: str | None
    head: dict[str, Any] | None  # the case chain's head as archived: version, hash, position
    parts_checked: int
    findings: tuple[ArchiveFinding, ...]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class _Head(_Strict):
    version: int
    hash: str | None
    position: int | None


class _Event(_Strict):
    version: int
    type: str
    position: int | None
    hash: str | None
    prev_hash: str | None


class _Document(_Strict):
    id: str
    version: int
    path: str
    sha256: str
    size: int
    media_type: str
    kind: str
    title: str
    withdrawn: bool


class _File(_Strict):
    path: str
    sha256: str
    size: int


class _Manifest(_Strict):
    format: str
    case_id: str
    number: str
    generated_at: str
    verified: bool
    head: _Head
    digest: dict[str, Any]
    events: list[_Event]
    documents: list[_Document]
    files: list[_File]


def verify_archive(source: str | Path | IO[bytes]) -> ArchiveCheck:
    """Check the ZIP at `source` (a path or a binary file) offline; never raises for a
    damaged archive: the damage is a finding."""
    try:
        with zipfile.ZipFile(source) as zipped:
            return _Check(zipped).run()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        finding = ArchiveFinding("archive", "unreadable", f"not a readable ZIP file: {error}")
        return ArchiveCheck(False, None, None, None, 0, (finding,))


class _Check:
    def __init__(self, zipped: zipfile.ZipFile) -> None:
        self.zipped = zipped
        self.findings: list[ArchiveFinding] = []
        self.checked = 0
        self.manifest_changed = False  # then a disagreement with it is the manifest's

    def run(self) -> ArchiveCheck:
        if MANIFEST not in self.zipped.namelist():
            self._find(MANIFEST, "missing", f"the ZIP has no {MANIFEST}: not an archive of Tongjie")
            return self._result(None)
        raw = self._read(MANIFEST)
        manifest = self._manifest(raw) if raw is not None else None
        if manifest is None:
            return self._result(None)
        matching = {f.path for f in manifest.files if self._matches(f.path, f.sha256, f.size)}
        for document in manifest.documents:
            self._document(document)
        listed = {MANIFEST, *(f.path for f in manifest.files)}
        listed |= {d.path for d in manifest.documents}
        for name in self.zipped.namelist():
            if name not in listed:
                self._find(name, "unlisted", "in the ZIP but not in the manifest: added")
        self._chain(manifest)
        if CASE_FILE_JSON in matching:
            self._case_file(manifest)
        return self._result(manifest)

    # -- the manifest ----------------------------------------------------------------------

    def _manifest(self, raw: bytes) -> _Manifest | None:
        self.checked += 1
        comment = self.zipped.comment.decode("ascii", "replace")
        sealed = comment.removeprefix(SEAL_PREFIX) if comment.startswith(SEAL_PREFIX) else None
        if sealed is None:
            self._find(MANIFEST, "unreadable", "the ZIP's comment carries no seal")
        elif sealed != sha256(raw):
            self.manifest_changed = True
            self._find(
                MANIFEST,
                "changed",
                f"its SHA-256 is {sha256(raw)}, the archive's seal says {sealed}: changed",
            )
        try:
            manifest = _Manifest.model_validate(json.loads(raw))
        except (ValueError, ValidationError) as error:
            self._find(MANIFEST, "unreadable", f"not a manifest of {FORMAT}: {error}"[:300])
            return None
        if canonical(json.loads(raw)) != raw and sealed == sha256(raw):
            self._find(MANIFEST, "changed", "not in its canonical form: it was rewritten")
        if manifest.format != FORMAT:
            self._find(MANIFEST, "unreadable", f"format {manifest.format!r}, not {FORMAT}")
        return manifest

    def _chain(self, manifest: _Manifest) -> None:
        """Versions 1..n, each event linked to the one before, the last one the head."""
        previous: _Event | None = None
        for number, event in enumerate(manifest.events, start=1):
            if event.version != number:
                detail = f"event {number} is listed as version {event.version}: removed or moved"
                self._find(MANIFEST, "inconsistent", detail, event.version)
            if event.prev_hash != (previous.hash if previous is not None else None):
                detail = f"event {event.version} does not link to the hash of the one before"
                self._find(MANIFEST, "inconsistent", detail, event.version)
            previous = event
        head = manifest.head
        if previous is None or (head.version, head.hash) != (previous.version, previous.hash):
            self._find(MANIFEST, "inconsistent", "the head is not the last event listed")

    # -- the parts ---------------------------------------------------------------------------

    def _matches(self, path: str, expected: str, size: int, **named: Any) -> bool:
        data = self._read(path, **named)
        if data is None:
            return False
        self.checked += 1
        actual = sha256(data)
        if actual != expected or len(data) != size:
            self._find(
                path,
                "changed",
                f"its SHA-256 is {actual} ({len(data)} bytes), the manifest lists {expected} "
                f"({size} bytes)",
                **named,
            )
            return False
        return True

    def _document(self, document: _Document) -> None:
        self._matches(
            document.path,
            document.sha256,
            document.size,
            version=document.version,
            document_id=document.id,
        )

    def _case_file(self, manifest: _Manifest) -> None:
        """The case file's JSON says what the manifest says: the same case, events, head and
        documents (each document's SHA-256 as its event recorded it)."""
        data = self._read(CASE_FILE_JSON)
        assert data is not None
        disagrees = MANIFEST if self.manifest_changed else CASE_FILE_JSON
        try:
            case_file = json.loads(data)
            case = case_file["case"]
            events = [
                {k: e.get(k) for k in ("version", "type", "position", "hash", "prev_hash")}
                for e in case_file["events"]
            ]
            documents = {
                d["id"]: (d["version"], d["sha256"], d["size"], d["media_type"], d["title"])
                for d in case["documents"]
            }
            head = case_file["verification"]["head_hash"]
        except (ValueError, KeyError, TypeError) as error:
            self._find(CASE_FILE_JSON, "unreadable", f"not a case file: {error}")
            return
        if (case["id"], case["number"]) != (manifest.case_id, manifest.number):
            self._find(disagrees, "inconsistent", "the case file's case is not the manifest's")
        if events != [e.model_dump() for e in manifest.events]:
            detail = "the case file's events' hashes are not the manifest's"
            self._find(disagrees, "inconsistent", detail)
        if head != manifest.head.hash:
            self._find(disagrees, "inconsistent", "the case file's head is not the manifest's")
        for document in manifest.documents:
            listed = (
                document.version,
                document.sha256,
                document.size,
                document.media_type,
                document.title,
            )
            if documents.get(document.id) != listed:
                self._find(
                    MANIFEST,
                    "inconsistent",
                    "the document is not as its event in the case file recorded it",
                    version=document.version,
                    document_id=document.id,
                )

    # -- plumbing ----------------------------------------------------------------------------

    def _read(self, path: str, **named: Any) -> bytes | None:
        try:
            return self.zipped.read(path)
        except KeyError:
            self._find(path, "missing", "listed in the manifest but not in the ZIP", **named)
        except (zipfile.BadZipFile, OSError, EOFError) as error:  # a CRC that fails, say
            self._find(path, "changed", f"cannot be read from the ZIP: {error}", **named)
        return None

    def _find(
        self,
        part: str,
        problem: str,
        detail: str,
        version: int | None = None,
        document_id: str | None = None,
    ) -> None:
        self.findings.append(ArchiveFinding(part, problem, detail, version, document_id))

    def _result(self, manifest: _Manifest | None) -> ArchiveCheck:
        return ArchiveCheck(
            valid=not self.findings,
            case_id=manifest.case_id if manifest else None,
            number=manifest.number if manifest else None,
            head=manifest.head.model_dump() if manifest else None,
            parts_checked=self.checked,
            findings=tuple(self.findings),
        )
