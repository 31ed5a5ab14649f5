"""Idempotency-Key: a retry gets the first answer and records nothing; another body is a 409."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient

from api.app import create_app
from domain.values import Role
from infrastructure.settings import Settings
from tests.e2e.api.conftest import NEW_CASE, SESSION, Api, routed


def _events(api: Api, case_id: str) -> int:
    return len(api.get(f"/api/v1/cases/{case_id}/history", "boss").json()["events"])


def test_a_retried_session_returns_the_first_answer_and_records_nothing(api: Api) -> None:
    case_id = routed(api)
    path = f"/api/v1/cases/{case_id}/sessions"
    key = {"Idempotency-Key": f"session-{uuid.uuid4()}"}
    first = api.post(path, "zhang", SESSION, **key)
    assert first.status_code == 200, first.text
    again = api.post(path, "zhang", SESSION, **key)
    assert again.status_code == first.status_code
    assert again.content == first.content
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["X-Position"] == first.headers["X-Position"]
    assert again.headers["content-type"] == first.headers["content-type"]
    assert _events(api, case_id) == 3
    # The same body with its keys in another order is the same body.
    reordered = dict(reversed(list(SESSION.items())))
    assert api.post(path, "zhang", reordered, **key).content == first.content
    assert _events(api, case_id) == 3


def test_a_retried_intake_returns_the_same_case(api: Api) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    first = api.post("/api/v1/cases", "zhang", NEW_CASE, **key)
    again = api.post("/api/v1/cases", "zhang", NEW_CASE, **key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Location"] == first.headers["Location"]
    # Keys are scoped to the caller: another user's same key is a new case.
    other = api.post("/api/v1/cases", "li", NEW_CASE, **key)
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]


def test_the_same_key_with_another_body_is_409(api: Api) -> None:
    case_id = routed(api)
    path = f"/api/v1/cases/{case_id}/sessions"
    key = {"Idempotency-Key": "reused"}
    assert api.post(path, "zhang", SESSION, **key).status_code == 200
    other = api.post(path, "zhang", {**SESSION, "notes": "另一次调解"}, **key)
    assert other.status_code == 409, other.text
    assert other.headers["content-type"] == "application/problem+json"
    assert _events(api, case_id) == 3
    # Scoped to the path: the same key on another case is its own.
    second = routed(api)
    assert api.post(f"/api/v1/cases/{second}/sessions", "zhang", SESSION, **key).status_code == 200


def test_a_rejected_command_records_no_key(api: Api) -> None:
    case_id = routed(api)
    path = f"/api/v1/cases/{case_id}/resolution"
    key = {"Idempotency-Key": "too-early"}
    early = api.post(path, "zhang", {"outcome": "no_agreement", "referral": "litigation"}, **key)
    assert early.status_code == 409  # no session yet
    api.post(f"/api/v1/cases/{case_id}/sessions", "zhang", SESSION)
    later = api.post(path, "zhang", {"outcome": "no_agreement", "referral": "litigation"}, **key)
    assert later.status_code == 200, later.text


def test_a_user_is_never_replayed_with_their_token(api: Api) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    body = {"login": f"new-{uuid.uuid4().hex[:6]}", "role": "auditor", "name": "新审计"}
    first = api.post("/api/v1/users", "admin", body, **key)
    assert first.status_code == 201, first.text
    assert first.json()["token"]
    again = api.post("/api/v1/users", "admin", body, **key)
    assert again.status_code == 409, again.text
    assert "tj_" not in again.text
    assert first.json()["token"] not in again.text
    listed = [u["login"] for u in api.get("/api/v1/users", "admin").json()["items"]]
    assert listed.count(body["login"]) == 1


def test_reference_data_is_replayed(api: Api) -> None:
    key = {"Idempotency-Key": str(uuid.uuid4())}
    code = f"org-{uuid.uuid4().hex[:6]}"
    body = {"code": code, "name": "北湖调解委员会", "kind": "professional", "street": "北湖街道"}
    first = api.post("/api/v1/organisations", "admin", body, **key)
    assert first.status_code == 201, first.text
    again = api.post("/api/v1/organisations", "admin", body, **key)
    assert (again.status_code, again.content) == (201, first.content)
    without_key = api.post("/api/v1/organisations", "admin", body)
    assert without_key.status_code == 409


def test_a_retry_after_a_restart_gets_the_first_answer(api_settings: Settings) -> None:
    """The answer is in the store, not in the process: a new server finds it."""
    key = {"Idempotency-Key": "across-restarts"}
    with TestClient(create_app(api_settings)) as client:
        tongjie = client.app.state.tongjie  # type: ignore[attr-defined]
        from tests.world import make_world

        world = make_world(tongjie)
        auth = {"Authorization": f"Bearer {world.tokens['zhang']}"}
        first = client.post("/api/v1/cases", json=NEW_CASE, headers={**auth, **key})
        assert first.status_code == 201
    with TestClient(create_app(api_settings)) as client:
        again = client.post("/api/v1/cases", json=NEW_CASE, headers={**auth, **key})
        assert (again.status_code, again.content) == (201, first.content)
        assert again.headers["X-Position"] == first.headers["X-Position"]
        tongjie = client.app.state.tongjie  # type: ignore[attr-defined]
        assert tongjie.store.recorder.find_idempotency(
            "zhang", "/api/v1/cases", key["Idempotency-Key"]
        )


def _head(api: Api) -> int:
    return int(api.app.state.tongjie.store.recorder.max_notification_id() or 0)


def _stored(api: Api, path: str, key: str) -> Any:
    return api.app.state.tongjie.store.recorder.find_idempotency("admin", path, key)


def test_reference_data_keys_are_stored_with_their_events(api: Api) -> None:
    """Organisations, mediators, deactivations: the key's record is written in the same
    transaction as the events (it carries their position), a retry records nothing, and the
    same key with another body is a 409."""
    code = f"org-{uuid.uuid4().hex[:6]}"
    writes = [
        (
            "/api/v1/organisations",
            {"code": code, "name": "南湖调解委员会", "kind": "professional", "street": "南湖街道"},
            {"code": code, "name": "另一个", "kind": "professional", "street": "南湖街道"},
            201,
        ),
        (
            "/api/v1/mediators",
            {"code": f"m-{code}", "name": "周调解", "organisation": code},
            {"code": f"m2-{code}", "name": "周调解", "organisation": code},
            201,
        ),
        (f"/api/v1/mediators/m-{code}/deactivate", {}, {"reason": "x"}, 200),
    ]
    for path, body, other_body, status in writes:
        key = f"ref-{uuid.uuid4()}"
        first = api.post(path, "admin", body, **{"Idempotency-Key": key})
        assert first.status_code == status, (path, first.text)
        head = _head(api)
        stored = _stored(api, path, key)
        assert stored is not None, path
        assert stored.position == head, path  # stored with the events
        assert (stored.status, stored.body) == (status, first.content)
        again = api.post(path, "admin", body, **{"Idempotency-Key": key})
        assert (again.status_code, again.content) == (status, first.content), path
        assert again.headers["content-type"] == first.headers["content-type"]
        other = api.post(path, "admin", other_body, **{"Idempotency-Key": key})
        assert other.status_code == 409, (path, other.text)
        assert other.headers["content-type"] == "application/problem+json"
        assert _head(api) == head, path  # neither the retry nor the 409 recorded anything
    mediators = {m["code"]: m for m in api.get("/api/v1/mediators", "admin").json()["items"]}
    assert mediators[f"m-{code}"]["active"] is False
    assert f"m2-{code}" not in mediators


def test_a_rotation_is_never_replayed_and_its_key_is_stored_with_it(api: Api) -> None:
    login = f"rot-{uuid.uuid4().hex[:6]}"
    api.app.state.tongjie.users.add(login=login, role=Role.AUDITOR)
    path = f"/api/v1/users/{login}/token"
    key = f"rotate-{uuid.uuid4()}"
    first = api.post(path, "admin", {}, **{"Idempotency-Key": key})
    assert first.status_code == 200, first.text
    token = first.json()["token"]
    head = _head(api)
    stored = _stored(api, path, key)
    assert stored is not None
    assert stored.position == head
    assert token.encode() not in stored.body  # the token is never stored
    assert b"tj_" not in stored.body

    again = api.post(path, "admin", {}, **{"Idempotency-Key": key})
    assert again.status_code == 409, again.text
    assert "tj_" not in again.text
    assert _head(api) == head  # no second rotation
    still = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/v1/streets", headers=still).status_code == 200


def test_a_retried_revocation_gets_the_first_answer(api: Api) -> None:
    login = f"rev-{uuid.uuid4().hex[:6]}"
    api.app.state.tongjie.users.add(login=login, role=Role.AUDITOR)
    path = f"/api/v1/users/{login}"
    key = {"Authorization": api.auth("admin")["Authorization"], "Idempotency-Key": "revoke-1"}
    first = api.client.delete(path, headers=key)
    assert first.status_code == 204, first.text
    head = _head(api)
    stored = _stored(api, path, "revoke-1")
    assert stored is not None
    assert (stored.status, stored.position) == (204, head)
    again = api.client.delete(path, headers=key)
    assert (again.status_code, again.content) == (204, b"")
    assert _head(api) == head


def test_concurrent_twins_of_a_reference_write_get_one_answer(api: Api) -> None:
    """The same key and body sent at once by eight clients: one organisation, one answer."""
    code = f"org-{uuid.uuid4().hex[:6]}"
    body = {"code": code, "name": "并发调解委员会", "kind": "professional", "street": "并发街道"}
    headers = {**api.auth("admin"), "Idempotency-Key": f"twins-{code}"}
    start = threading.Barrier(8)

    def send(_: int) -> tuple[int, bytes]:
        start.wait()
        answer = api.client.post("/api/v1/organisations", json=body, headers=headers)
        return answer.status_code, answer.content

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert {status for status, _ in answers} == {201}, answers
    assert len({content for _, content in answers}) == 1
    listed = [o["code"] for o in api.get("/api/v1/organisations", "admin").json()["items"]]
    assert listed.count(code) == 1
