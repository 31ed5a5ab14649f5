"""The access log of reads: chained, complete under concurrent reads, and a line deleted or
changed by hand in the database is found by the audit (and `tongjie audit verify`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from application.tongjie import Tongjie
from domain.integrity import Tampering
from infrastructure.settings import Settings
from tests.world import World, make_world


@pytest.fixture
def world(tongjie: Tongjie) -> World:
    return make_world(tongjie)


@contextmanager
def raw(settings: Settings) -> Iterator[Any]:
    """A cursor on the store's database, outside Tongjie, committing at the end."""
    if settings.is_postgres:
        with psycopg.connect(settings.postgres_conninfo) as conn, conn.cursor() as cursor:
            cursor.execute(f"SET search_path TO {settings.postgres_schema}")
            yield cursor
    else:
        conn = sqlite3.connect(settings.sqlite_path, timeout=20)
        try:
            yield conn.cursor()
            conn.commit()
        finally:
            conn.close()


def _q(settings: Settings, statement: str) -> str:
    return statement if settings.is_postgres else statement.replace("%s", "?")


def test_concurrent_reads_make_one_unbroken_chain(tongjie: Tongjie, world: World) -> None:
    cases = [uuid4() for _ in range(5)]

    def read(i: int) -> None:
        tongjie.read_log.record(world.supervisor, [cases[i % 5]], "GET /api/v1/cases/{id}")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(read, range(200)))
    check = tongjie.read_log.verify()
    assert check.valid, check.findings
    assert check.lines == 200
    lines = tongjie.read_log.of_cases(cases)
    assert [line.seq for line in lines] == list(range(1, 201))
    assert len(tongjie.read_log.of_case(cases[0])) == 40


def test_a_deleted_or_changed_line_is_found(
    tongjie: Tongjie, world: World, settings: Settings
) -> None:
    case_id = uuid4()
    for login in (world.mediator, world.supervisor, world.auditor, world.supervisor):
        tongjie.read_log.record(login, [case_id], "GET /api/v1/cases/{id}/history")
    assert tongjie.audit.verify_store().valid
    with raw(settings) as cursor:
        cursor.execute(_q(settings, "DELETE FROM case_reads WHERE seq = %s"), (2,))
    result = tongjie.audit.verify_store()
    assert not result.valid
    assert result.reads_checked == 3
    [missing] = result.invalid
    assert (missing.aggregate, missing.reason, missing.position) == (
        "ReadLog",
        Tampering.EVENT_MISSING,
        3,
    )
    assert missing.case_id == case_id
    assert "line(s) 2 are missing" in missing.detail
    with raw(settings) as cursor:
        cursor.execute(_q(settings, "UPDATE case_reads SET login = %s WHERE seq = %s"), ("x", 4))
    reasons = {(f.reason, f.position) for f in tongjie.audit.verify_store().invalid}
    assert (Tampering.CONTENT_CHANGED, 4) in reasons


def test_the_last_line_rewritten_with_its_hash_still_breaks_nothing_before_it(
    tongjie: Tongjie, world: World, settings: Settings
) -> None:
    """What the chain cannot see, stated: lines removed from the end leave a shorter, valid log
    (as a case cut short at its tail does for a case chain); the reads of a case before them
    are kept and verified."""
    case_id: UUID = uuid4()
    for _ in range(3):
        tongjie.read_log.record(world.auditor, [case_id], "GET /api/v1/cases/{id}/file")
    with raw(settings) as cursor:
        cursor.execute(_q(settings, "DELETE FROM case_reads WHERE seq = %s"), (3,))
    check = tongjie.read_log.verify()
    assert check.valid
    assert check.lines == 2
