"""GET /api/v1/attention: the reasons with their labels, the order, who sees what, and the
view's position (`X-Position`, `min_position`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.api.conftest import Api, receive


@pytest.fixture
def views_api(api: Api) -> Api:
    api.app.state.views.start(workers=True)
    return api


def ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def _write(answer: Any) -> int:
    assert answer.status_code in (200, 201), answer.text
    return int(answer.headers["X-Position"])


def _district(api: Api) -> tuple[dict[str, str], int]:
    """An unrouted case of zhang's, one of m1's overdue and one of m2's at red risk."""
    unrouted = receive(api, received_at=ago(10))
    overdue = receive(api, "boss", received_at=ago(45))
    route = {"organisation": "room-1", "mediator": "m1", "routed_at": ago(40)}
    _write(api.post(f"/api/v1/cases/{overdue}/route", "boss", route))
    red = receive(api, "boss", received_at=ago(3), street="西山街道")
    other = {"organisation": "centre-2", "mediator": "m2", "routed_at": ago(2)}
    _write(api.post(f"/api/v1/cases/{red}/route", "boss", other))
    last = _write(
        api.post(f"/api/v1/cases/{red}/risk", "boss", {"level": "red", "reason": "扬言上访"})
    )
    return {"unrouted": unrouted, "overdue": overdue, "red": red}, last


def _listed(api: Api, login: str, position: int) -> dict[str, list[str]]:
    answer = api.get("/api/v1/attention", login, min_position=position)
    assert answer.status_code == 200, answer.text
    assert int(answer.headers["X-Position"]) >= position
    body = answer.json()
    assert body["total"] >= len(body["items"])
    return {item["id"]: [r["code"] for r in item["reasons"]] for item in body["items"]}


def test_a_supervisor_sees_every_case_with_its_reasons_most_urgent_first(views_api: Api) -> None:
    ids, position = _district(views_api)
    answer = views_api.get("/api/v1/attention", "boss", min_position=position)
    body = answer.json()
    listed = {item["id"]: item for item in body["items"]}
    assert [r["code"] for r in listed[ids["overdue"]]["reasons"]] == ["overdue", "no_session"]
    assert [r["code"] for r in listed[ids["red"]]["reasons"]] == ["risk_red"]
    assert [r["code"] for r in listed[ids["unrouted"]]["reasons"]] == ["unrouted"]
    assert listed[ids["red"]]["reasons"][0] == {
        "code": "risk_red",
        "zh": "红色风险",
        "en": "red risk",
    }
    order = [item["id"] for item in body["items"] if item["id"] in ids.values()]
    assert order == [ids["overdue"], ids["red"], ids["unrouted"]]
    counts = {c["code"]: c["count"] for c in body["counts"]}
    assert list(counts) == [
        "overdue",
        "risk_red",
        "due_soon",
        "risk_orange",
        "no_session",
        "unrouted",
    ]
    assert counts["overdue"] >= 1
    assert counts["unrouted"] >= 1
    assert listed[ids["overdue"]]["due_at"].endswith("+08:00")


def test_a_mediator_sees_only_their_own_cases(views_api: Api) -> None:
    ids, position = _district(views_api)
    zhang = _listed(views_api, "zhang", position)
    assert ids["overdue"] in zhang
    assert ids["unrouted"] in zhang  # received by zhang, not routed yet
    assert ids["red"] not in zhang
    li = _listed(views_api, "li", position)
    assert ids["red"] in li
    assert ids["overdue"] not in li
    assert ids["unrouted"] not in li


def test_an_auditor_reads_it_an_admin_does_not(views_api: Api) -> None:
    ids, position = _district(views_api)
    assert ids["red"] in _listed(views_api, "audit", position)
    assert views_api.get("/api/v1/attention", "admin").status_code == 403
    assert views_api.client.get("/api/v1/attention").status_code == 401


def test_limit_and_a_position_beyond_the_store(views_api: Api) -> None:
    _, position = _district(views_api)
    answer = views_api.get("/api/v1/attention", "boss", limit=1, min_position=position)
    assert len(answer.json()["items"]) == 1
    assert answer.json()["total"] >= 3
    assert views_api.get("/api/v1/attention", "boss", limit=0).status_code == 422
    beyond = views_api.get("/api/v1/attention", "boss", min_position=position + 10**9)
    assert beyond.status_code in (422, 504), beyond.text
