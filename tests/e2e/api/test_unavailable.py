"""A server started while its database is away: 503 with Retry-After, never a 500; the database
comes back: so does the API. (An outage while serving, in both its kinds, is a fault test:
tests/faults/test_outage.py.)"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import POSTGRES_URL, require_postgres
from tests.e2e.api.conftest import NEW_CASE, our_store_settings
from tests.e2e.api.proxy import Proxy, proxied_schema
from tests.world import make_world


@pytest.fixture
def proxied_url() -> Iterator[tuple[Proxy, str]]:
    require_postgres()
    with proxied_schema(POSTGRES_URL) as (proxy, through, _):
        yield proxy, through


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
