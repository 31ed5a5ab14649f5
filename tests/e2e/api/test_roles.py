"""Every endpoint × every role, plus no token and a bad token: the allowed answer, 401 or 403."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.values import Role
from infrastructure.settings import Settings
from tests.e2e.api.conftest import (
    AGREEMENT,
    NEW_CASE,
    ROUTE,
    SESSION,
    Api,
    in_mediation,
    ready,
    receive,
    resolved,
    routed,
)

LOGINS = ("zhang", "li", "boss", "audit", "admin")


@dataclass
class Endpoint:
    method: str
    path: str  # "{id}" is the case, "{user}" a user made for the test, "{n}" a fresh code
    allowed: dict[str, int]
    body: dict[str, Any] | None = None
    setup: Callable[[Api], str] | None = None
    denied: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _later(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


ENDPOINTS = [
    Endpoint("POST", "/api/v1/cases", {"zhang": 201, "li": 201, "boss": 201}, NEW_CASE),
    Endpoint("POST", "/api/v1/cases/{id}/route", {"boss": 200}, ROUTE, receive),
    Endpoint("POST", "/api/v1/cases/{id}/sessions", {"zhang": 200}, SESSION, routed),
    Endpoint(
        "POST",
        "/api/v1/cases/{id}/extension",
        {"zhang": 200, "boss": 200},
        {"new_due_at": _later(40), "reason": "等待鉴定", "parties_consent": True},
        routed,
    ),
    Endpoint(
        "POST",
        "/api/v1/cases/{id}/risk",
        {"zhang": 200, "boss": 200},
        {"level": "red", "reason": "可能激化"},
        routed,
    ),
    Endpoint(
        "POST",
        "/api/v1/cases/{id}/corrections",
        {"zhang": 200, "boss": 200},
        {"reason": "摘要有误", "summary": "漏水纠纷（更正）"},
        routed,
    ),
    Endpoint(
        "POST",
        "/api/v1/cases/{id}/resolution",
        {"zhang": 200},
        AGREEMENT,
        in_mediation,
        denied={"boss": 403},  # an agreement is the assigned mediator's to record
    ),
    Endpoint(
        "POST",
        "/api/v1/cases/{id}/resolution",
        {"zhang": 200, "boss": 200},  # withdrawn before routing: the receiver or a supervisor
        {"outcome": "withdrawn", "note": "申请人撤回"},
        receive,
    ),
    Endpoint(
        "POST",
        "/api/v1/cases/{id}/follow-ups",
        {"zhang": 200},
        {"fulfilment": "partial", "satisfaction": 4},
        resolved,
    ),
    Endpoint("POST", "/api/v1/cases/{id}/judicial-confirmation", {"zhang": 200}, {}, resolved),
    Endpoint("GET", "/api/v1/cases/{id}", {"zhang": 200, "boss": 200, "audit": 200}, None, routed),
    Endpoint("GET", "/api/v1/cases/{id}", {"zhang": 200, "boss": 200, "audit": 200}, None, receive),
    Endpoint(
        "GET", "/api/v1/cases/{id}/history", {"zhang": 200, "boss": 200, "audit": 200}, None, routed
    ),
    Endpoint(
        "GET", "/api/v1/cases/{id}/replay?version=1", {"boss": 200, "audit": 200}, None, routed
    ),
    Endpoint("GET", "/api/v1/cases/{id}/reads", {"audit": 200}, None, routed),
    Endpoint("GET", "/api/v1/stats/hotspots", {"boss": 200}),
    Endpoint(
        "GET",
        "/api/v1/cases?party=13800000000",
        {"zhang": 200, "li": 200, "boss": 200, "audit": 200},
    ),
    Endpoint(
        "POST",
        "/api/v1/organisations",
        {"admin": 201},
        {
            "code": "org-{n}",
            "name": "南湖企业调解委员会",
            "kind": "enterprise",
            "street": "南湖街道",
        },
    ),
    Endpoint("GET", "/api/v1/organisations", {"admin": 200, "boss": 200, "audit": 200}),
    Endpoint(
        "POST",
        "/api/v1/mediators",
        {"admin": 201},
        {"code": "med-{n}", "name": "王调解", "organisation": "room-1"},
    ),
    Endpoint("GET", "/api/v1/mediators", {"admin": 200, "boss": 200, "audit": 200}),
    Endpoint("POST", "/api/v1/mediators/m2/deactivate", {"admin": 200}, {}),
    Endpoint("GET", "/api/v1/streets", dict.fromkeys(LOGINS, 200)),
    Endpoint("POST", "/api/v1/users", {"admin": 201}, {"login": "user-{n}", "role": "auditor"}),
    Endpoint("GET", "/api/v1/users", {"admin": 200}),
    Endpoint("POST", "/api/v1/users/{user}/token", {"admin": 200}, {}),
    Endpoint("DELETE", "/api/v1/users/{user}", {"admin": 204}),
]


def _fill(value: Any, case_id: str, user: str) -> Any:
    if isinstance(value, str):
        return (
            value.replace("{id}", case_id)
            .replace("{user}", user)
            .replace("{n}", uuid.uuid4().hex[:8])
        )
    if isinstance(value, dict):
        return {k: _fill(v, case_id, user) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, case_id, user) for v in value]
    return value


def _call(api: Api, endpoint: Endpoint, headers: dict[str, str], case_id: str) -> Any:
    user = f"temp-{uuid.uuid4().hex[:6]}"
    if "{user}" in endpoint.path:
        api.app.state.tongjie.users.add(login=user, role=Role.AUDITOR)
    path = _fill(endpoint.path, case_id, user)
    body = _fill(endpoint.body, case_id, user)
    return api.client.request(endpoint.method, path, json=body, headers=headers)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=str)
def test_each_role_gets_its_answer(api: Api, endpoint: Endpoint) -> None:
    case_id = endpoint.setup(api) if endpoint.setup else ""
    # Those turned away first, on one case: they change nothing.
    for login in LOGINS:
        if login not in endpoint.allowed:
            answer = _call(api, endpoint, api.auth(login), case_id)
            expected = endpoint.denied.get(login, 403)
            assert answer.status_code == expected, (login, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
    anonymous = _call(api, endpoint, {}, case_id)
    assert anonymous.status_code == 401, anonymous.text
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    api.app.state.limiter.reset()  # one bad guess per endpoint, not a flood
    bad = _call(api, endpoint, {"Authorization": "Bearer tj_not-a-token"}, case_id)
    assert bad.status_code == 401, bad.text
    assert bad.json()["status"] == 401
    # Each allowed role, on a case of its own in the same state.
    for login, status in endpoint.allowed.items():
        own_case = endpoint.setup(api) if endpoint.setup else ""
        answer = _call(api, endpoint, api.auth(login), own_case)
        assert answer.status_code == status, (login, answer.text)


CASE_PATHS = [e for e in ENDPOINTS if "{id}" in e.path]


@pytest.mark.parametrize("endpoint", CASE_PATHS, ids=str)
def test_no_such_case_is_404_for_every_reader_and_writer(api: Api, endpoint: Endpoint) -> None:
    for login in endpoint.allowed:
        answer = _call(api, endpoint, api.auth(login), str(uuid.uuid4()))
        assert answer.status_code == 404, (login, answer.text)
        assert answer.json()["title"] == "Not found"
    # A mediator on a case that is not there is told so, not that they may not reach it.
    if "li" not in endpoint.allowed and "zhang" in endpoint.allowed:
        answer = _call(api, endpoint, api.auth("li"), str(uuid.uuid4()))
        assert answer.status_code == 404, answer.text


def test_a_mediator_reaches_an_unrouted_case_only_if_they_received_it(api: Api) -> None:
    case_id = receive(api, login="li")
    assert api.get(f"/api/v1/cases/{case_id}", "li").status_code == 200
    assert api.get(f"/api/v1/cases/{case_id}", "zhang").status_code == 403
    api.post(f"/api/v1/cases/{case_id}/route", "boss", ROUTE)  # to m1: zhang's now, not li's
    assert api.get(f"/api/v1/cases/{case_id}", "zhang").status_code == 200
    assert api.get(f"/api/v1/cases/{case_id}", "li").status_code == 403
    assert api.get(f"/api/v1/cases/{case_id}/history", "li").status_code == 403
    risk = api.post(f"/api/v1/cases/{case_id}/risk", "li", {"level": "red", "reason": "x"})
    assert risk.status_code == 403


def test_a_revoked_or_rotated_token_stops_working_at_once(api: Api) -> None:
    login = f"temp-{uuid.uuid4().hex[:6]}"
    old = api.app.state.tongjie.users.add(login=login, role=Role.AUDITOR).token
    rotated = api.post(f"/api/v1/users/{login}/token", "admin", {})
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["token"]
    headers = {"Authorization": f"Bearer {old}"}
    assert api.client.get("/api/v1/streets", headers=headers).status_code == 401
    headers = {"Authorization": f"Bearer {new}"}
    assert api.client.get("/api/v1/streets", headers=headers).status_code == 200
    revoked = api.client.delete(f"/api/v1/users/{login}", headers=api.auth("admin"))
    assert revoked.status_code == 204
    assert api.client.get("/api/v1/streets", headers=headers).status_code == 401
    listed = api.get("/api/v1/users", "admin").json()["items"]
    assert {u["login"]: u["revoked"] for u in listed}[login] is True
    assert all("token" not in u for u in listed)


def test_a_write_in_another_process_sees_a_rotation_or_revocation_at_once(
    fresh_api: Api, api_settings: Settings
) -> None:
    """The other process remembers the caller from their earlier writes: a rotation or a
    revocation stored since must still stop the next one, whatever else is wrong with it."""
    case_id = uuid.UUID(routed(fresh_api))
    path = f"/api/v1/cases/{case_id}/sessions"
    tongjie = fresh_api.app.state.tongjie

    def bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    with TestClient(create_app(api_settings), raise_server_exceptions=False) as other:
        ready(other)  # this test is about tokens, not a start beside a writer

        def remembered(headers: dict[str, str]) -> None:
            for _ in range(2):
                answer = other.post(path, json=SESSION, headers=headers)
                assert answer.status_code == 200, answer.text

        old = fresh_api.auth("zhang")
        remembered(old)
        new = bearer(tongjie.users.rotate("zhang").token)
        assert other.post(path, json={"method": "?"}, headers=old).status_code == 401  # not 422
        remembered(new)
        newer = bearer(tongjie.users.rotate("zhang").token)
        missing = f"/api/v1/cases/{uuid.uuid4()}/sessions"
        assert other.post(missing, json=SESSION, headers=new).status_code == 401  # not 404
        remembered(newer)
        version = tongjie.reads.current(case_id).version
        tongjie.users.revoke("zhang")
        stale = {**newer, "If-Match": "x"}
        assert other.post(path, json=SESSION, headers=stale).status_code == 401  # not 422
        assert other.post(path, json=SESSION, headers=newer).status_code == 401
        assert tongjie.reads.current(case_id).version == version
