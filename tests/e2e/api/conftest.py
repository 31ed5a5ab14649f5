"""An app per test, on SQLite and on PostgreSQL, with the small district of tests/world.py."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure import settings as settings_module
from infrastructure.settings import Settings
from tests.conftest import POSTGRES_URL, require_postgres
from tests.world import World, make_world

OUR_STORE = {
    "SQLITE_MODULE": "infrastructure.eventstore.sqlite:Factory",
    "POSTGRES_MODULE": "infrastructure.eventstore.postgres:Factory",
}


def our_store_settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings on our own event store (idempotency records need its recorder).

    Until the settings point there by default, the tests point them there.
    """
    for name, module in OUR_STORE.items():
        if getattr(settings_module, name).startswith("eventsourcing."):
            monkeypatch.setattr(settings_module, name, module)
    return Settings(database_url=database_url, log_format="json")


@pytest.fixture
def api_settings(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    return our_store_settings(database_url, monkeypatch)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """One store per test module and kind, so the many small API tests share its setup."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('api') / 'tongjie.db'}"
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{POSTGRES_URL}?schema={schema}"
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@dataclass
class Api:
    """A test client signed in as nobody, with helpers to act as one of the world's users."""

    client: TestClient
    app: FastAPI
    world: World

    def auth(self, login: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.world.tokens[login]}"}

    def post(self, path: str, login: str, json: Any = None, **headers: str) -> Any:
        return self.client.post(path, json=json, headers={**self.auth(login), **headers})

    def get(self, path: str, login: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.auth(login))


@pytest.fixture
def fresh_api(api_settings: Settings) -> Iterator[Api]:
    """An app and a store of the test's own: for tests that change users or reference data."""
    app = create_app(api_settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        world = make_world(app.state.tongjie)
        yield Api(client, app, world)


@pytest.fixture(scope="module")
def module_api(module_database_url: str) -> Iterator[Api]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        app = create_app(our_store_settings(module_database_url, monkeypatch))
        with TestClient(app, raise_server_exceptions=False) as client:
            world = make_world(app.state.tongjie)
            yield Api(client, app, world)


@pytest.fixture
def api(module_api: Api) -> Api:
    """The module's app, with a clean count of failed authentications."""
    module_api.app.state.limiter.reset()
    return module_api


NEW_CASE: dict[str, Any] = {
    "category": "family",
    "subcategory": "neighbour",
    "street": "东湖街道",
    "channel": "walk_in",
    "summary": "楼上漏水引发邻里纠纷",
    "parties": [
        {
            "role": "applicant",
            "name": "王小明",
            "phone": "13800000000",
            "id_number": "110101199001010011",
        },
        {"role": "respondent", "name": "赵大海"},
    ],
    "claim_amount": "1200.00",
}
ROUTE = {"organisation": "room-1", "mediator": "m1"}
SESSION = {
    "method": "in_person",
    "attendees": ["王小明", "赵大海"],
    "notes": "双方同意分担维修费用",
}
AGREEMENT = {
    "outcome": "agreement",
    "agreement": {"form": "written", "amount": "800", "terms": "赵大海赔偿维修费800元"},
}


def ready(client: TestClient, seconds: float = 30) -> TestClient:
    """`client` once its app answers `/readyz` 200. A second server process started beside a
    SQLite writer may find the file locked at its first attempt and answer 503 until its next
    one, a second later (docs/operations.md); tests of something else wait for it."""
    deadline = time.monotonic() + seconds
    while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.05)
    return client


def receive(api: Api, login: str = "zhang", **changes: Any) -> str:
    answer = api.post("/api/v1/cases", login, {**NEW_CASE, **changes})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def routed(api: Api) -> str:
    case_id = receive(api)
    answer = api.post(f"/api/v1/cases/{case_id}/route", "boss", ROUTE)
    assert answer.status_code == 200, answer.text
    return case_id


def in_mediation(api: Api) -> str:
    case_id = routed(api)
    answer = api.post(f"/api/v1/cases/{case_id}/sessions", "zhang", SESSION)
    assert answer.status_code == 200, answer.text
    return case_id


def resolved(api: Api) -> str:
    case_id = in_mediation(api)
    answer = api.post(f"/api/v1/cases/{case_id}/resolution", "zhang", AGREEMENT)
    assert answer.status_code == 200, answer.text
    return case_id
