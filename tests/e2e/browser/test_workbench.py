"""The mediators' workbench in headless Chromium against a real `tongjie serve`, at phone and
laptop sizes: a case's whole life, a refusal shown next to its field, who sees what.

Every step is checked where it matters: in the case's history, read through the API.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser.conftest import Server
from tests.e2e.browser.workbench import CASE_URL, bench, fill, history, types

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_a_case_from_receipt_to_follow_up(
    browser: Browser, own_server: Server, size: str, screenshots: Path
) -> None:
    server = own_server
    summary = f"邻居装修噪音纠纷（{size}）"
    with bench(browser, server, size) as zhang:
        zhang.sign_in("zhang")
        zhang.nav("receive")
        form = zhang.page.locator('form[data-command="receive"]')
        fill(
            form,
            {
                "category": "family",
                "subcategory": "neighbour",
                "street": "东湖街道",
                "channel": "walk_in",
                "summary": summary,
                "parties.0.name": "钱多多",
                "parties.0.phone": "13900000001",
                "parties.1.name": "孙少少",
                "claim_amount": "500",
            },
        )
        form.locator("button[type=submit]").click()
        zhang.wait_for("case")
        match = CASE_URL.search(zhang.page.url)
        assert match, zhang.page.url
        case_id = match.group(1)
        [received] = history(server, case_id)
        registration = received["data"]["registration"]
        assert received["type"] == "Received"
        assert registration["summary"] == summary
        assert [(p["role"], p["name"]) for p in registration["parties"]] == [
            ("applicant", "钱多多"),
            ("respondent", "孙少少"),
        ]
        assert registration["parties"][0]["phone"] == "13900000001"
        assert registration["subcategory"] == "neighbour"
        assert received["actor"]["login"] == "zhang"
        # Not routed yet: the mediator may withdraw it, not log a session.
        expect(zhang.page.locator('form[data-command="session"]')).to_have_count(0)
        expect(zhang.page.locator('details[data-section="resolution"]')).to_have_count(1)

    with bench(browser, server, size) as boss:
        boss.sign_in("boss")
        row = boss.page.locator(f'[data-case-id="{case_id}"]')
        row.click()
        boss.wait_for("case")
        route = boss.form("route")
        workload = {m["code"]: m for m in server.get("/api/v1/workload").json()["items"]}
        fill(route, {"organisation": "room-1"})
        option = route.locator('select[name="mediator"] option[value="m1"]')
        expect(option).to_contain_text(f"在办{workload['m1']['open_cases']}件")
        fill(route, {"mediator": "m1", "note": "请尽快联系双方"})
        boss.submit_and_wait(route, 2)
        routed = history(server, case_id)[-1]
        assert routed["type"] == "Routed"
        assert (routed["data"]["organisation"], routed["data"]["mediator"]) == ("room-1", "m1")
        assert routed["actor"]["login"] == "boss"
        expect(boss.page.locator("a.dashboard-link")).to_have_attribute(
            "href", f"/dashboard#/cases/{case_id}"
        )

    with bench(browser, server, size) as zhang:
        zhang.sign_in("zhang")
        zhang.page.locator(f'[data-case-id="{case_id}"]').click()
        zhang.wait_for("case")
        session = zhang.form("session")
        fill(
            session,
            {
                "method": "in_person",
                "attendees": ["钱多多", "孙少少"],
                "notes": "双方同意限定施工时间",
                "duration_minutes": "50",
            },
        )
        zhang.submit_and_wait(session, 3)
        held = history(server, case_id)[-1]
        assert held["type"] == "Mediated"
        assert held["data"]["attendees"] == ["钱多多", "孙少少"]
        assert held["data"]["duration_minutes"] == 50

        resolution = zhang.form("resolution")
        fill(
            resolution,
            {
                "outcome": "agreement",
                "agreement.form": "written",
                "agreement.amount": "800",
                "agreement.terms": "孙少少赔偿钱多多800元，晚八点后停止施工",
            },
        )
        zhang.submit_and_wait(resolution, 4)
        resolved = history(server, case_id)[-1]
        assert resolved["type"] == "Resolved"
        assert resolved["data"]["outcome"] == "agreement"
        assert resolved["data"]["agreement"]["form"] == "written"
        assert resolved["data"]["agreement"]["amount"] == "800.00"

        follow_up = zhang.form("follow-up")
        fill(follow_up, {"fulfilment": "fulfilled", "satisfaction": "5"})
        zhang.submit_and_wait(follow_up, 5)
        visited = history(server, case_id)[-1]
        assert visited["type"] == "FollowUpRecorded"
        assert (visited["data"]["fulfilment"], visited["data"]["satisfaction"]) == ("fulfilled", 5)
        assert types(server, case_id) == [
            "Received",
            "Routed",
            "Mediated",
            "Resolved",
            "FollowUpRecorded",
        ]
        # The timeline says each step in words, with the person who took it.
        timeline = zhang.page.locator(".timeline li")
        expect(timeline).to_have_count(5)
        expect(timeline.first).to_contain_text("回访")
        expect(zhang.page.locator('.timeline li[data-event="Routed"]')).to_contain_text("张调解")
        expect(zhang.page.locator('form[data-command="judicial-confirmation"]')).to_have_count(1)
        zhang.page.screenshot(path=screenshots / f"workbench-case-{size}-zh.png", full_page=True)


def test_a_refusal_is_shown_next_to_its_field_and_nothing_is_stored(
    browser: Browser, own_server: Server
) -> None:
    with bench(browser, own_server, "phone") as zhang:
        zhang.sign_in("zhang")
        before = own_server.get("/api/v1/cases", "zhang", limit=500).json()["items"]
        zhang.nav("receive")
        form = zhang.page.locator('form[data-command="receive"]')
        fill(
            form,
            {
                "category": "commercial",
                "street": "东湖街道",
                "channel": "hotline",
                "summary": "货款纠纷",
                "parties.0.name": "吴一",
                "parties.0.phone": "call me",
                "parties.1.name": "郑二",
            },
        )
        form.locator("button[type=submit]").click()
        phone = form.locator('[name="parties.0.phone"]')
        expect(phone).to_have_attribute("aria-invalid", "true")
        message = form.locator('.field-error[data-field="parties.0.phone"]')
        expect(message).to_be_visible()
        described = phone.get_attribute("aria-describedby") or ""
        assert message.get_attribute("id") in described.split()
        # The message is next to the field it names: in the same field's box.
        assert phone.evaluate("(e, m) => e.closest('.field').contains(m)", message.element_handle())
        expect(zhang.outbox).to_have_attribute("data-count", "0")
        after = own_server.get("/api/v1/cases", "zhang", limit=500).json()["items"]
        assert len(after) == len(before)
        # Corrected, it goes through.
        fill(form, {"parties.0.phone": "13700000000"})
        form.locator("button[type=submit]").click()
        zhang.wait_for("case")


def test_a_mediator_sees_only_their_cases_and_an_auditor_no_form(
    browser: Browser, own_server: Server
) -> None:
    server = own_server
    mine = {row["id"] for row in server.get("/api/v1/cases", "zhang", limit=500).json()["items"]}
    theirs = {row["id"] for row in server.get("/api/v1/cases", "li", limit=500).json()["items"]}
    assert mine
    assert theirs
    assert not mine & theirs
    with bench(browser, server, "phone") as li:
        li.sign_in("li")
        shown = {e.get_attribute("data-case-id") for e in li.page.locator("[data-case-id]").all()}
        open_theirs = {
            row["id"]
            for row in server.get("/api/v1/cases", "li", limit=500, open="true").json()["items"]
        }
        assert shown == open_theirs
        assert not shown & mine
        stranger = sorted(mine)[0]
        li.page.evaluate("(hash) => { window.location.hash = hash; }", f"#/cases/{stranger}")
        expect(li.view).to_have_attribute("data-loaded", "error")
        expect(li.page.locator("form[data-command]")).to_have_count(0)

    with bench(browser, server, "laptop", locale="en-GB") as audit:
        audit.sign_in("audit")
        expect(audit.page.locator('#nav a[data-view="receive"]')).to_be_hidden()
        expect(audit.outbox).to_be_hidden()
        first = audit.page.locator("[data-case-id]").first
        first.click()
        audit.wait_for("case")
        expect(audit.view.locator("form")).to_have_count(0)
        expect(audit.view).to_contain_text("Read-only")
        audit.go("#/receive", "list")
        expect(audit.page.locator("form[data-command]")).to_have_count(0)


def test_the_dashboard_leads_to_the_filtered_sorted_paged_list_and_back(
    browser: Browser, own_server: Server
) -> None:
    server = own_server
    with bench(browser, server, "laptop") as boss:
        boss.page.goto(f"{server.url}/dashboard")
        token = boss.page.locator('input[name="token"]')
        token.fill(server.token("boss"))
        token.press("Enter")
        street = boss.page.locator('#by-street a[href*="street="]').first
        expect(street).to_be_visible()
        name = street.inner_text()
        street.click()  # the same tab: signed in already
        boss.wait_for("list")
        rows = server.get("/api/v1/cases", street=name, limit=500).json()["items"]
        listed = boss.page.locator("[data-case-id]")
        expect(listed).to_have_count(min(len(rows), 20))
        shown = [e.get_attribute("data-case-id") for e in listed.all()]
        assert shown == [row["id"] for row in rows][:20]

        boss.go("#/cases?open=true&sort=due_at", "list")
        want = server.get("/api/v1/cases", open="true", sort="due_at", limit=500).json()["items"]
        expect(listed).to_have_count(min(len(want), 20))
        assert [e.get_attribute("data-case-id") for e in listed.all()] == [
            row["id"] for row in want
        ][:20]
        form = boss.page.locator("form.filters")
        fill(form, {"sort": "-days_open", "status": "in_mediation"})
        form.locator("button[type=submit]").click()
        expect(boss.page).to_have_url(re.compile(r"sort=-days_open"))
        boss.wait_for("list")
        want = server.get(
            "/api/v1/cases", sort="-days_open", status="in_mediation", limit=500
        ).json()["items"]
        expect(listed).to_have_count(min(len(want), 20))
        assert [e.get_attribute("data-case-id") for e in listed.all()] == [
            row["id"] for row in want
        ][:20]

        boss.go("#/cases", "list")
        everything = server.get("/api/v1/cases", limit=500).json()["items"]
        assert len(everything) > 20, "the district should fill more than one page"
        boss.page.locator('[data-page="next"]').click()
        boss.wait_for("list")
        expect(listed.first).to_have_attribute("data-case-id", everything[20]["id"])
        boss.page.locator('[data-page="previous"]').click()
        boss.wait_for("list")
        expect(listed.first).to_have_attribute("data-case-id", everything[0]["id"])

        listed.first.click()
        boss.wait_for("case")
        boss.page.locator("a.dashboard-link").click()
        expect(boss.page.locator("#case-page")).to_be_visible()
        expect(boss.page.locator("#case-page a.workbench")).to_have_attribute(
            "href", f"/workbench#/cases/{everything[0]['id']}"
        )


def test_every_control_has_a_label_and_the_views_take_the_focus(
    browser: Browser, own_server: Server
) -> None:
    server = own_server
    case_id = server.get("/api/v1/cases", "zhang", open="true").json()["items"][0]["id"]
    with bench(browser, server, "phone") as zhang:
        zhang.sign_in("zhang")
        zhang.open_case(case_id)
        expect(zhang.page.locator("#case-title")).to_be_focused()  # a new view says where it is
        for section in zhang.page.locator("details[data-section] > summary").all():
            section.click()
        unlabelled = zhang.page.evaluate(
            """() => [...document.querySelectorAll('#view :is(input, select, textarea)')]
                .filter((c) => c.type !== 'hidden' && c.labels.length === 0
                               && !c.getAttribute('aria-label'))
                .map((c) => c.name || c.id)"""
        )
        assert unlabelled == []
        expect(zhang.page.locator("a.skip")).to_have_attribute("href", "#view")
        zhang.nav("receive")
        expect(zhang.page.locator("#view h1")).to_be_focused()
