"""A case from intake to follow-up over HTTP, and what each answer carries."""

from __future__ import annotations

from tests.e2e.api.conftest import AGREEMENT, NEW_CASE, ROUTE, SESSION, Api, resolved


def test_a_case_from_intake_to_follow_up(api: Api) -> None:
    created = api.post("/api/v1/cases", "zhang", NEW_CASE)
    assert created.status_code == 201, created.text
    case = created.json()
    assert case["status"] == "received"
    assert case["version"] == 1
    assert created.headers["ETag"] == '"1"'
    assert created.headers["Location"] == f"/api/v1/cases/{case['id']}"
    assert int(created.headers["X-Position"]) > 0
    assert created.headers["X-Request-ID"]
    path = f"/api/v1/cases/{case['id']}"

    steps = [
        ("boss", "route", ROUTE, "routed"),
        ("zhang", "sessions", SESSION, "in_mediation"),
        ("zhang", "risk", {"level": "yellow", "reason": "情绪激动"}, "in_mediation"),
        ("zhang", "resolution", AGREEMENT, "resolved"),
        ("zhang", "follow-ups", {"fulfilment": "fulfilled", "satisfaction": 5}, "resolved"),
        ("zhang", "judicial-confirmation", {}, "resolved"),
    ]
    position = int(created.headers["X-Position"])
    for version, (login, step, body, status) in enumerate(steps, start=2):
        answer = api.post(f"{path}/{step}", login, body)
        assert answer.status_code == 200, (step, answer.text)
        assert answer.json()["status"] == status
        assert answer.json()["version"] == version
        assert answer.headers["ETag"] == f'"{version}"'
        assert int(answer.headers["X-Position"]) > position
        position = int(answer.headers["X-Position"])

    current = api.get(path, "audit")
    assert current.status_code == 200, current.text
    state = current.json()
    assert current.headers["ETag"] == f'"{state["version"]}"'
    assert state["claim_amount"] == "1200.00"
    assert state["agreement"]["amount"] == "800.00"
    assert state["received_at"].endswith("+08:00")
    assert state["parties"][0]["name"] == "王小明"
    assert state["summary"] == NEW_CASE["summary"]
    assert state["risk_level"] == "yellow"
    assert state["judicial_applied_at"] is not None

    history = api.get(f"{path}/history", "boss").json()["events"]
    assert [e["type"] for e in history] == [
        "Received",
        "Routed",
        "Mediated",
        "RiskAssessed",
        "Resolved",
        "FollowUpRecorded",
        "JudicialConfirmationRecorded",
    ]
    assert history[0]["prev_hash"] is None
    assert all(e["hash"] for e in history)
    assert [e["prev_hash"] for e in history[1:]] == [e["hash"] for e in history[:-1]]
    assert history[1]["actor"]["login"] == "boss"
    assert history[1]["actor"]["role"] == "supervisor"
    assert history[2]["data"]["notes"] == SESSION["notes"]


def test_replay_shows_the_case_as_it_stood(api: Api) -> None:
    case_id = resolved(api)
    path = f"/api/v1/cases/{case_id}"
    at_two = api.get(f"{path}/replay", "audit", version=2)
    assert at_two.status_code == 200, at_two.text
    assert at_two.json()["status"] == "routed"
    assert at_two.json()["version"] == 2
    history = api.get(f"{path}/history", "audit").json()["events"]
    as_of = api.get(f"{path}/replay", "boss", as_of=history[2]["recorded_at"])
    assert as_of.json()["status"] == "in_mediation"
    assert api.get(f"{path}/replay", "audit").status_code == 422
    naive = api.get(f"{path}/replay", "audit", as_of="2026-01-01T00:00:00")
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["field"] == "as_of"
    assert api.get(f"{path}/replay", "zhang", version=1).status_code == 403
