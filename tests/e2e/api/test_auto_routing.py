"""Automatic routing over HTTP: the receipt's answer says routed, the history names the rule
and the system; a receipt sent again under its Idempotency-Key routes nothing more."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from domain.routing import RoutingRule, RuleMatch, RuleTarget
from domain.values import Category, OrganisationKind
from infrastructure.settings import Settings
from tests.e2e.api.conftest import NEW_CASE, Api
from tests.world import make_world

FAMILY = RoutingRule(
    "家事到街道通解室",
    RuleMatch(category=Category.FAMILY),
    RuleTarget(organisation_kind=OrganisationKind.STREET_ROOM),
)


@pytest.fixture
def auto_api(api_settings: Settings) -> Iterator[Api]:
    app = create_app(api_settings.model_copy(update={"auto_routing": True}))
    with TestClient(app, raise_server_exceptions=False) as client:
        world = make_world(app.state.tongjie)
        app.state.tongjie.routing_rules.replace(
            [FAMILY], actor=world.supervisor, expected_version=0
        )
        yield Api(client, app, world)


def history(api: Api, case_id: str) -> list[dict[str, Any]]:
    answer = api.get(f"/api/v1/cases/{case_id}/history", "boss")
    assert answer.status_code == 200, answer.text
    events: list[dict[str, Any]] = answer.json()["events"]
    return events


def test_the_receipt_answers_routed_and_the_history_names_rule_and_system(auto_api: Api) -> None:
    api = auto_api
    first = api.post("/api/v1/cases", "zhang", NEW_CASE, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "routed"
    assert first.headers["ETag"] == '"2"'
    again = api.post("/api/v1/cases", "zhang", NEW_CASE, **{"Idempotency-Key": "k-1"})
    assert again.status_code == 201
    assert again.json() == first.json()
    events = history(api, first.json()["id"])
    assert [e["type"] for e in events] == ["Received", "Routed"]
    routed = events[1]
    assert routed["actor"]["role"] == "system"
    assert routed["actor"]["login"] == "triage"
    assert routed["data"]["rule"] == "家事到街道通解室"
    assert routed["data"]["mediator"] == "m1"
    printed = api.client.get(
        f"/api/v1/cases/{first.json()['id']}/file",
        headers={**api.auth("audit"), "Accept": "text/html"},
    ).text
    assert "按规则「家事到街道通解室」" in printed


def test_twins_under_one_key_make_one_case_routed_once(auto_api: Api) -> None:
    api = auto_api

    def send(_: int) -> Any:
        return api.post("/api/v1/cases", "zhang", NEW_CASE, **{"Idempotency-Key": "twins"})

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(send, range(6)))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert [e["type"] for e in history(api, answers[0].json()["id"])] == ["Received", "Routed"]


def test_a_case_no_rule_matches_is_received_only(auto_api: Api) -> None:
    case = {**NEW_CASE, "category": "commercial", "subcategory": "debt"}
    answer = auto_api.post("/api/v1/cases", "zhang", case)
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "received"
