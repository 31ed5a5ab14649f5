"""Rebuilds: built beside the active version, switched in when caught up, readers never go back."""

from __future__ import annotations

import threading
import time

from application.tongjie import Tongjie
from projections.board.view import BoardView
from projections.engine.catalog import generations
from projections.engine.decoding import Decoder
from projections.engine.engine import Engine
from projections.engine.waking import Waker
from projections.views import Views
from tests.integration.projections.support import assert_board_matches
from tests.integration.projections.test_exactly_once import (
    assert_each_event_applied_once,
    write_cases,
)
from tests.world import World


def statuses(views: Views) -> list[tuple[int, str]]:
    with views.db.connection() as conn:
        return [(g.generation, g.status) for g in generations(conn, "board")]


def test_a_rebuild_beside_the_running_view_switches_in_and_the_worker_follows(
    tongjie: Tongjie, world: World, views: Views
) -> None:
    ids = write_cases(tongjie, world, 12, seed=8)
    views.start(workers=True)
    assert views.engine.wait_caught_up(15)
    seen: list[int] = []
    writer = threading.Thread(target=lambda: ids.extend(write_cases(tongjie, world, 6, seed=9)))
    writer.start()
    built = views.engine.rebuild("board", progress=lambda position, count: seen.append(position))
    writer.join()
    assert built is not None
    assert built.generation == 2
    assert seen == sorted(seen)
    assert statuses(views) == [(1, "retired"), (2, "active")]
    assert views.engine.wait_caught_up(15), views.engine.status()
    assert_board_matches(tongjie, views.board, ids)
    assert_each_event_applied_once(views)

    assert views.engine.rebuild("board") is not None  # drops the retired generation first
    assert statuses(views) == [(2, "retired"), (3, "active")]
    assert_board_matches(tongjie, views.board, ids)

    # The query read generation 3 last; two rebuilds later its table is gone.
    assert views.engine.rebuild("board") is not None
    assert views.engine.rebuild("board") is not None
    assert statuses(views) == [(4, "retired"), (5, "active")]
    assert_board_matches(tongjie, views.board, ids)


def test_a_new_view_version_is_rebuilt_beside_the_old_at_start(
    tongjie: Tongjie, world: World, views: Views
) -> None:
    ids = write_cases(tongjie, world, 8, seed=10)
    views.engine.catch_up()
    assert statuses(views) == [(1, "active")]

    class BoardV2(BoardView):
        version = BoardView.version + 1

    recorder = tongjie.store.recorder
    engine = Engine(
        views.db, recorder, Decoder(tongjie.store.mapper), [BoardV2()], Waker(recorder, 0.05)
    )
    engine.start()
    try:
        deadline = time.monotonic() + 15
        while statuses(views) != [(1, "retired"), (2, "active")]:
            assert time.monotonic() < deadline, statuses(views)
            time.sleep(0.05)
        assert engine.wait_caught_up(15)
        assert_board_matches(tongjie, views.board, ids)
    finally:
        engine.stop()
