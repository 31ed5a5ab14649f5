"""`tongjie serve --workers N` whose master is killed outright, and serving behind a proxy."""

from __future__ import annotations

import os
import signal
import socket
from pathlib import Path

import httpx
import pytest

from api.bootstrap import build_application
from infrastructure.settings import Settings
from tests.faults.conftest import Process, tongjie, wait_until
from tests.world import make_world

pytestmark = pytest.mark.faults


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(child) for child in text.split()]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited


def port_closed(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@pytest.mark.postgres
def test_workers_leave_when_their_master_is_killed(
    postgres_url: str, processes: list[Process], tmp_path: Path
) -> None:
    server = tongjie(processes, tmp_path, postgres_url, "serve", "--workers", "2").wait_ready()
    workers: list[int] = []

    def two_workers() -> bool:
        workers[:] = [pid for pid in children(server.pid) if "spawn_main" in _cmdline(pid)]
        return len(workers) == 2

    wait_until(two_workers, 30, "two workers")
    server.kill(signal.SIGKILL)  # the master only: its workers are orphaned
    wait_until(lambda: not any(alive(pid) for pid in workers), 20, "the workers to leave")
    wait_until(lambda: port_closed(server.port), 5, "the port to be free")
    assert "serve_master_gone" in server.log.read_text()
    tongjie(processes, tmp_path, postgres_url, "serve", port=server.port).wait_ready()


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


@pytest.mark.parametrize(("trusted", "behind_proxy"), [("127.0.0.1", True), ("10.9.9.9", False)])
def test_forwarded_allow_ips_takes_the_clients_address_from_a_trusted_proxy(
    sqlite_url: str,
    processes: list[Process],
    tmp_path: Path,
    trusted: str,
    behind_proxy: bool,
) -> None:
    """Behind a trusted proxy one client guessing tokens locks out its own address only; a
    proxy that is not trusted is one address for every client."""
    app = build_application(Settings(database_url=sqlite_url))
    try:
        good = {"Authorization": f"Bearer {make_world(app).tokens['boss']}"}
    finally:
        app.close()
    server = tongjie(
        processes, tmp_path, sqlite_url, "serve", "--forwarded-allow-ips", trusted
    ).wait_ready()
    guesser = {"X-Forwarded-For": "203.0.113.7"}
    colleague = {"X-Forwarded-For": "203.0.113.8"}
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for n in range(21):
            bad = {"Authorization": f"Bearer tj_guess{n}", **guesser}
            answer = client.get("/api/v1/streets", headers=bad)
        assert answer.status_code == 429, answer.text
        assert client.get("/api/v1/streets", headers={**good, **guesser}).status_code == 429
        other = client.get("/api/v1/streets", headers={**good, **colleague})
        assert other.status_code == (200 if behind_proxy else 429), other.text
    assert os.path.exists(sqlite_url.removeprefix("sqlite:///"))
