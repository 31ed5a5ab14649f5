"""Helpers that drive the workbench as a mediator or a supervisor would, on a phone or a laptop."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

from tests.e2e.browser.conftest import Server

PHONE: ViewportSize = {"width": 390, "height": 844}
LAPTOP: ViewportSize = {"width": 1366, "height": 900}
SIZES = {"phone": PHONE, "laptop": LAPTOP}
CASE_URL = re.compile(r"#/cases/([0-9a-f-]{36})$")


@dataclass
class Bench:
    page: Page
    server: Server
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def view(self) -> Locator:
        return self.page.locator("#view")

    @property
    def outbox(self) -> Locator:
        return self.page.locator("[data-outbox]")

    def sign_in(self, login: str) -> None:
        self.page.goto(f"{self.server.url}/workbench")
        token = self.page.locator('input[name="token"]')
        token.fill(self.server.token(login))
        token.press("Enter")
        expect(self.view).to_have_attribute("data-loaded", "true")

    def go(self, hash_path: str, view: str) -> None:
        self.page.evaluate("(hash) => { window.location.hash = hash; }", hash_path)
        self.wait_for(view)

    def wait_for(self, view: str) -> None:
        expect(self.view).to_have_attribute("data-view", view)
        expect(self.view).to_have_attribute("data-loaded", "true")

    def open_case(self, case_id: str) -> None:
        self.go(f"#/cases/{case_id}", "case")

    def nav(self, view: str) -> None:
        self.page.locator(f'#nav a[data-view="{view}"]').click()
        self.wait_for(view)

    def form(self, command: str) -> Locator:
        """The command's form on a case page, its section opened (as a user taps it)."""
        section = self.page.locator(f'details[data-section="{command}"]')
        if section.count() and section.get_attribute("open") is None:
            section.locator("summary").click()
        return self.page.locator(f'form[data-command="{command}"]')

    def case_version(self) -> int:
        return int(self.view.get_attribute("data-version") or 0)

    def submit_and_wait(self, form: Locator, version: int) -> None:
        """Submits a case page's form and waits for the page to show the case's new version."""
        form.locator("button[type=submit]").click()
        expect(self.view).to_have_attribute("data-version", str(version))


def fill(form: Locator, values: dict[str, Any]) -> None:
    """Fills controls by their names (the API body's field paths)."""
    for name, value in values.items():
        control = form.locator(f'[name="{name}"]')
        if isinstance(value, list):
            for item in value:
                form.locator(f'[name="{name}"][value="{item}"]').check()
            continue
        tag = control.evaluate("(e) => e.tagName + ':' + e.type")
        if tag.startswith("SELECT"):
            control.select_option(str(value))
        elif tag.endswith(":checkbox"):
            control.set_checked(bool(value))
        else:
            control.fill(str(value))


@contextmanager
def bench(
    browser: Browser,
    server: Server,
    size: str = "phone",
    locale: str = "zh-CN",
    service_workers: str = "block",
) -> Iterator[Bench]:
    """A fresh browser context that records every request and script error.

    Service workers are blocked unless asked for, so that `page.route` sees every request
    (the workbench's worker never handles the API's anyway).
    """
    context = browser.new_context(
        locale=locale,
        viewport=SIZES[size],
        timezone_id="Asia/Shanghai",
        service_workers=service_workers,  # type: ignore[arg-type]
        has_touch=size == "phone",
    )
    context.set_default_timeout(10000)
    page = context.new_page()
    seen = Bench(page, server)
    page.on("request", lambda request: seen.requests.append(request.url))
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    try:
        yield seen
    finally:
        context.close()
    assert seen.errors == [], seen.errors
    elsewhere = [url for url in seen.requests if not url.startswith(f"{server.url}/")]
    assert elsewhere == [], f"requests to another host: {elsewhere}"


def history(server: Server, case_id: str) -> list[dict[str, Any]]:
    answer = server.get(f"/api/v1/cases/{case_id}/history")
    assert answer.status_code == 200, answer.text
    events: list[dict[str, Any]] = answer.json()["events"]
    return events


def types(server: Server, case_id: str) -> list[str]:
    return [event["type"] for event in history(server, case_id)]


COPIES = """async () => {
    const known = await indexedDB.databases();
    if (!known.some((d) => d.name === "tongjie-workbench-copies")) return [];
    return new Promise((resolve, reject) => {
        const open = indexedDB.open("tongjie-workbench-copies");
        open.onsuccess = () => {
            const db = open.result;
            const all = db.transaction("copies").objectStore("copies").getAll();
            all.onsuccess = () => {
                db.close();
                resolve(all.result.map((row) => [row.login, row.name]));
            };
            all.onerror = () => reject(all.error);
        };
        open.onerror = () => reject(open.error);
    });
}"""


def device_copies(page: Page) -> list[tuple[str, str]]:
    """(login, name) of each copy the workbench keeps on the device (js/copies.js)."""
    return [(login, name) for login, name in page.evaluate(COPIES)]


NEW_CASE = {
    "category": "family",
    "subcategory": "neighbour",
    "street": "东湖街道",
    "channel": "walk_in",
    "summary": "楼道堆物引发邻里纠纷",
    "parties": [
        {"role": "applicant", "name": "孙丽"},
        {"role": "respondent", "name": "周强"},
    ],
}


def case_in_mediation(server: Server, summary: str = "物业维修争议") -> str:
    """A case routed to zhang (m1) with one session, through the API."""
    answer = server.post("/api/v1/cases", "zhang", {**NEW_CASE, "summary": summary})
    assert answer.status_code == 201, answer.text
    case_id: str = answer.json()["id"]
    routed = server.post(
        f"/api/v1/cases/{case_id}/route", "boss", {"organisation": "room-1", "mediator": "m1"}
    )
    assert routed.status_code == 200, routed.text
    session = {"method": "phone", "attendees": ["孙丽"], "notes": "电话了解情况"}
    held = server.post(f"/api/v1/cases/{case_id}/sessions", "zhang", session)
    assert held.status_code == 200, held.text
    return case_id
