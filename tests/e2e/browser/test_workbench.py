"""The mediators' workbench in headless Chromium against a real `tongjie serve`, at phone and
laptop sizes: a case's whole life, a refusal shown next to its field, who sees what.

Every step is checked where it matters: in the case's history, read through the API.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser.conftest import Server
from tests.e2e.browser.workbench import (
    CASE_URL,
    NEW_CASE,
    bench,
    case_in_mediation,
    fill,
    history,
    types,
)
from tests.world import STREET

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
        row = boss.page.locator("#by-street tbody tr").first
        street = row.locator("a[data-count=open]")  # a street's open cases
        expect(street).to_be_visible()
        name = row.locator("th").inner_text()
        street.click()  # the same tab: signed in already
        boss.wait_for("list")
        rows = server.get("/api/v1/cases", street=name, open="true", limit=500).json()["items"]
        expect(boss.page.locator("#view .count")).to_have_attribute("data-total", str(len(rows)))
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


def test_a_party_found_by_phone_and_the_repeat_party_on_its_case_page(
    browser: Browser, own_server: Server
) -> None:
    """The supervisor types a phone as the person said it; the two cases it is a party of are
    listed, and each case's page shows the repeat-party badge and links to the other."""
    server = own_server
    ids = []
    for summary in ("楼上漏水（重复当事人）", "停车位争执（重复当事人）"):
        answer = server.post(
            "/api/v1/cases",
            "boss",
            {
                "category": "family",
                "subcategory": "neighbour",
                "street": STREET,
                "channel": "walk_in",
                "summary": summary,
                "parties": [
                    {"role": "applicant", "name": "欧阳明", "phone": "13712345678"},
                    {"role": "respondent", "name": "赵大海"},
                ],
            },
        )
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    with bench(browser, server, "laptop") as boss:
        boss.sign_in("boss")
        boss.go("#/cases", "list")
        boss.page.fill("#list-party", "+86 137 1234 5678")
        boss.page.locator("form.filters button[type=submit]").click()
        expect(boss.page.locator("[data-case-id]")).to_have_count(2)
        shown = {e.get_attribute("data-case-id") for e in boss.page.locator("[data-case-id]").all()}
        assert shown == set(ids)
        boss.open_case(ids[1])
        expect(boss.view.locator(".badge.repeat-party")).to_be_visible()
        other = boss.view.locator("[data-repeat-cases] a")
        expect(other).to_have_attribute("href", f"#/cases/{ids[0]}")


def test_a_correction_a_withdrawal_and_a_judicial_confirmation(
    browser: Browser, own_server: Server
) -> None:
    server = own_server
    corrected = case_in_mediation(server, "相邻通行纠纷")
    withdrawn = server.post("/api/v1/cases", "zhang", {**NEW_CASE, "summary": "当事人撤回"})
    assert withdrawn.status_code == 201, withdrawn.text
    withdrawn_id = withdrawn.json()["id"]
    confirmed = case_in_mediation(server, "借款纠纷")
    agreement = {"form": "written", "amount": "3000", "terms": "分三期还款"}
    answer = server.post(
        f"/api/v1/cases/{confirmed}/resolution",
        "zhang",
        {"outcome": "agreement", "agreement": agreement},
    )
    assert answer.status_code == 200, answer.text
    with bench(browser, server, "phone") as zhang:
        matches: list[str | None] = []
        zhang.page.on(
            "request",
            lambda r: matches.append(r.headers.get("if-match")) if "corrections" in r.url else None,
        )
        zhang.sign_in("zhang")
        # My cases: found by a party's name (the parties come from each case).
        search = zhang.page.locator("#mine-search")
        expect(zhang.page.locator(".row-parties").first).not_to_have_text("当事人加载中…")
        search.fill("孙丽")
        rows = zhang.page.locator("[data-case-id]")
        expect(rows.first).to_be_visible()
        for row in rows.all():
            expect(row.locator(".row-parties")).to_contain_text("孙丽")
        assert corrected in {row.get_attribute("data-case-id") for row in rows.all()}

        zhang.open_case(corrected)
        correction = zhang.form("correction")
        fill(correction, {"reason": "简要情况登记有误", "summary": "相邻通行及排水纠纷"})
        zhang.submit_and_wait(correction, 4)
        event = history(server, corrected)[-1]
        assert event["type"] == "RegistrationCorrected"
        assert event["data"]["registration"]["summary"] == "相邻通行及排水纠纷"
        assert event["data"]["registration"]["category"] == "family"
        assert matches == ['"3"']  # conditional on the version the form showed
        expect(
            zhang.page.locator('.timeline li[data-event="RegistrationCorrected"]')
        ).to_contain_text("简要情况")

        zhang.open_case(withdrawn_id)
        withdraw = zhang.form("resolution")
        options = withdraw.locator('select[name="outcome"] option')
        expect(options).to_have_count(1)
        fill(withdraw, {"note": "申请人撤回"})
        zhang.submit_and_wait(withdraw, 2)
        event = history(server, withdrawn_id)[-1]
        assert (event["type"], event["data"]["outcome"]) == ("Resolved", "withdrawn")

        zhang.open_case(confirmed)
        judicial = zhang.form("judicial-confirmation")
        expect(judicial.locator('[name="ruling"]')).to_have_count(0)
        zhang.submit_and_wait(judicial, 5)
        applied = history(server, confirmed)[-1]
        assert applied["type"] == "JudicialConfirmationRecorded"
        assert applied["data"]["ruling"] is None
        ruling = zhang.form("judicial-confirmation")
        fill(ruling, {"ruling": "confirmed"})
        zhang.submit_and_wait(ruling, 6)
        ruled = history(server, confirmed)[-1]
        assert ruled["data"]["ruling"] == "confirmed"
        assert ruled["data"]["applied_at"] == applied["data"]["applied_at"]
        expect(zhang.page.locator('form[data-command="judicial-confirmation"]')).to_have_count(0)


def test_a_supervisor_re_routes_a_case_and_its_deadline_stays(
    browser: Browser, own_server: Server
) -> None:
    server = own_server
    case_id = case_in_mediation(server, "租赁押金纠纷")
    due_at = server.get(f"/api/v1/cases/{case_id}").json()["due_at"]
    with bench(browser, server, "phone") as boss:
        boss.sign_in("boss")
        boss.open_case(case_id)
        route = boss.form("route")
        expect(boss.page.locator('details[data-section="route"] summary')).to_have_text("改派")
        expect(route.locator('[name="due_at"]')).to_have_count(0)  # a re-routing keeps it
        fill(route, {"organisation": "centre-2", "mediator": "m2", "note": "转西山街道"})
        boss.submit_and_wait(route, 4)
    rerouted = history(server, case_id)[-1]
    assert rerouted["type"] == "Routed"
    assert (rerouted["data"]["organisation"], rerouted["data"]["mediator"]) == ("centre-2", "m2")
    assert server.get(f"/api/v1/cases/{case_id}").json()["due_at"] == due_at


def test_my_cases_put_what_needs_doing_first(browser: Browser, own_server: Server) -> None:
    """Overdue first (the most overdue on top), then red and orange risks, then by deadline."""
    server = own_server
    rows = server.get("/api/v1/cases", "zhang", open="true", limit=500).json()["items"]
    assert any(r["overdue"] for r in rows)
    assert any(r["risk_level"] in ("red", "orange") and not r["overdue"] for r in rows)

    def urgency(row: dict[str, Any]) -> tuple[int, str, str]:
        raised = row["risk_level"] in ("red", "orange")
        rank = 0 if row["overdue"] else 1 if raised else 2
        due = row["due_at"] and datetime.fromisoformat(row["due_at"]).astimezone(UTC).isoformat()
        return rank, due or "~", row["number"]  # no deadline last; ties by number

    want = [row["id"] for row in sorted(rows, key=urgency)]
    with bench(browser, server, "phone") as zhang:
        zhang.sign_in("zhang")
        listed = zhang.page.locator("[data-case-id]")
        expect(listed).to_have_count(len(want))
        assert [e.get_attribute("data-case-id") for e in listed.all()] == want
        expect(listed.first).to_have_class(re.compile("is-overdue"))
