"""The HTTP answers' JSON: `jsonable` (chosen once per type) writes what it wrote value by value."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import orjson
import pytest

from api.encoding import (
    actor_json,
    case_json,
    dumps,
    event_json,
    jsonable,
    money,
    sessions_fragment,
)
from application.dto import CaseDetails, EventRecord
from domain.times import in_zone
from domain.values import Actor, Fulfilment, Method, Referral
from tests.unit.case_builders import BOSS, ZHANG, resolved

SHANGHAI = ZoneInfo("Asia/Shanghai")


def value_by_value(value: Any, zone: tzinfo) -> Any:
    """`jsonable` as it was before issue 22: every value tested against every kind."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, datetime):
        return in_zone(value, zone).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Actor):
        return actor_json(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: value_by_value(getattr(value, f.name), zone) for f in dataclasses.fields(value)
        }
    if isinstance(value, Mapping):
        return {str(k): value_by_value(v, zone) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [value_by_value(v, zone) for v in value]
    return str(value)


def a_full_case() -> CaseDetails:
    case = resolved()
    for satisfaction in (2, 5):
        case.record_follow_up(fulfilment=Fulfilment.PARTIAL, satisfaction=satisfaction, actor=ZHANG)
    return CaseDetails.of(case, datetime.now(UTC))


class Plain(Enum):
    A = 1


@pytest.mark.parametrize("zone", [SHANGHAI, UTC])
def test_a_case_is_written_byte_for_byte_as_before(zone: tzinfo) -> None:
    details = a_full_case()
    fields = {f.name: getattr(details, f.name) for f in dataclasses.fields(details)}
    registration = fields.pop("registration")
    flat = {f.name: getattr(registration, f.name) for f in dataclasses.fields(registration)}
    assert dumps(case_json(details, zone)) == dumps(value_by_value({**fields, **flat}, zone))


@pytest.mark.parametrize(
    "value",
    [
        None, True, 3, 2.5, "甲", Plain.A, Method.VIDEO, Referral.LITIGATION, Decimal("12.5"),
        datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC), date(2026, 2, 28),
        UUID("12345678123456781234567812345678"), BOSS, (1, [2, {3}]), frozenset({"x"}),
        {"a": [Method.PHONE], 1: None}, timedelta(hours=1), Plain, CaseDetails,
        EventRecord(3, "Mediated", datetime(2026, 1, 2, tzinfo=UTC), ZHANG, {"n": Decimal(1)}),
    ],
)  # fmt: skip
def test_every_kind_of_value_is_written_as_before(value: Any) -> None:
    for zone in (SHANGHAI, UTC):
        assert jsonable(value, zone) == value_by_value(value, zone)
        assert jsonable(value, zone) == value_by_value(value, zone)  # chosen once, then reused


def test_an_event_record_is_written_as_before() -> None:
    record = EventRecord(2, "Routed", datetime.now(UTC), BOSS, {"organisation": "room-1"})
    assert event_json(record, SHANGHAI) == value_by_value(record, SHANGHAI)


@pytest.mark.parametrize("zone", [SHANGHAI, UTC])
def test_the_sessions_written_by_orjson_in_one_call_are_the_same_bytes(zone: tzinfo) -> None:
    details = a_full_case()
    many = tuple(
        replace(session, held_at=session.held_at + timedelta(minutes=n), duration_minutes=n or None)
        for n in range(30)
        for session in details.sessions
    )
    details = replace(details, sessions=many)
    assert isinstance(case_json(details, zone, for_orjson=True)["sessions"], orjson.Fragment)
    assert dumps(case_json(details, zone, for_orjson=True)) == dumps(case_json(details, zone))


def test_sessions_orjson_would_write_otherwise_are_written_by_jsonable() -> None:
    details = a_full_case()
    odd = replace(details.sessions[0], attendees=("甲", Decimal("1.5")))  # type: ignore[arg-type]
    details = replace(details, sessions=(odd,))
    assert sessions_fragment(details.sessions, SHANGHAI) is None
    written = orjson.loads(dumps(case_json(details, SHANGHAI, for_orjson=True)))
    assert written["sessions"][0]["attendees"] == ["甲", "1.50"]
