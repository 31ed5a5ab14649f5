"""A write cut short between a document's bytes and its event leaves no event without bytes:
the bytes are committed first, so what is left is bytes no event names (an orphan), which the
audit lists and does not count as tampering. On SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.bootstrap import build_application
from application.tongjie import Tongjie
from domain.values import DocumentKind, MediaType
from infrastructure.settings import Settings
from tests.documents import RawBlobs, sample
from tests.world import World, make_world, registration

KILLED_AFTER_THE_BYTES = """
import os, sys
from uuid import UUID
from api.bootstrap import build_application
from domain.values import DocumentKind
from infrastructure.settings import Settings

url, case_id, token, path = sys.argv[1:5]
app = build_application(Settings(database_url=url))
actor = app.users.authenticate(token)

def die(*args, **kwargs):
    os._exit(9)  # the process is killed: no clean-up, no event

app.cases.handle = die
with open(path, "rb") as file:
    app.documents.attach_bytes(
        UUID(case_id), actor=actor, content=file.read(), kind=DocumentKind.EVIDENCE, title="x"
    )
"""


@pytest.fixture
def app(database_url: str) -> Iterator[Tongjie]:
    tongjie = build_application(Settings(database_url=database_url))
    try:
        yield tongjie
    finally:
        tongjie.close()


def no_document_and_one_orphan(app: Tongjie, case_id: Any, content: bytes) -> None:
    assert app.documents.of_case(case_id) == ()
    result = app.audit.verify_store()
    assert result.valid
    assert result.documents_checked == 0
    assert result.orphan_blobs == (hashlib.sha256(content).hexdigest(),)


def test_a_process_killed_after_the_bytes_leaves_an_orphan_and_no_event(
    app: Tongjie, database_url: str, tmp_path: Path
) -> None:
    world = make_world(app)
    case = app.cases.receive(actor=world.mediator, registration=registration())
    content = sample(MediaType.PDF)
    file = tmp_path / "agreement.pdf"
    file.write_bytes(content)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_THE_BYTES, database_url, str(case.id),
         world.tokens["zhang"], str(file)],
        capture_output=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert killed.returncode == 9, killed.stderr.decode()[-2000:]
    assert app.reads.current(case.id).version == 1
    no_document_and_one_orphan(app, case.id, content)


def test_an_event_write_that_fails_leaves_an_orphan_and_no_event(
    app: Tongjie, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(app)
    case = app.cases.receive(actor=world.mediator, registration=registration())

    def refused(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the store refused the event")

    monkeypatch.setattr(app.store, "save_with", refused)
    content = sample(MediaType.JPEG)
    with pytest.raises(RuntimeError):
        attach(app, world, case.id, content)
    monkeypatch.undo()
    no_document_and_one_orphan(app, case.id, content)


def test_bytes_that_cannot_be_stored_leave_no_event(
    app: Tongjie, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(app)
    case = app.cases.receive(actor=world.mediator, registration=registration())

    def refused(sha256: str, content: bytes) -> None:
        raise RuntimeError("the blob table refused the bytes")

    monkeypatch.setattr(app.documents.blobs, "put", refused)
    with pytest.raises(RuntimeError):
        attach(app, world, case.id, sample(MediaType.PNG))
    assert app.reads.current(case.id).version == 1
    assert RawBlobs(Settings(database_url=database_url)).addresses() == set()


def attach(app: Tongjie, world: World, case_id: Any, content: bytes) -> None:
    app.documents.attach_bytes(
        case_id, actor=world.mediator, content=content, kind=DocumentKind.OTHER, title="x"
    )
