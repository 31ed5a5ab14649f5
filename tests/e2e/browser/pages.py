"""Helpers that drive the dashboard as a user would, and read it as a test must."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.browser.conftest import Server

HEADLINE = [
    "received",
    "resolved",
    "agreements",
    "success_rate",
    "cohort_success_rate",
    "settlement_rate",
    "cohort_resolved",
    "cohort_agreements",
    "cohort_open",
    "cohort_days_to_resolve_median",
    "follow_up_rate",
    "satisfaction_mean",
    "satisfied_rate",
    "open",
    "overdue",
    "due_soon",
    "escalated_yellow",
    "escalated_orange",
    "escalated_red",
]
LAPTOP: ViewportSize = {"width": 1366, "height": 900}
TABLET: ViewportSize = {"width": 820, "height": 1180}


@dataclass
class Visit:
    page: Page
    server: Server
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def figure(self, name: str) -> Any:
        return self.page.locator(f'[data-figure="{name}"]')

    def sign_in(self, login: str = "boss", path: str = "/dashboard") -> None:
        self.page.goto(f"{self.server.url}{path}")
        field = self.page.locator('input[name="token"]')
        field.fill(self.server.token(login))
        field.press("Enter")
        expect(self.figure("received")).to_be_visible()

    def expect_figures(self, answer_text: str) -> None:
        """Every headline figure's data-value is the API's, as in this /stats/summary answer."""
        texts = figure_texts(answer_text)
        for name in HEADLINE:
            expect(self.figure(name)).to_have_attribute("data-value", texts[name])


@contextmanager
def visit(
    browser: Browser,
    server: Server,
    locale: str = "zh-CN",
    viewport: ViewportSize = LAPTOP,
    timezone: str | None = None,
) -> Iterator[Visit]:
    """A fresh browser context (its own sessionStorage) that records every request it makes;
    `timezone`: the browser's own (the bureau's is the server's)."""
    context = browser.new_context(locale=locale, viewport=viewport, timezone_id=timezone)
    context.set_default_timeout(5000)
    page = context.new_page()
    seen = Visit(page, server)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    try:
        yield seen
    finally:
        context.close()
    assert seen.errors == [], seen.errors
    elsewhere = [url for url in seen.requests if not url.startswith(f"{server.url}/")]
    assert elsewhere == [], f"requests to another host: {elsewhere}"


TOKEN = re.compile(r'"(\w+)"\s*:\s*(null|true|false|-?[0-9][0-9.eE+-]*|"(?:[^"\\]|\\.)*")')


def figure_texts(answer_text: str) -> dict[str, str]:
    """Each figure of a flat JSON answer as the API wrote it ("1.0" stays "1.0"), strings bare,
    which is what data-value must carry."""
    return {
        name: str(json.loads(token)) if token.startswith('"') else token
        for name, token in TOKEN.findall(answer_text)
    }


def percent(ratio: float | None) -> str:
    """Two decimals, truncated, as the bureau prints a rate (TONGJIE_RATE_DISPLAY's default)."""
    if ratio is None:
        return "—"
    scaled = (Decimal(str(ratio)) * 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    return f"{scaled}%"


def column(page: Page, container: str, index: int) -> list[str]:
    """The texts of one column of a table's body (0 = the row header)."""
    cells = page.locator(f"{container} tbody tr").all()
    return [row.locator("th, td").nth(index).inner_text().strip() for row in cells]


def as_int(text: str) -> int:
    return int(text.replace(",", ""))
