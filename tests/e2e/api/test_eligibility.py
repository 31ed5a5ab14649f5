"""Who takes what, over HTTP: the categories a mediator takes and their absences, and routing
that respects them: a 422 naming the reason, or a supervisor's override, recorded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from tests.e2e.api.conftest import Api, receive


def new_mediator(api: Api, **body: Any) -> str:
    code = f"m-{uuid4().hex[:8]}"
    answer = api.post(
        "/api/v1/mediators",
        "admin",
        {"code": code, "name": "王调解", "organisation": "room-1", **body},
    )
    assert answer.status_code == 201, answer.text
    return code


def iso(at: datetime) -> str:
    return at.isoformat()


def route(api: Api, case_id: str, mediator: str, **more: Any) -> Any:
    body = {"organisation": "room-1", "mediator": mediator, **more}
    return api.post(f"/api/v1/cases/{case_id}/route", "boss", body)


def test_a_mediator_takes_every_category_by_default_or_those_given(api: Api) -> None:
    code = new_mediator(api)
    shown = api.get(f"/api/v1/mediators/{code}", "boss").json()
    assert shown["categories"] == ["family", "commercial", "property_management", "other"]
    assert shown["absences"] == []
    code = new_mediator(api, categories=["other", "family"])
    assert api.get(f"/api/v1/mediators/{code}", "audit").json()["categories"] == [
        "family",
        "other",
    ]
    listed = {m["code"]: m for m in api.get("/api/v1/mediators", "boss").json()["items"]}
    assert listed[code]["categories"] == ["family", "other"]
    assert api.get("/api/v1/mediators/nobody", "boss").status_code == 404


@pytest.mark.parametrize("login", ["boss", "admin"])
def test_supervisors_and_admins_set_categories_and_absences(api: Api, login: str) -> None:
    code = new_mediator(api)
    answer = api.client.put(
        f"/api/v1/mediators/{code}/categories",
        json={"categories": ["commercial"]},
        headers=api.auth(login),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["categories"] == ["commercial"]
    start = datetime.now(UTC) + timedelta(days=3)
    body = {"from": iso(start), "to": iso(start + timedelta(days=7)), "reason": "年假"}
    answer = api.post(f"/api/v1/mediators/{code}/absences", login, body)
    assert answer.status_code == 201, answer.text
    (absence,) = answer.json()["absences"]
    assert absence["reason"] == "年假"
    assert datetime.fromisoformat(absence["from"]) == start
    assert absence["from"].endswith("+08:00")


@pytest.mark.parametrize("login", ["zhang", "audit"])
def test_nobody_else_does(api: Api, login: str) -> None:
    code = new_mediator(api)
    answer = api.client.put(
        f"/api/v1/mediators/{code}/categories",
        json={"categories": ["commercial"]},
        headers=api.auth(login),
    )
    assert answer.status_code == 403
    now = datetime.now(UTC)
    body = {"from": iso(now), "to": iso(now + timedelta(days=1)), "reason": "年假"}
    assert api.post(f"/api/v1/mediators/{code}/absences", login, body).status_code == 403


NOW = datetime.now(UTC)
BAD_ABSENCES: list[tuple[dict[str, Any], str]] = [
    ({"from": iso(NOW), "to": iso(NOW), "reason": "年假"}, "to"),
    ({"from": iso(NOW), "to": iso(NOW - timedelta(hours=1)), "reason": "年假"}, "to"),
    ({"from": iso(NOW), "to": iso(NOW + timedelta(days=1)), "reason": "   "}, "reason"),
    ({"from": iso(NOW), "to": iso(NOW + timedelta(days=1)), "reason": ""}, "reason"),
    ({"from": "2026-05-01T00:00:00", "to": iso(NOW), "reason": "年假"}, "from"),
    ({"from": "1999-12-31T00:00:00+08:00", "to": iso(NOW), "reason": "年假"}, "from"),
    ({"from": iso(NOW), "to": iso(NOW + timedelta(days=400)), "reason": "年假"}, "to"),
    ({"from": iso(NOW), "to": "9999-12-31T23:59:59-12:00", "reason": "年假"}, "to"),
    ({"from": iso(NOW), "to": iso(NOW + timedelta(days=1)), "reason": "x", "y": 1}, "y"),
]


@pytest.mark.parametrize(("body", "field"), BAD_ABSENCES)
def test_an_absence_is_a_sane_period_with_a_reason(
    api: Api, body: dict[str, Any], field: str
) -> None:
    code = new_mediator(api)
    answer = api.post(f"/api/v1/mediators/{code}/absences", "boss", body)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert api.get(f"/api/v1/mediators/{code}", "boss").json()["absences"] == []


@pytest.mark.parametrize("categories", [[], ["family", "nonsense"], None])
def test_categories_are_known_and_at_least_one(api: Api, categories: Any) -> None:
    code = new_mediator(api)
    answer = api.client.put(
        f"/api/v1/mediators/{code}/categories",
        json={"categories": categories},
        headers=api.auth("boss"),
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"].startswith("categories")


def _refused(answer: Any, reason: str, overridable: bool) -> None:
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["type"].endswith("/mediator-ineligible")
    assert problem["reason"] == reason
    assert problem["overridable"] is overridable
    (error,) = problem["errors"]
    assert (error["field"], error["reason"]) == ("mediator", reason)


def _routed_event(api: Api, case_id: str) -> dict[str, Any]:
    history = api.get(f"/api/v1/cases/{case_id}/history", "boss").json()["events"]
    routed = [e for e in history if e["type"] == "Routed"]
    return dict(routed[-1]["data"])


def test_a_category_not_taken_is_refused_then_overridden_and_recorded(api: Api) -> None:
    code = new_mediator(api, categories=["commercial"])
    case_id = receive(api)  # a family dispute
    _refused(route(api, case_id, code), "category_not_taken", True)
    blank = route(api, case_id, code, override_reason="  ")
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"] == "override_reason"
    answer = route(api, case_id, code, override_reason="只有他会说方言")
    assert answer.status_code == 200, answer.text
    data = _routed_event(api, case_id)
    assert data["override_reason"] == "只有他会说方言"
    assert data["overridden"] == "category_not_taken"
    assert data["mediator"] == code
    printed = api.client.get(
        f"/api/v1/cases/{case_id}/file", headers={**api.auth("audit"), "Accept": "text/html"}
    ).text
    assert "越过：不承接此类纠纷" in printed
    assert "只有他会说方言" in printed
    assert "按规则" not in printed  # a supervisor's routing, not a rule's


def test_an_absent_mediator_is_refused_at_the_routing_time_only(api: Api) -> None:
    code = new_mediator(api)
    now = datetime.now(UTC)
    away = {
        "from": iso(now - timedelta(days=2)),
        "to": iso(now + timedelta(days=2)),
        "reason": "病假",
    }
    assert api.post(f"/api/v1/mediators/{code}/absences", "boss", away).status_code == 201
    case_id = receive(api, received_at=iso(now - timedelta(days=10)))
    answer = route(api, case_id, code)
    _refused(answer, "away", True)
    assert "病假" in answer.json()["detail"]
    assert "+08:00" in answer.json()["detail"]
    before = route(api, case_id, code, routed_at=iso(now - timedelta(days=3)))
    assert before.status_code == 200, before.text
    assert _routed_event(api, case_id)["override_reason"] is None
    assert _routed_event(api, case_id)["overridden"] is None


def test_deactivated_or_of_another_organisation_is_never_overridden(api: Api) -> None:
    code = new_mediator(api)
    assert api.post(f"/api/v1/mediators/{code}/deactivate", "admin").status_code == 200
    case_id = receive(api)
    _refused(route(api, case_id, code, override_reason="急"), "deactivated", False)
    other = route(api, case_id, "m2", override_reason="急")
    _refused(other, "not_in_organisation", False)
    history = api.get(f"/api/v1/cases/{case_id}/history", "boss").json()["events"]
    assert [e["type"] for e in history] == ["Received"]


def test_an_eligible_routing_records_no_override(api: Api) -> None:
    case_id = receive(api)
    assert route(api, case_id, "m1").status_code == 200
    data = _routed_event(api, case_id)
    assert (data["override_reason"], data["overridden"]) == (None, None)
