"""The dashboard over the demo district, as the bureau reads it: the report's nine months show
调处成功率 99.78%, no rate above 100% goes without the line that explains it, and every count
leads to the workbench's list of exactly that many cases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.browser.conftest import DemoServer
from tests.e2e.browser.pages import LAPTOP, as_int

pytestmark = pytest.mark.browser

PERCENT = re.compile(r"(\d[\d,]*\.\d{2})%")
LIST_PARAMS = """async ([hrefs]) => {
  const src = [...document.scripts].find((s) => s.src.endsWith("/js/main.js")).src;
  const { listParams } = await import(src.replace("main.js", "lists.js"));
  return hrefs.map((href) => listParams(href.split("?")[1] || ""));
}"""


@contextmanager
def signed_in(
    browser: Browser, demo: DemoServer, path: str, locale: str = "zh-CN"
) -> Iterator[Page]:
    context = browser.new_context(locale=locale, viewport=LAPTOP)
    context.set_default_timeout(15000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{demo.url}{path}")
        field = page.locator('input[name="token"]')
        field.fill(demo.tokens["supervisor"])
        field.press("Enter")
        expect(page.locator("#workload tbody tr").first).to_be_visible()
        expect(page.locator('[data-figure="received"]')).to_be_visible()
        yield page
    finally:
        context.close()
    assert errors == [], errors


def report_period(demo: DemoServer) -> str:
    return f"/dashboard?period=custom&from={demo.year}-01-01&to={demo.year}-10-01"


def test_the_reports_nine_months_read_99_78_percent_as_调处成功率(
    browser: Browser, demo_server: DemoServer, screenshots: Path
) -> None:
    with signed_in(browser, demo_server, report_period(demo_server)) as page:
        figure = lambda name: page.locator(f'[data-figure="{name}"]')  # noqa: E731
        expect(figure("received")).to_have_attribute("data-value", "7514")
        expect(figure("agreements")).to_have_attribute("data-value", "7498")
        expect(figure("success_rate")).to_have_text("99.78%")  # truncated, as the report prints
        expect(page.locator("#figure-success_rate")).to_have_text("调处成功率")
        expect(figure("cohort_success_rate")).to_have_text("99.78%")  # all settled by October
        expect(page.locator("#figures [data-note=rates]")).to_be_visible()
        lead = page.locator("#figures .card.lead [data-figure]")
        expect(lead).to_have_attribute("data-figure", "cohort_success_rate")  # part of a year
        page.screenshot(path=screenshots / "demo-report-zh.png", full_page=True)
    with signed_in(browser, demo_server, "/dashboard", locale="en-GB") as page:
        expect(page.locator("#figures .card.lead [data-figure]")).to_have_attribute(
            "data-figure",
            "success_rate",  # this year to date: the bureau's rate first
        )
        expect(page.locator("#figure-success_rate")).to_contain_text("调处成功率")


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard?period=last12"])
def test_no_rate_reads_above_100_percent_without_its_explanation(
    browser: Browser, demo_server: DemoServer, path: str
) -> None:
    with signed_in(browser, demo_server, path) as page:
        above = 0
        for panel in page.locator("main .panel").all():
            text = panel.inner_text()
            rates = [float(value.replace(",", "")) for value in PERCENT.findall(text)]
            if any(rate > 100 for rate in rates):
                above += 1
                expect(panel.locator("[data-note=rates]").first).to_be_visible()
                assert "可能超过100%" in panel.locator("[data-note=rates]").first.inner_text()
        assert above, "the demo's months should show the bureau's rate above 100% somewhere"


def _links(page: Page) -> list[tuple[str, int, str]]:
    """Every count that links: (its address, the figure it shows, where it is)."""
    found: list[tuple[str, int, str]] = page.eval_on_selector_all(
        "a.count-link",
        """els => els.map((e) => [
            e.getAttribute("href"),
            Number(e.textContent.replace(/,/g, "")),
            (e.closest("section")?.id || e.closest("[id]")?.id || "") + " " +
              (e.closest("tr")?.querySelector("th")?.textContent || e.closest(".card")
                ?.querySelector("dt")?.textContent || ""),
        ])""",
    )
    return found


def test_every_count_leads_to_a_list_of_exactly_that_many_cases(
    browser: Browser, demo_server: DemoServer
) -> None:
    checked = 0
    for path in ("/dashboard", report_period(demo_server)):
        with signed_in(browser, demo_server, path) as page:
            links = _links(page)
            assert len(links) > 100, len(links)
            for section in ("figures", "by-category", "by-street", "trend", "workload"):
                assert any(where.startswith(section) for _, _, where in links), section
            # The workbench reads a link's address as it will: its own module, in its page.
            page.goto(f"{demo_server.url}/workbench#/cases")
            expect(page.locator("#view")).to_have_attribute("data-loaded", "true")
            params: list[dict[str, Any]] = page.evaluate(
                LIST_PARAMS, [[urlsplit(href).fragment for href, _, _ in links]]
            )
            for (href, figure, where), asked in zip(links, params, strict=True):
                assert href.startswith("/workbench#/cases?"), href
                answer = demo_server.get("/api/v1/cases", **asked, count="true", limit=1)
                assert answer.status_code == 200, (where, href, answer.text)
                assert answer.json()["total"] == figure, (where, href, asked)
                checked += 1
    assert checked > 200

    # And in the browser, as a supervisor follows one: the list says the figure.
    with signed_in(browser, demo_server, report_period(demo_server)) as page:
        for selector in (
            '#figures [data-figure="agreements"] a',
            "#by-street tbody tr:nth-child(3) a[data-count=received]",
            "#workload tbody tr:first-child a[data-count=open]",
            "#trend tbody tr:nth-child(5) a[data-count=resolved]",
        ):
            link = page.locator(selector)
            figure = as_int(link.inner_text())
            link.click()
            view = page.locator("#view")
            expect(view).to_have_attribute("data-loaded", "true")
            expect(page.locator("#view .count")).to_have_attribute("data-total", str(figure))
            expect(page.locator("#view .count")).to_have_text(f"共{figure}件")
            shown = page.locator("#view [data-case-id]").count()
            assert shown == min(figure, 20)
            page.go_back()
            expect(page.locator("#workload tbody tr").first).to_be_visible()
