"""Withdrawing a wrong document from the workbench (撤回材料): the reason asked for, a
confirmation, the step through the outbox (online and offline), the document kept in the file
and marked withdrawn; only for whoever may write the case. Against a real `tongjie serve`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Dialog, expect

from domain.values import MediaType
from tests.documents import sample
from tests.e2e.browser.conftest import Server
from tests.e2e.browser.workbench import Bench, bench, case_in_mediation, history

pytestmark = pytest.mark.browser

LAPTOP_768 = {"width": 1366, "height": 768}


def attach(server: Server, case_id: str, title: str, login: str = "zhang") -> str:
    """A document attached through the API; its id."""
    answer = httpx.post(
        f"{server.url}/api/v1/cases/{case_id}/documents",
        headers={"Authorization": f"Bearer {server.token(login)}"},
        data={"kind": "evidence", "title": title},
        files={"file": ("photo.jpg", sample(MediaType.JPEG, 20_000), "image/jpeg")},
        timeout=10,
    )
    assert answer.status_code == 201, answer.text
    document_id: str = answer.json()["document"]["id"]
    return document_id


def withdrawals(server: Server, case_id: str) -> list[dict[str, Any]]:
    return [event for event in history(server, case_id) if event["type"] == "DocumentWithdrawn"]


def open_withdrawal(person: Bench, document_id: str) -> Any:
    item = person.page.locator(f'.document-list li[data-document-id="{document_id}"]')
    item.locator('button[data-action="withdraw-document"]').click()
    form = item.locator('form[data-command="document-withdrawal"]')
    expect(form).to_be_visible()
    expect(form.locator('textarea[name="reason"]')).to_be_focused()
    return item, form


def test_a_mediator_withdraws_a_wrong_document_with_its_reason_after_confirming(
    browser: Browser, own_server: Server, screenshots: Path
) -> None:
    server = own_server
    case_id = case_in_mediation(server, "借款纠纷：材料传错")
    document_id = attach(server, case_id, "借条照片（传错）")
    with bench(browser, server, "phone") as zhang:
        zhang.sign_in("zhang")
        zhang.open_case(case_id)
        version = zhang.case_version()
        item, form = open_withdrawal(zhang, document_id)
        form.locator('textarea[name="reason"]').fill("上传错误：不是本案的借条")
        zhang.page.screenshot(path=screenshots / "workbench-withdraw-phone-zh.png", full_page=True)

        asked: list[str] = []

        def decline(dialog: Dialog) -> None:
            asked.append(dialog.message)
            dialog.dismiss()

        zhang.page.once("dialog", decline)
        form.locator("button[type=submit]").click()
        expect(form).to_be_visible()  # declined: nothing sent, the form as it was
        assert len(asked) == 1
        assert "借条照片（传错）" in asked[0]
        assert withdrawals(server, case_id) == []

        zhang.page.once("dialog", lambda dialog: dialog.accept())
        zhang.submit_and_wait(form, version + 1)
        [withdrawn] = withdrawals(server, case_id)
        assert withdrawn["data"]["document_id"] == document_id
        assert withdrawn["data"]["reason"] == "上传错误：不是本案的借条"
        assert withdrawn["actor"]["login"] == "zhang"
        # Still listed, marked withdrawn with the reason, still readable; no second withdrawal.
        expect(item).to_have_class("withdrawn")
        expect(item.locator(".withdrawn-note")).to_contain_text("上传错误：不是本案的借条")
        expect(item.locator('button[data-action="open-document"]')).to_be_visible()
        expect(item.locator('button[data-action="withdraw-document"]')).to_have_count(0)
        in_history = zhang.page.locator('.timeline li[data-event="DocumentWithdrawn"]')
        expect(in_history).to_contain_text("撤回“借条照片（传错）”：上传错误：不是本案的借条")
        zhang.page.screenshot(path=screenshots / "workbench-withdrawn-phone-zh.png", full_page=True)
    listed = server.get(f"/api/v1/cases/{case_id}/documents").json()["items"]
    assert [(d["id"], d["withdrawal_reason"]) for d in listed] == [
        (document_id, "上传错误：不是本案的借条")
    ]


def test_a_withdrawal_entered_offline_waits_in_the_outbox_and_is_stored_once(
    browser: Browser, own_server: Server
) -> None:
    server = own_server
    case_id = case_in_mediation(server, "租赁押金纠纷")
    document_id = attach(server, case_id, "押金收据（重复）")
    with bench(browser, server, "phone") as zhang:
        zhang.sign_in("zhang")
        zhang.open_case(case_id)
        zhang.page.context.set_offline(True)
        item, form = open_withdrawal(zhang, document_id)
        form.locator('textarea[name="reason"]').fill("与另一份收据重复")
        zhang.page.once("dialog", lambda dialog: dialog.accept())
        form.locator("button[type=submit]").click()
        expect(zhang.outbox).to_have_attribute("data-count", "1")
        expect(item.locator(".withdrawal-waiting")).to_be_visible()  # not withdrawn yet
        expect(item.locator('button[data-action="withdraw-document"]')).to_have_count(0)
        assert withdrawals(server, case_id) == []
        zhang.page.context.set_offline(False)
        expect(zhang.outbox).to_have_attribute("data-count", "0", timeout=20000)
        expect(item).to_have_class("withdrawn")
    [withdrawn] = withdrawals(server, case_id)
    assert (withdrawn["data"]["document_id"], withdrawn["data"]["reason"]) == (
        document_id,
        "与另一份收据重复",
    )


def test_a_supervisor_may_withdraw_a_document_and_an_auditor_may_not(
    browser: Browser, own_server: Server, screenshots: Path
) -> None:
    server = own_server
    case_id = case_in_mediation(server, "噪音扰民纠纷")
    document_id = attach(server, case_id, "Noise log (wrong flat)")
    with bench(browser, server, "laptop", locale="en-GB") as boss:
        boss.page.set_viewport_size(LAPTOP_768)
        boss.sign_in("boss")
        boss.open_case(case_id)
        _, form = open_withdrawal(boss, document_id)
        expect(form.locator("label")).to_contain_text("Why it is withdrawn")
        form.locator('textarea[name="reason"]').fill("Recorded at the wrong flat")
        boss.page.screenshot(path=screenshots / "workbench-withdraw-laptop-en.png")
        form.locator('button[data-action="cancel-withdrawal"]').click()
        expect(form).to_be_hidden()
    with bench(browser, server, "laptop") as audit:
        audit.sign_in("audit")
        audit.open_case(case_id)
        item = audit.page.locator(f'.document-list li[data-document-id="{document_id}"]')
        expect(item.locator('button[data-action="open-document"]')).to_be_visible()
        expect(item.locator('button[data-action="withdraw-document"]')).to_have_count(0)
    assert withdrawals(server, case_id) == []
