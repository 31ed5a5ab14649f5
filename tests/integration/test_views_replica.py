"""An API process that reads the views from a streaming replica (`TONGJIE_VIEWS_REPLICA_URL`).

A primary and a hot standby of the test's own (tests/pgcluster.py): the view workers write
the primary, as `tongjie project` does; the API writes the primary and reads the board, the
statistics and their positions on the standby. `X-Position` is then the standby's, and
`?min_position=` waits until the standby has replayed the batch that reached it: with the
standby's replay paused, a write's own position is answered 504 however current the primary's
views are, and served as soon as the replay resumes.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import build_application, build_views
from infrastructure.settings import Settings
from projections.views import Views
from tests.e2e.api.conftest import NEW_CASE
from tests.pgcluster import PG_BIN, Cluster, free_port, run
from tests.world import World, make_world

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
def standby(workspace: Path, primary: Cluster) -> Iterator[Cluster]:
    """A hot standby streaming from the primary."""
    cluster = Cluster(workspace / "standby", free_port())
    connect = ["-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
    options = ["--checkpoint=fast", "--wal-method=stream", "--write-recovery-conf", "--no-sync"]
    run([PG_BIN / "pg_basebackup", *connect, "-D", cluster.data, *options])
    cluster.configure(cluster.own_settings())
    try:
        cluster.start()
        cluster.wait_for("SELECT pg_is_in_recovery()", True, 60)
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def projecting(primary: Cluster) -> Iterator[tuple[Views, World]]:
    """The primary's store with the test district, and its view workers running."""
    settings = Settings(database_url=primary.url, pool_size=3)
    app = build_application(settings)
    views = build_views(settings, app)
    try:
        world = make_world(app)
        views.start(workers=True)
        yield views, world
    finally:
        views.close()
        app.close()


def test_an_api_reading_views_from_a_replica_answers_a_write_once_the_replica_has_it(
    primary: Cluster, standby: Cluster, projecting: tuple[Views, World]
) -> None:
    views, world = projecting
    settings = Settings(database_url=primary.url, views_replica_url=standby.url, pool_size=3)
    auth: dict[str, dict[str, str]] = {
        login: {"Authorization": f"Bearer {token}"} for login, token in world.tokens.items()
    }
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:

        def write(summary: str) -> tuple[str, int]:
            answer = client.post(
                "/api/v1/cases", json={**NEW_CASE, "summary": summary}, headers=auth["zhang"]
            )
            assert answer.status_code == 201, answer.text
            return answer.json()["number"], int(answer.headers["X-Position"])

        def board(number: str, **params: Any) -> Any:
            return client.get(
                "/api/v1/cases", params={"number": number, **params}, headers=auth["boss"]
            )

        number, position = write("副本读取 第一件")
        answer = board(number, min_position=position)
        assert answer.status_code == 200, answer.text
        assert int(answer.headers["X-Position"]) >= position
        assert [row["number"] for row in answer.json()["items"]] == [number]

        standby.query("SELECT pg_wal_replay_pause()")
        standby.wait_for("SELECT pg_get_wal_replay_pause_state()", "paused", 10)
        later, later_position = write("副本读取 第二件")
        assert views.engine.wait_caught_up(30, head=later_position)  # the primary's views have it

        behind = board(later, min_position=later_position)
        assert behind.status_code == 504, behind.text
        assert behind.json()["type"].endswith("view-behind")
        stale = board(later)
        assert stale.status_code == 200
        assert stale.json()["items"] == []  # the replica's board, without the new case
        assert int(stale.headers["X-Position"]) < later_position  # and says how far it is

        standby.query("SELECT pg_wal_replay_resume()")
        current = board(later, min_position=later_position)
        assert current.status_code == 200, current.text
        assert int(current.headers["X-Position"]) >= later_position
        assert [row["number"] for row in current.json()["items"]] == [later]
        stats = client.get(
            "/api/v1/stats/summary", params={"min_position": later_position}, headers=auth["boss"]
        )
        assert stats.status_code == 200, stats.text
        assert int(stats.headers["X-Position"]) >= later_position
