"""Messages in plain words: no pydantic prefixes or links, dates that do not exist said so,
roles with their article, every time in the bureau's offset (+08:00), as the answers give it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.api.conftest import NEW_CASE, ROUTE, Api, receive, routed

PYDANTIC = re.compile(r"Value error|Assertion failed|errors\.pydantic\.dev", re.I)
UTC_OFFSET = re.compile(r"(\+00:00|Z)\b")


def _detail(answer: Any) -> str:
    assert answer.headers["content-type"] == "application/problem+json", answer.text
    return str(answer.json()["detail"])


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/cases", {**NEW_CASE, "received_at": "2020-02-30T09:00:00+08:00"}, "received_at"),
        ("/api/v1/cases", {**NEW_CASE, "summary": "\u200b\u200b"}, "summary"),
        ("/api/v1/cases", {**NEW_CASE, "parties": "王小明"}, "parties"),
        ("/api/v1/cases", {**NEW_CASE, "claim_amount": "12.345"}, "claim_amount"),
    ],
)
def test_a_refused_body_says_why_in_plain_words(
    api: Api, path: str, body: dict[str, Any], field: str
) -> None:
    answer = api.post(path, "zhang", body)
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert not PYDANTIC.search(answer.text), answer.text


def test_a_null_in_a_correction_says_to_omit_the_field(api: Api) -> None:
    case_id = receive(api)
    answer = api.post(
        f"/api/v1/cases/{case_id}/corrections", "boss", {"reason": "r", "street": None}
    )
    assert answer.json()["errors"] == [
        {"field": "street", "message": "must not be null: omit the field to keep its value"}
    ]


def test_a_date_that_does_not_exist_is_named(api: Api) -> None:
    body = {**NEW_CASE, "received_at": "2020-02-30T09:00:00+08:00"}
    answer = api.post("/api/v1/cases", "zhang", body)
    assert answer.json()["errors"][0]["message"] == (
        "2020-02-30 is not a date that exists: February 2020 has 29 days"
    )
    stats = api.get("/api/v1/stats/summary", "boss", **{"from": "2021-02-29"})
    assert stats.status_code == 422
    assert "2021-02-29 is not a date that exists: February 2021 has 28 days" in _detail(stats)


@pytest.mark.parametrize(
    ("login", "said"),
    [("audit", "an auditor may not do this"), ("admin", "an admin may not do this")],
)
def test_a_role_refused_is_named_with_its_article(api: Api, login: str, said: str) -> None:
    answer = api.post("/api/v1/cases", login, NEW_CASE)
    assert answer.status_code == 403
    assert _detail(answer).startswith(said), answer.text
    assert "only a mediator or a supervisor may" in _detail(answer)


def test_times_in_a_409_and_a_422_are_in_the_bureaus_offset(api: Api) -> None:
    case_id = routed(api)
    early = {**ROUTE, "routed_at": "2020-01-01T00:00:00Z"}
    conflict = api.post(f"/api/v1/cases/{case_id}/route", "boss", early)
    assert conflict.status_code == 409
    assert re.search(r"must not be earlier than \S+\+08:00$", _detail(conflict)), conflict.text
    before = api.get(f"/api/v1/cases/{case_id}/replay", "boss", as_of="2020-01-01T00:00:00Z")
    assert before.status_code == 422
    assert "2020-01-01T08:00:00+08:00" in _detail(before)
    assert not UTC_OFFSET.search(_detail(before))


def test_a_deadline_too_far_names_the_latest_in_the_bureaus_offset(api: Api) -> None:
    case_id = receive(api)
    far = {**ROUTE, "due_at": "2099-01-01T00:00:00Z"}
    answer = api.post(f"/api/v1/cases/{case_id}/route", "boss", far)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert re.search(r"not after \S+\+08:00$", error["message"]), error
