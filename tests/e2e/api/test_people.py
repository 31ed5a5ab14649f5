"""People over HTTP: party search, repeat parties, and the access log of reads, with reach rules."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.e2e.api.conftest import NEW_CASE, ROUTE, Api

OTHER_ROOM = {"organisation": "centre-2", "mediator": "m2"}


@pytest.fixture
def views_api(api: Api) -> Api:
    api.app.state.views.start(workers=True)
    return api


def _phone() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))


def _id_number() -> str:
    return "".join(random.choice("0123456789") for _ in range(17)) + "X"


def _case(api: Api, login: str, parties: list[dict[str, Any]], **changes: Any) -> tuple[str, int]:
    body = {**NEW_CASE, "parties": parties, **changes}
    answer = api.post("/api/v1/cases", login, body)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"], int(answer.headers["X-Position"])


def _found(api: Api, login: str, position: int, **params: Any) -> list[str]:
    answer = api.get("/api/v1/cases", login, min_position=position, **params)
    assert answer.status_code == 200, answer.text
    return [row["id"] for row in answer.json()["items"]]


def test_party_search_normalises_and_keeps_to_the_readers_cases(views_api: Api) -> None:
    phone, id_number, name = _phone(), _id_number(), f"欧阳{random.randint(1000, 9999)}"
    parties = [
        {"role": "applicant", "name": name, "phone": phone, "id_number": id_number},
        {"role": "respondent", "name": "某物业公司"},
    ]
    case_id, position = _case(views_api, "zhang", parties)
    wide = "".join(chr(ord(d) + 0xFEE0) for d in phone)  # full-width digits
    for value in (
        phone,
        f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}",
        f"0086-{phone}",
        wide,
        id_number.lower(),
        f" {name[:1]} {name[1:]} ",
    ):
        assert _found(views_api, "boss", position, party=value) == [case_id], value
    assert _found(views_api, "zhang", position, party=phone) == [case_id]  # received it
    assert _found(views_api, "li", position, party=phone) == []  # another mediator's
    assert _found(views_api, "boss", position, party=phone[:-1]) == []  # exact, not a prefix
    assert _found(views_api, "boss", position, party=name[:1]) == []


def test_a_party_search_is_logged_as_a_read_of_each_case_found(views_api: Api) -> None:
    phone = _phone()
    case_id, position = _case(
        views_api,
        "zhang",
        [{"role": "applicant", "name": "甲", "phone": phone}, {"role": "respondent", "name": "乙"}],
    )
    assert _found(views_api, "boss", position, party=phone) == [case_id]
    reads = views_api.get(f"/api/v1/cases/{case_id}/reads", "audit").json()["reads"]
    assert [(r["login"], r["role"], r["path"]) for r in reads] == [
        ("boss", "supervisor", "GET /api/v1/cases?party=")
    ]
    assert phone not in str(reads)


def test_repeat_parties_flag_both_cases_and_follow_corrections(views_api: Api) -> None:
    phone = _phone()
    first, _ = _case(
        views_api,
        "zhang",
        [
            {"role": "applicant", "name": "张三", "phone": phone},
            {"role": "respondent", "name": "乙"},
        ],
        received_at="2025-03-01T09:00:00+08:00",
    )
    # The same name alone is no repeat; the same phone within 12 months is.
    namesake, _ = _case(
        views_api,
        "zhang",
        [{"role": "applicant", "name": "张三"}, {"role": "respondent", "name": "丙"}],
        received_at="2025-05-01T09:00:00+08:00",
    )
    second, position = _case(
        views_api,
        "zhang",
        [{"role": "respondent", "name": "张三丰", "phone": f"+86{phone}"},
         {"role": "applicant", "name": "丁"}],
        received_at="2026-02-01T09:00:00+08:00",
    )  # fmt: skip
    flagged = _found(views_api, "boss", position, repeat_party=True, party=phone)
    assert set(flagged) == {first, second}
    rows = views_api.get("/api/v1/cases", "boss", received_from="2025-01-01", limit=500).json()
    flags = {row["id"]: row["repeat_party"] for row in rows["items"]}
    assert (flags[first], flags[second], flags[namesake]) == (True, True, False)
    page = views_api.get(f"/api/v1/cases/{second}", "boss").json()
    assert page["repeat_party"] is True
    assert [other["id"] for other in page["repeat_cases"]] == [first]
    # A mediator sees the flag, and of the other cases only those they reach.
    mine = views_api.get(f"/api/v1/cases/{second}", "zhang").json()
    assert [other["id"] for other in mine["repeat_cases"]] == [first]  # received, not routed
    views_api.post(f"/api/v1/cases/{second}/route", "boss", ROUTE)
    moved = views_api.post(f"/api/v1/cases/{first}/route", "boss", {**ROUTE, **OTHER_ROOM})
    _found(views_api, "boss", int(moved.headers["X-Position"]), limit=1)  # the board has it
    mine = views_api.get(f"/api/v1/cases/{second}", "zhang").json()
    assert mine["repeat_party"] is True
    assert mine["repeat_cases"] == []  # `first` is li's now
    theirs = views_api.get(f"/api/v1/cases/{first}", "li").json()
    assert theirs["repeat_party"] is True
    assert theirs["repeat_cases"] == []
    assert views_api.get(f"/api/v1/cases/{second}", "li").status_code == 403
    # A correction that drops the phone clears both flags.
    corrected = views_api.post(
        f"/api/v1/cases/{second}/corrections",
        "boss",
        {"reason": "电话登记错误", "parties": [
            {"role": "respondent", "name": "张三丰"}, {"role": "applicant", "name": "丁"}]},
    )  # fmt: skip
    assert corrected.status_code == 200, corrected.text
    position = int(corrected.headers["X-Position"])
    assert _found(views_api, "boss", position, repeat_party=True, party=phone) == []
    assert views_api.get(f"/api/v1/cases/{first}", "boss").json()["repeat_party"] is False


def test_every_read_of_a_cases_parties_is_logged_for_the_auditor(views_api: Api) -> None:
    case_id, _ = _case(views_api, "zhang", NEW_CASE["parties"])
    paths = [
        ("zhang", f"/api/v1/cases/{case_id}", {}),
        ("boss", f"/api/v1/cases/{case_id}/history", {}),
        ("audit", f"/api/v1/cases/{case_id}/replay", {"version": 1}),
        ("boss", f"/api/v1/cases/{case_id}/file", {}),
    ]
    for login, path, params in paths:
        assert views_api.get(path, login, **params).status_code == 200
    assert views_api.get(f"/api/v1/cases/{case_id}", "li").status_code == 403  # not a read
    answer = views_api.get(f"/api/v1/cases/{case_id}/reads", "audit")
    assert answer.status_code == 200, answer.text
    reads = answer.json()["reads"]
    assert [(r["login"], r["path"]) for r in reads] == [
        ("zhang", "GET /api/v1/cases/{id}"),
        ("boss", "GET /api/v1/cases/{id}/history"),
        ("audit", "GET /api/v1/cases/{id}/replay"),
        ("boss", "GET /api/v1/cases/{id}/file"),
    ]
    assert all(r["read_at"].endswith("+08:00") for r in reads)
    assert "王小明" not in answer.text
    assert "13800000000" not in answer.text
    for login in ("zhang", "boss", "admin"):
        assert views_api.get(f"/api/v1/cases/{case_id}/reads", login).status_code == 403
    unknown = "00000000-0000-4000-8000-000000000000"
    assert views_api.get(f"/api/v1/cases/{unknown}/reads", "audit").status_code == 404


def test_a_bad_party_value_is_a_422(views_api: Api) -> None:
    answer = views_api.get("/api/v1/cases", "boss", party="")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "party"


def test_hotspots_answer_supervisors_with_their_test(views_api: Api) -> None:
    answer = views_api.get("/api/v1/stats/hotspots", "boss", as_of="2026-03-01")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["as_of"] == "2026-03-01T00:00:00+08:00"
    assert body["window_from"] == "2026-01-30T00:00:00+08:00"
    assert "Binomial" in body["test"]
    assert isinstance(body["hotspots"], list)
    assert int(answer.headers["X-Position"]) >= 0
    for bad in ("1999-12-31", "tomorrow", "2026-03-01T00:00:00"):
        refused = views_api.get("/api/v1/stats/hotspots", "boss", as_of=bad)
        assert refused.status_code == 422, bad
        assert refused.json()["errors"][0]["field"] == "as_of"
