"""The routing rules over HTTP: who reads and replaces them, If-Match, validation that records
nothing, and the audited history of every list (on SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest

from domain.routing_rules import RoutingRules
from tests.e2e.api.conftest import Api

PATH = "/api/v1/routing-rules"
FAMILY = {
    "name": "家事到街道通解室",
    "match": {"category": "family"},
    "target": {"organisation_kind": "street_room"},
}
BIG = {
    "name": "大额到中心",
    "match": {"claim_amount_min": "100000", "street": "西山街道"},
    "target": {"organisation": "centre-2"},
}


def put(api: Api, login: str, rules: list[dict[str, Any]], version: int | None) -> Any:
    headers = {**api.auth(login)}
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return api.client.put(PATH, json={"rules": rules}, headers=headers)


def current(api: Api) -> dict[str, Any]:
    answer = api.get(PATH, "boss")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert answer.headers["ETag"] == f'"{body["version"]}"'
    return body


@pytest.mark.parametrize(
    ("login", "status"), [("boss", 200), ("audit", 200), ("admin", 200), ("zhang", 403)]
)
def test_who_reads_the_rules(api: Api, login: str, status: int) -> None:
    assert api.get(PATH, login).status_code == status


@pytest.mark.parametrize(
    ("login", "status"), [("boss", 200), ("admin", 200), ("audit", 403), ("zhang", 403)]
)
def test_who_replaces_the_rules(api: Api, login: str, status: int) -> None:
    answer = put(api, login, [FAMILY], current(api)["version"])
    assert answer.status_code == status, answer.text


def test_a_replacement_names_the_version_it_replaces(api: Api) -> None:
    before = current(api)
    missing = put(api, "boss", [FAMILY], None)
    assert missing.status_code == 428, missing.text
    assert missing.headers["content-type"] == "application/problem+json"
    moved_on = put(api, "boss", [FAMILY], before["version"] + 5)
    assert moved_on.status_code == 412, moved_on.text
    assert current(api) == before
    done = put(api, "boss", [BIG, FAMILY], before["version"])
    assert done.status_code == 200, done.text
    expected = 2 if before["version"] == 0 else before["version"] + 1  # 1: the list's opening
    assert done.headers["ETag"] == f'"{expected}"'
    body = done.json()
    assert body == current(api)
    assert [r["name"] for r in body["rules"]] == ["大额到中心", "家事到街道通解室"]
    assert body["rules"][0]["match"] == {"street": "西山街道", "claim_amount_min": "100000.00"}
    stale = put(api, "boss", [FAMILY], before["version"])
    assert stale.status_code == 412, stale.text


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ([{**FAMILY, "target": {"organisation": "nowhere"}}], "rules.0.target.organisation"),
        (
            [FAMILY, {**BIG, "target": {"organisation_kind": "enterprise"}}],
            "rules.1.target.organisation_kind",
        ),
        ([FAMILY, {**BIG, "match": {"street": "火星街道"}}], "rules.1.match.street"),
        (
            [{**FAMILY, "match": {"category": "family", "subcategory": "debt"}}],
            "rules.0.match.subcategory",
        ),
        ([{**FAMILY, "match": {"category": "space"}}], "rules.0.match.category"),
        ([FAMILY, BIG, FAMILY], "rules.2.name"),
        ([{**FAMILY, "target": {}}], "rules.0.target"),
        ([{**FAMILY, "match": {"claim_amount_min": "-1"}}], "rules.0.match.claim_amount_min"),
    ],
)
def test_an_invalid_list_is_a_422_naming_the_field_and_records_nothing(
    api: Api, rules: list[dict[str, Any]], field: str
) -> None:
    before = current(api)
    answer = put(api, "boss", rules, before["version"])
    assert answer.status_code == 422, answer.text
    assert field in [e["field"] for e in answer.json()["errors"]]
    assert current(api) == before


def test_every_list_is_kept_with_who_set_it(fresh_api: Api) -> None:
    api = fresh_api
    assert current(api) == {"version": 0, "rules": []}
    assert put(api, "boss", [FAMILY], 0).status_code == 200
    assert put(api, "admin", [BIG, FAMILY], 2).status_code == 200
    assert put(api, "boss", [], 3).status_code == 200
    tongjie = api.app.state.tongjie
    events = list(tongjie.store.repository.event_store.get(RoutingRules.ID))
    replaced = [e for e in events if isinstance(e, RoutingRules.RulesReplaced)]
    assert [(e.actor.login, [r["name"] for r in e.rules]) for e in replaced] == [
        ("boss", ["家事到街道通解室"]),
        ("admin", ["大额到中心", "家事到街道通解室"]),
        ("boss", []),
    ]
    assert current(api) == {"version": 4, "rules": []}
    for login in ("boss", "audit", "admin"):
        read = api.get(f"{PATH}/history", login)
        assert read.status_code == 200, read.text
    assert api.get(f"{PATH}/history", "zhang").status_code == 403
    kept = read.json()["items"]
    assert [(i["version"], i["actor"]["login"], len(i["rules"])) for i in kept] == [
        (2, "boss", 1),
        (3, "admin", 2),
        (4, "boss", 0),
    ]
    assert kept[1]["rules"][0] == {
        "name": "大额到中心",
        "match": {"street": "西山街道", "claim_amount_min": "100000.00"},
        "target": {"organisation": "centre-2"},
    }
    assert kept[0]["recorded_at"].endswith("+08:00")
    verified = api.get("/api/v1/audit/verify", "audit")
    assert verified.status_code == 200, verified.text
    assert verified.json()["valid"]
