"""Every time a command or a query takes is bounded at the door (docs/api.md, docs/domain.md).

A business time lies from 2000-01-01T00:00:00 in the bureau's time zone (Asia/Shanghai here)
to now (5 minutes of clock skew allowed), a deadline at most 365 days after its routing, and
every offset between -12:00 and +14:00. Beyond: a 422 naming the field, and nothing recorded.
Within: stored, and readable everywhere (history, case file, replay, board, statistics).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from api.cli.main import app as cli
from tests.depth import examples
from tests.e2e.api.conftest import AGREEMENT, NEW_CASE, ROUTE, SESSION, Api, receive

SHANGHAI = ZoneInfo("Asia/Shanghai")
FLOOR = datetime(2000, 1, 1, tzinfo=SHANGHAI)  # written out here, not read from the code
SKEW = timedelta(minutes=5)
YEAR = timedelta(days=365)
ROUTED = datetime(2024, 1, 1, tzinfo=SHANGHAI)  # the routing the deadlines are measured from
MONTH = timedelta(days=30)
DUE = ROUTED + MONTH  # the latest deadline a routing sets; an extension starts from it
REAL_OFFSETS = (timedelta(hours=-12), timedelta(hours=14))


@pytest.fixture
def views_api(api: Api) -> Api:
    """The module's app with its view workers running (on PostgreSQL `tongjie project` would)."""
    api.app.state.views.start(workers=True)
    return api


def at(moment: datetime) -> str:
    return moment.isoformat()


def ok(answer: Any) -> Any:
    assert answer.status_code in (200, 201), answer.text
    return answer


# -- a case in the state each command needs, every earlier step at the floor --------------------


def received(api: Api) -> str:
    return receive(api, received_at=at(FLOOR))


def routed(api: Api) -> str:
    case_id = received(api)
    ok(api.post(f"/api/v1/cases/{case_id}/route", "boss", {**ROUTE, "routed_at": at(FLOOR)}))
    return case_id


def routed_with_deadline(api: Api) -> str:
    case_id = received(api)
    body = {**ROUTE, "routed_at": at(ROUTED), "due_at": at(DUE)}
    ok(api.post(f"/api/v1/cases/{case_id}/route", "boss", body))
    return case_id


def in_mediation(api: Api) -> str:
    case_id = routed(api)
    ok(api.post(f"/api/v1/cases/{case_id}/sessions", "zhang", {**SESSION, "held_at": at(FLOOR)}))
    return case_id


def resolved(api: Api) -> str:
    case_id = in_mediation(api)
    body = {**AGREEMENT, "resolved_at": at(FLOOR)}
    ok(api.post(f"/api/v1/cases/{case_id}/resolution", "zhang", body))
    return case_id


def applied(api: Api) -> str:
    case_id = resolved(api)
    body = {"applied_at": at(FLOOR)}
    ok(api.post(f"/api/v1/cases/{case_id}/judicial-confirmation", "zhang", body))
    return case_id


@dataclass(frozen=True)
class Field:
    """A time a command takes: the case it needs, the request, and the order its history asks
    (the status for a time within the bounds: 200, 409 too early for the history, 422 a
    deadline beyond a year after its routing)."""

    name: str
    setup: Callable[[Api], str | None]
    path: str  # "" for the intake
    login: str
    body: dict[str, Any]
    deadline: bool = False
    order: Callable[[datetime], int] = lambda value: 200


def _due_at(value: datetime) -> int:
    """Not before the routing (409); at most 30 days after it (422)."""
    if value < ROUTED:
        return 409
    return 422 if value > ROUTED + MONTH else 200


def _new_due_at(value: datetime) -> int:
    """Not before the deadline; at most 30 days past it (409), never a year past the routing
    (422, whatever else)."""
    if value < DUE:
        return 409
    if value > ROUTED + YEAR:
        return 422
    return 409 if value > DUE + MONTH else 200


def _applied_at(value: datetime) -> int:
    return 200 if value <= FLOOR + timedelta(days=30) else 409


EXTENSION = {"reason": "等待鉴定", "parties_consent": True}
FIELDS = {
    field.name: field
    for field in [
        Field("received_at", lambda api: None, "", "zhang", NEW_CASE),
        Field("routed_at", received, "route", "boss", ROUTE),
        Field(
            "due_at",
            received,
            "route",
            "boss",
            {**ROUTE, "routed_at": at(ROUTED)},
            deadline=True,
            order=_due_at,
        ),
        Field("held_at", routed, "sessions", "zhang", SESSION),
        Field(
            "new_due_at",
            routed_with_deadline,
            "extension",
            "zhang",
            {**EXTENSION, "extended_at": at(ROUTED)},
            deadline=True,
            order=_new_due_at,
        ),
        Field(
            "extended_at",
            routed,
            "extension",
            "boss",
            {**EXTENSION, "new_due_at": at(FLOOR + timedelta(days=31))},
        ),
        Field("assessed_at", received, "risk", "boss", {"level": "yellow", "reason": "情绪激动"}),
        Field(
            "corrected_at", received, "corrections", "boss", {"reason": "笔误", "summary": "更正"}
        ),
        Field("resolved_at", in_mediation, "resolution", "zhang", AGREEMENT),
        Field(
            "visited_at",
            resolved,
            "follow-ups",
            "zhang",
            {"fulfilment": "fulfilled", "satisfaction": 5},
        ),
        Field("applied_at", resolved, "judicial-confirmation", "zhang", {}, order=_applied_at),
        Field("ruled_at", applied, "judicial-confirmation", "zhang", {"ruling": "confirmed"}),
    ]
}


def expected(field: Field, value: datetime, now: datetime) -> int:
    """The rule, as docs/api.md states it."""
    offset = value.utcoffset()
    assert offset is not None
    if not REAL_OFFSETS[0] <= offset <= REAL_OFFSETS[1] or value < FLOOR:
        return 422
    if value > now + SKEW + (YEAR if field.deadline else timedelta(0)):
        return 422
    return field.order(value)


def head(api: Api) -> int:
    return int(api.app.state.tongjie.store.recorder.max_notification_id() or 0)


def prepare(api: Api, field: Field) -> tuple[str | None, str]:
    """The case the field's command needs (None for an intake), and the path to post to."""
    case_id = field.setup(api)
    return case_id, "/api/v1/cases" + (f"/{case_id}/{field.path}" if case_id else "")


def check(api: Api, field: Field, text: str, now: datetime) -> int:
    """Send `text` as the field; then what the rule says: stored and readable everywhere, or
    refused (a 422 names the field) with nothing recorded. Returns the status."""
    value = datetime.fromisoformat(text)
    status = expected(field, value, now)
    case_id, path = prepare(api, field)
    before = head(api)
    answer = api.post(path, field.login, {**field.body, field.name: text})
    if status != 200:
        assert answer.status_code == status, (field.name, text, answer.text)
        assert head(api) == before, "a refused command recorded something"
        if status == 422:
            assert answer.headers["content-type"] == "application/problem+json"
            assert field.name in [e["field"] for e in answer.json()["errors"]], answer.text
        return status
    assert answer.status_code in (200, 201), (field.name, text, answer.text)
    readable_everywhere(api, case_id or answer.json()["id"], field.name, value, answer)
    return status


def readable_everywhere(api: Api, case_id: str, name: str, value: datetime, answer: Any) -> None:
    position = answer.headers["X-Position"]
    events = ok(api.get(f"/api/v1/cases/{case_id}/history", "boss")).json()["events"]
    stored = datetime.fromisoformat(events[-1]["data"][name])
    assert stored == value
    assert stored.utcoffset() == timedelta(hours=8)  # answered in the bureau's offset
    ok(api.get(f"/api/v1/cases/{case_id}", "boss"))
    ok(api.get(f"/api/v1/cases/{case_id}/file", "boss"))
    ok(api.get(f"/api/v1/cases/{case_id}/replay", "audit", version=len(events)))
    number = ok(api.get(f"/api/v1/cases/{case_id}", "boss")).json()["number"]
    board = ok(api.get("/api/v1/cases", "boss", number=number, min_position=position)).json()
    assert [row["id"] for row in board["items"]] == [case_id]
    ok(api.get("/api/v1/stats/summary", "boss", min_position=position, **{"from": "2000-01-01"}))


def with_offset(local: datetime, minutes: int) -> datetime:
    return local.replace(tzinfo=timezone(timedelta(minutes=minutes)))


# -- at each bound and beyond, for every time of every command ------------------------------------


def bounds_of(field: Field, now: datetime) -> list[str]:
    """Texts at the field's bounds and beyond them."""
    latest = (ROUTED + YEAR) if field.deadline else now
    first = DUE if field.name == "new_due_at" else ROUTED if field.name == "due_at" else FLOOR
    return [
        at(first),
        at(first.astimezone(timezone(timedelta(hours=14)))),  # the same moment at +14:00
        at(FLOOR - timedelta(microseconds=1)),
        "1999-12-31T16:00:00-00:00",  # the floor, in UTC
        "1999-12-31T15:59:59+00:00",
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "9999-12-31T23:59:59+14:00",
        at(latest.astimezone(timezone(timedelta(hours=-12)))),
        at(latest + (timedelta(seconds=1) if field.deadline else SKEW * 2)),
        at(ROUTED + MONTH),  # the latest deadline a routing at ROUTED sets
        at(ROUTED + MONTH + timedelta(microseconds=1)),
        at(DUE + MONTH),  # the latest an extension reaches
        at(DUE + MONTH + timedelta(microseconds=1)),
        "2024-06-01T10:00:00+14:30",  # an offset no time zone has
        "2024-06-01T10:00:00-12:01",
    ]


@pytest.mark.parametrize("name", list(FIELDS))
def test_every_time_of_every_command_at_its_bounds_and_beyond(views_api: Api, name: str) -> None:
    field = FIELDS[name]
    now = datetime.now(UTC)
    statuses = [check(views_api, field, text, now) for text in bounds_of(field, now)]
    assert statuses.count(200) >= 2, statuses
    assert statuses.count(422) >= 8, statuses


# -- anywhere, in any offset: hypothesis --------------------------------------------------------

NOW = datetime.now(UTC)
WALL = st.one_of(
    st.datetimes(datetime(1999, 12, 29), datetime(2000, 1, 3)),  # the floor in any offset
    st.datetimes(
        (NOW - timedelta(days=2)).replace(tzinfo=None),
        (NOW + timedelta(days=2)).replace(tzinfo=None),
    ),
    st.datetimes(datetime(2023, 12, 30), datetime(2024, 3, 3)),  # deadlines after ROUTED
    st.datetimes(datetime(2024, 12, 28), datetime(2025, 1, 3)),  # a year after ROUTED
    st.datetimes(datetime(2000, 1, 29), datetime(2000, 2, 3)),  # 30 days after the floor
    st.sampled_from([datetime(1, 1, 1), datetime(9999, 12, 31, 23, 59, 59, 999999)]),
    st.datetimes(datetime(1, 1, 1), datetime(9999, 12, 31)),
)
OFFSET_MINUTES = st.one_of(
    st.sampled_from([480, 0, -720, 840, -300, 330, 841, -721]),
    st.integers(-(23 * 60 + 59), 23 * 60 + 59),
)


@settings(
    max_examples=examples(30),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=st.sampled_from(list(FIELDS)), wall=WALL, minutes=OFFSET_MINUTES)
def test_any_time_in_any_offset_is_stored_and_readable_or_refused_naming_the_field(
    views_api: Api, name: str, wall: datetime, minutes: int
) -> None:
    field = FIELDS[name]
    value = with_offset(wall, minutes)
    now = datetime.now(UTC)
    ceiling = now + SKEW + (YEAR if field.deadline else timedelta(0))
    assume(abs(value - ceiling) > timedelta(seconds=30))  # not a race with the clock
    event(f"status {check(views_api, field, value.isoformat(), now)}")


# -- the queries' times ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/stats/summary", {"from": "1999-12-31"}, "from"),
        ("/api/v1/stats/month", {"from": "2000-01-01", "to": "1999-12-31T23:59:59+08:00"}, "to"),
        ("/api/v1/cases", {"received_from": "1999-12-31T15:59:59Z"}, "received_from"),
        ("/api/v1/cases", {"received_to": "0001-01-01T00:00:00+14:00"}, "received_to"),
        ("/api/v1/cases", {"received_from": "2024-01-01T00:00:00+15:00"}, "received_from"),
        ("/api/v1/stats/summary", {"to": "9999-12-31T23:59:59-12:00"}, "to"),
    ],
)
def test_the_queries_take_the_same_floor(
    api: Api, path: str, params: dict[str, str], field: str
) -> None:
    answer = api.get(path, "boss", **params)
    assert answer.status_code == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == [field]


def test_the_floor_itself_is_a_period_the_statistics_and_the_board_answer(api: Api) -> None:
    answer = api.get("/api/v1/stats/summary", "boss", **{"from": "2000-01-01", "to": "2000-02-01"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["X-Period-From"] == "2000-01-01T00:00:00+08:00"
    board = api.get("/api/v1/cases", "boss", received_from="1999-12-31T16:00:00Z")
    assert board.status_code == 200, board.text


def test_a_replay_as_of_a_moment_before_the_floor_is_a_422(api: Api) -> None:
    case_id = received(api)
    for moment in ("1999-12-31T23:59:59+08:00", "0001-01-01T00:00:00+14:00"):
        answer = api.get(f"/api/v1/cases/{case_id}/replay", "audit", as_of=moment)
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "as_of"


def test_the_openapi_states_the_bounds(api: Api) -> None:
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]
    received_at = schemas["CaseReceivedRequest"]["properties"]["received_at"]["description"]
    assert "2000-01-01" in received_at
    assert "future" in received_at
    due = schemas["RouteRequest"]["properties"]["due_at"]["description"]
    assert "365 days after the routing" in due


def test_the_command_line_takes_the_same_floor(api_settings: Any) -> None:
    env = {"TONGJIE_DATABASE_URL": api_settings.database_url}
    runner = CliRunner()
    stats = runner.invoke(cli, ["stats", "--from", "1999-12-31"], env=env)
    assert stats.exit_code == 2, stats.output
    assert "--from: must not be before 2000-01-01T00:00:00+08:00" in stats.output
    demo = runner.invoke(cli, ["demo", "--year", "1999"], env=env)
    assert demo.exit_code == 2, demo.output
    as_of = runner.invoke(cli, ["demo", "--as-of", "1999-12-31"], env=env)
    assert as_of.exit_code == 2, as_of.output
    assert "--as-of: must not be before 2000-01-01" in as_of.output
