"""Routing in the workbench to a mediator who does not take the case's category: the server's
reason shown at the mediator field, the override field opened, and the routing stored with the
supervisor's reason once given."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser.conftest import Server
from tests.e2e.browser.workbench import NEW_CASE, bench, fill, history

pytestmark = pytest.mark.browser


def test_a_supervisor_overrides_a_category_the_mediator_does_not_take(
    browser: Browser, own_server: Server
) -> None:
    server = own_server
    added = server.post(
        "/api/v1/mediators",
        "admin",
        {
            "code": "m-shang",
            "name": "商调解",
            "organisation": "room-1",
            "categories": ["commercial"],
        },
    )
    assert added.status_code == 201, added.text
    received = server.post("/api/v1/cases", "zhang", {**NEW_CASE, "summary": "家事纠纷待分流"})
    case_id = received.json()["id"]
    with bench(browser, server, "laptop") as boss:
        boss.sign_in("boss")
        boss.open_case(case_id)
        route = boss.form("route")
        override = route.locator('[name="override_reason"]')
        expect(override).to_be_hidden()
        fill(route, {"organisation": "room-1", "mediator": "m-shang"})
        route.locator("button[type=submit]").click()
        expect(route.locator('.field-error[data-field="mediator"]')).to_contain_text("family")
        expect(override).to_be_visible()
        expect(override).to_be_focused()
        assert [e["type"] for e in history(server, case_id)] == ["Received"]
        override.fill("只有他熟悉该小区的情况")
        boss.submit_and_wait(route, 2)
        routing = boss.page.locator('.timeline li[data-event="Routed"]')
        expect(routing).to_contain_text("不承接此类纠纷")
        expect(routing).to_contain_text("只有他熟悉该小区的情况")
    routed = history(server, case_id)[-1]
    assert routed["type"] == "Routed"
    assert routed["data"]["mediator"] == "m-shang"
    assert routed["data"]["override_reason"] == "只有他熟悉该小区的情况"
    assert routed["data"]["overridden"] == "category_not_taken"
