"""`tongjie serve` killed outright under load, and two servers on one SQLite file.

Clients keep writing, each write retried with its Idempotency-Key until it is acknowledged;
whatever happens to the servers, every acknowledged write is stored exactly once.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.bootstrap import build_application
from infrastructure.settings import Settings
from tests.faults.conftest import Process, free_port, tongjie, wait_until
from tests.faults.load import Load
from tests.world import World, make_world

pytestmark = pytest.mark.faults

KILLS = 3
WRITES_BETWEEN_KILLS = 15


def district(database_url: str) -> World:
    app = build_application(Settings(database_url=database_url))
    try:
        return make_world(app)
    finally:
        app.close()


def test_serve_killed_under_load_loses_nothing_acknowledged_and_doubles_nothing(
    database_url: str, processes: list[Process], tmp_path: Path
) -> None:
    world = district(database_url)
    port = free_port()
    server = tongjie(processes, tmp_path, database_url, "serve", port=port).wait_ready()
    load = Load([server.url], world.tokens["zhang"], world.tokens["boss"], clients=8).start()
    for kill in range(1, KILLS + 1):
        wanted = kill * WRITES_BETWEEN_KILLS
        wait_until(lambda wanted=wanted: load.count() >= wanted, 120, f"{wanted} writes")
        server.kill()  # SIGKILL: no shutdown, transactions cut wherever they are
        server = tongjie(processes, tmp_path, database_url, "serve", port=port).wait_ready()
    wanted = (KILLS + 1) * WRITES_BETWEEN_KILLS
    wait_until(lambda: load.count() >= wanted, 120, "writes after the last kill")
    load.stop()
    assert load.failures[0] > 0  # the clients did lose their server
    assert load.check_stored_once(server.url) == load.count()


def test_two_servers_on_one_sqlite_file_both_serve_and_lose_nothing(
    sqlite_url: str, processes: list[Process], tmp_path: Path
) -> None:
    world = district(sqlite_url)
    one = tongjie(processes, tmp_path, sqlite_url, "serve").wait_ready()
    two = tongjie(processes, tmp_path, sqlite_url, "serve").wait_ready()
    load = Load([one.url, two.url], world.tokens["zhang"], world.tokens["boss"], clients=8)
    load.start()
    wait_until(lambda: load.count() >= 80, 120, "80 writes through both servers")
    load.stop()
    assert load.check_stored_once(one.url) == load.count()
    assert load.check_stored_once(two.url) == load.count()
    boss = {"Authorization": f"Bearer {world.tokens['boss']}"}
    cases = set(load.acknowledged.values())
    for server in (one, two):  # each runs the views on the file; both boards show every case
        head = httpx.get(f"{server.url}/api/v1/projections", headers=boss, timeout=10)
        board = httpx.get(
            f"{server.url}/api/v1/cases",
            params={"min_position": head.json()["head"], "limit": 500},
            headers=boss,
            timeout=10,
        )
        assert board.status_code == 200, board.text
        assert cases <= {row["id"] for row in board.json()["items"]}
