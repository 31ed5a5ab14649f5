"""The views over HTTP: the board, read-your-writes, projections, metrics and the SSE stream."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.api.conftest import NEW_CASE, Api, receive, routed
from tests.e2e.api.server import serving


@pytest.fixture
def views_api(api: Api) -> Api:
    """The module's app with its view workers running (on PostgreSQL `tongjie project` would)."""
    api.app.state.views.start(workers=True)
    return api


def write(api: Api, login: str = "zhang", **changes: object) -> tuple[str, str, int]:
    answer = api.post("/api/v1/cases", login, {**NEW_CASE, **changes})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"], answer.json()["number"], int(answer.headers["X-Position"])


def test_min_position_returns_the_callers_own_write(views_api: Api) -> None:
    case_id, number, position = write(views_api, summary="读己之写 漏水")
    answer = views_api.get("/api/v1/cases", "boss", number=number, min_position=position)
    assert answer.status_code == 200, answer.text
    assert int(answer.headers["X-Position"]) >= position
    [row] = answer.json()["items"]
    assert row["id"] == case_id
    assert row["status"] == "received"
    assert row["summary"] == "读己之写 漏水"
    assert row["received_at"].endswith("+08:00")
    assert set(row) >= {
        "id",
        "number",
        "category",
        "street",
        "channel",
        "status",
        "organisation",
        "mediator",
        "received_at",
        "routed_at",
        "first_session_at",
        "resolved_at",
        "outcome",
        "due_at",
        "overdue",
        "days_open",
    }
    found = views_api.get("/api/v1/cases", "audit", q="读己之写", min_position=position)
    assert [r["id"] for r in found.json()["items"]] == [case_id]


def test_min_position_beyond_the_stores_head_is_a_422_at_once(views_api: Api) -> None:
    head = int(views_api.get("/api/v1/projections", "boss").json()["head"])
    for path in ("/api/v1/cases", "/api/v1/stats/summary", "/api/v1/stats/street"):
        answer = views_api.get(path, "boss", min_position=head + 1000)
        assert answer.status_code == 422, answer.text
        [error] = answer.json()["errors"]
        assert error["field"] == "min_position"
        assert str(head) in error["message"]


def test_a_view_that_does_not_reach_min_position_in_five_seconds_is_a_504(api: Api) -> None:
    """A position the store has but the view has not applied (its workers stopped here)."""
    api.app.state.views.stop()
    try:
        _, _, position = write(api)
        started = time.monotonic()
        answer = api.get("/api/v1/cases", "boss", min_position=position)
        assert answer.status_code == 504, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert time.monotonic() - started >= 4.5  # it waited its 5 s
    finally:
        api.app.state.views.start(workers=True)


def test_a_mediator_sees_only_their_cases(views_api: Api) -> None:
    own = receive(views_api, "zhang")
    others = receive(views_api, "li")
    routed_to_zhang = routed(views_api)  # received by zhang, routed to m1
    position = int(views_api.get("/api/v1/projections", "boss").json()["head"])
    seen = {}
    for login in ("zhang", "li", "boss"):
        answer = views_api.get("/api/v1/cases", login, min_position=position, limit=500)
        assert answer.status_code == 200, answer.text
        seen[login] = {row["id"] for row in answer.json()["items"]}
    assert {own, routed_to_zhang} <= seen["zhang"]
    assert others not in seen["zhang"]
    assert others in seen["li"]
    assert own not in seen["li"]
    assert routed_to_zhang not in seen["li"]
    assert {own, others, routed_to_zhang} <= seen["boss"]
    assert views_api.get("/api/v1/cases", "admin").status_code == 403
    assert views_api.get("/api/v1/cases", "audit").status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "open"}, "status"),
        ({"category": "criminal"}, "category"),
        ({"received_from": "2026-03-01T00:00:00"}, "received_from"),
        ({"received_to": "yesterday"}, "received_to"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"min_position": -1}, "min_position"),
        ({"overdue": "perhaps"}, "overdue"),
    ],
)
def test_bad_board_parameters_are_422_naming_the_field(
    api: Api, params: dict[str, object], field: str
) -> None:
    answer = api.get("/api/v1/cases", "boss", **params)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_pages_follow_the_cursor_newest_receipt_first(views_api: Api) -> None:
    for day in range(1, 6):
        _, _, position = write(views_api, received_at=f"2025-0{day}-10T09:00:00+08:00")
    rows, cursor = [], None
    while True:
        params = {
            "limit": 2,
            "min_position": position,
            "received_from": "2025-01-01",
            "received_to": "2025-06-01",
        }
        if cursor:
            params["cursor"] = cursor
        page = views_api.get("/api/v1/cases", "boss", **params).json()
        rows += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    received = [row["received_at"] for row in rows]
    assert received == sorted(received, reverse=True)
    assert len(received) >= 5
    assert all("2025-01-01" <= r[:10] < "2025-06-01" for r in received)


def test_projections_report_position_head_and_lag(views_api: Api) -> None:
    _, _, position = write(views_api)
    views_api.get("/api/v1/cases", "boss", min_position=position)
    for login in ("boss", "audit", "admin"):
        answer = views_api.get("/api/v1/projections", login)
        assert answer.status_code == 200
    body = answer.json()
    board = next(view for view in body["views"] if view["name"] == "board")
    assert body["head"] >= position
    assert board["position"] >= position
    assert board["lag_events"] == body["head"] - board["position"]
    assert board["lag_seconds"] >= 0
    assert int(answer.headers["X-Position"]) <= board["position"]
    assert views_api.get("/api/v1/projections", "zhang").status_code == 403
    metrics = views_api.client.get("/metrics").text
    assert 'tongjie_view_position{view="board"}' in metrics
    assert 'tongjie_view_lag_seconds{view="board"}' in metrics


def _events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    kind = ""
    for line in lines:
        if line.startswith("event:"):
            kind = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and kind:
            yield kind, line.split(":", 1)[1].strip()
            kind = ""


def test_the_stream_sends_an_update_after_a_write(views_api: Api) -> None:
    with serving(views_api.app) as base, httpx.Client(base_url=base, timeout=10) as client:
        headers = views_api.auth("boss")
        assert (
            client.get("/api/v1/events/stream", headers=views_api.auth("zhang")).status_code == 403
        )
        with client.stream("GET", "/api/v1/events/stream", headers=headers) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            events = _events(stream.iter_lines())
            kind, data = next(events)
            assert kind == "update"
            start = json.loads(data)["position"]
            answer = client.post("/api/v1/cases", json=NEW_CASE, headers=views_api.auth("zhang"))
            written = int(answer.headers["X-Position"])
            assert written > start
            deadline = time.monotonic() + 5
            for kind, data in events:
                assert kind == "update"
                if json.loads(data)["position"] >= written:
                    break
                assert time.monotonic() < deadline, "no update reached the write"
