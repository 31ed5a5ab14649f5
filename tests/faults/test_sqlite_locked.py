"""A SQLite file whose write lock another process holds (an operator's `sqlite3` session in a
transaction, a copy made the wrong way): writes, and reads of a case (each writes a line to the
access log of reads), answer 503 with Retry-After within 2 s; other reads go on (the file is
in WAL mode); and everything works again as soon as the lock is released."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from api.bootstrap import build_application
from infrastructure.settings import Settings
from tests.e2e.api.conftest import NEW_CASE
from tests.faults.conftest import Process, tongjie
from tests.world import make_world

pytestmark = pytest.mark.faults

ANSWER_WITHIN = 2.0
MARGIN = 1.5  # the bound, with half again for a machine busy with other test runs


def test_a_locked_sqlite_file_answers_writes_503_at_once_and_reads_as_ever(
    sqlite_url: str, processes: list[Process], tmp_path: Path
) -> None:
    app = build_application(Settings(database_url=sqlite_url))
    try:
        world = make_world(app)
    finally:
        app.close()
    server = tongjie(processes, tmp_path, sqlite_url, "serve").wait_ready()
    zhang = {"Authorization": f"Bearer {world.tokens['zhang']}"}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        received = client.post("/api/v1/cases", json=NEW_CASE, headers=zhang)
        assert received.status_code == 201, received.text
        holder = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # the write lock, held
        try:
            for _ in range(3):
                started = time.monotonic()
                refused = client.post("/api/v1/cases", json=NEW_CASE, headers=zhang)
                assert time.monotonic() - started < ANSWER_WITHIN * MARGIN
                assert refused.status_code == 503, refused.text
                assert int(refused.headers["Retry-After"]) >= 1
            # A case's read writes its line to the access log of reads: refused as fast.
            started = time.monotonic()
            case = client.get(received.headers["Location"], headers=zhang)
            assert time.monotonic() - started < ANSWER_WITHIN * MARGIN
            assert case.status_code == 503, case.text
            assert client.get("/api/v1/streets", headers=zhang).status_code == 200
            assert client.get("/readyz").status_code == 200
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        again = client.post("/api/v1/cases", json=NEW_CASE, headers=zhang)
        assert again.status_code == 201, again.text
