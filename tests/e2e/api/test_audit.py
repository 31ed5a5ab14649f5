"""The audit over HTTP: who may call it, its answers, and tampering seen through the API."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from infrastructure.settings import Settings
from tests.e2e.api.conftest import AGREEMENT, Api, in_mediation, ready, receive, resolved
from tests.integration.audit.tamper import RawEvents

NOBODY = ""


def get(api: Api, path: str, login: str, **params: object) -> object:
    headers = api.auth(login) if login else {}
    return api.client.get(path, params=params, headers=headers)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/api/v1/cases/{id}/verify", {"audit", "boss"}),
        ("/api/v1/audit/digest", {"audit"}),
        ("/api/v1/audit/verify", {"audit"}),
        ("/api/v1/cases/{id}/file", {"audit", "boss", "zhang"}),
    ],
)
def test_who_may_call_the_audit(api: Api, path: str, allowed: set[str]) -> None:
    url = path.format(id=receive(api))
    for login in ("zhang", "li", "boss", "audit", "admin"):
        answer = get(api, url, login)
        assert answer.status_code == (200 if login in allowed else 403), (login, answer.text)  # type: ignore[attr-defined]
    assert get(api, url, NOBODY).status_code == 401  # type: ignore[attr-defined]


def test_a_case_verifies_and_its_head_proves_it_later(api: Api) -> None:
    case_id = resolved(api)
    answer = api.get(f"/api/v1/cases/{case_id}/verify", "audit")
    assert answer.status_code == 200
    body = answer.json()
    assert body["valid"] is True
    assert (body["events"], body["first_invalid_version"], body["reason"]) == (4, None, None)
    assert body["number"].count("-") == 1
    again = api.get(
        f"/api/v1/cases/{case_id}/verify", "audit", version=4, hash=body["head_hash"]
    ).json()
    assert again["valid"] is True
    wrong = api.get(f"/api/v1/cases/{case_id}/verify", "audit", version=4, hash="0" * 64).json()
    assert (wrong["valid"], wrong["first_invalid_version"], wrong["reason"]) == (
        False,
        4,
        "chain_broken",
    )


def test_bad_audit_queries_are_422_naming_the_field(api: Api) -> None:
    case_id = receive(api)
    cases = [
        (f"/api/v1/cases/{case_id}/verify", {"version": 1}, "hash"),
        (f"/api/v1/cases/{case_id}/verify", {"hash": "a" * 64}, "version"),
        (f"/api/v1/cases/{case_id}/verify", {"version": 1, "hash": "xyz"}, "hash"),
        (f"/api/v1/cases/{case_id}/verify", {"version": 0, "hash": "a" * 64}, "version"),
        ("/api/v1/audit/verify", {"position": 3}, "digest"),
        ("/api/v1/audit/verify", {"digest": "a" * 64}, "position"),
        ("/api/v1/audit/verify", {"position": -1, "digest": "a" * 64}, "position"),
        ("/api/v1/audit/verify", {"position": "x", "digest": "a" * 64}, "position"),
        ("/api/v1/audit/verify", {"position": 3, "digest": "A" * 64}, "digest"),
    ]
    for path, params, field in cases:
        answer = api.get(path, "audit", **params)
        assert answer.status_code == 422, (path, params, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in answer.json()["errors"]] == [field], (params, answer.json())


def test_an_unknown_case_is_404(api: Api) -> None:
    for path in ("verify", "file"):
        answer = api.get(f"/api/v1/cases/{uuid.uuid4()}/{path}", "audit")
        assert answer.status_code == 404, answer.text
        assert answer.headers["content-type"] == "application/problem+json"


def test_history_and_replay_answer_from_the_event_store(api: Api) -> None:
    case_id = resolved(api)
    events = api.get(f"/api/v1/cases/{case_id}/history", "audit").json()["events"]
    assert [e["type"] for e in events] == ["Received", "Routed", "Mediated", "Resolved"]
    assert events[0]["prev_hash"] is None
    for before, after in itertools.pairwise(events):
        assert after["prev_hash"] == before["hash"]
    for event in events:
        assert {"version", "type", "recorded_at", "actor", "data", "hash", "prev_hash"} <= set(
            event
        )
        assert set(event["actor"]) == {"id", "login", "role"}
    assert events[2]["data"]["held_at"].endswith("+08:00")  # business time, beside recorded_at
    at_routing = api.get(
        f"/api/v1/cases/{case_id}/replay", "audit", as_of=events[1]["recorded_at"]
    ).json()
    assert (at_routing["version"], at_routing["status"]) == (2, "routed")
    assert api.get(f"/api/v1/cases/{case_id}/replay", "audit", version=3).json()["status"] == (
        "in_mediation"
    )


def test_tampering_seen_through_the_api(fresh_api: Api) -> None:
    api = fresh_api
    case_id = in_mediation(api)
    answer = api.post(f"/api/v1/cases/{case_id}/resolution", "zhang", AGREEMENT)
    assert answer.status_code == 200
    saved = api.get("/api/v1/audit/digest", "audit").json()
    assert saved["position"] > 0
    assert len(saved["digest"]) == 64
    clean = api.get("/api/v1/audit/verify", "audit", **saved).json()
    assert clean["valid"] is True
    assert clean["invalid"] == []
    assert clean["events_checked"] >= 4

    raw = RawEvents(api.app.state.settings, api.app.state.tongjie)
    raw.flip_byte(uuid.UUID(case_id), 2)

    case = api.get(f"/api/v1/cases/{case_id}/verify", "audit").json()
    assert (case["valid"], case["first_invalid_version"], case["reason"]) == (
        False,
        2,
        "content_changed",
    )
    store = api.get("/api/v1/audit/verify", "audit", **saved).json()
    assert store["valid"] is False
    [invalid] = store["invalid"]
    assert (invalid["case_id"], invalid["number"], invalid["version"], invalid["reason"]) == (
        case_id,
        case["number"],
        2,
        "content_changed",
    )


def test_an_undecodable_event_is_a_problem_that_points_to_the_audit(
    fresh_api: Api, api_settings: Settings
) -> None:
    api = fresh_api
    case_id = in_mediation(api)
    RawEvents(api.app.state.settings, api.app.state.tongjie).garble(uuid.UUID(case_id), 2)

    def damaged(answer: Any) -> None:
        assert answer.status_code == 500, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        body = answer.json()
        assert body["type"].endswith("/stored-event-unreadable")
        assert (body["aggregate_id"], body["version"]) == (case_id, 2)
        assert body["verify"] == f"/api/v1/cases/{case_id}/verify"
        assert f"event 2 of {case_id}" in body["detail"]

    damaged(api.get(f"/api/v1/cases/{case_id}/history", "boss"))
    damaged(api.get(f"/api/v1/cases/{case_id}/replay", "audit", version=3))
    # Another server process, with nothing cached, reads the case from its events.
    with TestClient(create_app(api_settings), raise_server_exceptions=False) as other:
        ready(other)
        damaged(other.get(f"/api/v1/cases/{case_id}", headers=api.auth("boss")))
        # The case file reads raw rows, and shows what it can with the damage named.
        file = other.get(f"/api/v1/cases/{case_id}/file", headers=api.auth("boss"))
        assert file.status_code == 200, file.text
        assert file.json()["unreadable_versions"] == [2]
    # The audit the answer points to names the damage.
    verified = api.get(f"/api/v1/cases/{case_id}/verify", "audit").json()
    assert (verified["valid"], verified["first_invalid_version"]) == (False, 2)
