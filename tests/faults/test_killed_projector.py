"""`tongjie project` killed outright in the middle of a catch-up, again and again: once it has
caught up, its views are the same as a clean rebuild from the first event."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from api.bootstrap import build_application, build_views
from application.tongjie import Tongjie
from infrastructure.settings import Settings
from projections.stats.read import Filters
from projections.views import Views
from tests.faults.conftest import TONGJIE, Process, tongjie, wait_until
from tests.integration.projections.support import as_dict, whole_board

pytestmark = [pytest.mark.faults, pytest.mark.postgres, pytest.mark.slow]

CASES = 2500  # about 17,000 events: several of the worker's 5,000-event batches per view
KILLS = 3
DIMENSIONS = ("category", "street", "organisation", "mediator", "channel", "month")


@pytest.fixture
def store(postgres_url: str) -> Iterator[tuple[Settings, Tongjie, Views]]:
    done = subprocess.run(
        [TONGJIE, "demo", "--cases", str(CASES), "--seed", "16"],
        env={"TONGJIE_DATABASE_URL": postgres_url, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    settings = Settings(database_url=postgres_url)
    app = build_application(settings)
    views = build_views(settings, app)
    try:
        yield settings, app, views
    finally:
        views.close()
        app.close()


def everything(views: Views) -> dict[str, Any]:
    """What the views answer: every board row, every figure of every dimension."""
    now = datetime(2100, 1, 1, tzinfo=UTC)
    start, end = datetime(2000, 1, 1, tzinfo=UTC), now
    answers: dict[str, Any] = {
        "board": sorted(
            (as_dict(row) for row in whole_board(views.board, now=now)), key=lambda r: r["id"]
        ),
        "summary": [asdict(row) for row in views.stats.summary(start, end, Filters(), now).rows],
    }
    for by in DIMENSIONS:
        rows = views.stats.by(by, start, end, Filters(), now).rows  # type: ignore[arg-type]
        answers[by] = sorted((asdict(row) for row in rows), key=lambda r: str(r["key"]))
    return answers


def test_project_killed_during_a_catch_up_ends_with_the_views_of_a_clean_rebuild(
    store: tuple[Settings, Tongjie, Views],
    processes: list[Process],
    tmp_path: Path,
) -> None:
    settings, app, views = store
    head = int(app.store.recorder.max_notification_id() or 0)
    assert head > 15_000
    killed_at: list[dict[str, int]] = []
    for _ in range(KILLS):
        before = views.engine.positions()
        projector = tongjie(processes, tmp_path, settings.database_url, "project")

        def moved_on(before: dict[str, int] = before) -> bool:
            now = views.engine.positions()
            return any(now[name] > before[name] for name in now)

        wait_until(moved_on, 120, "a batch committed", every=0.01)
        positions = views.engine.positions()
        projector.kill()  # SIGKILL, wherever it is: inside the next batch, most likely
        killed_at.append(positions)
    assert any(min(p.values()) < head for p in killed_at), "every kill came after the catch-up"

    projector = tongjie(processes, tmp_path, settings.database_url, "project")
    wait_until(lambda: min(views.engine.positions().values()) >= head, 300, "the views caught up")
    projector.stop_group()
    resumed = everything(views)
    assert len(resumed["board"]) >= CASES  # the demo adds a few to the cases asked for

    for name in ("board", "stats"):
        assert views.engine.rebuild(name) is not None  # from the first event, beside
    assert everything(views) == resumed
