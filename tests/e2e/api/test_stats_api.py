"""The statistics over HTTP: a supervisor reads last quarter per street, as JSON and as CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from projections.stats.figures import FIGURES
from tests.e2e.api.conftest import NEW_CASE, SESSION, Api

QUARTER = {"from": "2025-07-01", "to": "2025-10-01"}


@pytest.fixture
def views_api(api: Api) -> Api:
    api.app.state.views.start(workers=True)
    return api


def case(
    api: Api, street: str, received_at: str, resolved_at: str | None, outcome: str = "agreement"
) -> int:
    answer = api.post(
        "/api/v1/cases", "zhang", {**NEW_CASE, "street": street, "received_at": received_at}
    )
    assert answer.status_code == 201, answer.text
    case_id, position = answer.json()["id"], int(answer.headers["X-Position"])
    if resolved_at is None:
        return position
    organisation, mediator, login = (
        ("room-1", "m1", "zhang") if street == "东湖街道" else ("centre-2", "m2", "li")
    )
    steps = [
        (
            "route",
            "boss",
            {"organisation": organisation, "mediator": mediator, "routed_at": received_at},
        ),
        ("sessions", login, {**SESSION, "held_at": received_at}),
        (
            "resolution",
            login,
            {
                "outcome": outcome,
                "resolved_at": resolved_at,
                **(
                    {"agreement": {"form": "written", "amount": "800.50", "terms": "赔偿"}}
                    if outcome == "agreement"
                    else {"referral": "litigation"}
                ),
            },
        ),
    ]
    for path, who, body in steps:
        answer = api.post(f"/api/v1/cases/{case_id}/{path}", who, body)
        assert answer.status_code == 200, answer.text
        position = int(answer.headers["X-Position"])
    return position


def test_a_supervisor_reads_last_quarters_figures_per_street_as_json_and_csv(
    views_api: Api,
) -> None:
    case(views_api, "东湖街道", "2025-07-01T00:00:00+08:00", "2025-07-03T12:00:00+08:00")
    case(
        views_api, "东湖街道", "2025-09-30T23:59:59+08:00", "2025-10-01T00:00:00+08:00"
    )  # next quarter
    case(
        views_api,
        "西山街道",
        "2025-06-30T23:59:59+08:00",
        "2025-08-01T00:00:00+08:00",
        "no_agreement",
    )
    position = case(views_api, "西山街道", "2025-08-15T10:00:00+08:00", None)

    answer = views_api.get("/api/v1/stats/street", "boss", **QUARTER, min_position=position)
    assert answer.status_code == 200, answer.text
    assert int(answer.headers["X-Position"]) >= position
    assert answer.headers["X-Period-From"] == "2025-07-01T00:00:00+08:00"
    assert answer.headers["X-Period-To"] == "2025-10-01T00:00:00+08:00"
    rows = {row["key"]: row for row in answer.json()["rows"]}
    assert set(rows) == {"东湖街道", "西山街道"}
    assert all(set(row) == {"key", *FIGURES} for row in rows.values())
    east, west = rows["东湖街道"], rows["西山街道"]
    assert (east["received"], east["resolved"], east["agreements"]) == (2, 1, 1)
    assert east["success_rate"] == 0.5
    assert east["settlement_rate"] == 1.0
    assert east["days_to_resolve_median"] == 2.5
    assert east["agreement_amount"] == "800.50"
    assert (west["received"], west["resolved"], west["no_agreement"], west["open"]) == (1, 1, 1, 1)
    assert west["success_rate"] == 0.0
    assert west["days_to_resolve_p90"] is not None
    # The cohort: both of 东湖's cases of the quarter ended in an agreement, one of them after it.
    assert (east["cohort_received"], east["cohort_agreements"], east["cohort_open"]) == (2, 2, 0)
    assert east["cohort_success_rate"] == 1.0
    assert (west["cohort_received"], west["cohort_open"], west["cohort_success_rate"]) == (1, 1, 0)

    weeks = views_api.get("/api/v1/stats/week", "boss", **QUARTER).json()["rows"]
    assert [row["key"] for row in weeks][:2] == ["2025-W27", "2025-W31"]  # 1 July; 1 August
    assert sum(row["received"] for row in weeks) == 3
    subcategories = views_api.get("/api/v1/stats/subcategory", "boss", **QUARTER).json()["rows"]
    assert {row["key"]: row["received"] for row in subcategories} == {"neighbour": 3}

    csv_answer = views_api.client.get(
        "/api/v1/stats/street",
        params=QUARTER,
        headers={**views_api.auth("audit"), "Accept": "text/csv"},
    )
    assert csv_answer.status_code == 200, csv_answer.text
    assert csv_answer.headers["content-type"].startswith("text/csv")
    assert csv_answer.content.startswith(b"\xef\xbb\xbf")  # the BOM spreadsheets need for Chinese
    table = list(csv.DictReader(io.StringIO(csv_answer.content.decode("utf-8-sig"))))
    assert [r["street"] for r in table] == ["东湖街道", "西山街道"]
    assert table[0]["received"] == "2"
    assert table[0]["agreement_amount"] == "800.50"
    assert table[1]["settlement_rate"] == "0.0"
    assert table[1]["days_to_resolve_median"] != ""
    assert table[0]["cohort_success_rate"] == "1.0"

    summary = views_api.get("/api/v1/stats/summary", "boss", **QUARTER, street="东湖街道")
    assert summary.json()["received"] == 2
    assert set(summary.json()) == set(FIGURES)


def test_the_default_period_is_this_year_to_date(views_api: Api) -> None:
    answer = views_api.get("/api/v1/stats/summary", "audit")
    assert answer.status_code == 200, answer.text
    this_year = datetime.now(ZoneInfo("Asia/Shanghai")).year
    assert answer.headers["X-Period-From"] == f"{this_year}-01-01T00:00:00+08:00"
    months = views_api.get(
        "/api/v1/stats/month", "audit", **{"from": "2025-01-01", "to": "2026-01-01"}
    )
    keys = [row["key"] for row in months.json()["rows"]]
    assert keys == sorted(keys)
    assert all(len(k) == 7 and k[4] == "-" for k in keys)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-13-01"}, "from"),
        ({"from": "2025-07-01T00:00:00"}, "from"),  # a time without its offset
        ({"from": "2025-07-01", "to": "2025-07-01"}, "to"),
        ({"to": "0001-01-01"}, "to"),
        ({"category": "divorce"}, "category"),
        ({"channel": "fax"}, "channel"),
        ({"min_position": "-1"}, "min_position"),
    ],
)
def test_bad_parameters_are_a_422_naming_the_field(
    views_api: Api, params: dict[str, str], field: str
) -> None:
    answer = views_api.get("/api/v1/stats/category", "boss", **params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in [error["field"] for error in answer.json()["errors"]]


def test_only_supervisors_and_auditors_read_statistics(views_api: Api) -> None:
    assert views_api.get("/api/v1/stats/summary", "zhang").status_code == 403
    assert views_api.get("/api/v1/stats/street", "admin").status_code == 403
    assert views_api.client.get("/api/v1/stats/summary").status_code == 401
    unknown = views_api.get("/api/v1/stats/weekday", "boss")
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "dimension"


def test_every_role_reads_how_the_bureau_shows_its_figures(views_api: Api) -> None:
    for login in ("zhang", "boss", "audit", "admin"):
        answer = views_api.get("/api/v1/display", login)
        assert answer.status_code == 200, answer.text
        assert answer.json() == {
            "timezone": "Asia/Shanghai",
            "utc_offset": "+08:00",
            "rate_display": "truncate",  # as the bureau prints 调处成功率: 99.78%
        }
    assert views_api.client.get("/api/v1/display").status_code == 401
