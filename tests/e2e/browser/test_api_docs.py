"""/docs in a real browser with every other host blocked: Swagger UI comes from this server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.e2e.browser.conftest import Server

pytestmark = pytest.mark.browser


def test_the_api_docs_render_with_the_internet_out_of_reach(
    browser: Browser, server: Server, screenshots: Path
) -> None:
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    blocked: list[str] = []
    console: list[str] = []

    def elsewhere(route: Route) -> None:
        blocked.append(route.request.url)
        route.abort("internetdisconnected")

    context.route(lambda url: not url.startswith(f"{server.url}/"), elsewhere)
    page = context.new_page()
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    try:
        answer = page.goto(f"{server.url}/docs")
        assert answer is not None
        assert answer.status == 200
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        title = page.get_by_role("heading", name=re.compile(r"^Tongjie \(通解\) API"))
        expect(title).to_be_visible(timeout=30_000)  # a 1.5 MB script, on a busy machine
        operation = page.locator("[id$='-log_session_api_v1_cases__case_id__sessions_post']")
        expect(operation).to_be_visible(timeout=30_000)
        operation.locator(".opblock-summary").click()
        expect(operation.locator("tr[data-param-name='Idempotency-Key']")).to_be_visible()
        expect(operation.locator("tr[data-param-name='If-Match']")).to_be_visible()
        page.screenshot(path=str(screenshots / "api-docs.png"))
    finally:
        context.close()
    assert blocked == [], f"/docs asked another host: {blocked}"
    refused = [line for line in console if "Content Security Policy" in line]
    assert refused == [], refused
