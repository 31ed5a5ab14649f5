"""The outbox: steps entered without a connection are kept on the device and stored exactly once
when it returns, also when a send is cut off after the server stored it; a refused step stays,
with the server's message, until it is corrected or discarded; the app opens offline."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.e2e.browser.conftest import Server
from tests.e2e.browser.workbench import (
    CASE_URL,
    Bench,
    bench,
    case_in_mediation,
    device_copies,
    fill,
    history,
    types,
)

pytestmark = pytest.mark.browser


class CutOff:
    """Lets the first matching request reach the server, then drops the answer on the floor."""

    def __init__(self) -> None:
        self.keys: list[str | None] = []
        self.statuses: list[int] = []

    def __call__(self, route: Route) -> None:
        self.keys.append(route.request.headers.get("idempotency-key"))
        if len(self.keys) == 1:
            answer = route.fetch()  # the server stores the step...
            self.statuses.append(answer.status)
            route.abort("connectionreset")  # ...and the phone never hears of it
        else:
            route.continue_()


def enter_offline_session(zhang: Bench, notes: str) -> None:
    form = zhang.form("session")
    fill(form, {"method": "phone", "attendees": ["孙丽"], "notes": notes})
    form.locator("button[type=submit]").click()


def test_steps_entered_offline_are_stored_once_even_when_a_send_is_cut_off(
    browser: Browser, own_server: Server, screenshots: Path
) -> None:
    server = own_server
    case_id = case_in_mediation(server)
    with bench(browser, server, "phone") as zhang:
        zhang.sign_in("zhang")
        zhang.open_case(case_id)
        zhang.page.context.set_offline(True)
        expect(zhang.page.locator("#connection")).to_be_visible()
        enter_offline_session(zhang, "离线记录：第二次电话调解")
        expect(zhang.outbox).to_have_attribute("data-count", "1")
        expect(zhang.page.locator(".pending li")).to_have_count(1)  # the page shows it waiting
        risk = zhang.form("risk")
        fill(risk, {"level": "orange", "reason": "当事人情绪激动"})
        risk.locator("button[type=submit]").click()
        expect(zhang.outbox).to_have_attribute("data-count", "2")
        expect(zhang.page.locator(".pending li")).to_have_count(2)
        zhang.nav("outbox")
        expect(zhang.page.locator('[data-outbox-item][data-state="pending"]')).to_have_count(2)
        zhang.page.screenshot(path=screenshots / "workbench-outbox-phone-zh.png", full_page=True)
        assert types(server, case_id) == ["Received", "Routed", "Mediated"]

        cut = CutOff()
        zhang.page.route("**/api/v1/cases/*/sessions", cut)
        zhang.page.context.set_offline(False)
        expect(zhang.outbox).to_have_attribute("data-count", "0", timeout=20000)
        assert cut.statuses == [200]
        assert len(cut.keys) == 2
        assert cut.keys[0] == cut.keys[1]  # the retry carries the key given at entry
        assert cut.keys[0]
        events = history(server, case_id)
        assert [e["type"] for e in events] == [
            "Received",
            "Routed",
            "Mediated",
            "Mediated",
            "RiskAssessed",
        ]
        assert events[3]["data"]["notes"] == "离线记录：第二次电话调解"
        assert events[4]["data"]["level"] == "orange"
        # The business time is the moment each step was entered, not when it arrived.
        assert events[3]["data"]["held_at"] <= events[3]["recorded_at"]


def test_a_step_cut_off_while_online_is_sent_again_and_stored_once(
    browser: Browser, own_server: Server
) -> None:
    server = own_server
    case_id = case_in_mediation(server, "停车位纠纷")
    with bench(browser, server, "laptop") as zhang:
        zhang.sign_in("zhang")
        zhang.open_case(case_id)
        cut = CutOff()
        zhang.page.route("**/api/v1/cases/*/sessions", cut)
        enter_offline_session(zhang, "答复被截断的一次调解")
        # Version 4 on the page: the step sent again, and its (replayed) answer heard.
        expect(zhang.view).to_have_attribute("data-version", "4", timeout=20000)
        expect(zhang.outbox).to_have_attribute("data-count", "0")
        assert len(cut.keys) == 2
        assert cut.keys[0] == cut.keys[1]
        assert types(server, case_id).count("Mediated") == 2  # the API's session and this one


def refused_extension(server: Server, case_id: str, due: str) -> dict[str, Any]:
    """What the server says to a second extension (the outbox must show the same)."""
    body = {"new_due_at": due, "reason": "再次延期", "parties_consent": True}
    answer = server.post(f"/api/v1/cases/{case_id}/extension", "zhang", body)
    assert answer.status_code == 409, answer.text
    problem: dict[str, Any] = answer.json()
    return problem


def test_a_refused_step_stays_in_the_outbox_with_the_servers_message(
    browser: Browser, own_server: Server, screenshots: Path
) -> None:
    server = own_server
    case_id = case_in_mediation(server, "合同款项争议")
    due_at = datetime.fromisoformat(server.get(f"/api/v1/cases/{case_id}").json()["due_at"])
    new_due = (due_at + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    with bench(browser, server, "phone") as zhang:
        zhang.sign_in("zhang")
        zhang.open_case(case_id)
        zhang.page.context.set_offline(True)
        for waiting, reason in enumerate(("等待鉴定结果", "再等一次鉴定"), start=1):
            form = zhang.form("extension")
            fill(form, {"new_due_at": new_due, "reason": reason, "parties_consent": True})
            form.locator("button[type=submit]").click()
            expect(zhang.page.locator(".pending li")).to_have_count(waiting)
        expect(zhang.outbox).to_have_attribute("data-count", "2")
        zhang.page.context.set_offline(False)
        expect(zhang.outbox).to_have_attribute("data-count", "1", timeout=20000)
        assert types(server, case_id).count("DeadlineExtended") == 1
        problem = refused_extension(server, case_id, new_due + ":00+08:00")
        zhang.nav("outbox")
        item = zhang.page.locator('[data-outbox-item][data-state="refused"]')
        expect(item).to_have_count(1)
        expect(item).to_have_attribute("data-status", "409")
        expect(item.locator(".problem")).to_contain_text(problem["detail"])
        expect(item.locator(".why")).to_contain_text("案件的当前状态不允许这一步")
        expect(item.locator('[data-action="fix"]')).to_have_count(0)  # the state, not a field
        expect(item.locator('[data-action="open"]')).to_have_attribute("href", f"#/cases/{case_id}")
        expect(zhang.outbox).to_have_attribute("data-count", "1")
        zhang.page.screenshot(path=screenshots / "workbench-refused-phone-zh.png", full_page=True)
        zhang.page.reload()  # kept on the device, not in the page
        zhang.wait_for("outbox")
        expect(item).to_contain_text(problem["detail"])
        zhang.page.on("dialog", lambda dialog: dialog.accept())
        item.locator('[data-action="discard"]').click()
        expect(zhang.outbox).to_have_attribute("data-count", "0")
        assert types(server, case_id).count("DeadlineExtended") == 1


def test_a_case_received_offline_and_refused_is_corrected_in_its_form(
    browser: Browser, own_server: Server
) -> None:
    server = own_server
    with bench(browser, server, "phone", locale="en-GB") as zhang:
        zhang.sign_in("zhang")
        zhang.nav("receive")
        zhang.page.context.set_offline(True)
        form = zhang.page.locator('form[data-command="receive"]')
        fill(
            form,
            {
                "category": "property_management",
                "subcategory": "fees",
                "street": "东湖街道",
                "channel": "grid_worker",
                "summary": "物业费拖欠三年",
                "parties.0.name": "冯物业",
                "parties.0.phone": "not a phone",
                "parties.1.name": "陈业主",
            },
        )
        form.locator("button[type=submit]").click()
        expect(zhang.outbox).to_have_attribute("data-count", "1")
        zhang.page.context.set_offline(False)
        zhang.nav("outbox")
        item = zhang.page.locator('[data-outbox-item][data-state="refused"]')
        expect(item).to_have_attribute("data-status", "422")
        expect(item.locator(".problem")).to_contain_text("parties.0.phone")
        item.locator('[data-action="fix"]').click()
        zhang.wait_for("receive")
        form = zhang.page.locator('form[data-command="receive"]')
        expect(form.locator('[name="parties.0.name"]')).to_have_value("冯物业")
        expect(form.locator('.field-error[data-field="parties.0.phone"]')).to_be_visible()
        fill(form, {"parties.0.phone": "13600000000"})
        form.locator("button[type=submit]").click()
        zhang.wait_for("case")
        expect(zhang.outbox).to_have_attribute("data-count", "0")
        match = CASE_URL.search(zhang.page.url)
        assert match
        [received] = history(server, match.group(1))
        assert received["data"]["registration"]["parties"][0]["phone"] == "13600000000"


def test_the_app_opens_offline_from_its_service_worker_which_keeps_no_api_answer(
    browser: Browser, own_server: Server
) -> None:
    with bench(browser, own_server, "phone", service_workers="allow") as zhang:
        zhang.sign_in("zhang")
        zhang.page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        zhang.page.context.set_offline(True)
        zhang.page.reload()
        # The page and its modules from the worker's cache; the cases need the connection, as
        # nothing of them is kept on a device the user did not ask to be remembered on.
        expect(zhang.view).to_have_attribute("data-view", "mine")
        expect(zhang.view).to_have_attribute("data-loaded", "error")
        expect(zhang.view.locator("[data-no-copies]")).to_contain_text("记住我")
        assert device_copies(zhang.page) == []
        expect(zhang.page.locator("#connection")).to_be_visible()
        zhang.nav("receive")
        expect(
            zhang.page.locator('form[data-command="receive"] select[name="street"] option')
        ).not_to_have_count(1)
        kept = zhang.page.evaluate(
            """async () => {
                const urls = [];
                for (const name of await caches.keys()) {
                    const cache = await caches.open(name);
                    for (const request of await cache.keys()) urls.push(request.url);
                }
                return urls;
            }"""
        )
        assert any(url.endswith("/workbench") for url in kept)
        assert not [url for url in kept if "/api/" in url]
        zhang.page.context.set_offline(False)
