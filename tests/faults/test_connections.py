"""Each process's PostgreSQL connections stay within TONGJIE_POOL_SIZE under load, counted as
the database sees them (pg_stat_activity, by the application_name each connection carries:
`tongjie-<purpose>-<pid>`); `tongjie project` adds a connection per view worker and a LISTEN."""

from __future__ import annotations

import re
import threading
from collections import Counter
from pathlib import Path

import httpx
import psycopg
import pytest

from api.bootstrap import build_application
from infrastructure.settings import Settings
from tests.conftest import POSTGRES_URL
from tests.faults.conftest import Process, tongjie, wait_until
from tests.faults.load import Load
from tests.faults.test_serve_workers import children
from tests.world import World, make_world

pytestmark = [pytest.mark.faults, pytest.mark.postgres]

POOL_SIZE = 10
NAME = re.compile(r"^tongjie-([a-z]+)-(\d+)$")


class Peaks:
    """The most connections each process held at once, sampled until stopped."""

    def __init__(self) -> None:
        self.per_process: Counter[int] = Counter()
        self.purposes: dict[int, set[str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            while not self._stop.wait(0.05):
                rows = conn.execute(
                    "SELECT application_name FROM pg_stat_activity "
                    "WHERE application_name LIKE 'tongjie-%'"
                ).fetchall()
                now: Counter[int] = Counter()
                for (name,) in rows:
                    found = NAME.match(name)
                    if found:
                        pid = int(found.group(2))
                        now[pid] += 1
                        self.purposes.setdefault(pid, set()).add(found.group(1))
                for pid, count in now.items():
                    self.per_process[pid] = max(self.per_process[pid], count)

    def __enter__(self) -> Peaks:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(10)


def _world(url: str) -> World:
    app = build_application(Settings(database_url=url))
    try:
        return make_world(app)
    finally:
        app.close()


def _readers(url: str, world: World, stop: threading.Event) -> list[threading.Thread]:
    """Clients reading the views and the store while the load writes."""

    def read() -> None:
        boss = {"Authorization": f"Bearer {world.tokens['boss']}"}
        with httpx.Client(base_url=url, timeout=30) as client:
            while not stop.is_set():
                for path in ("/api/v1/cases", "/api/v1/stats/summary", "/api/v1/users"):
                    client.get(path, headers=boss)

    threads = [threading.Thread(target=read, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    return threads


@pytest.mark.parametrize("workers", [1, 2])
def test_a_serving_process_holds_at_most_its_pool_size(
    postgres_url: str, processes: list[Process], tmp_path: Path, workers: int
) -> None:
    world = _world(postgres_url)
    env = {"TONGJIE_POOL_SIZE": str(POOL_SIZE)}
    server = tongjie(
        processes, tmp_path, postgres_url, "serve", "--workers", str(workers), **env
    ).wait_ready()
    with Peaks() as peaks:
        load = Load([server.url], world.tokens["zhang"], world.tokens["boss"], clients=12)
        load.start()
        stop = threading.Event()
        readers = _readers(server.url, world, stop)
        wait_until(lambda: load.count() >= 60, 120, "60 writes under load")
        stop.set()
        for reader in readers:
            reader.join(30)
        load.stop()
    serving = [server.pid] if workers == 1 else children(server.pid)
    measured = {pid: peaks.per_process[pid] for pid in serving if peaks.per_process[pid]}
    assert len(measured) == workers, (serving, dict(peaks.per_process))
    for pid, peak in measured.items():
        assert peak <= POOL_SIZE, f"process {pid} held {peak} connections"
        # (and, at start, the schema's creation lock, waited for while another worker holds it)
        assert {"events", "views", "listen", "watch"} <= peaks.purposes[pid]
        assert peaks.purposes[pid] <= {"events", "views", "listen", "watch", "start"}


def test_the_view_workers_hold_their_pool_size_and_one_connection_each_more(
    postgres_url: str, processes: list[Process], tmp_path: Path
) -> None:
    world = _world(postgres_url)
    server = tongjie(processes, tmp_path, postgres_url, "serve").wait_ready()
    with Peaks() as peaks:
        projector = tongjie(
            processes, tmp_path, postgres_url, "project", TONGJIE_POOL_SIZE=str(POOL_SIZE)
        )
        # a slow machine may take seconds to start it: the load begins once its workers listen
        wait_until(
            lambda: "listen" in peaks.purposes.get(projector.pid, set()), 120, "the workers listen"
        )
        load = Load([server.url], world.tokens["zhang"], world.tokens["boss"], clients=8).start()
        wait_until(lambda: load.count() >= 40, 120, "40 writes projected")
        load.stop()
    # the board's and the statistics' workers (one connection each) and the workers' LISTEN
    assert 0 < peaks.per_process[projector.pid] <= POOL_SIZE + 3
