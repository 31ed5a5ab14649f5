"""Documents' bytes on SQLite and PostgreSQL, with and without encryption at rest: kept once by
their SHA-256, read back as they were, and every change or loss named by the audit."""

from __future__ import annotations

import hashlib
from uuid import UUID

import pytest

from application.errors import DocumentTamperedError
from application.tongjie import Tongjie
from domain.integrity import Tampering
from domain.values import DocumentKind, MediaType
from infrastructure.settings import Settings
from tests.documents import RawBlobs, sample
from tests.world import World, registration


def attach(app: Tongjie, world: World, case_id: UUID, content: bytes) -> UUID:
    attached = app.documents.attach_bytes(
        case_id, actor=world.mediator, content=content, kind=DocumentKind.EVIDENCE, title="证据"
    )
    return attached.document_id


def test_each_type_is_kept_once_encrypted_with_a_key_and_read_back_as_it_was(
    app: Tongjie, world: World, doc_settings: Settings
) -> None:
    case_id = app.cases.receive(actor=world.mediator, registration=registration()).id
    raw = RawBlobs(doc_settings)
    for media_type in MediaType:
        content = sample(media_type)
        document_id = attach(app, world, case_id, content)
        found = app.documents.content(case_id, document_id)
        assert found.content == content
        assert found.document.media_type is media_type
        assert found.document.sha256 == hashlib.sha256(content).hexdigest()
        stored = raw.stored(found.document.sha256)
        if doc_settings.cipher_key:
            assert content[16:48] not in stored  # nothing of the file readable at rest
        else:
            assert stored == content
    again = sample(MediaType.PNG)
    attach(app, world, case_id, again)
    attach(app, world, case_id, again)  # the same bytes, a second document: kept once
    assert len(raw.addresses()) == 4
    assert len(app.documents.of_case(case_id)) == 5
    result = app.audit.verify_store()
    assert (result.valid, result.documents_checked, result.orphan_blobs) == (True, 5, ())


def test_a_changed_or_a_missing_blob_is_named_by_the_audit_and_never_served(
    app: Tongjie, world: World, doc_settings: Settings
) -> None:
    received = app.cases.receive(actor=world.mediator, registration=registration())
    first = received.id
    second = app.cases.receive(actor=world.mediator, registration=registration()).id
    changed = attach(app, world, first, sample(MediaType.PDF))
    missing = attach(app, world, first, sample(MediaType.JPEG))
    intact = attach(app, world, second, sample(MediaType.PNG))
    documents = {d.id: d for d in (*app.documents.of_case(first), *app.documents.of_case(second))}
    raw = RawBlobs(doc_settings)
    raw.flip_byte(documents[changed].sha256)
    raw.delete(documents[missing].sha256)

    result = app.audit.verify_store()
    assert not result.valid
    assert {(i.case_id, i.version, i.document_id, i.reason) for i in result.invalid} == {
        (first, 2, changed, Tampering.DOCUMENT_CHANGED),
        (first, 3, missing, Tampering.DOCUMENT_MISSING),
    }
    assert {i.number for i in result.invalid} == {received.number}
    case = app.audit.verify_case(first)
    assert (case.valid, case.first_invalid_version, case.reason) == (
        False,
        2,
        Tampering.DOCUMENT_CHANGED,
    )
    assert app.audit.verify_case(second).valid
    for document_id, reason in (
        (changed, Tampering.DOCUMENT_CHANGED),
        (missing, Tampering.DOCUMENT_MISSING),
    ):
        with pytest.raises(DocumentTamperedError) as refused:
            app.documents.content(first, document_id)
        version = documents[document_id].version
        assert (refused.value.version, refused.value.reason) == (version, reason)
    assert app.documents.content(second, intact).content  # the others are still served
