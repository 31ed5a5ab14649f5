"""The library's Application, configured by environment, writes through our recorder."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from eventsourcing.application import Application
from eventsourcing.cipher import AESCipher
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import IntegrityError

from application.ports import IdempotencyKeyExistsError, IdempotencyRecord
from infrastructure.eventstore.hashing import event_hash
from infrastructure.eventstore.recorder import GroupCommitRecorder
from tests.integration.eventstore.support import StoreSpec, verify_store


class Dossier(Aggregate):
    @event("Opened")
    def __init__(self, title: str) -> None:
        self.title = title
        self.notes: list[str] = []

    @event("Noted")
    def note(self, text: str) -> None:
        self.notes.append(text)


def application(spec: StoreSpec, **extra: str) -> Application[uuid.UUID]:
    return Application(env={**spec.persistence_env(), **extra})


def test_an_application_saves_through_our_recorder_and_conflicts_as_usual(
    spec: StoreSpec,
) -> None:
    app = application(spec)
    try:
        assert isinstance(app.recorder, GroupCommitRecorder)
        dossier = Dossier("园区噪音纠纷")
        app.save(dossier)
        stale = app.repository.get(dossier.id)
        fresh = app.repository.get(dossier.id)
        fresh.note("visited both parties")
        app.save(fresh)
        stale.note("a concurrent edit")
        with pytest.raises(IntegrityError):
            app.save(stale)
        assert app.repository.get(dossier.id).notes == ["visited both parties"]
        recordings = app.save(
            app.repository.get(dossier.id),  # nothing pending: no events
        )
        assert recordings == []
        verify_store(app.recorder)
    finally:
        app.close()


def test_save_accepts_an_idempotency_record(spec: StoreSpec) -> None:
    app = application(spec)
    try:
        answer = IdempotencyRecord("key-1", "u1", "/cases", "fp", 201, {}, b"{}")
        dossier = Dossier("a")
        recordings = app.save(dossier, idempotency=answer)
        recorder: Any = app.recorder
        stored = recorder.find_idempotency("u1", "/cases", "key-1")
        assert stored is not None
        assert stored.position == recordings[-1].notification.id
        again = Dossier("a")
        with pytest.raises(IdempotencyKeyExistsError):
            app.save(again, idempotency=answer)
        assert app.recorder.max_notification_id() == recordings[-1].notification.id
    finally:
        app.close()


def test_encrypted_events_are_hashed_as_stored(spec: StoreSpec) -> None:
    key = AESCipher.create_key(16)
    app = application(spec, CIPHER_TOPIC="eventsourcing.cipher:AESCipher", CIPHER_KEY=key)
    try:
        dossier = Dossier("secret title 秘密")
        dossier.note("a confidential note")
        app.save(dossier)
        recorder: Any = app.recorder
        rows = recorder.select_case_chain(dossier.id)
        assert [r.originator_version for r in rows] == [1, 2]
        prev = None
        for row in rows:
            assert b"confidential" not in row.state
            assert b"secret" not in row.state
            assert row.hash == event_hash(
                row.originator_id, row.originator_version, row.topic, row.state, prev
            )
            prev = row.hash
        verify_store(recorder)
        assert app.repository.get(dossier.id).notes == ["a confidential note"]
    finally:
        app.close()
