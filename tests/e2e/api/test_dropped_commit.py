"""A write whose COMMIT reached the database but whose answer never came back is stored once.

A proxy between the API and PostgreSQL lets a write transaction through, then cuts the
connection as the server answers its COMMIT: the server has stored the write, the client
cannot know. The API must not run the command again (that would store the step twice): it
answers 503 with Retry-After, and a retry with the same Idempotency-Key gets the first answer.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.conftest import POSTGRES_URL, require_postgres
from tests.e2e.api.conftest import NEW_CASE, ROUTE, SESSION, our_store_settings
from tests.e2e.api.proxy import Proxy
from tests.world import make_world

pytestmark = pytest.mark.postgres


@dataclass
class _Link:
    """One client connection through the proxy, as far as the cut is concerned."""

    client: socket.socket
    upstream: socket.socket
    writing: bool = False  # the server took the write path's table lock on it


class CommitCutter(Proxy):
    """A proxy that, once armed, cuts the next write transaction's connection right after
    the server answered its COMMIT (the answer is dropped, never reaching the client)."""

    def __init__(self, target_host: str, target_port: int) -> None:
        super().__init__(target_host, target_port)
        self.armed = threading.Event()
        self.cuts = 0

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if self._listener is not listener:
                client.close()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open += [client, upstream]
            link = _Link(client, upstream)
            threading.Thread(target=self._up, args=(link,), daemon=True).start()
            threading.Thread(target=self._down, args=(link,), daemon=True).start()

    def _up(self, link: _Link) -> None:
        """Client to server, as it is."""
        try:
            while data := link.client.recv(65536):
                link.upstream.sendall(data)
        except OSError:
            pass
        finally:
            _close(link.client, link.upstream)

    def _down(self, link: _Link) -> None:
        """Server to client: once the server confirmed a write transaction's table lock, drop
        its answer to COMMIT and cut the client off. (The server's command tags are read, not
        the client's statements, which a prepared statement no longer spells out.)"""
        try:
            while data := link.upstream.recv(65536):
                if self.armed.is_set():
                    link.writing = link.writing or b"LOCK TABLE\x00" in data
                    if link.writing and b"COMMIT\x00" in data:
                        self.armed.clear()
                        self.cuts += 1
                        break  # the server committed; the client never hears it
                link.client.sendall(data)
        except OSError:
            pass
        finally:
            _close(link.client, link.upstream)


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()


@pytest.fixture
def cut_url() -> Iterator[tuple[CommitCutter, str]]:
    require_postgres()
    target = urlparse(POSTGRES_URL)
    cutter = CommitCutter(target.hostname or "127.0.0.1", target.port or 5432)
    cutter.start()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    user = f"{target.username}@" if target.username else ""
    try:
        yield cutter, f"postgresql://{user}127.0.0.1:{cutter.port}{target.path}?schema={schema}"
    finally:
        cutter.stop()
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def sessions(client: TestClient, case_id: str, headers: dict[str, str]) -> list[dict[str, Any]]:
    answer = client.get(f"/api/v1/cases/{case_id}/history", headers=headers)
    assert answer.status_code == 200, answer.text
    return [e for e in answer.json()["events"] if e["type"] == "Mediated"]


def test_a_write_whose_commit_outcome_is_unknown_is_never_stored_twice(
    cut_url: tuple[CommitCutter, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cutter, url = cut_url
    app = create_app(our_store_settings(url, monkeypatch))
    with TestClient(app, raise_server_exceptions=False) as client:
        world = make_world(app.state.tongjie)
        zhang = {"Authorization": f"Bearer {world.tokens['zhang']}"}
        boss = {"Authorization": f"Bearer {world.tokens['boss']}"}
        case_id = client.post("/api/v1/cases", json=NEW_CASE, headers=zhang).json()["id"]
        assert client.post(f"/api/v1/cases/{case_id}/route", json=ROUTE, headers=boss).is_success

        # Without a key, from a caller this process knows (the path that ran it again).
        cutter.armed.set()
        lost = client.post(f"/api/v1/cases/{case_id}/sessions", json=SESSION, headers=zhang)
        assert cutter.cuts == 1, "the proxy did not cut a COMMIT"
        assert lost.status_code == 503, lost.text
        assert int(lost.headers["Retry-After"]) >= 1
        assert lost.headers["content-type"] == "application/problem+json"
        assert "may have been stored" in lost.json()["detail"]
        assert len(sessions(client, case_id, boss)) == 1  # the server had stored it: once

        # With an Idempotency-Key, the client's retry gets the first answer.
        keyed = {**zhang, "Idempotency-Key": "session-2"}
        cutter.armed.set()
        lost = client.post(f"/api/v1/cases/{case_id}/sessions", json=SESSION, headers=keyed)
        assert cutter.cuts == 2
        assert lost.status_code == 503, lost.text
        retried = client.post(f"/api/v1/cases/{case_id}/sessions", json=SESSION, headers=keyed)
        assert retried.status_code == 200, retried.text
        assert retried.json()["version"] == 4
        assert retried.headers["ETag"] == '"4"'
        assert len(sessions(client, case_id, boss)) == 2
        again = client.post(f"/api/v1/cases/{case_id}/sessions", json=SESSION, headers=keyed)
        assert again.json() == retried.json()
        assert len(sessions(client, case_id, boss)) == 2
