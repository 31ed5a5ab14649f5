"""The dashboard's monthly reports: a supervisor issues last month and downloads its workbook;
an auditor downloads, never issues; a case's history names who acted."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from tests.e2e.browser.conftest import SCREENSHOTS, Server
from tests.e2e.browser.pages import visit

pytestmark = pytest.mark.browser


def test_a_supervisor_issues_last_month_and_downloads_its_workbook(
    browser: Browser, own_server: Server
) -> None:
    with visit(browser, own_server) as seen:
        seen.sign_in("boss")
        panel = seen.page.locator("#reports")
        expect(panel).to_contain_text("尚未签发月度通报")
        month = seen.page.locator("#report-month")
        latest = month.input_value()
        assert month.get_attribute("max") == latest
        panel.get_by_role("button", name="签发通报").click()
        expect(panel.locator("#report-issue-status")).to_contain_text(f"已签发 {latest} 月度通报")
        row = panel.locator("tbody tr").first
        expect(row).to_contain_text(latest)
        panel.get_by_role("button", name="签发通报").click()  # the same month again
        expect(panel.locator("#report-issue-status")).to_contain_text("不再重发")
        with seen.page.expect_download() as download:
            row.locator('[data-download="xlsx"]').click()
        assert download.value.suggested_filename == f"tongjie-report-{latest}.xlsx"
        book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
        assert book.sheetnames == ["说明", "总计", "类别", "街道", "调解组织", "调解员"]
        issued = own_server.get(f"/api/v1/reports/{latest}").json()
        received = issued["dimensions"]["summary"][0]["received"]
        assert book["总计"]["A2"].value == received
        # A late correction: one of the month's agreements moved to the other street.
        start = f"{latest}-01"
        found = own_server.get(
            "/api/v1/cases", received_from=start, outcome="agreement", limit=50
        ).json()["items"]
        moved = next(c for c in found if c["received_at"].startswith(latest))
        other = "西山街道" if moved["street"] == "东湖街道" else "东湖街道"
        corrected = own_server.post(
            f"/api/v1/cases/{moved['id']}/corrections",
            "boss",
            {"reason": "街道登记有误", "street": other},
        )
        assert corrected.status_code == 200, corrected.text
        position = int(corrected.headers["X-Position"])
        assert own_server.get("/api/v1/stats/summary", min_position=position).status_code == 200
        row.locator(f'[data-changes="{latest}"]').click()
        changes = panel.locator(".report-changes table")
        expect(changes).to_contain_text(moved["street"])
        expect(changes).to_contain_text(other)
        expect(changes.locator("tbody tr").first).to_contain_text("受理")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        panel.screenshot(path=str(SCREENSHOTS / "dashboard-reports-zh.png"))


def test_an_auditor_downloads_but_is_offered_no_issue(browser: Browser, own_server: Server) -> None:
    with visit(browser, own_server, locale="en-US") as seen:
        seen.sign_in("audit")
        panel = seen.page.locator("#reports")
        expect(panel.locator("tbody tr").first).to_be_visible()
        expect(panel.locator("form.report-issue")).to_have_count(0)
        with seen.page.expect_download() as download:
            panel.locator('[data-download="csv"]').first.click()
        assert download.value.suggested_filename.endswith(".csv")
        assert Path(download.value.path()).read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_cases_history_names_who_acted(browser: Browser, own_server: Server) -> None:
    """The history names logins; the page shows people's names (a login only if it has none)."""
    added = own_server.post(
        "/api/v1/users", "admin", {"login": "wang", "name": "王督导", "role": "supervisor"}
    )
    assert added.status_code == 201, added.text
    own_server.world.tokens["wang"] = added.json()["token"]
    case_id = own_server.district.live[0]
    assessed = own_server.post(
        f"/api/v1/cases/{case_id}/risk", "wang", {"level": "yellow", "reason": "双方情绪激动"}
    )
    assert assessed.status_code == 200, assessed.text
    with visit(browser, own_server) as seen:
        seen.sign_in("boss")
        seen.page.goto(f"{own_server.url}/dashboard#/cases/{case_id}")
        history = seen.page.locator("#case-page table").last
        expect(history).to_contain_text("王督导（")
        expect(history).not_to_contain_text("wang（")
