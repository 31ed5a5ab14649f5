"""PostgreSQL: one active worker per view (a standby takes over), and LISTEN that reconnects."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest

from api.bootstrap import build_application, build_views
from application.tongjie import Tongjie
from infrastructure.settings import Settings
from projections.engine.catalog import active
from projections.engine.locking import lock_key
from projections.views import Views
from tests.conftest import POSTGRES_URL
from tests.integration.projections.support import assert_board_matches
from tests.integration.projections.test_exactly_once import (
    assert_each_event_applied_once,
    write_cases,
)
from tests.world import make_world

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_settings(postgres_url: str) -> Settings:
    return Settings(database_url=postgres_url)


@pytest.fixture
def pg_app(pg_settings: Settings) -> Iterator[Tongjie]:
    app = build_application(pg_settings)
    try:
        yield app
    finally:
        app.close()


def eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.05)


def board_position(settings: Settings) -> int:
    with psycopg.connect(settings.postgres_conninfo, autocommit=True) as conn:
        conn.execute(f"SET search_path TO {settings.postgres_schema}")
        try:
            rows = conn.execute(
                "SELECT notification_id FROM view_tracking WHERE view_name = 'board' "
                "AND status = 'active'"
            ).fetchall()
        except psycopg.errors.UndefinedTable:  # no worker has started yet
            return 0
    return int(rows[0][0]) if rows else 0


def lock_holders(settings: Settings) -> list[str]:
    """Application names of the sessions holding this schema's board lock."""
    key = lock_key(settings.postgres_schema, "board") & 0xFFFFFFFFFFFFFFFF
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
            "AND l.classid = %s AND l.objid = %s",
            (key >> 32, key & 0xFFFFFFFF),
        ).fetchall()
    return [row[0] for row in rows]


def start_worker(settings: Settings) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TONGJIE_DATABASE_URL": settings.database_url, "TONGJIE_POOL_SIZE": "2"}
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli.main", "project"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_standby_worker_waits_while_the_first_lives_and_takes_over_when_it_dies(
    pg_settings: Settings, pg_app: Tongjie
) -> None:
    world = make_world(pg_app)
    ids = write_cases(pg_app, world, 6, seed=3)
    first = start_worker(pg_settings)
    second: subprocess.Popen[bytes] | None = None
    try:
        head = int(pg_app.store.recorder.max_notification_id() or 0)
        eventually(lambda: board_position(pg_settings) >= head, 60, "the first worker catches up")
        assert lock_holders(pg_settings) == [f"tongjie-views-{first.pid}"]
        second = start_worker(pg_settings)
        standby = f"tongjie-views-{second.pid}"
        eventually(lambda: _connected(standby), 60, "the second worker connects")
        ids += write_cases(pg_app, world, 4, seed=4)
        head = int(pg_app.store.recorder.max_notification_id() or 0)
        eventually(lambda: board_position(pg_settings) >= head, 30, "the first keeps working")
        assert lock_holders(pg_settings) == [f"tongjie-views-{first.pid}"], "standby took a lock"

        first.send_signal(signal.SIGKILL)
        first.wait(10)
        ids += write_cases(pg_app, world, 4, seed=5)
        head = int(pg_app.store.recorder.max_notification_id() or 0)
        eventually(lambda: board_position(pg_settings) >= head, 30, "the standby takes over")
        assert lock_holders(pg_settings) == [standby]
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(15)
    views = build_views(pg_settings, pg_app)
    try:
        assert_board_matches(pg_app, views.board, ids)
        assert_each_event_applied_once(views)
    finally:
        views.close()


def _connected(application_name: str) -> bool:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT 1 FROM pg_stat_activity WHERE application_name = %s", (application_name,)
        ).fetchall()
    return bool(rows)


def test_lost_connections_are_opened_again_and_listen_wakes_the_worker_again(
    pg_settings: Settings, pg_app: Tongjie
) -> None:
    world = make_world(pg_app)
    views: Views = build_views(pg_settings, pg_app)
    writer = build_application(pg_settings)  # another process's writes: only NOTIFY wakes us
    try:
        waker = views.engine.waker
        waker.poll_interval = 60.0  # no polling: a write must be seen through LISTEN
        views.start(workers=True)
        listening = waker.listening  # type: ignore[attr-defined]
        assert listening.wait(10)
        assert views.engine.wait_caught_up(10)
        first_pid = waker.backend_pid  # type: ignore[attr-defined]

        _terminate(first_pid)
        eventually(
            lambda: waker.connections >= 2 and listening.is_set(),  # type: ignore[attr-defined]
            10,
            "the listener reconnects",
        )
        assert waker.backend_pid != first_pid  # type: ignore[attr-defined]
        ids = write_cases(writer, world, 2, seed=6)
        position = int(pg_app.store.recorder.max_notification_id() or 0)
        assert views.engine.wait_caught_up(5, head=position), "LISTEN did not wake the worker"

        worker_conn = views.engine.workers["board"].connection
        assert worker_conn is not None
        _terminate(worker_conn.backend_pid)  # type: ignore[attr-defined]
        ids += write_cases(writer, world, 2, seed=7)
        position = int(pg_app.store.recorder.max_notification_id() or 0)
        assert views.engine.wait_caught_up(15, head=position), views.engine.status()
        with views.db.connection() as conn:
            generation = active(conn, "board")
        assert generation is not None
        assert generation.position == position
    finally:
        views.close()
        writer.close()
    assert len(ids) == 4


def _terminate(pid: int) -> None:
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        assert conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)
