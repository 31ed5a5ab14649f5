"""The supervisors' dashboard in headless Chromium against a real server on SQLite.

Each test opens its own browser context (its own sessionStorage) and checks, on leaving, that
the page raised no script error and asked nothing of another host.
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser.conftest import Server
from tests.e2e.browser.pages import (
    HEADLINE,
    TABLET,
    as_int,
    column,
    percent,
    visit,
)

pytestmark = pytest.mark.browser


def test_signing_in_shows_the_figures_of_the_summary(
    browser: Browser, server: Server, screenshots: Path
) -> None:
    with visit(browser, server) as v:
        v.sign_in()
        answer = server.get("/api/v1/stats/summary")
        v.expect_figures(answer.text)
        summary = answer.json()
        for rate in ("success_rate", "cohort_success_rate", "settlement_rate"):
            expect(v.figure(rate)).to_have_text(percent(summary[rate]))
        expect(v.figure("received")).to_have_text(f"{summary['received']:,}")
        formulas = v.page.locator("#figures .formula").all_inner_texts()
        assert formulas == [  # this year to date: the bureau's rate first
            "结案协议率 = 调解成功 ÷ 结案",
            "调处成功率 = 期内调解成功 ÷ 期内受理",
            "受理案件成功率 = 其中调解成功 ÷ 期内受理",
        ]
        expect(v.page.locator("#figures [data-note=rates]")).to_contain_text("可能超过100%")
        assert v.page.evaluate("sessionStorage.getItem('tongjie.token')") == server.token("boss")
        assert v.page.evaluate("localStorage.length") == 0
        v.page.screenshot(path=screenshots / "dashboard-zh.png", full_page=True)


def test_a_wrong_token_or_role_is_refused_and_sign_out_forgets_the_token(
    browser: Browser, server: Server
) -> None:
    with visit(browser, server) as v:
        v.page.goto(f"{server.url}/dashboard")
        field = v.page.locator('input[name="token"]')
        field.fill("not-a-token")
        field.press("Enter")
        expect(v.page.locator("#sign-in-error")).to_have_text("令牌无效或已被撤销。")
        field.fill(server.token("zhang"))
        field.press("Enter")
        expect(v.page.locator("#sign-in-error")).to_contain_text("需要督导或审计员")
        expect(v.figure("received")).to_have_count(0)

        v.sign_in("audit")
        v.page.get_by_role("button", name="退出").click()
        expect(field).to_be_visible()
        expect(v.figure("received")).to_have_count(0)
        assert v.page.evaluate("sessionStorage.getItem('tongjie.token')") is None


def test_a_filter_changes_the_figures_and_tables_and_stays_in_the_url(
    browser: Browser, server: Server
) -> None:
    with visit(browser, server) as v:
        v.sign_in()
        v.page.get_by_label("类别", exact=True).select_option("commercial")
        expect(v.page).to_have_url(re.compile(r"/dashboard\?category=commercial$"))
        answer = server.get("/api/v1/stats/summary", category="commercial")
        v.expect_figures(answer.text)
        expect(v.page.locator("#by-category tbody tr")).to_have_count(1)
        assert column(v.page, "#by-category", 0) == ["商事"]
        streets = server.get("/api/v1/stats/street", category="commercial").json()["rows"]
        expect(v.page.locator("#by-street tbody tr")).to_have_count(len(streets))
        received = sum(as_int(text) for text in column(v.page, "#by-street", 1))
        assert received == answer.json()["received"]

        v.page.get_by_label("期间", exact=True).select_option("lastYear")
        expect(v.page).to_have_url(re.compile(r"period=lastYear&category=commercial"))
        year = time.localtime().tm_year
        last_year = server.get(
            "/api/v1/stats/summary",
            category="commercial",
            **{"from": f"{year - 1}-01-01", "to": f"{year}-01-01"},
        )
        v.expect_figures(last_year.text)
        shared = v.page.url

    with visit(browser, server) as other:
        other.sign_in(path=shared.removeprefix(server.url))
        other.expect_figures(last_year.text)
        expect(other.page.get_by_label("类别", exact=True)).to_have_value("commercial")


def test_a_case_resolved_through_the_api_shows_without_a_reload(
    browser: Browser, server: Server
) -> None:
    with visit(browser, server) as v:
        v.sign_in()
        before = server.get("/api/v1/stats/summary").json()
        v.expect_figures(server.get("/api/v1/stats/summary").text)
        v.page.evaluate("window.notReloaded = true")
        case_id = server.district.live.pop()
        started = time.monotonic()
        answer = server.post(
            f"/api/v1/cases/{case_id}/resolution",
            "zhang",
            {"outcome": "agreement", "agreement": {"form": "written", "terms": "当场履行"}},
        )
        assert answer.status_code == 200, answer.text
        expect(v.figure("resolved")).to_have_attribute(
            "data-value", str(before["resolved"] + 1), timeout=3000
        )
        seconds = time.monotonic() - started
        expect(v.figure("open")).to_have_attribute("data-value", str(before["open"] - 1))
        v.expect_figures(server.get("/api/v1/stats/summary").text)
        assert v.page.evaluate("window.notReloaded") is True
        print(f"dashboard updated {seconds:.3f} s after the write was answered")
        assert seconds < 1.5

        # A burst of writes: the page folds their updates and ends on the final figures.
        open_cases = [
            row["id"] for row in server.get("/api/v1/cases", status="in_mediation").json()["items"]
        ]
        position = 0
        levels = ["red", "orange", "yellow", "none", "red", "orange"]
        for i, level in enumerate(levels):
            case = open_cases[i % len(open_cases)]
            answer = server.post(
                f"/api/v1/cases/{case}/risk", "boss", {"level": level, "reason": "回访"}
            )
            assert answer.status_code == 200, answer.text
            position = int(answer.headers["X-Position"])
        final = server.get("/api/v1/stats/summary", min_position=position)
        v.expect_figures(final.text)
        expect(v.page.locator("#escalated-list tbody a")).to_have_count(
            sum(final.json()[f"escalated_{level}"] for level in ("yellow", "orange", "red"))
        )
        assert v.page.evaluate("window.notReloaded") is True


def test_the_language_switches_and_follows_the_browser(
    browser: Browser, server: Server, screenshots: Path
) -> None:
    with visit(browser, server) as v:
        v.sign_in()
        html = v.page.locator("html")
        expect(html).to_have_attribute("lang", "zh-Hans")
        expect(v.page.locator("#figures-title")).to_contain_text("主要指标")
        v.page.get_by_role("button", name="Switch to English").click()
        expect(html).to_have_attribute("lang", "en")
        expect(v.page.locator("#figures-title")).to_contain_text("Headline figures")
        expect(v.page.locator("#figures .formula").nth(1)).to_have_text(
            "Success rate = agreements in the period ÷ received in it"
        )
        v.page.reload()
        expect(v.page.locator("#figures-title")).to_contain_text("Headline figures")
        v.page.screenshot(path=screenshots / "dashboard-en.png", full_page=True)

    with visit(browser, server, locale="en-US") as english:
        english.page.goto(f"{server.url}/dashboard")
        expect(english.page.locator("html")).to_have_attribute("lang", "en")
        expect(english.page.get_by_label("Access token")).to_be_visible()


def test_a_case_page_opens_from_the_overdue_list(
    browser: Browser, server: Server, screenshots: Path
) -> None:
    with visit(browser, server) as v:
        v.sign_in()
        link = v.page.locator("#overdue-list tbody a").first
        number = link.inner_text()
        link.click()
        expect(v.page).to_have_url(re.compile(r"#/cases/[0-9a-f-]{36}$"))
        case_id = v.page.url.rsplit("/", 1)[1]
        expect(v.page.locator("#case-title")).to_have_text(f"案件 {number}")
        expect(v.page.locator("#case-title")).to_be_focused()

        events = server.get(f"/api/v1/cases/{case_id}/history").json()["events"]
        rows = v.page.locator("#case-page tbody tr")
        expect(rows).to_have_count(len(events))
        for row, event in zip(rows.all(), events, strict=True):
            cells = row.locator("th, td").all_inner_texts()
            assert cells[0] == str(event["version"])
            assert cells[3] == event["recorded_at"][:16].replace("T", " ")
            assert cells[2] != "—"
            assert cells[4].startswith(event["actor"]["login"])
        verification = server.get(f"/api/v1/cases/{case_id}/verify").json()
        expect(v.page.locator("#case-page .verify")).to_have_attribute(
            "data-verified", str(verification["valid"]).lower()
        )
        v.page.screenshot(path=screenshots / "case.png", full_page=True)

        v.page.get_by_role("link", name="返回看板").click()
        expect(v.page.locator("#overdue-list")).to_be_visible()


def test_the_page_is_labelled_and_usable_with_the_keyboard_on_a_tablet(
    browser: Browser, server: Server, screenshots: Path
) -> None:
    with visit(browser, server, viewport=TABLET) as v:
        v.page.goto(f"{server.url}/dashboard")
        v.page.keyboard.press("Tab")
        expect(v.page.get_by_role("link", name="跳到正文")).to_be_focused()
        v.page.locator('input[name="token"]').focus()
        v.page.keyboard.type(server.token("boss"))
        v.page.keyboard.press("Enter")
        expect(v.figure("received")).to_be_visible()
        for role in ("banner", "main", "search", "contentinfo"):
            expect(v.page.get_by_role(role)).to_have_count(1)
        for label in ("期间", "类别", "街道", "调解组织"):
            expect(v.page.get_by_label(label, exact=True)).to_be_visible()
        captions = v.page.locator("table caption").all_text_contents()
        assert len(captions) == v.page.locator("table").count() > 0
        assert all(text.strip() for text in captions)
        expect(v.page.locator("[aria-live=polite]")).to_have_count(1)
        assert v.page.evaluate("document.documentElement.scrollWidth") <= TABLET["width"]
        for name in HEADLINE:
            expect(v.figure(name)).to_be_visible()
        v.page.screenshot(path=screenshots / "dashboard-tablet.png", full_page=True)


def test_dates_out_of_order_are_refused_and_the_apis_problem_is_shown_in_words(
    browser: Browser, server: Server
) -> None:
    with visit(browser, server) as v:
        v.sign_in()
        v.page.get_by_label("期间", exact=True).select_option("custom")
        v.page.get_by_label("起", exact=True).fill("2026-05-01")
        v.page.get_by_label("起", exact=True).dispatch_event("change")
        expect(v.page.get_by_label("止（不含）", exact=True)).to_have_attribute("min", "2026-05-02")
        url = v.page.url
        v.page.get_by_label("止（不含）", exact=True).fill("2026-04-01")
        v.page.get_by_label("止（不含）", exact=True).dispatch_event("change")
        expect(v.page.locator("#filters-error")).to_have_text(
            "起始日期须早于截止日期（截止日期不含当天）。"
        )
        expect(v.page.get_by_label("止（不含）", exact=True)).to_have_attribute("aria-invalid", "")
        assert v.page.url == url  # nothing asked of the API

    with visit(browser, server) as shared:  # a shared address the API refuses
        shared.page.goto(f"{server.url}/dashboard?period=custom&from=2026-03-01&to=2026-02-01")
        field = shared.page.locator('input[name="token"]')
        field.fill(server.token("boss"))
        field.press("Enter")
        problem = shared.page.locator("#figures .problem")
        expect(problem).to_contain_text("此部分暂不可用")
        expect(problem).to_contain_text("to")
        expect(problem).not_to_contain_text("422")


def test_the_freshness_line_is_in_words_and_the_bureaus_time(
    browser: Browser, server: Server
) -> None:
    with visit(browser, server, timezone="America/New_York") as v:
        v.sign_in()
        line = v.page.locator("#freshness")
        expect(line).to_contain_text("数据已更新至")
        text = line.inner_text()
        shown = re.search(r"(\d{2}):(\d{2}):\d{2}", text)
        assert shown, text
        shanghai = datetime.now(ZoneInfo("Asia/Shanghai"))
        minutes = int(shown[1]) * 60 + int(shown[2])
        assert abs(minutes - (shanghai.hour * 60 + shanghai.minute)) % (24 * 60) <= 2
        assert "视图" not in text  # positions are for the tooltip
        assert "位置" not in text
        expect(line).to_have_attribute("title", re.compile(r"视图已处理到事件 [\d,]+"))
