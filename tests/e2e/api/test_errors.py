"""Invalid requests name their field (422), lifecycle breaches are 409, stale versions 412,
and nothing a client sends gets a 500."""

from __future__ import annotations

import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.api.conftest import (
    AGREEMENT,
    NEW_CASE,
    ROUTE,
    SESSION,
    Api,
    in_mediation,
    receive,
    resolved,
    routed,
)

FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()


def _party(**changes: Any) -> list[dict[str, Any]]:
    return [{**NEW_CASE["parties"][0], **changes}, NEW_CASE["parties"][1]]


INVALID_NEW_CASES = [
    ({"category": "criminal"}, "category"),
    ({"channel": "carrier_pigeon"}, "channel"),
    ({"summary": ""}, "summary"),
    ({"summary": "   "}, "summary"),
    ({"street": "不存在街道"}, "street"),
    ({"subcategory": "parking"}, "subcategory"),
    ({"parties": _party(phone="call me")}, "parties.0.phone"),
    ({"parties": _party(name="")}, "parties.0.name"),
    ({"parties": _party(role="witness")}, "parties.0.role"),
    ({"parties": [NEW_CASE["parties"][0], {**NEW_CASE["parties"][0], "name": "李四"}]}, "parties"),
    ({"claim_amount": "-5"}, "claim_amount"),
    ({"claim_amount": "12.345"}, "claim_amount"),
    ({"claim_amount": "lots"}, "claim_amount"),
    ({"received_at": "2026-01-05T10:00:00"}, "received_at"),
    ({"received_at": FUTURE}, "received_at"),
    ({"received_at": "yesterday"}, "received_at"),
    ({"unexpected": 1}, "unexpected"),
]


@pytest.mark.parametrize(("changes", "field"), INVALID_NEW_CASES, ids=lambda v: str(v)[:40])
def test_an_invalid_new_case_names_its_field_and_records_nothing(
    api: Api, changes: dict[str, Any], field: str
) -> None:
    tongjie = api.app.state.tongjie
    before = tongjie.store.recorder.max_notification_id()
    answer = api.post("/api/v1/cases", "zhang", {**NEW_CASE, **changes})
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 422
    assert problem["title"]
    assert problem["type"]
    assert field in [e["field"] for e in problem["errors"]], problem
    assert tongjie.store.recorder.max_notification_id() == before


def test_a_missing_field_is_named(api: Api) -> None:
    body = {k: v for k, v in NEW_CASE.items() if k != "channel"}
    answer = api.post("/api/v1/cases", "zhang", body)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["channel"]


INVALID_STEPS = [
    ("route", {"organisation": "nowhere", "mediator": "m1"}, "organisation"),
    ("route", {"organisation": "room-1", "mediator": "m2"}, "mediator"),
    ("route", {**ROUTE, "routed_at": FUTURE}, "routed_at"),
    ("sessions", {**SESSION, "method": "telepathy"}, "method"),
    ("sessions", {**SESSION, "duration_minutes": 0}, "duration_minutes"),
    ("sessions", {**SESSION, "notes": ""}, "notes"),
    ("sessions", {**SESSION, "held_at": "2026-03-01 09:00"}, "held_at"),
    (
        "extension",
        {"new_due_at": FUTURE, "reason": "x", "parties_consent": False},
        "parties_consent",
    ),
    ("extension", {"reason": "x", "parties_consent": True}, "new_due_at"),
    ("risk", {"level": "purple", "reason": "x"}, "level"),
    ("corrections", {"reason": "x", "street": "火星街道"}, "street"),
    ("corrections", {"reason": "x", "category": None}, "category"),
    ("resolution", {"outcome": "agreement"}, "agreement"),
    ("resolution", {"outcome": "no_agreement"}, "referral"),
    ("resolution", {**AGREEMENT, "agreement": {"form": "carved", "terms": "x"}}, "agreement.form"),
    ("resolution", {"outcome": "maybe"}, "outcome"),
]


@pytest.mark.parametrize(("step", "body", "field"), INVALID_STEPS, ids=lambda v: str(v)[:30])
def test_an_invalid_step_names_its_field(
    api: Api, step: str, body: dict[str, Any], field: str
) -> None:
    case_id = in_mediation(api) if step == "resolution" else routed(api)
    login = "boss" if step == "route" else "zhang"
    answer = api.post(f"/api/v1/cases/{case_id}/{step}", login, body)
    assert answer.status_code == 422, answer.text
    assert field in [e["field"] for e in answer.json()["errors"]], answer.json()
    assert len(api.get(f"/api/v1/cases/{case_id}/history", "boss").json()["events"]) == (
        3 if step == "resolution" else 2
    )


def test_follow_up_satisfaction_out_of_range(api: Api) -> None:
    case_id = resolved(api)
    answer = api.post(
        f"/api/v1/cases/{case_id}/follow-ups",
        "zhang",
        {"fulfilment": "fulfilled", "satisfaction": 6},
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "satisfaction"


def _lifecycle(api: Api) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(case, login, step, body) for each breach of the lifecycle."""
    received = receive(api)
    routed_case = routed(api)
    done = resolved(api)
    oral = in_mediation(api)
    api.post(
        f"/api/v1/cases/{oral}/resolution",
        "zhang",
        {"outcome": "agreement", "agreement": {"form": "oral", "terms": "口头协议"}},
    )
    no_agreement = in_mediation(api)
    api.post(
        f"/api/v1/cases/{no_agreement}/resolution",
        "zhang",
        {"outcome": "no_agreement", "referral": "litigation"},
    )
    extended = routed(api)
    later = (datetime.now(UTC) + timedelta(days=35)).isoformat()
    extension = {"new_due_at": later, "reason": "鉴定", "parties_consent": True}
    assert api.post(f"/api/v1/cases/{extended}/extension", "zhang", extension).status_code == 200
    long_ago = "2020-01-01T00:00:00+08:00"
    return [
        (received, "boss", "sessions", SESSION),  # boss may not log; see below for zhang
        (routed_case, "zhang", "resolution", AGREEMENT),  # no session yet
        (done, "zhang", "sessions", SESSION),
        (done, "boss", "route", ROUTE),
        (done, "zhang", "resolution", AGREEMENT),
        (done, "zhang", "risk", {"level": "red", "reason": "x"}),
        (done, "zhang", "corrections", {"reason": "x", "summary": "y"}),
        (received, "zhang", "follow-ups", {"fulfilment": "fulfilled", "satisfaction": 5}),
        (oral, "zhang", "judicial-confirmation", {}),
        (no_agreement, "zhang", "follow-ups", {"fulfilment": "fulfilled", "satisfaction": 5}),
        (extended, "zhang", "extension", extension),
        (routed_case, "zhang", "sessions", {**SESSION, "held_at": long_ago}),
        (done, "zhang", "judicial-confirmation", {"applied_at": long_ago}),
    ]


def test_each_lifecycle_breach_is_409_and_records_nothing(api: Api) -> None:
    for case_id, login, step, body in _lifecycle(api)[1:]:
        before = api.get(f"/api/v1/cases/{case_id}", "boss").json()["version"]
        answer = api.post(f"/api/v1/cases/{case_id}/{step}", login, body)
        assert answer.status_code == 409, (step, answer.text)
        assert answer.json()["title"] == "The case's state forbids this"
        assert api.get(f"/api/v1/cases/{case_id}", "boss").json()["version"] == before


def test_a_stale_if_match_is_412_and_a_fresh_one_writes(api: Api) -> None:
    case_id = routed(api)
    path = f"/api/v1/cases/{case_id}/sessions"
    stale = api.post(path, "zhang", SESSION, **{"If-Match": '"1"'})
    assert stale.status_code == 412, stale.text
    assert stale.json()["status"] == 412
    fresh = api.post(path, "zhang", SESSION, **{"If-Match": '"2"'})
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] == '"3"'
    etag = api.get(f"/api/v1/cases/{case_id}", "zhang").headers["ETag"]
    assert api.post(path, "zhang", SESSION, **{"If-Match": etag}).status_code == 200
    malformed = api.post(path, "zhang", SESSION, **{"If-Match": "yesterday"})
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "If-Match"


def test_a_body_that_is_not_json_is_400(api: Api) -> None:
    headers = {**api.auth("zhang"), "Content-Type": "application/json"}
    answer = api.client.post("/api/v1/cases", content=b'{"category": "family",', headers=headers)
    assert answer.status_code == 400, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 400


def test_a_body_over_64_kib_is_413(api: Api) -> None:
    body = {**NEW_CASE, "summary": "漏" * 30_000}  # 90,000 bytes of UTF-8
    answer = api.post("/api/v1/cases", "zhang", body)
    assert answer.status_code == 413, answer.text
    assert answer.json()["status"] == 413

    def chunks() -> Any:  # no Content-Length: the streamed size counts
        raw = json.dumps(body).encode()
        for start in range(0, len(raw), 8192):
            yield raw[start : start + 8192]

    headers = {**api.auth("zhang"), "Content-Type": "application/json"}
    streamed = api.client.post("/api/v1/cases", content=chunks(), headers=headers)
    assert streamed.status_code == 413, streamed.text


def test_guessing_tokens_locks_the_address_out_for_a_minute(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    for guess in range(20):
        bad = {"Authorization": f"Bearer tj_guess{guess}"}
        assert api.client.get("/api/v1/streets", headers=bad).status_code == 401
    blocked = api.client.get("/api/v1/streets", headers={"Authorization": "Bearer tj_guess20"})
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    # Twenty-one different tokens are guessing: locked out whatever the token, for the minute.
    assert api.client.get("/api/v1/streets", headers=api.auth("zhang")).status_code == 429
    monkeypatch.setattr(api.app.state.limiter, "clock", lambda: time.monotonic() + 61)
    assert api.client.get("/api/v1/streets", headers=api.auth("zhang")).status_code == 200


def test_one_token_retried_locks_out_that_token_not_the_office_behind_its_address(
    api: Api,
) -> None:
    """A client retrying a revoked token from an office's one NAT address: that token gets
    429, everyone else's good token from the same address goes on working."""
    revoked = {"Authorization": "Bearer tj_revoked_long_ago"}
    for _ in range(20):
        assert api.client.get("/api/v1/streets", headers=revoked).status_code == 401
    for _ in range(5):
        blocked = api.client.get("/api/v1/streets", headers=revoked)
        assert blocked.status_code == 429, blocked.text
        assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    for login in ("zhang", "boss", "admin"):
        assert api.client.get("/api/v1/streets", headers=api.auth(login)).status_code == 200
    case_id = receive(api)  # a write from the same address, too
    assert api.get(f"/api/v1/cases/{case_id}", "zhang").status_code == 200
    # Another wrong token is one failure of its own, not locked by the first one's.
    mistyped = {"Authorization": "Bearer tj_mistyped"}
    assert api.client.get("/api/v1/streets", headers=mistyped).status_code == 401


def test_chinese_text_round_trips_unchanged(api: Api) -> None:
    summary = "物业费争议：业主称电梯长期停运，拒交２０２５年度物业费；𠀀𪚥 «引号» 😀"
    parties = [
        {"role": "applicant", "name": "欧阳娜娜", "phone": "+86 138-0000-0000"},
        {"role": "respondent", "name": "东湖花园物业服务有限公司"},
    ]
    case_id = receive(
        api,
        category="property_management",
        subcategory="fees",
        summary=summary,
        parties=parties,
    )
    state = api.get(f"/api/v1/cases/{case_id}", "zhang").json()
    assert state["summary"] == summary
    assert [p["name"] for p in state["parties"]] == ["欧阳娜娜", "东湖花园物业服务有限公司"]
    assert state["street"] == "东湖街道"
    history = api.get(f"/api/v1/cases/{case_id}/history", "zhang").json()["events"]
    assert history[0]["data"]["registration"]["summary"] == summary


def test_unknown_paths_and_methods_are_problems_too(api: Api) -> None:
    missing = api.get(f"/api/v1/nothing/{uuid.uuid4()}", "boss")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert api.get("/api/v1/cases/not-a-uuid", "boss").status_code == 422
    assert api.client.put("/api/v1/streets", headers=api.auth("boss")).status_code == 405
