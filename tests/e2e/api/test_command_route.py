"""The lean handler of the commands on a case (api/command_route.py) answers every request byte
for byte as FastAPI's own handler does: the same requests to an app with it and to one
without it, on stores that went through the same writes, get the same status, headers and
body (the case ids and tokens aside, which each store makes its own)."""

from __future__ import annotations

import re
from collections.abc import Iterator, MutableMapping
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from tests.e2e.api.conftest import AGREEMENT, NEW_CASE, ROUTE, SESSION, our_store_settings
from tests.world import make_world

NOWHERE = "00000000-0000-4000-8000-000000000000"
JSON = "application/json"

# (login, path after /api/v1/cases/{id}, body bytes or a JSON value, extra headers)
REQUESTS: list[tuple[str | None, str, Any, dict[str, str]]] = [
    ("zhang", "/sessions", SESSION, {}),
    ("zhang", "/sessions", {**SESSION, "method": "carrier_pigeon"}, {}),
    ("zhang", "/sessions", {"method": "phone"}, {}),
    ("zhang", "/sessions", {**SESSION, "attendees": "甲"}, {}),
    ("zhang", "/sessions", {**SESSION, "extra": 1}, {}),
    ("zhang", "/sessions", {**SESSION, "held_at": "yesterday"}, {}),
    ("zhang", "/sessions", {**SESSION, "held_at": "2020-01-01T10:00:00"}, {}),
    ("zhang", "/sessions", {**SESSION, "held_at": "2099-01-01T10:00:00+08:00"}, {}),
    ("zhang", "/sessions", [SESSION], {}),
    ("zhang", "/sessions", None, {}),
    ("zhang", "/sessions", b"", {"content-type": JSON}),
    ("zhang", "/sessions", b'{"method": ', {"content-type": JSON}),
    ("zhang", "/sessions", b"\xff\xfe{}", {"content-type": JSON}),
    ("zhang", "/sessions", b'{"method": "phone"}', {"content-type": "text/plain"}),
    ("zhang", "/sessions", b'{"method": "phone"}', {}),
    ("zhang", "/sessions", SESSION, {"content-type": "application/problem+json"}),
    ("zhang", "/sessions?dry_run=1", SESSION, {}),
    ("zhang", "/sessions", SESSION, {"If-Match": "three"}),
    ("zhang", "/sessions", SESSION, {"If-Match": '"1"'}),
    ("zhang", "/sessions", SESSION, {"If-Match": '"4"'}),
    ("zhang", "/sessions", SESSION, {"Idempotency-Key": "k-1"}),
    ("zhang", "/sessions", SESSION, {"Idempotency-Key": "k-1"}),
    ("zhang", "/sessions", {**SESSION, "notes": "另"}, {"Idempotency-Key": "k-1"}),
    ("zhang", "/sessions", SESSION, {"Idempotency-Key": ""}),
    ("boss", "/sessions", SESSION, {}),
    ("li", "/sessions", SESSION, {}),
    (None, "/sessions", SESSION, {}),
    ("bogus", "/sessions", SESSION, {}),
    ("bogus", "/sessions", {"method": 1}, {}),
    ("zhang", "/risk", {"level": "high", "reason": "双方情绪激动"}, {}),
    ("zhang", "/risk", {"level": "volcanic"}, {}),
    ("boss", "/route", ROUTE, {}),
    ("boss", "/route", {"organisation": "room-9", "mediator": "m1"}, {}),
    ("zhang", "/resolution", AGREEMENT, {}),
    ("zhang", "/sessions", SESSION, {}),
    ("zhang", "/follow-ups", {"visited_at": "not a time"}, {}),
]


def _unused() -> None:  # pragma: no cover - overridden, never called
    """A dependency no route has: overriding it changes no answer, but an app with any
    dependency override keeps FastAPI's own handler for every route."""


@pytest.fixture
def two_apps(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """The lean app, and the same app answering through FastAPI's own handler."""
    apps = []
    for lean in (True, False):
        settings = our_store_settings(f"sqlite:///{tmp_path / f'lean-{lean}.db'}", monkeypatch)
        app = create_app(settings)
        if not lean:
            app.dependency_overrides[_unused] = _unused
        apps.append(app)
    with (
        TestClient(apps[0], raise_server_exceptions=False) as lean_client,
        TestClient(apps[1], raise_server_exceptions=False) as general_client,
    ):
        yield [
            (lean_client, make_world(apps[0].state.tongjie)),
            (general_client, make_world(apps[1].state.tongjie)),
        ]


def _send(client: TestClient, world: Any, case: str, request: tuple[Any, ...]) -> Any:
    login, path, body, headers = request
    sent = dict(headers)
    if login is not None:
        token = world.tokens.get(login, "tj_not_a_token")
        sent["Authorization"] = f"Bearer {token}"
    url = f"/api/v1/cases/{case}{path}"
    if isinstance(body, bytes):
        return client.post(url, content=body, headers=sent)
    if body is None:
        return client.post(url, headers=sent)
    return client.post(url, json=body, headers=sent)


_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")


def _seen(answer: Any, case: str, world: Any) -> tuple[int, list[tuple[str, str]], str]:
    """What the answer says, less what each store makes its own: ids, tokens, the times of
    the writes (a time in a problem's detail is the case's, as this store recorded it)."""
    text = _TIME.sub("{time}", answer.text.replace(case, "{case}"))
    for login, token in world.tokens.items():
        text = text.replace(token, f"{{{login}}}")
    headers = [
        (k, v.replace(case, "{case}")) for k, v in answer.headers.items() if k != "x-request-id"
    ]
    return answer.status_code, headers, text


def test_the_lean_handler_answers_as_fastapis_own(two_apps: list[Any]) -> None:
    cases = []
    for client, world in two_apps:
        auth = {"Authorization": f"Bearer {world.tokens['zhang']}"}
        answer = client.post("/api/v1/cases", json=NEW_CASE, headers=auth)
        assert answer.status_code == 201, answer.text
        cases.append(answer.json()["id"])
        boss = {"Authorization": f"Bearer {world.tokens['boss']}"}
        assert client.post(f"/api/v1/cases/{cases[-1]}/route", json=ROUTE, headers=boss).is_success
    statuses = set()
    for request in REQUESTS:
        for target in ("case", NOWHERE, "not-a-uuid"):
            seen = []
            for (client, world), case in zip(two_apps, cases, strict=True):
                path_case = case if target == "case" else target
                answer = _send(client, world, path_case, request)
                seen.append(_seen(answer, case, world))
            assert seen[0] == seen[1], (target, request)
            statuses.add(seen[0][0])
    assert statuses >= {200, 400, 401, 403, 404, 409, 412, 422}, statuses


def _gone_while_sending(client: TestClient, token: str) -> list[tuple[Any, Any]]:
    """What the app sends a client that disconnects before its body arrives."""
    sent: list[MutableMapping[str, Any]] = []
    scope = {
        "type": "http",
        "method": "POST",
        "path": f"/api/v1/cases/{NOWHERE}/sessions",
        "raw_path": b"",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"application/json"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "scheme": "http",
        "http_version": "1.1",
    }

    async def gone() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def call() -> None:
        await client.app(scope, gone, send)

    assert client.portal is not None
    client.portal.call(call)
    return [(m.get("status"), m.get("body")) for m in sent]


def test_a_client_gone_before_its_body_gets_fastapis_answer(two_apps: list[Any]) -> None:
    """A disconnect while the body is read: the 400 FastAPI's handler gives, not a 500."""
    seen = [_gone_while_sending(client, world.tokens["zhang"]) for client, world in two_apps]
    assert seen[0] == seen[1]
    assert seen[0][0][0] == 400
