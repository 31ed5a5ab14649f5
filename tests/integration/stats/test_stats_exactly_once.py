"""Exactly once, as for the board: failures before commit, stops, and a worker killed mid-batch.

Each case's facts count the events folded into them; after any crash and catch-up that count
equals the case's events in the store, and every figure equals the oracle's.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime
from uuid import UUID

from api.bootstrap import build_views
from application.tongjie import Tongjie
from infrastructure.settings import Settings
from projections.engine.catalog import active
from projections.engine.view import Tables
from projections.stats.facts import TOPICS
from projections.stats.read import Filters
from projections.views import Views
from tests.integration.projections.support import random_start, random_steps, run_interleaved
from tests.integration.stats.oracle import oracle, stories
from tests.world import World, make_world

BYS = (None, "category", "street", "channel", "organisation", "mediator", "month")
START, END = datetime(2020, 1, 1, tzinfo=UTC), datetime(2030, 1, 1, tzinfo=UTC)


def write_cases(app: Tongjie, world: World, count: int, seed: int) -> list[UUID]:
    rng = random.Random(seed)
    histories = [
        (random_start(rng), random_steps(rng, rng.randrange(8)), rng.randrange(2))
        for _ in range(count)
    ]
    return run_interleaved(app, world, histories)


def assert_stats_exact(app: Tongjie, views: Views, zone: object) -> None:
    """Every event folded once, and every figure of every dimension as the oracle has it."""
    stored: Counter[UUID] = Counter()
    for n in app.store.recorder.select_notifications(start=1, limit=10**6):
        if n.topic in TOPICS:
            stored[n.originator_id] += 1
    with views.db.connection() as conn:
        generation = active(conn, "stats")
        assert generation is not None
        table = Tables("stats", generation.generation).name("cases")
        folded = {UUID(str(i)): n for i, n in conn.execute(f"SELECT case_id, events FROM {table}")}
    assert folded == dict(stored), "events applied more or less than once"
    now = datetime.now(UTC)
    cases = stories(app)
    for by in BYS:
        want = oracle(cases, start=START, end=END, now=now, zone=zone, by=by)  # type: ignore[arg-type]
        if by is None:
            answer = views.stats.summary(START, END, Filters(), now)
        else:
            answer = views.stats.by(by, START, END, Filters(), now)
        assert {row.key: row.figures for row in answer.rows} == want, by


def test_failures_before_commit_and_stops_never_apply_an_event_twice(
    settings: Settings, tongjie: Tongjie
) -> None:
    world = make_world(tongjie)
    write_cases(tongjie, world, 12, seed=21)
    head = int(tongjie.store.recorder.max_notification_id() or 0)
    rng = random.Random(12)
    pending = sorted(rng.sample(range(1, head + 40), 8))
    failed: list[int] = []

    def fault(stage: str, position: int) -> None:
        if pending and position >= pending[0]:
            failed.append(pending.pop(0))
            raise RuntimeError(f"injected failure before commit at {position}")

    views = build_views(settings, tongjie, page_size=5, fault=fault)
    try:
        views.start(workers=True)
        for round_ in range(3):
            write_cases(tongjie, world, 4, seed=200 + round_)
            time.sleep(rng.random() * 0.3)
            views.engine.stop()  # a stop at a random point, then a restart
            views.engine.start()
        assert views.engine.wait_caught_up(timeout=60), views.engine.status()
        assert len(failed) == 8, f"injected failures not all reached: {pending}"
        assert_stats_exact(tongjie, views, settings.zone)
    finally:
        views.close()


def test_a_worker_killed_inside_a_batch_leaves_nothing_half_applied(
    settings: Settings, tongjie: Tongjie
) -> None:
    world = make_world(tongjie)
    write_cases(tongjie, world, 16, seed=22)
    head = int(tongjie.store.recorder.max_notification_id() or 0)
    later = tongjie.store.recorder.select_notifications(start=head // 2, limit=head)
    die_at = next(n.id for n in later if n.topic in TOPICS and not n.topic.endswith(".Received"))
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.integration.projections.dying_worker",
            settings.database_url,
            str(die_at),
            "6",
            "stats",
        ],
        timeout=90,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    views = build_views(settings, tongjie)
    try:
        position = views.engine.positions()["stats"]
        assert 0 < position < die_at, "the killed batch must not commit, the earlier ones must"
        assert views.engine.catch_up()["stats"] == head
        assert_stats_exact(tongjie, views, settings.zone)
    finally:
        views.close()


def test_a_rebuild_beside_gives_the_same_figures_and_switches_readers(
    settings: Settings, tongjie: Tongjie
) -> None:
    """A rebuild beside the active generation gives the same figures, and switches readers."""
    world = make_world(tongjie)
    write_cases(tongjie, world, 10, seed=23)
    views = build_views(settings, tongjie, page_size=4)
    try:
        views.engine.catch_up()
        before = views.stats.by("month", START, END, Filters())
        built = views.engine.rebuild("stats")
        assert built is not None
        assert built.generation == 2
        after = views.stats.by("month", START, END, Filters())
        assert after.rows == before.rows
        assert_stats_exact(tongjie, views, settings.zone)
        year = date.today().year
        assert (
            views.stats.summary(
                datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC), Filters()
            ).position
            == built.position
        )
    finally:
        views.close()


def test_a_reader_whose_generation_was_dropped_reads_the_active_one(
    settings: Settings, tongjie: Tongjie
) -> None:
    """A reader sends the widening probe for the generation it read last; when two rebuilds
    have dropped that generation since, it reads the active one, with the same figures."""
    world = make_world(tongjie)
    write_cases(tongjie, world, 6, seed=29)
    views = build_views(settings, tongjie, page_size=4)
    try:
        views.engine.catch_up()
        today = datetime.now(UTC)
        year_to_date = (datetime(today.year, 1, 1, tzinfo=UTC), today)  # widened: a probe
        first = views.stats.by("street", *year_to_date, Filters())
        for generation in (2, 3):  # the second rebuild drops generation 1, read before
            built = views.engine.rebuild("stats")
            assert built is not None
            assert built.generation == generation
        again = views.stats.by("street", *year_to_date, Filters())
        assert again.rows == first.rows
        assert again.position == built.position
    finally:
        views.close()
