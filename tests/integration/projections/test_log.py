"""The engine's log reader gives what the recorder's `select_notifications` gives."""

from __future__ import annotations

import random

from api.bootstrap_views import log_reader
from application.tongjie import Tongjie
from infrastructure.settings import Settings
from infrastructure.views.log import PostgresLog
from projections.board.fold import TOPICS
from projections.engine.log import RecorderLog
from tests.integration.projections.support import random_start, random_steps, run_interleaved
from tests.world import World


def test_pages_of_the_log_match_the_recorders_notifications(
    settings: Settings, tongjie: Tongjie, world: World
) -> None:
    rng = random.Random(5)
    run_interleaved(
        tongjie,
        world,
        [
            (random_start(rng), random_steps(rng, rng.randrange(6)), rng.randrange(2))
            for _ in range(8)
        ],
    )
    recorder = tongjie.store.recorder
    reader = log_reader(recorder, TOPICS)
    expected_kind = PostgresLog if settings.is_postgres else RecorderLog
    assert isinstance(reader, expected_kind)
    head = int(recorder.max_notification_id() or 0)
    rows, after = [], 3
    while page := reader.read(after, 7):
        assert len(page) <= 7
        rows += page
        after = page[-1][0]
    notifications = recorder.select_notifications(start=4, limit=head)
    assert [row[:4] for row in rows] == [
        (n.id, n.originator_id, n.originator_version, n.topic) for n in notifications
    ]
    for row, n in zip(rows, notifications, strict=True):
        assert row[4] == (n.state if n.topic in TOPICS else None)
    assert any(row[4] is None for row in rows), "the directory's events are not the board's"
    assert any(row[4] is not None for row in rows)
