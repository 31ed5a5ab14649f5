"""Processes that start at the same moment on a new PostgreSQL schema (the API's workers and
`tongjie project` under one service manager) each get a working application: the tables are
made by one of them, found by the others."""

from __future__ import annotations

import multiprocessing
import threading
import time
from typing import Any

import psycopg
import pytest

from api.bootstrap import build_application, build_views
from infrastructure.settings import Settings
from tests.conftest import POSTGRES_URL
from tests.world import make_world, registration

pytestmark = pytest.mark.postgres

SPAWN = multiprocessing.get_context("spawn")
PROCESSES = 4


def _start(url: str, ready: Any, go: Any, out: Any) -> None:
    ready.release()
    go.wait(60)
    try:
        build_application(Settings(database_url=url)).close()
        out.put("ok")
    except Exception as error:  # reported to the test, which names it
        out.put(f"{type(error).__name__}: {error}")


def test_processes_starting_together_on_a_new_schema_all_start(postgres_url: str) -> None:
    ready, go, out = SPAWN.Semaphore(0), SPAWN.Event(), SPAWN.Queue()
    processes = [
        SPAWN.Process(target=_start, args=(postgres_url, ready, go, out)) for _ in range(PROCESSES)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        assert ready.acquire(timeout=60)  # every process imported and waiting: start at once
    go.set()
    outcomes = [out.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(30)
    assert outcomes == ["ok"] * PROCESSES

    app = build_application(Settings(database_url=postgres_url))
    try:  # the tables they made take cases
        world = make_world(app)
        assert app.cases.receive(actor=world.mediator, registration=registration()).position
    finally:
        app.close()


def test_a_process_starts_while_a_backup_reads_every_table(postgres_url: str) -> None:
    """pg_dump holds ACCESS SHARE on every table it dumps for the whole dump: a process that
    starts meanwhile must not wait for it (nor, waiting, hold up every read and write queued
    behind it, as an ALTER TABLE of the events table at each start did)."""
    settings = Settings(database_url=postgres_url)
    app = build_application(settings)
    views = build_views(settings, app)
    views.engine.catch_up()  # every table there is to back up
    views.close()
    app.close()
    schema = postgres_url.rsplit("schema=", 1)[1]
    with psycopg.connect(POSTGRES_URL) as backup:
        tables = backup.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)
        ).fetchall()
        for (table,) in tables:
            backup.execute(f'LOCK TABLE "{schema}"."{table}" IN ACCESS SHARE MODE')
        started: list[float] = []

        def start() -> None:
            begun = time.perf_counter()
            starting = build_application(settings)
            build_views(settings, starting).close()
            starting.close()
            started.append(time.perf_counter() - begun)

        starter = threading.Thread(target=start, daemon=True)
        starter.start()
        starter.join(30)
        assert started, "the start waited for the backup's locks"
        backup.rollback()
