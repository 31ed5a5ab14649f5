"""需要关注 / Needs attention in the workbench: the API's list in its order, with each case's
reasons; a reason's count filters it; a mediator sees their own cases. Against a real
`tongjie serve`, on a phone and a laptop, in Chinese and English (screenshots)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ViewportSize, expect

from tests.e2e.browser.conftest import Server
from tests.e2e.browser.pages import visit
from tests.e2e.browser.workbench import NEW_CASE, Bench, bench

pytestmark = pytest.mark.browser

LAPTOP_768: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}


def unrouted_case(server: Server) -> str:
    """A case zhang received ten days ago, never routed: waiting over a working day."""
    received_at = (datetime.now(UTC) - timedelta(days=10)).isoformat()
    body = {**NEW_CASE, "summary": "邻居噪音扰民，等待分流", "received_at": received_at}
    answer = server.post("/api/v1/cases", "zhang", body)
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def listed(person: Bench) -> list[str]:
    rows = person.view.locator(".attention-list a.case-row")
    return [str(rows.nth(i).get_attribute("data-case-id")) for i in range(rows.count())]


def api_list(server: Server, login: str) -> dict[str, object]:
    answer = server.get("/api/v1/attention", login, limit=500)
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


@pytest.mark.parametrize(("size", "locale"), [("laptop", "zh-CN"), ("phone", "en-GB")])
def test_a_supervisor_sees_what_needs_attention_most_urgent_first(
    browser: Browser, own_server: Server, screenshots: Path, size: str, locale: str
) -> None:
    server = own_server
    waiting = unrouted_case(server)
    with bench(browser, server, size, locale) as boss:
        boss.sign_in("boss")
        boss.nav("attention")
        body = api_list(server, "boss")
        items = body["items"]
        assert isinstance(items, list)
        assert listed(boss) == [item["id"] for item in items]
        assert waiting in listed(boss)
        row = boss.view.locator(f'a.case-row[data-case-id="{waiting}"]')
        expect(row.locator(".badge.reason-unrouted")).to_be_visible()
        english = locale.startswith("en")
        expect(boss.view.locator("h1")).to_have_text("Needs attention" if english else "需要关注")
        if size == "laptop":
            boss.page.set_viewport_size(LAPTOP_768)
        first, other = ("en", "zh") if english else ("zh", "en")
        shot = screenshots / f"workbench-attention-{size}-{first}.png"
        boss.page.screenshot(path=shot, full_page=size == "phone")
        boss.page.locator("#language").click()  # the other language: the same list
        expect(boss.view.locator("h1")).to_have_text("需要关注" if english else "Needs attention")
        expect(boss.view).to_have_attribute("data-loaded", "true")
        assert listed(boss) == [item["id"] for item in items]
        shot = screenshots / f"workbench-attention-{size}-{other}.png"
        boss.page.screenshot(path=shot, full_page=size == "phone")
        overdue = boss.view.locator('.reason-filter[data-reason="overdue"]')
        count = int(overdue.get_attribute("data-count") or 0)
        assert count > 0, "the district has overdue cases"
        overdue.click()
        expect(boss.view).to_have_attribute("data-loaded", "true")
        expect(boss.view.locator(".attention-list a.case-row")).to_have_count(count)
        for reasons in boss.view.locator(".attention-list a.case-row").evaluate_all(
            "(rows) => rows.map((r) => r.dataset.reasons)"
        ):
            assert "overdue" in reasons.split()
        expect(overdue).to_have_attribute("aria-current", "true")


def test_a_mediator_sees_their_own_cases_that_need_attention(
    browser: Browser, own_server: Server, screenshots: Path
) -> None:
    server = own_server
    unrouted_case(server)
    with bench(browser, server, "phone") as zhang:
        zhang.sign_in("zhang")
        zhang.nav("attention")
        own = api_list(server, "zhang")["items"]
        every = api_list(server, "boss")["items"]
        assert isinstance(own, list)
        assert isinstance(every, list)
        assert listed(zhang) == [item["id"] for item in own]
        assert {item["mediator"] for item in own} <= {"m1", None}
        assert len(own) < len(every)
        zhang.page.screenshot(
            path=screenshots / "workbench-attention-phone-zh-mediator.png", full_page=True
        )


def test_the_dashboard_counts_each_reason_and_links_to_its_list(
    browser: Browser, own_server: Server, screenshots: Path
) -> None:
    server = own_server
    body = api_list(server, "boss")
    counts = body["counts"]
    assert isinstance(counts, list)
    with visit(browser, server) as boss:
        boss.sign_in("boss")
        panel = boss.page.locator("#attention")
        expect(panel.locator('a[data-reason="all"]')).to_have_attribute(
            "data-value", str(body["total"])
        )
        for reason in counts:
            link = panel.locator(f'a[data-reason="{reason["code"]}"]')
            expect(link).to_have_attribute("data-value", str(reason["count"]))
            expect(link).to_contain_text(reason["zh"])
        boss.page.set_viewport_size(LAPTOP_768)
        panel.screenshot(path=screenshots / "dashboard-attention-laptop-zh.png")
        boss.page.set_viewport_size(PHONE)
        panel.screenshot(path=screenshots / "dashboard-attention-phone-zh.png")
        boss.page.locator("#language").click()
        overdue_en = next(r for r in counts if r["code"] == "overdue")["en"]
        expect(panel.locator('a[data-reason="overdue"]')).to_contain_text(overdue_en)
        panel.screenshot(path=screenshots / "dashboard-attention-phone-en.png")
        boss.page.set_viewport_size(LAPTOP_768)
        panel.screenshot(path=screenshots / "dashboard-attention-laptop-en.png")
        overdue = next(r for r in counts if r["code"] == "overdue")
        panel.locator('a[data-reason="overdue"]').click()
        expect(boss.page).to_have_url(f"{server.url}/workbench#/attention?reason=overdue")
        view = boss.page.locator("#view")
        expect(view).to_have_attribute("data-loaded", "true")  # signed in from the dashboard
        expect(view.locator(".attention-list a.case-row")).to_have_count(overdue["count"])
