"""Monthly reports over HTTP: issued once, read as issued after a late correction with the
difference listed, downloaded as CSV and as a workbook equal to the JSON; on both stores."""

from __future__ import annotations

import csv
import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from api.bootstrap import build_application
from domain.errors import ReportIssuedError
from domain.report import Month, MonthlyReport
from projections.stats.figures import FIGURES
from tests.e2e.api.conftest import NEW_CASE, SESSION, Api

ZONE = ZoneInfo("Asia/Shanghai")
MONTH = "2025-03"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RATES = {name for name in FIGURES if name.endswith("_rate")}
BACKLOG = {"open", "overdue", "due_soon", "escalated_yellow", "escalated_orange", "escalated_red"}


@dataclass
class March:
    api: Api
    issued: dict[str, Any]
    corrected: str
    """The id of the resolved case of 东湖街道 a supervisor will move to 西山街道."""


def _case(api: Api, street: str, received: str, resolved: str | None, outcome: str) -> str:
    answer = api.post(
        "/api/v1/cases", "zhang", {**NEW_CASE, "street": street, "received_at": received}
    )
    assert answer.status_code == 201, answer.text
    case_id = str(answer.json()["id"])
    if resolved is None:
        return case_id
    organisation, mediator, login = (
        ("room-1", "m1", "zhang") if street == "东湖街道" else ("centre-2", "m2", "li")
    )
    ending: dict[str, Any] = (
        {"agreement": {"form": "written", "amount": "800.50", "terms": "赔偿"}}
        if outcome == "agreement"
        else {"referral": "litigation"}
    )
    for path, who, body in [
        (
            "route",
            "boss",
            {"organisation": organisation, "mediator": mediator, "routed_at": received},
        ),
        ("sessions", login, {**SESSION, "held_at": received}),
        ("resolution", login, {"outcome": outcome, "resolved_at": resolved, **ending}),
    ]:
        answer = api.post(f"/api/v1/cases/{case_id}/{path}", who, body)
        assert answer.status_code == 200, answer.text
    return case_id


def _head(api: Api) -> int:
    return int(api.app.state.tongjie.store.recorder.max_notification_id() or 0)


@pytest.fixture(scope="module")
def march(module_api: Api) -> March:
    """March 2025 of a small district: 东湖 receives three (two agreements, one open), 西山 one
    (no agreement); the report issued by a supervisor."""
    api = module_api
    api.app.state.views.start(workers=True)
    corrected = _case(
        api, "东湖街道", "2025-03-03T09:00:00+08:00", "2025-03-10T09:00:00+08:00", "agreement"
    )
    _case(api, "东湖街道", "2025-03-04T09:00:00+08:00", "2025-03-06T21:00:00+08:00", "agreement")
    _case(api, "东湖街道", "2025-03-28T09:00:00+08:00", None, "")
    _case(api, "西山街道", "2025-03-05T09:00:00+08:00", "2025-03-20T09:00:00+08:00", "no_agreement")
    answer = api.post("/api/v1/reports", "boss", {"month": MONTH})
    assert answer.status_code == 201, answer.text
    assert answer.headers["Location"] == f"/api/v1/reports/{MONTH}"
    return March(api, answer.json(), corrected)


def _rows(report: dict[str, Any], dimension: str) -> dict[str | None, dict[str, Any]]:
    return {row["key"]: row for row in report["dimensions"][dimension]}


def test_a_report_holds_the_months_figures_as_the_statistics_count_them(march: March) -> None:
    issued = march.issued
    assert issued["month"] == MONTH
    assert issued["from"] == "2025-03-01T00:00:00+08:00"
    assert issued["to"] == "2025-04-01T00:00:00+08:00"
    assert issued["issued_by"]["login"] == "boss"
    assert issued["figures"] == list(FIGURES)
    assert list(issued["dimensions"]) == [
        "summary",
        "category",
        "street",
        "organisation",
        "mediator",
    ]
    (whole,) = issued["dimensions"]["summary"]
    assert whole["key"] is None
    assert (whole["received"], whole["agreements"], whole["no_agreement"]) == (4, 2, 1)
    streets = _rows(issued, "street")
    assert (streets["东湖街道"]["received"], streets["东湖街道"]["agreements"]) == (3, 2)
    assert streets["东湖街道"]["success_rate"] == 2 / 3
    assert streets["西山街道"]["success_rate"] == 0.0
    assert set(_rows(issued, "mediator")) == {"m1", "m2", None}  # the open case: no one yet
    # The same figures as the statistics' API for the month, dimension by dimension.
    for dimension in ("category", "street", "organisation", "mediator"):
        stats = march.api.get(
            f"/api/v1/stats/{dimension}", "boss", **{"from": "2025-03-01", "to": "2025-04-01"}
        )
        assert stats.status_code == 200
        assert stats.json()["rows"] == issued["dimensions"][dimension]
    assert issued["position"] <= _head(march.api)


def test_the_same_month_again_is_409_and_records_nothing(march: March) -> None:
    head = _head(march.api)
    again = march.api.post("/api/v1/reports", "boss", {"month": MONTH})
    assert again.status_code == 409, again.text
    assert again.headers["content-type"] == "application/problem+json"
    assert "issued already" in again.json()["detail"]
    assert _head(march.api) == head


@pytest.mark.parametrize(
    ("month", "says"),
    [
        (datetime.now(ZONE).strftime("%Y-%m"), "has not ended yet"),
        ("2999-01", "has not ended yet"),
        ("2025-13", "a month as YYYY-MM"),
        ("1999-12", "from 2000-01"),
        ("2025-3", "pattern"),
    ],
)
def test_a_month_not_ended_or_malformed_is_422_with_the_reason_and_records_nothing(
    march: March, month: str, says: str
) -> None:
    head = _head(march.api)
    answer = march.api.post("/api/v1/reports", "boss", {"month": month})
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "month"
    assert says in answer.json()["detail"]
    assert _head(march.api) == head
    assert march.api.get(f"/api/v1/reports/{month}", "boss").status_code in (404, 422)


def test_only_a_supervisor_issues_and_an_auditor_reads(march: March) -> None:
    api = march.api
    head = _head(api)
    for login in ("zhang", "audit", "admin"):
        assert api.post("/api/v1/reports", login, {"month": "2025-02"}).status_code == 403
    assert api.client.post("/api/v1/reports", json={"month": "2025-02"}).status_code == 401
    assert _head(api) == head
    for login, status in [("boss", 200), ("audit", 200), ("zhang", 403), ("admin", 403)]:
        assert api.get(f"/api/v1/reports/{MONTH}", login).status_code == status, login
        assert api.get("/api/v1/reports", login).status_code == status, login
    assert api.get("/api/v1/reports/2025-02", "boss").status_code == 404


def test_the_list_names_the_issued_months(march: March) -> None:
    items = march.api.get("/api/v1/reports", "audit").json()["items"]
    assert [item["month"] for item in items] == [MONTH]
    assert items[0]["position"] == march.issued["position"]
    assert items[0]["issued_by"]["login"] == "boss"


def test_a_report_is_read_back_from_the_store_exactly_as_issued(march: March) -> None:
    """Another process (no cache) decodes the event: the same rows, ints and floats as issued."""
    settings = march.api.app.state.settings
    other = build_application(settings)
    try:
        report = other.store.repository.get(MonthlyReport.id_for(Month(2025, 3)))
    finally:
        other.close()
    assert report.names == march.issued["figures"]
    for dimension, rows in march.issued["dimensions"].items():
        stored = [[row["key"], *(row[n] for n in report.names)] for row in rows]
        assert report.rows[dimension] == stored
        for then, now in zip(stored, report.rows[dimension], strict=True):
            assert [type(v) for v in then] == [type(v) for v in now]


def test_the_workbook_equals_the_json_sheet_by_sheet_and_cell_by_cell(march: March) -> None:
    api, issued = march.api, march.issued
    answer = api.client.get(
        f"/api/v1/reports/{MONTH}", headers={**api.auth("audit"), "Accept": XLSX}
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    assert f"tongjie-report-{MONTH}.xlsx" in answer.headers["content-disposition"]
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["说明", "总计", "类别", "街道", "调解组织", "调解员"]
    about = {row[0]: row[1] for row in book["说明"].iter_rows(values_only=True)}
    assert about["月度通报"] == MONTH
    assert about["数据位置"] == issued["position"]
    assert about["签发人"] == "boss"
    assert "截断" in about["比率"]
    names = {
        "room-1": "东湖街道通解室",
        "centre-2": "西山街道非诉讼服务中心",
        "m1": "张调解",
        "m2": "李调解",
    }
    words = {"family": "家事"}
    for sheet_name, dimension in [
        ("总计", "summary"),
        ("类别", "category"),
        ("街道", "street"),
        ("调解组织", "organisation"),
        ("调解员", "mediator"),
    ]:
        sheet = book[sheet_name]
        rows = list(sheet.iter_rows())
        head = [cell.value for cell in rows[0]]
        keys = {"summary": 0, "category": 1, "street": 1}.get(dimension, 2)
        assert head[keys:][:3] == ["受理", "结案", "调解成功"]
        assert head[keys + FIGURES.index("success_rate")] == "调处成功率"
        data = issued["dimensions"][dimension]
        assert len(rows) == 1 + len(data) + 2  # the heads, the rows, a blank, the rates' line
        assert all(cell.value is None for cell in rows[-2])
        assert "可超过100%" in rows[-1][0].value
        for cells, row in zip(rows[1 : 1 + len(data)], data, strict=True):
            key = row["key"]
            if dimension in ("organisation", "mediator"):
                assert cells[0].value == (names[key] if key else "（未分流）")
                assert (cells[1].value or None) == key
            elif dimension == "category":
                assert cells[0].value == words[key]
            elif dimension == "street":
                assert cells[0].value == key
            for name, cell in zip(FIGURES, cells[keys:], strict=True):
                _same(name, row[name], cell)


def _same(name: str, figure: Any, cell: Any) -> None:
    if figure is None:
        assert cell.value is None, name
    elif name in RATES:
        shown = Decimal(repr(figure)).quantize(Decimal("0.0001"), rounding=ROUND_DOWN)
        assert isinstance(cell.value, int | float), name
        assert cell.value == float(shown), (name, figure, cell.value)
        assert cell.number_format == "0.00%"
    elif name == "agreement_amount":
        assert cell.value == float(Decimal(figure))
        assert cell.number_format == "#,##0.00"
    elif isinstance(figure, int):
        assert type(cell.value) is int, name
        assert cell.value == figure, name
    else:  # days: a spreadsheet's numbers are all floating point (7.0 is read back as 7)
        assert isinstance(cell.value, int | float), name
        assert cell.value == figure, name


def test_the_csv_is_for_people(march: March) -> None:
    api, issued = march.api, march.issued
    answer = api.client.get(
        f"/api/v1/reports/{MONTH}", headers={**api.auth("boss"), "Accept": "text/csv"}
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    assert answer.content.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert table[0][:5] == ["维度", "项目", "代码", "受理", "结案"]
    assert len(table) - 1 == sum(len(rows) for rows in issued["dimensions"].values())
    east = next(line for line in table if line[1] == "东湖街道")
    columns = dict(zip(table[0], east, strict=True))
    assert columns["维度"] == "街道"
    assert columns["受理"] == "3"
    assert columns["调处成功率"] == "66.66%"  # 2 ÷ 3, truncated as the bureau publishes
    assert table[1][:2] == ["总计", "全区"]


def test_a_late_correction_leaves_the_report_as_issued_and_lists_the_difference(
    march: March,
) -> None:
    api, issued = march.api, march.issued
    moved = api.post(
        f"/api/v1/cases/{march.corrected}/corrections",
        "boss",
        {"reason": "街道登记有误", "street": "西山街道"},
    )
    assert moved.status_code == 200, moved.text
    position = int(moved.headers["X-Position"])
    answer = api.get(f"/api/v1/reports/{MONTH}", "audit", min_position=position)
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["dimensions"] == issued["dimensions"]  # as issued, whatever happened since
    assert report["position"] == issued["position"]
    assert report["position_now"] >= position
    found = {
        (d["dimension"], d["key"], d["figure"]): (d["reported"], d["now"])
        for d in report["differences"]
    }
    assert found[("street", "东湖街道", "received")] == (3, 2)
    assert found[("street", "西山街道", "received")] == (1, 2)
    assert found[("street", "东湖街道", "success_rate")] == (2 / 3, 0.5)
    assert found[("street", "西山街道", "agreements")] == (0, 1)
    assert {d for d, _, _ in found} == {"street"}  # the district's, categories' totals: the same
    assert not {f for _, _, f in found} & BACKLOG
    now = api.get("/api/v1/stats/street", "boss", **{"from": "2025-03-01", "to": "2025-04-01"})
    assert now.json()["rows"] != issued["dimensions"]["street"]
    workbook = api.client.get(
        f"/api/v1/reports/{MONTH}", headers={**api.auth("boss"), "Accept": XLSX}
    )
    streets = {
        row[0]: row[1]
        for row in load_workbook(io.BytesIO(workbook.content))["街道"].iter_rows(
            min_row=2, max_row=3, values_only=True
        )
    }
    assert streets == {"东湖街道": 3, "西山街道": 1}  # the download too: as issued
    assert datetime.fromisoformat(report["issued_at"]) <= datetime.now(UTC)


def test_a_retry_with_its_idempotency_key_gets_the_first_answer(march: March) -> None:
    api = march.api
    first = api.post("/api/v1/reports", "boss", {"month": "2025-01"}, **{"Idempotency-Key": "jan"})
    assert first.status_code == 201, first.text
    head = _head(api)
    again = api.post("/api/v1/reports", "boss", {"month": "2025-01"}, **{"Idempotency-Key": "jan"})
    assert (again.status_code, again.content) == (201, first.content)
    other = api.post("/api/v1/reports", "boss", {"month": "2024-12"}, **{"Idempotency-Key": "jan"})
    assert other.status_code == 409
    assert _head(api) == head


def test_supervisors_racing_to_issue_one_month_issue_it_once(march: March) -> None:
    reports = march.api.app.state.reports
    boss = march.api.world.supervisor

    def issue(_: int) -> str:
        try:
            return reports.issue("2025-02", actor=boss).month
        except ReportIssuedError:
            return "409"

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(issue, range(4)))
    assert outcomes == ["2025-02", "409", "409", "409"]
    months = [item["month"] for item in march.api.get("/api/v1/reports", "boss").json()["items"]]
    assert months.count("2025-02") == 1
