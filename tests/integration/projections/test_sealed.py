"""Encryption at rest covers every copy: with the cipher key set, the raw bytes of the SQLite
file (and its -wal) and a pg_dump of the schema hold no party's name, phone or ID number and
no summary, while the party search, `q` and the repeat flags still work. Without the key the
same grep finds the summary: the check can fail."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from eventsourcing.cipher import AESCipher

from api.bootstrap import build_application, build_views
from application.tongjie import Tongjie
from domain.values import Party, PartyRole
from infrastructure.settings import Settings
from projections.board import BoardFilter
from projections.views import Views
from tests.world import make_world, registration

PG_DUMP = "/usr/lib/postgresql/15/bin/pg_dump"
NAME, PHONE, ID_NUMBER = "欧阳秘密", "13912345678", "11010119900307663X"
SUMMARY = "秘密摘要：楼上漏水殃及邻居"


def secrets() -> list[str]:
    return [NAME, PHONE, ID_NUMBER, SUMMARY, SUMMARY[:8]]


@pytest.fixture(params=["sealed", "plain"])
def keyed(request: pytest.FixtureRequest, database_url: str) -> tuple[Settings, bool]:
    sealed = request.param == "sealed"
    key = AESCipher.create_key(32) if sealed else None
    return Settings(database_url=database_url, cipher_key=key), sealed


def _store_cases(app: Tongjie) -> tuple[object, object]:
    world = make_world(app)
    person = Party(PartyRole.APPLICANT, NAME, PHONE, ID_NUMBER)
    other = Party(PartyRole.RESPONDENT, "某物业公司")
    applicant = Party(PartyRole.APPLICANT, "某业主")
    earlier = datetime.now(UTC) - timedelta(days=40)
    first = app.cases.receive(
        actor=world.mediator,
        registration=registration(summary=SUMMARY, parties=(person, other)),
        received_at=earlier,
    )
    again = Party(PartyRole.RESPONDENT, "欧阳 秘密", f"+86 {PHONE}", None)
    second = app.cases.receive(
        actor=world.mediator,
        registration=registration(summary="停车位纠纷", parties=(again, applicant)),
    )
    return first.id, second.id


def _caught_up(settings: Settings, app: Tongjie) -> Views:
    views = build_views(settings, app)
    views.engine.catch_up()
    return views


def _copy(settings: Settings) -> bytes:
    """Every byte a copy of the database would hold."""
    if not settings.is_postgres:
        path = Path(settings.sqlite_path)
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    dump = subprocess.run(
        [PG_DUMP, "--no-owner", "-n", settings.postgres_schema, settings.postgres_conninfo],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return dump.stdout


def _found(copy: bytes, value: str) -> bool:
    """The value in the copy: as UTF-8 text, or hex-encoded as pg_dump writes a bytea."""
    raw = value.encode()
    return raw in copy or raw.hex().encode() in copy


def test_no_copy_of_the_database_holds_a_party_or_a_summary(keyed: tuple[Settings, bool]) -> None:
    settings, sealed = keyed
    app = build_application(settings)
    try:
        first, second = _store_cases(app)
        views = _caught_up(settings, app)
        try:
            board = views.board
            assert [row.id for row in board.page(BoardFilter(party=f"0086{PHONE}")).items] == [
                second,
                first,
            ]
            assert [row.id for row in board.page(BoardFilter(party=ID_NUMBER.lower())).items] == [
                first
            ]
            assert [row.id for row in board.page(BoardFilter(party="欧阳秘密")).items] == [
                second,
                first,
            ]
            [row] = board.page(BoardFilter(q="楼上漏水殃及")).items
            assert (row.id, row.summary) == (first, SUMMARY)
            repeats = board.page(BoardFilter(repeat_party=True)).items
            assert {row.id for row in repeats} == {first, second}
        finally:
            views.close()
    finally:
        app.close()
    copy = _copy(settings)
    leaked = [value for value in secrets() if _found(copy, value)]
    if sealed:
        assert leaked == [], f"found in a copy of the {settings.database_url[:8]} database"
    else:
        assert SUMMARY in leaked  # without the key the same search finds it
