"""Exactly once: failures inside a batch, stops, a killed worker process, concurrent writers."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from uuid import UUID

from api.bootstrap import build_views
from application.tongjie import Tongjie
from infrastructure.settings import Settings
from projections.engine.catalog import ACTIVE, active, create_generation, ensure_catalog
from projections.engine.view import Tables
from projections.views import Views
from tests.integration.projections.support import (
    assert_board_matches,
    random_start,
    random_steps,
    run_interleaved,
)
from tests.world import World


def write_cases(app: Tongjie, world: World, count: int, seed: int) -> list[UUID]:
    rng = random.Random(seed)
    histories = [
        (random_start(rng), random_steps(rng, rng.randrange(6)), rng.randrange(2))
        for _ in range(count)
    ]
    return run_interleaved(app, world, histories)


def assert_each_event_applied_once(views: Views) -> None:
    """Each row counts the events folded into it: it must equal the case's version."""
    with views.db.connection() as conn:
        generation = active(conn, "board")
        assert generation is not None
        table = Tables("board", generation.generation).name("cases")
        rows = conn.execute(f"SELECT number, version, event_count FROM {table}")
    assert rows, "the board is empty"
    twice = [row for row in rows if row[1] != row[2]]
    assert twice == [], f"events applied more or less than once: {twice[:5]}"


def test_failures_before_commit_and_stops_never_apply_an_event_twice(
    settings: Settings, tongjie: Tongjie, world: World
) -> None:
    ids = write_cases(tongjie, world, 15, seed=1)
    head = int(tongjie.store.recorder.max_notification_id() or 0)
    rng = random.Random(11)
    pending = sorted(rng.sample(range(1, head + 40), 6))
    failed: list[int] = []

    def fault(stage: str, position: int) -> None:
        """Fail once the first batch that reaches each chosen position, after its view write."""
        if pending and position >= pending[0]:
            failed.append(pending.pop(0))
            raise RuntimeError(f"injected failure before commit at {position}")

    views = build_views(settings, tongjie, page_size=7, fault=fault)
    try:
        views.start(workers=True)
        for round_ in range(4):
            ids += write_cases(tongjie, world, 4, seed=100 + round_)
            time.sleep(rng.random() * 0.3)
            views.engine.stop()  # a stop at a random point, then a restart
            views.engine.start()
        assert views.engine.wait_caught_up(timeout=30), views.engine.status()
        assert len(failed) == 6, f"injected failures not all reached: {pending}"
        assert_board_matches(tongjie, views.board, ids)
        assert_each_event_applied_once(views)
    finally:
        views.close()


def test_a_batch_retried_by_the_same_feeder_after_a_failure_applies_each_event_once(
    tongjie: Tongjie, world: World, views: Views
) -> None:
    """The view's memo (rows kept between batches) must not outlive a failed batch: the
    retry, by the same feeder on the same connection, starts from what was committed."""
    ids = write_cases(tongjie, world, 30, seed=4)
    head = int(tongjie.store.recorder.max_notification_id() or 0)
    failures: list[int] = []

    def fault(stage: str, position: int) -> None:
        if len(failures) < 4 and position > head * (len(failures) + 1) // 5:
            failures.append(position)
            raise RuntimeError(f"injected failure before commit at {position}")

    feeder = views.engine.feeder("board", fault)
    feeder.page_size = 9
    conn = views.db.connect()
    reader = feeder.reader()
    try:
        ensure_catalog(conn)
        generation = create_generation(conn, feeder.view, ACTIVE)
        while generation.position < head:
            try:
                generation, _ = feeder.step(conn, reader, generation)
            except RuntimeError:
                continue  # the same feeder, reader and connection go on
    finally:
        reader.close()
        conn.close()
    assert len(failures) == 4
    assert_board_matches(tongjie, views.board, ids)
    assert_each_event_applied_once(views)


def test_a_worker_killed_inside_a_batch_leaves_nothing_half_applied(
    settings: Settings, tongjie: Tongjie, world: World, views: Views
) -> None:
    ids = write_cases(tongjie, world, 20, seed=2)
    head = int(tongjie.store.recorder.max_notification_id() or 0)
    later = tongjie.store.recorder.select_notifications(start=head * 2 // 3, limit=head)
    die_at = next(
        n.id
        for n in later
        if n.topic.startswith("domain.case:Case.") and not n.topic.endswith(".Received")
    )  # a batch that changes earlier rows
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.projections.dying_worker",
            settings.database_url,
            str(die_at),
            "7",
        ],
        timeout=90,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    position = views.engine.positions()["board"]
    assert 0 < position < die_at, "the killed batch must not have committed, the earlier ones must"
    assert views.engine.catch_up()["board"] == head
    assert_board_matches(tongjie, views.board, ids)
    assert_each_event_applied_once(views)


def test_concurrent_writers_while_the_engine_tails_skip_nothing_and_double_nothing(
    tongjie: Tongjie, world: World, views: Views
) -> None:
    views.engine.workers["board"].vacuum_every = 1  # a VACUUM each time it catches up, too
    views.start(workers=True)
    written: list[UUID] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def writer(seed: int) -> None:
        try:
            mine = write_cases(tongjie, world, 8, seed)
            with lock:
                written.extend(mine)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert views.engine.wait_caught_up(timeout=30), views.engine.status()
    assert_board_matches(tongjie, views.board, written)
    assert_each_event_applied_once(views)
