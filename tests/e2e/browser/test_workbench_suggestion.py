"""The route form's suggestion (分流建议) on a real `tongjie serve`: the rule's organisation and
mediator preselected and said in one line, the reason when no rule applies, every mediator of
the organisation with their open cases and why they cannot take the case, the override field
opened as soon as an away mediator is chosen, and the note when offline. Screenshots on a phone
and a laptop, in Chinese and English."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser.conftest import Server
from tests.e2e.browser.workbench import NEW_CASE, bench, fill, history

pytestmark = pytest.mark.browser

RULE = "家事到街道通解室"
LAPTOP_768 = {"width": 1366, "height": 768}


def _put_rules(server: Server, rules: list[dict[str, Any]]) -> None:
    headers = {"Authorization": f"Bearer {server.token('boss')}"}
    current = httpx.get(f"{server.url}/api/v1/routing-rules", headers=headers, timeout=10)
    assert current.status_code == 200, current.text
    answer = httpx.put(
        f"{server.url}/api/v1/routing-rules",
        json={"rules": rules},
        headers={**headers, "If-Match": current.headers["ETag"]},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


@pytest.fixture(scope="module")
def district(own_server: Server) -> Server:
    """Family disputes go to the street's room by rule; the room has a new mediator (the
    fewest cases), one away on leave and one deactivated."""
    server = own_server
    _put_rules(
        server,
        [
            {
                "name": RULE,
                "match": {"category": "family"},
                "target": {"organisation_kind": "street_room"},
            }
        ],
    )
    for code, name in [("m3", "王调解"), ("m-away", "赵调解"), ("m-gone", "钱调解")]:
        added = server.post(
            "/api/v1/mediators", "admin", {"code": code, "name": name, "organisation": "room-1"}
        )
        assert added.status_code == 201, added.text
    now = datetime.now(ZoneInfo("Asia/Shanghai")).replace(microsecond=0)
    away = {
        "from": (now - timedelta(days=1)).isoformat(),
        "to": (now + timedelta(days=6)).isoformat(),
        "reason": "年假",
    }
    recorded = server.post("/api/v1/mediators/m-away/absences", "boss", away)
    assert recorded.status_code in (200, 201), recorded.text
    gone = server.post("/api/v1/mediators/m-gone/deactivate", "admin", {})
    assert gone.status_code == 200, gone.text
    return server


def _new_case(server: Server, **changes: Any) -> str:
    body = {**NEW_CASE, "summary": "待分流的纠纷", **changes}
    answer = server.post("/api/v1/cases", "zhang", body)
    assert answer.status_code == 201, answer.text
    case_id: str = answer.json()["id"]
    return case_id


def _suggestion(server: Server, case_id: str) -> dict[str, Any]:
    answer = server.get(f"/api/v1/cases/{case_id}/routing-suggestion")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.mark.parametrize(("size", "locale"), [("phone", "zh-CN"), ("laptop", "en-GB")])
def test_the_route_form_preselects_the_suggestion_and_routes_by_it(
    browser: Browser, district: Server, screenshots: Path, size: str, locale: str
) -> None:
    server = district
    case_id = _new_case(server)
    suggested = _suggestion(server, case_id)
    assert suggested["rule"] == RULE
    assert suggested["organisation"] == "room-1"
    english = locale.startswith("en")
    with bench(browser, server, size, locale) as boss:
        boss.sign_in("boss")
        boss.open_case(case_id)
        route = boss.form("route")
        line = route.locator(".suggestion")
        expect(line).to_have_attribute("data-suggestion", "ready")
        expect(line).to_contain_text(RULE)
        expect(line).to_contain_text("Suggested by rule" if english else "建议：按规则")
        expect(route.locator('[name="organisation"]')).to_have_value("room-1")
        expect(route.locator('[name="mediator"]')).to_have_value(suggested["mediator"])
        away = route.locator('option[value="m-away"]')
        expect(away).to_have_attribute("data-reason", "away")
        expect(away).to_contain_text("away until" if english else "不在岗，至")
        expect(away).to_contain_text("年假")
        expect(away).to_be_enabled()
        gone = route.locator('option[value="m-gone"]')
        expect(gone).to_have_attribute("data-reason", "deactivated")
        expect(gone).to_be_disabled()
        notes = route.locator("[data-mediator-notes]")
        expect(notes.locator('li[data-mediator="m-away"]')).to_contain_text("年假")
        expect(notes.locator('li[data-mediator="m-gone"]')).to_have_attribute(
            "data-reason", "deactivated"
        )
        expect(route.locator('[name="override_reason"]')).to_be_hidden()
        if size == "laptop":
            boss.page.set_viewport_size(LAPTOP_768)
        first, other = ("en", "zh") if english else ("zh", "en")
        route.scroll_into_view_if_needed()
        boss.page.screenshot(path=screenshots / f"workbench-route-{size}-{first}.png")
        boss.page.locator("#language").click()  # the other language: the same suggestion
        expect(boss.view).to_have_attribute("data-loaded", "true")
        route = boss.form("route")
        line = route.locator(".suggestion")
        expect(line).to_have_attribute("data-suggestion", "ready")
        expect(line).to_contain_text("建议：按规则" if english else "Suggested by rule")
        expect(route.locator('[name="mediator"]')).to_have_value(suggested["mediator"])
        route.scroll_into_view_if_needed()
        boss.page.screenshot(path=screenshots / f"workbench-route-{size}-{other}.png")
        boss.submit_and_wait(route, 2)
    routed = history(server, case_id)[-1]
    assert routed["type"] == "Routed"
    assert routed["data"]["organisation"] == "room-1"
    assert routed["data"]["mediator"] == suggested["mediator"]
    assert routed["data"].get("override_reason") is None


def test_no_rule_leaves_the_choice_empty_and_says_why(
    browser: Browser, district: Server, screenshots: Path
) -> None:
    server = district
    case_id = _new_case(server, category="other", subcategory=None)
    assert _suggestion(server, case_id)["organisation"] is None
    with bench(browser, server, "phone") as boss:
        boss.sign_in("boss")
        boss.open_case(case_id)
        route = boss.form("route")
        line = route.locator(".suggestion")
        expect(line).to_have_attribute("data-suggestion", "none")
        expect(line).to_contain_text("没有分流规则适用于本案")
        expect(route.locator('[name="organisation"]')).to_have_value("")
        expect(route.locator('[name="mediator"]')).to_have_value("")
        route.scroll_into_view_if_needed()
        boss.page.screenshot(path=screenshots / "workbench-route-phone-zh-no-rule.png")


def test_choosing_an_away_mediator_opens_the_override_at_once(
    browser: Browser, district: Server, screenshots: Path
) -> None:
    server = district
    case_id = _new_case(server)
    with bench(browser, server, "laptop") as boss:
        boss.sign_in("boss")
        boss.open_case(case_id)
        route = boss.form("route")
        expect(route.locator(".suggestion")).to_have_attribute("data-suggestion", "ready")
        override = route.locator('[name="override_reason"]')
        expect(override).to_be_hidden()
        fill(route, {"mediator": "m-away"})
        expect(override).to_be_visible()
        expect(route.locator("[data-override] .hint")).to_contain_text("年假")
        boss.page.set_viewport_size(LAPTOP_768)
        override.scroll_into_view_if_needed()
        boss.page.screenshot(path=screenshots / "workbench-route-laptop-zh-override.png")
        fill(route, {"mediator": "m3"})  # an eligible one: the field goes again
        expect(override).to_be_hidden()
        fill(route, {"mediator": "m-away"})
        override.fill("当事人只信任赵调解，同意等她休假回来")
        boss.submit_and_wait(route, 2)
    routed = history(server, case_id)[-1]
    assert routed["type"] == "Routed"
    assert routed["data"]["mediator"] == "m-away"
    assert routed["data"]["overridden"] == "away"
    assert routed["data"]["override_reason"] == "当事人只信任赵调解，同意等她休假回来"


def test_offline_the_form_works_as_before_and_says_the_suggestion_is_unavailable(
    browser: Browser, district: Server
) -> None:
    server = district
    case_id = _new_case(server)
    with bench(browser, server, "phone") as boss:
        boss.sign_in("boss")
        boss.open_case(case_id)
        boss.page.context.set_offline(True)
        route = boss.form("route")
        line = route.locator(".suggestion")
        expect(line).to_have_attribute("data-suggestion", "offline")
        expect(line).to_contain_text("离线")
        expect(route.locator('[name="organisation"]')).to_have_value("room-1")  # the street's room
        fill(route, {"mediator": "m1"})
        expect(route.locator('[name="mediator"]')).to_have_value("m1")
        boss.page.context.set_offline(False)


def test_re_routing_reads_the_suggestion_too_and_marks_the_current_mediator(
    browser: Browser, district: Server
) -> None:
    server = district
    case_id = _new_case(server)
    routed = server.post(
        f"/api/v1/cases/{case_id}/route", "boss", {"organisation": "room-1", "mediator": "m1"}
    )
    assert routed.status_code == 200, routed.text
    suggested = _suggestion(server, case_id)
    assert suggested["mediator"] not in (None, "m1")
    with bench(browser, server, "phone") as boss:
        boss.sign_in("boss")
        boss.open_case(case_id)
        route = boss.form("route")
        expect(route.locator(".suggestion")).to_have_attribute("data-suggestion", "ready")
        expect(route.locator('[name="mediator"]')).to_have_value(suggested["mediator"])
        expect(route.locator('option[value="m1"]')).to_contain_text("现承办")
        expect(route.locator('[name="due_at"]')).to_have_count(0)  # a re-routing keeps it
