"""Access beside the store: a token's last use (to the minute), never an event per request."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli.main import app as cli
from infrastructure.settings import Settings
from tests.e2e.api.conftest import Api, ready
from tests.world import make_world


def _listed(api: Api) -> dict[str, dict[str, object]]:
    answer = api.get("/api/v1/users", "admin")
    assert answer.status_code == 200, answer.text
    return {u["login"]: u for u in answer.json()["items"]}


def test_users_show_when_their_token_was_last_used(fresh_api: Api) -> None:
    api = fresh_api
    added = api.post("/api/v1/users", "admin", {"login": "wang", "role": "auditor"})
    assert added.status_code == 201, added.text
    assert _listed(api)["wang"]["last_used_at"] is None  # issued, never used

    head = api.app.state.tongjie.store.recorder.max_notification_id()
    before = datetime.now().astimezone() - timedelta(seconds=1)
    wang = {"Authorization": f"Bearer {added.json()['token']}"}
    assert api.client.get("/api/v1/streets", headers=wang).status_code == 200
    first = _listed(api)["wang"]["last_used_at"]
    assert isinstance(first, str)
    used = datetime.fromisoformat(first)
    assert before <= used <= datetime.now().astimezone() + timedelta(seconds=1)
    assert used.utcoffset() == timedelta(hours=8)  # the bureau's offset, as every time

    # More uses within the minute are not written again (to the minute: not per request),
    # and no use is ever an event in the store.
    for _ in range(5):
        assert api.client.get("/api/v1/streets", headers=wang).status_code == 200
    assert _listed(api)["wang"]["last_used_at"] == first
    assert api.app.state.tongjie.store.recorder.max_notification_id() == head
    # The admin who lists has used their token too.
    assert _listed(api)["admin"]["last_used_at"] is not None


def test_a_use_noted_by_another_process_is_listed(fresh_api: Api) -> None:
    """Each process records its own uses in the shared table; a later one never goes back."""
    api = fresh_api
    uses = api.app.state.tongjie.users.uses
    later = datetime.now().astimezone() + timedelta(minutes=5)
    uses.record_use("boss", later)
    uses.record_use("boss", later - timedelta(minutes=10))  # an older use, from elsewhere
    listed = datetime.fromisoformat(str(_listed(api)["boss"]["last_used_at"]))
    assert listed == later


def test_server_processes_on_one_store_share_the_failed_authentication_limit(
    api_settings: Settings,
) -> None:
    """Two app instances on one database (two server processes): 20 different failing tokens
    in all are allowed, the 21st is a 429 on either, with Retry-After until the minute has
    passed; a token that fails again and again is limited alone, on either process."""
    first, second = create_app(api_settings), create_app(api_settings)
    with TestClient(first) as one, TestClient(second) as two:
        for client in (one, two):  # a start beside the other's writer may answer 503 first
            ready(client)
        world = make_world(first.state.tongjie)
        good = {"Authorization": f"Bearer {world.tokens['boss']}"}
        assert one.get("/api/v1/streets", headers=good).status_code == 200
        assert two.get("/api/v1/streets", headers=good).status_code == 200  # untouched by it
        for n, client in enumerate([one, two] * 10):
            guess = {"Authorization": f"Bearer tj_guessed{n}"}
            assert client.get("/api/v1/streets", headers=guess).status_code == 401
        for n, client in enumerate((one, two)):
            blocked = client.get("/api/v1/streets", headers={"Authorization": f"Bearer tj_{n}"})
            assert blocked.status_code == 429, blocked.text
            assert 1 <= int(blocked.headers["Retry-After"]) <= 60
            assert blocked.headers["content-type"] == "application/problem+json"
            # the process that answered 429 locks the guessing address out for good tokens too
            assert client.get("/api/v1/streets", headers=good).status_code == 429
        # Each counted its failures in the one table: neither process alone saw 21 tokens.
        shared = first.state.tongjie.users.uses
        failures, left, tokens, tokens_left = shared.count_failure("testclient", "x", 60.0)
        assert (failures, tokens) == (1, 23)
        assert 0 < tokens_left <= left <= 60
        first.state.limiter.reset()
        second.state.limiter.reset()
        assert one.get("/api/v1/streets", headers=good).status_code == 200
        stale = {"Authorization": "Bearer tj_stale"}
        for client in [one, two] * 10:
            assert client.get("/api/v1/streets", headers=stale).status_code == 401
        for client in (one, two):
            assert client.get("/api/v1/streets", headers=stale).status_code == 429
            assert client.get("/api/v1/streets", headers=good).status_code == 200


def test_the_command_line_lists_the_last_use(
    fresh_api: Api, api_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    api = fresh_api
    added = api.post("/api/v1/users", "admin", {"login": "chen", "role": "auditor"})
    assert added.status_code == 201, added.text
    assert api.client.get("/api/v1/streets", headers=api.auth("boss")).status_code == 200
    monkeypatch.setenv("TONGJIE_DATABASE_URL", api_settings.database_url)
    monkeypatch.setenv("COLUMNS", "200")
    listed = CliRunner().invoke(cli, ["users", "list"])
    assert listed.exit_code == 0, listed.output
    rows = {line.split("│")[1].strip(): line for line in listed.output.splitlines() if "│" in line}
    assert "never" in rows["chen"]
    used = datetime.fromisoformat(str(_listed(api)["boss"]["last_used_at"]))
    assert used.astimezone(api_settings.zone).strftime("%Y-%m-%d %H:%M") in rows["boss"]
