"""The routing suggestion over HTTP: the rule, the organisation, the mediator with the least
work, and why each other candidate was passed over (on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from domain.values import Actor, Category, Role
from tests.e2e.api.conftest import ROUTE, Api, receive

SETUP = Actor(id="setup", login="setup", role=Role.ADMIN)
FAMILY_TO_ROOM = {
    "name": "家事到街道通解室",
    "match": {"category": "family"},
    "target": {"organisation_kind": "street_room"},
}


def suggestion(api: Api, case_id: str, login: str = "boss") -> Any:
    api.app.state.views.engine.catch_up()  # the board counts every routing so far
    return api.get(f"/api/v1/cases/{case_id}/routing-suggestion", login)


def set_rules(api: Api, rules: list[dict[str, Any]]) -> None:
    version = api.get("/api/v1/routing-rules", "boss").json()["version"]
    answer = api.client.put(
        "/api/v1/routing-rules",
        json={"rules": rules},
        headers={**api.auth("boss"), "If-Match": f'"{version}"'},
    )
    assert answer.status_code == 200, answer.text


def test_the_fewest_open_cases_then_by_code_and_why_the_others_were_passed_over(
    fresh_api: Api,
) -> None:
    api = fresh_api
    reference = api.app.state.tongjie.reference
    reference.add_mediator(code="m5", name="王调解", organisation="room-1", actor=SETUP)
    reference.add_mediator(
        code="m3", name="赵调解", organisation="room-1", actor=SETUP,
        categories=[Category.COMMERCIAL],
    )  # fmt: skip
    reference.add_mediator(code="m4", name="钱调解", organisation="room-1", actor=SETUP)
    reference.deactivate_mediator("m4", actor=SETUP)
    set_rules(api, [FAMILY_TO_ROOM])

    first = receive(api)
    answer = suggestion(api, first)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["organisation"], body["mediator"], body["rule"]) == (
        "room-1",
        "m1",
        "家事到街道通解室",
    )
    assert body["reason"] is None
    by_code = {c["mediator"]: c for c in body["candidates"]}
    assert set(by_code) == {"m1", "m3", "m4", "m5"}
    assert by_code["m1"]["reason"] is None
    assert by_code["m5"]["eligible"]
    assert "by code" in by_code["m5"]["reason"]
    assert not by_code["m3"]["eligible"]
    assert "family" in by_code["m3"]["reason"]
    assert not by_code["m4"]["eligible"]
    assert "deactivated" in by_code["m4"]["reason"]
    assert api.post(f"/api/v1/cases/{first}/route", "boss", ROUTE).status_code == 200

    second = suggestion(api, receive(api)).json()
    assert second["mediator"] == "m5"
    passed = {c["mediator"]: c for c in second["candidates"]}
    assert passed["m1"]["open_cases"] == 1
    assert passed["m1"]["reason"] == "1 open case, m5 has 0"


def test_no_rule_matches_says_so(fresh_api: Api) -> None:
    api = fresh_api
    set_rules(api, [FAMILY_TO_ROOM])
    answer = suggestion(api, receive(api, category="commercial", subcategory="debt"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["organisation"] is None
    assert body["mediator"] is None
    assert body["rule"] is None
    assert body["candidates"] == []
    assert "no routing rule" in body["reason"]


def test_a_kind_no_organisation_of_the_street_has(fresh_api: Api) -> None:
    api = fresh_api
    set_rules(api, [{**FAMILY_TO_ROOM, "match": {}}])  # every case to its street's room
    body = suggestion(api, receive(api, street="西山街道")).json()  # 西山 has only a centre
    assert body["organisation"] is None
    assert body["rule"] == "家事到街道通解室"
    assert "street_room" in body["reason"]


def test_only_a_supervisor_asks_and_only_of_a_case(fresh_api: Api) -> None:
    api = fresh_api
    case_id = receive(api)
    for login in ("zhang", "audit", "admin"):
        assert suggestion(api, case_id, login).status_code == 403
    missing = suggestion(api, "00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
