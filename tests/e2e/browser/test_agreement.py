"""The mediation agreement (调解协议书) printed by Chromium from a real server: one A4 page
with every section People's Mediation Law Art. 29 asks for, and its footer on every page."""

from __future__ import annotations

import io
import re
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from pypdf import PdfReader

from tests.e2e.browser.conftest import Server

pytestmark = pytest.mark.browser

A4 = (595.28, 841.89)  # points
SECTIONS = (
    "人民调解协议书",
    "当事人基本情况",  # the parties' particulars
    "纠纷的主要事实、争议事项",
    "经调解，双方自愿达成如下协议",  # the terms agreed
    "履行方式、期限",
    "调解组织及调解员",
    "达成日期",
    "签名、盖章",
    "签名、盖章或按指印",  # each party's line
    "人民调解委员会印章",  # the committee's seal
)


RADICALS = str.maketrans(
    dict(
        zip(
            "⺠⻓⻅⻔⻢⻛⻜⻘⻬⻰⻄⻚⻋⻉⻨⻩⻳⻤⺟⻆",
            "民长见门马风飞青齐龙西页车贝麦黄龟鬼母角",
            strict=True,
        )
    )
)
"""The font maps some ideographs to radicals' code points in the PDF's text (⺠ for 民); NFKC
mends the Kangxi radicals (⼈ for 人), this the supplement's."""


def plain(text: str) -> str:
    """Text as compared: no white space, compatibility forms folded (，is ,), radicals mended."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(RADICALS))


APPLICANT = {"role": "applicant", "name": "欧阳明", "phone": "13900000001"}
AGREEMENT = {
    "form": "written",
    "amount": "2400.00",
    "terms": "司马青承担维修费2400元，欧阳明承担其余部分",
    "performance": "银行转账一次性支付",
    "perform_by": "2031-06-30T18:00:00+08:00",
}


def agreed_case(server: Server) -> str:
    parties = [
        {**APPLICANT, "id_number": "110101199001010011"},
        {"role": "respondent", "name": "司马青"},
    ]
    registration = {
        "category": "property_management",
        "subcategory": "repairs",
        "street": "东湖街道",
        "channel": "walk_in",
        "summary": "外墙渗水维修费用分担争议",
        "parties": parties,
        "claim_amount": "3600.00",
    }
    case_id = str(server.post("/api/v1/cases", "zhang", registration).json()["id"])
    steps = [
        ("boss", "route", {"organisation": "room-1", "mediator": "m1"}),
        ("zhang", "sessions", {"method": "in_person", "notes": "双方同意按比例分担"}),
        ("zhang", "resolution", {"outcome": "agreement", "agreement": AGREEMENT}),
    ]
    for login, path, body in steps:
        answer = server.post(f"/api/v1/cases/{case_id}/{path}", login, body)
        assert answer.status_code == 200, answer.text
    return case_id


def test_the_agreement_prints_on_a4_with_every_required_section(
    browser: Browser, server: Server, screenshots: Path
) -> None:
    case_id = agreed_case(server)
    history = server.get(f"/api/v1/cases/{case_id}/file", "audit").json()["events"]
    head, resolved = history[-1], next(e for e in history if e["type"] == "Resolved")
    context = browser.new_context(
        extra_http_headers={"Authorization": f"Bearer {server.token('zhang')}"}
    )
    try:
        page = context.new_page()
        answer = page.goto(f"{server.url}/api/v1/cases/{case_id}/agreement")
        assert answer is not None
        assert answer.status == 200
        pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
        page.screenshot(path=screenshots / "agreement.png", full_page=True)
    finally:
        context.close()
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == pytest.approx(A4, abs=1)
    text = plain("".join(p.extract_text() for p in pdf.pages))
    for expected in (
        *SECTIONS,
        "欧阳明",
        "13900000001",
        "110101199001010011",
        "司马青",
        "外墙渗水维修费用分担争议",
        "司马青承担维修费2400元，欧阳明承担其余部分",
        "银行转账一次性支付",
        "2031年6月30日",
        "东湖街道通解室",
        "张调解",
        f"第{resolved['version']}版version{resolved['version']},存储位置position{resolved['position']}",
        head["hash"],
    ):
        assert plain(expected) in text, expected
