"""The database goes away: 503 with Retry-After, never a 500; it comes back: so does the API."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import POSTGRES_URL, require_postgres
from tests.e2e.api.conftest import NEW_CASE, ROUTE, SESSION, our_store_settings
from tests.e2e.api.proxy import Proxy
from tests.world import make_world


@pytest.fixture
def proxied_url() -> Iterator[tuple[Proxy, str]]:
    require_postgres()
    target = urlparse(POSTGRES_URL)
    proxy = Proxy(target.hostname or "127.0.0.1", target.port or 5432)
    proxy.start()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    netloc = target.netloc.replace(f":{target.port}", "").split("@")
    host = f"{netloc[0]}@127.0.0.1:{proxy.port}" if len(netloc) == 2 else f"127.0.0.1:{proxy.port}"
    try:
        yield proxy, f"postgresql://{host}{target.path}?schema={schema}"
    finally:
        proxy.stop()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.mark.postgres
@pytest.mark.slow
def test_a_lost_database_is_503_and_the_api_recovers_by_itself(
    proxied_url: tuple[Proxy, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, url = proxied_url
    app = create_app(our_store_settings(url, monkeypatch))
    with TestClient(app, raise_server_exceptions=False) as client:
        world = make_world(app.state.tongjie)
        zhang = {"Authorization": f"Bearer {world.tokens['zhang']}"}
        boss = {"Authorization": f"Bearer {world.tokens['boss']}"}
        case_id = client.post("/api/v1/cases", json=NEW_CASE, headers=zhang).json()["id"]
        assert client.post(f"/api/v1/cases/{case_id}/route", json=ROUTE, headers=boss).is_success

        proxy.stop()
        # Few requests while it is down: each waits out the pool's connect timeout.
        for method, path, body in [
            ("GET", "/readyz", None),
            ("POST", f"/api/v1/cases/{case_id}/sessions", SESSION),
        ]:
            answer = client.request(method, path, json=body, headers=zhang)
            assert answer.status_code == 503, (path, answer.status_code, answer.text)
            assert int(answer.headers["Retry-After"]) >= 1
            assert answer.headers["content-type"] == "application/problem+json"
        assert client.get("/healthz").status_code == 200

        proxy.start()
        deadline = time.monotonic() + 60
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the API did not recover"
            time.sleep(0.5)
        session = client.post(f"/api/v1/cases/{case_id}/sessions", json=SESSION, headers=zhang)
        assert session.status_code == 200, session.text
        history = client.get(f"/api/v1/cases/{case_id}/history", headers=boss).json()["events"]
        assert [e["type"] for e in history] == ["Received", "Routed", "Mediated"]


@pytest.mark.postgres
def test_a_server_started_without_its_database_answers_503_and_connects_when_it_is_back(
    proxied_url: tuple[Proxy, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, url = proxied_url
    proxy.stop()  # nothing listens where the server looks for PostgreSQL
    app = create_app(our_store_settings(url, monkeypatch))
    with TestClient(app, raise_server_exceptions=False) as client:  # it starts all the same
        token = {"Authorization": "Bearer tj_whoever"}
        for path in ("/readyz", "/api/v1/streets", "/api/v1/cases", "/api/v1/users"):
            answer = client.get(path, headers=token)
            assert answer.status_code == 503, (path, answer.status_code, answer.text)
            assert int(answer.headers["Retry-After"]) >= 1
            assert answer.headers["content-type"] == "application/problem+json"
        down = client.post("/api/v1/cases", json=NEW_CASE, headers=token)
        assert down.status_code == 503, down.text
        assert client.get("/healthz").status_code == 200
        assert client.get("/metrics").status_code == 200

        proxy.start()
        deadline = time.monotonic() + 60
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the API did not connect by itself"
            time.sleep(0.2)
        world = make_world(app.state.tongjie)
        zhang = {"Authorization": f"Bearer {world.tokens['zhang']}"}
        received = client.post("/api/v1/cases", json=NEW_CASE, headers=zhang)
        assert received.status_code == 201, received.text
        case = client.get(received.headers["Location"], headers=zhang)
        assert case.status_code == 200, case.text
        board = client.get(
            "/api/v1/cases",
            params={"min_position": received.headers["X-Position"]},
            headers={"Authorization": f"Bearer {world.tokens['boss']}"},
        )
        assert board.status_code in (200, 504), board.text  # the views are attached
