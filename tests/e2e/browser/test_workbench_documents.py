"""Documents in the workbench, on a phone: after a written agreement the mediator prints the
agreement, has it signed, and attaches the photo of it; against a real `tongjie serve`."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from domain.values import MediaType
from tests.documents import sample
from tests.e2e.browser.conftest import Server
from tests.e2e.browser.workbench import bench, case_in_mediation, fill, history

pytestmark = pytest.mark.browser


def test_a_mediator_prints_the_agreement_and_attaches_it_signed_from_a_phone(
    browser: Browser, own_server: Server, screenshots: Path
) -> None:
    server = own_server
    case_id = case_in_mediation(server, "装修漏水赔偿纠纷")
    with bench(browser, server, "phone") as zhang:
        zhang.sign_in("zhang")
        zhang.open_case(case_id)
        expect(zhang.page.locator("button[data-agreement]")).to_have_count(0)
        resolution = zhang.form("resolution")
        fill(resolution, {
            "outcome": "agreement", "agreement.form": "written", "agreement.amount": "1500",
            "agreement.terms": "周强赔偿孙丽1500元", "agreement.performance": "现金当面支付",
            "agreement.perform_by": "2031-01-31T18:00",
        })  # fmt: skip
        zhang.submit_and_wait(resolution, 4)
        agreed = history(server, case_id)[-1]["data"]["agreement"]
        assert (agreed["performance"], agreed["perform_by"]) == (
            "现金当面支付",
            "2031-01-31T18:00:00+08:00",
        )
        offer = zhang.page.locator(f'button[data-agreement="{case_id}"]')
        expect(offer).to_be_visible()
        with zhang.page.context.expect_page() as opened:
            offer.click()
        agreement = opened.value
        expect(agreement.locator("h1")).to_contain_text("人民调解协议书")
        expect(agreement.locator("#terms")).to_contain_text("周强赔偿孙丽1500元")
        expect(agreement.locator("#performance")).to_contain_text("现金当面支付")
        expect(agreement.locator("#performance")).to_contain_text("2031年1月31日")
        # Its own style applies in the tab, under the workbench's policy.
        assert agreement.locator("h1").evaluate("(e) => getComputedStyle(e).textAlign") == "center"
        agreement.close()

        form = zhang.form("document")
        expect(form.locator('[name="kind"]')).to_have_value("agreement_signed")
        expect(form.locator('[name="title"]')).to_have_value("签署的调解协议书")
        photo = sample(MediaType.JPEG, 300_000)
        form.locator('input[name="file"]').set_input_files(
            files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": photo}]
        )
        zhang.submit_and_wait(form, 5)
        attached = history(server, case_id)[-1]
        assert attached["type"] == "DocumentAttached"
        assert attached["actor"]["login"] == "zhang"
        data = attached["data"]
        assert (data["kind"], data["title"], data["media_type"], data["size"]) == (
            "agreement_signed",
            "签署的调解协议书",
            "image/jpeg",
            len(photo),
        )
        assert data["sha256"] == hashlib.sha256(photo).hexdigest()
        listed = zhang.page.locator('.document-list li[data-kind="agreement_signed"]')
        expect(listed).to_contain_text("签署的调解协议书")
        expect(zhang.page.locator('.timeline li[data-event="DocumentAttached"]')).to_contain_text(
            "签署的调解协议书"
        )
        expect(zhang.page.locator(".agreement-offer .hint")).to_have_count(0)  # signed: filed
        zhang.page.screenshot(path=screenshots / "workbench-documents-phone-zh.png", full_page=True)
        with zhang.page.context.expect_page() as shown:
            listed.locator('button[data-action="open-document"]').click()
        expect(shown.value).to_have_url(re.compile(r"^blob:"))  # the bytes, fetched with the token
    stored = server.get(f"/api/v1/cases/{case_id}/documents/{data['document_id']}", "audit")
    assert stored.content == photo
