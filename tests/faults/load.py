"""Clients that keep writing through a fault, each write retried with its Idempotency-Key until
it is acknowledged, as a careful client would; and the check that what was acknowledged is
stored exactly once."""

from __future__ import annotations

import itertools
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.e2e.api.conftest import NEW_CASE, ROUTE, SESSION

RETRYABLE = {502, 503, 504}


@dataclass
class Load:
    """`clients` threads, each logging sessions on its own case through `urls` in turn."""

    urls: list[str]
    mediator: str  # tokens
    supervisor: str
    clients: int = 8
    acknowledged: dict[str, str] = field(default_factory=dict)  # key -> case id
    failures: Counter[int] = field(default_factory=Counter)  # answers retried, by status
    unexpected: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _turn: Any = field(default_factory=lambda: itertools.count())

    def _url(self) -> str:
        return self.urls[next(self._turn) % len(self.urls)]

    def _send(self, method: str, path: str, body: Any, token: str, key: str) -> httpx.Response:
        """The same request, with the same key, until it gets an answer that is not a fault."""
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
        while True:
            try:
                with httpx.Client(base_url=self._url(), timeout=10) as client:
                    answer = client.request(method, path, json=body, headers=headers)
            except httpx.TransportError:
                with self._lock:
                    self.failures[0] += 1
                time.sleep(0.05)
                continue
            if answer.status_code not in RETRYABLE:
                return answer
            with self._lock:
                self.failures[answer.status_code] += 1
            time.sleep(0.2)  # as Retry-After asks, a little sooner

    def _client(self, number: int) -> None:
        received = self._send("POST", "/api/v1/cases", NEW_CASE, self.mediator, str(uuid.uuid4()))
        if received.status_code != 201:
            self.unexpected.append(f"receive: {received.status_code} {received.text[:200]}")
            return
        case_id = received.json()["id"]
        routed = self._send(
            "POST", f"/api/v1/cases/{case_id}/route", ROUTE, self.supervisor, str(uuid.uuid4())
        )
        if routed.status_code != 200:
            self.unexpected.append(f"route: {routed.status_code} {routed.text[:200]}")
            return
        while not self._stop.is_set():
            key = f"c{number}-{uuid.uuid4()}"
            body = {**SESSION, "notes": key}
            answer = self._send(
                "POST", f"/api/v1/cases/{case_id}/sessions", body, self.mediator, key
            )
            if answer.status_code == 200:
                with self._lock:
                    self.acknowledged[key] = case_id
            else:
                self.unexpected.append(f"session: {answer.status_code} {answer.text[:200]}")
                return

    def start(self) -> Load:
        for number in range(self.clients):
            thread = threading.Thread(target=self._client, args=(number,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def count(self) -> int:
        with self._lock:
            return len(self.acknowledged)

    def stop(self) -> None:
        """Let each client finish (acknowledge) the write in hand, then stop."""
        self._stop.set()
        for thread in self._threads:
            thread.join(120)
        assert not any(thread.is_alive() for thread in self._threads), "a client never finished"
        assert self.unexpected == [], self.unexpected

    def check_stored_once(self, url: str) -> int:
        """Every acknowledged session is in its case's history exactly once, and nothing else
        is (every write was retried until acknowledged). Returns how many were checked."""
        cases = sorted(set(self.acknowledged.values()))
        stored: Counter[str] = Counter()
        with httpx.Client(base_url=url, timeout=30) as client:
            for case_id in cases:
                history = client.get(
                    f"/api/v1/cases/{case_id}/history",
                    headers={"Authorization": f"Bearer {self.supervisor}"},
                )
                assert history.status_code == 200, history.text
                stored.update(
                    event["data"]["notes"]
                    for event in history.json()["events"]
                    if event["type"] == "Mediated"
                )
        twice = {key: n for key, n in stored.items() if n > 1}
        lost = set(self.acknowledged) - set(stored)
        assert lost == set(), f"{len(lost)} acknowledged sessions lost"
        assert twice == {}, f"stored more than once: {twice}"
        assert set(stored) == set(self.acknowledged)
        return len(stored)
