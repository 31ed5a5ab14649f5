"""The reads a client needs to show codes and people in words: `/me`, `/categories`, `/names`,
`/workload` (each mediator's open cases, from the board), and the board's `open` and `sort`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from domain.values import SUBCATEGORIES, Category
from tests.e2e.api.conftest import ROUTE, Api, receive, resolved, routed


@pytest.fixture
def views_api(api: Api) -> Api:
    api.app.state.views.start(workers=True)
    return api


def test_me_says_who_the_token_is(api: Api) -> None:
    answer = api.get("/api/v1/me", "zhang")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "login": "zhang",
        "name": answer.json()["name"],
        "role": "mediator",
        "mediator": "m1",
        "mediator_name": "张调解",
        "organisation": "room-1",
        "organisation_name": "东湖街道通解室",
    }
    boss = api.get("/api/v1/me", "boss").json()
    assert (boss["role"], boss["mediator"], boss["organisation"]) == ("supervisor", None, None)
    assert api.client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("login", ["zhang", "boss", "audit", "admin"])
def test_categories_list_every_subcategory_with_both_labels(api: Api, login: str) -> None:
    answer = api.get("/api/v1/categories", login)
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    assert [item["code"] for item in items] == [c.value for c in Category]
    for item in items:
        codes = {sub["code"] for sub in item["subcategories"]}
        assert codes == SUBCATEGORIES[Category(item["code"])]
        for label in [item, *item["subcategories"]]:
            assert label["zh"]
            assert label["en"]
            assert label["zh"] != label["en"]
    family = next(item for item in items if item["code"] == "family")
    assert family["zh"] == "家事"
    assert {"code": "neighbour", "zh": "邻里纠纷", "en": "neighbours"} in family["subcategories"]


def test_names_give_display_names_and_leave_unknown_codes_out(api: Api) -> None:
    answer = api.client.get(
        "/api/v1/names",
        params={
            "login": ["zhang", "boss", "nobody"],
            "mediator": ["m1", "m9"],
            "organisation": ["room-1"],
        },
        headers=api.auth("zhang"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body["users"]) == {"zhang", "boss"}
    assert body["mediators"] == {"m1": "张调解"}
    assert body["organisations"] == {"room-1": "东湖街道通解室"}
    assert api.get("/api/v1/names", "admin").status_code == 403


def test_workload_counts_each_mediators_open_and_overdue_cases_from_the_board(
    views_api: Api,
) -> None:
    api = views_api

    def loads(position: int = 0) -> dict[str, dict[str, Any]]:
        # The board caught up with `position` first (the workload reads the same view).
        caught_up = api.get("/api/v1/cases", "boss", min_position=position, limit=1)
        assert caught_up.status_code == 200, caught_up.text
        answer = api.get("/api/v1/workload", "boss")
        assert answer.status_code == 200, answer.text
        assert int(answer.headers["X-Position"]) >= position
        return {item["code"]: item for item in answer.json()["items"]}

    before = loads()
    assert set(before) == {"m1", "m2"}
    assert before["m1"]["name"] == "张调解"
    routed(api)
    resolved(api)  # routed to m1, then resolved: not open
    overdue_id = receive(api, received_at="2026-01-02T09:00:00+08:00")
    answer = api.post(
        f"/api/v1/cases/{overdue_id}/route",
        "boss",
        {**ROUTE, "mediator": "m1", "routed_at": "2026-01-03T09:00:00+08:00"},
    )
    assert answer.status_code == 200, answer.text
    after = loads(int(answer.headers["X-Position"]))
    assert after["m1"]["open_cases"] == before["m1"]["open_cases"] + 2
    assert after["m1"]["overdue"] == before["m1"]["overdue"] + 1
    assert after["m2"] == before["m2"]
    assert api.get("/api/v1/workload", "zhang").status_code == 403
    assert api.get("/api/v1/workload", "audit").status_code == 200


def test_the_board_sorts_and_filters_open_cases(views_api: Api) -> None:
    api = views_api
    first = routed(api)
    answer = api.post(f"/api/v1/cases/{receive(api)}/route", "boss", ROUTE)
    position = int(answer.headers["X-Position"])

    def rows(**params: Any) -> list[dict[str, Any]]:
        got = api.get("/api/v1/cases", "zhang", min_position=position, limit=500, **params)
        assert got.status_code == 200, got.text
        items: list[dict[str, Any]] = got.json()["items"]
        return items

    due = rows(open="true", sort="due_at")
    assert due
    assert all(row["status"] != "resolved" for row in due)
    times = [datetime.fromisoformat(row["due_at"]) for row in due if row["due_at"]]
    assert times == sorted(times)
    assert [row["due_at"] for row in due][len(times) :] == [None] * (len(due) - len(times))
    assert first in {row["id"] for row in due}
    assert all(row["status"] == "resolved" for row in rows(open="false"))
    oldest = rows(sort="received_at")
    assert [r["received_at"] for r in oldest] == sorted(r["received_at"] for r in oldest)
    wrong = api.get("/api/v1/cases", "zhang", sort="due")
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "sort"
    page = api.get("/api/v1/cases", "zhang", sort="due_at", limit=1).json()
    other = api.get("/api/v1/cases", "zhang", sort="-days_open", cursor=page["next_cursor"])
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "cursor"
