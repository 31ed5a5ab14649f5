"""The rate limit's collateral case, through two real servers on one PostgreSQL: one client
retrying a revoked token from an office's one address does not lock out the office; someone
guessing tokens from that address still does."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from api.bootstrap import build_application
from infrastructure.settings import Settings
from tests.faults.conftest import Process, tongjie
from tests.world import make_world

pytestmark = [pytest.mark.faults, pytest.mark.postgres]


def test_a_revoked_token_retried_locks_out_itself_only_and_guessing_the_address(
    postgres_url: str, processes: list[Process], tmp_path: Path
) -> None:
    app = build_application(Settings(database_url=postgres_url))
    try:
        world = make_world(app)
    finally:
        app.close()
    servers = [tongjie(processes, tmp_path, postgres_url, "serve").wait_ready() for _ in "ab"]
    admin = {"Authorization": f"Bearer {world.tokens['admin']}"}
    office = [{"Authorization": f"Bearer {world.tokens[login]}"} for login in ("boss", "li")]
    with httpx.Client(timeout=10) as client:
        added = client.post(
            f"{servers[0].url}/api/v1/users",
            json={"login": "leaver", "role": "auditor"},
            headers=admin,
        )
        assert added.status_code == 201, added.text
        leaver = {"Authorization": f"Bearer {added.json()['token']}"}
        gone = client.delete(f"{servers[1].url}/api/v1/users/leaver", headers=admin)
        assert gone.status_code == 204, gone.text

        statuses = [
            client.get(f"{servers[n % 2].url}/api/v1/streets", headers=leaver).status_code
            for n in range(30)
        ]
        assert statuses == [401] * 20 + [429] * 10  # counted together by both servers
        for server in servers:  # everyone else behind the same address works on
            for colleague in office:
                answer = client.get(f"{server.url}/api/v1/streets", headers=colleague)
                assert answer.status_code == 200, answer.text

        guesses = [
            client.get(
                f"{servers[n % 2].url}/api/v1/streets",
                headers={"Authorization": f"Bearer tj_guess{n}"},
            ).status_code
            for n in range(21)
        ]
        # the revoked token and 19 guesses are 20 different tokens; the 20th guess is one more
        assert guesses == [401] * 19 + [429] * 2
        locked = client.get(f"{servers[0].url}/api/v1/streets", headers=office[0])
        assert locked.status_code == 429, "guessing locks the address out"
