"""32 clients at once on one case, through a real server: nothing lost, nothing duplicated."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from api.app import create_app
from infrastructure.settings import Settings
from tests.e2e.api.conftest import NEW_CASE, ROUTE, SESSION
from tests.e2e.api.server import serving
from tests.world import World, make_world

CLIENTS = 32


@pytest.fixture
def server(api_settings: Settings) -> Iterator[tuple[str, World]]:
    app = create_app(api_settings)
    with serving(app) as url:
        yield url, make_world(app.state.tongjie)


def _auth(world: World, login: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[login]}"}


def _routed_case(url: str, world: World) -> str:
    with httpx.Client(base_url=url, timeout=30) as client:
        created = client.post("/api/v1/cases", json=NEW_CASE, headers=_auth(world, "zhang"))
        case_id = str(created.json()["id"])
        client.post(f"/api/v1/cases/{case_id}/route", json=ROUTE, headers=_auth(world, "boss"))
    return case_id


def _all_at_once(send: Callable[[httpx.Client, int], httpx.Response]) -> list[httpx.Response]:
    """Each of CLIENTS clients sends once on its own connection, released together."""
    barrier = threading.Barrier(CLIENTS)
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    with httpx.Client(timeout=60, limits=limits) as client:

        def one(index: int) -> httpx.Response:
            barrier.wait()
            return send(client, index)

        with ThreadPoolExecutor(CLIENTS) as pool:
            return list(pool.map(one, range(CLIENTS)))


def _history(url: str, world: World, case_id: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{url}/api/v1/cases/{case_id}/history", headers=_auth(world, "boss"))
    events: list[dict[str, Any]] = answer.json()["events"]
    return events


@pytest.mark.slow
def test_sessions_without_if_match_all_succeed_and_all_are_kept(
    server: tuple[str, World],
) -> None:
    url, world = server
    case_id = _routed_case(url, world)
    path = f"{url}/api/v1/cases/{case_id}/sessions"

    def send(client: httpx.Client, index: int) -> httpx.Response:
        body = {**SESSION, "notes": f"第{index}次调解记录"}
        return client.post(path, json=body, headers=_auth(world, "zhang"))

    answers = _all_at_once(send)
    assert [a.status_code for a in answers] == [200] * CLIENTS, [a.text for a in answers]
    versions = sorted(a.json()["version"] for a in answers)
    assert versions == list(range(3, 3 + CLIENTS))
    notes = [e["data"]["notes"] for e in _history(url, world, case_id) if e["type"] == "Mediated"]
    assert sorted(notes) == sorted(f"第{i}次调解记录" for i in range(CLIENTS))


@pytest.mark.slow
def test_sessions_with_if_match_have_one_winner_per_version(server: tuple[str, World]) -> None:
    url, world = server
    case_id = _routed_case(url, world)
    path = f"{url}/api/v1/cases/{case_id}/sessions"
    winners: list[str] = []
    for version in (2, 3, 4):
        condition = {"If-Match": f'"{version}"', **_auth(world, "zhang")}

        def send(
            client: httpx.Client,
            index: int,
            condition: dict[str, str] = condition,
            v: int = version,
        ) -> Any:
            return client.post(path, json={**SESSION, "notes": f"v{v}-{index}"}, headers=condition)

        answers = _all_at_once(send)
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200] + [412] * (CLIENTS - 1), [a.text for a in answers]
        won = next(a for a in answers if a.status_code == 200)
        assert won.headers["ETag"] == f'"{version + 1}"'
        winners.append(
            next(f"v{version}-{i}" for i, a in enumerate(answers) if a.status_code == 200)
        )
    mediated = [e for e in _history(url, world, case_id) if e["type"] == "Mediated"]
    assert [e["data"]["notes"] for e in mediated] == winners
    assert [e["version"] for e in mediated] == [3, 4, 5]


@pytest.mark.slow
def test_concurrent_twins_with_one_key_record_one_session(server: tuple[str, World]) -> None:
    url, world = server
    case_id = _routed_case(url, world)
    path = f"{url}/api/v1/cases/{case_id}/sessions"
    headers = {"Idempotency-Key": str(uuid.uuid4()), **_auth(world, "zhang")}
    answers = _all_at_once(lambda client, _i: client.post(path, json=SESSION, headers=headers))
    assert {a.status_code for a in answers} == {200}, [a.text for a in answers]
    assert len({a.content for a in answers}) == 1
    assert len({a.headers["X-Position"] for a in answers}) == 1
    assert len(_history(url, world, case_id)) == 3
