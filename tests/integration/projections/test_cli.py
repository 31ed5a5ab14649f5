"""`tongjie rebuild [VIEW]` as a user runs it: a progress bar, the switch, one-line errors."""

from __future__ import annotations

import os
import subprocess
import sys

from application.tongjie import Tongjie
from infrastructure.settings import Settings
from projections.engine.catalog import generations
from projections.views import Views
from tests.integration.projections.test_exactly_once import write_cases
from tests.world import World


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TONGJIE_DATABASE_URL": settings.database_url}
    return subprocess.run(
        [sys.executable, "-m", "api.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_rebuild_builds_a_new_generation_and_switches_it_in(
    settings: Settings, tongjie: Tongjie, world: World, views: Views
) -> None:
    write_cases(tongjie, world, 5, seed=12)
    views.engine.catch_up()
    done = run_cli(settings, "rebuild", "board")
    assert done.returncode == 0, done.stderr
    assert "rebuilding board" in done.stdout
    assert "events/s" in done.stdout
    assert "board rebuilt as generation 2" in done.stdout
    with views.db.connection() as conn:
        assert [(g.generation, g.status) for g in generations(conn, "board")] == [
            (1, "retired"),
            (2, "active"),
        ]
    unknown = run_cli(settings, "rebuild", "nope")
    assert unknown.returncode == 2
    assert unknown.stderr.strip().startswith("tongjie: error: no view named 'nope'")
