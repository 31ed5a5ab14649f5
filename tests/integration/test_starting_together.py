"""Processes that start at the same moment on a new PostgreSQL schema (the API's workers and
`tongjie project` under one service manager) each get a working application: the tables are
made by one of them, found by the others."""

from __future__ import annotations

import multiprocessing
from typing import Any

import pytest

from api.bootstrap import build_application
from infrastructure.settings import Settings
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
