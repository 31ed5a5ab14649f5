"""Opened cold without a connection, the workbench of a mediator remembered on the device shows
My cases and the case pages opened as they were last read, saying so ("offline — as of HH:MM");
never another user's copies; signing out forgets them. Against a real `tongjie serve`, with the
service worker running (it keeps the app's files only: the copies are the app's, in IndexedDB).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser.conftest import Server
from tests.e2e.browser.workbench import Bench, bench, case_in_mediation, device_copies

pytestmark = pytest.mark.browser

LAPTOP_768 = {"width": 1366, "height": 768}


def sign_in_remembered(person: Bench, login: str) -> None:
    person.page.goto(f"{person.server.url}/workbench")
    person.page.locator("#remember").check()
    token = person.page.locator('input[name="token"]')
    token.fill(person.server.token(login))
    token.press("Enter")
    expect(person.view).to_have_attribute("data-loaded", "true")


def copies(person: Bench) -> list[tuple[str, str]]:
    return device_copies(person.page)


def copies_become(person: Bench, expected: Any, seconds: float = 5) -> list[tuple[str, str]]:
    """The device's copies once `expected(copies)` holds (forgetting runs in the background)."""
    deadline = time.monotonic() + seconds
    while True:
        found = copies(person)
        if expected(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def listed(person: Bench) -> list[str]:
    rows = person.page.locator("#view .case-list [data-case-id]")
    return [rows.nth(i).get_attribute("data-case-id") or "" for i in range(rows.count())]


def go_offline_and_reopen(person: Bench) -> None:
    """A cold start without a connection: the page from the service worker, nothing in memory."""
    person.page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    person.page.context.set_offline(True)
    person.page.reload()


@pytest.mark.parametrize(
    ("size", "locale", "note"), [("phone", "zh-CN", "离线"), ("laptop", "en-GB", "Offline — as of")]
)
def test_a_cold_start_offline_shows_my_cases_and_the_cases_opened_as_last_read(
    browser: Browser, own_server: Server, screenshots: Path, size: str, locale: str, note: str
) -> None:
    server = own_server
    case_id = case_in_mediation(server, "邻里漏水纠纷（离线查看）")
    lang = "zh" if locale == "zh-CN" else "en"
    with bench(browser, server, size, locale=locale, service_workers="allow") as zhang:
        if size == "laptop":
            zhang.page.set_viewport_size(LAPTOP_768)  # type: ignore[arg-type]
        sign_in_remembered(zhang, "zhang")
        online = listed(zhang)
        assert case_id in online
        zhang.open_case(case_id)
        version = zhang.case_version()
        zhang.nav("mine")
        kept = copies(zhang)
        assert {login for login, _ in kept} == {"zhang"}
        names = {name for _, name in kept}
        assert {f"case {case_id}", f"history {case_id}", f"parties {case_id}"} <= names
        assert any(name.startswith("mine ") for name in names)

        go_offline_and_reopen(zhang)
        zhang.wait_for("mine")
        as_of = zhang.page.locator("#as-of")
        expect(as_of).to_be_visible()
        expect(as_of).to_contain_text(note)
        assert as_of.get_attribute("data-as-of")
        assert listed(zhang) == online  # the same list, in the same order
        row = zhang.page.locator(f'#view [data-case-id="{case_id}"]')
        expect(row).to_contain_text("孙丽")  # the parties' names kept for the list
        zhang.page.screenshot(path=screenshots / f"workbench-offline-mine-{size}-{lang}.png")

        row.click()
        zhang.wait_for("case")
        assert zhang.case_version() == version
        expect(zhang.page.locator("#case-title")).to_be_visible()
        expect(zhang.page.locator(".timeline li")).to_have_count(3)
        expect(as_of).to_be_visible()
        zhang.page.screenshot(path=screenshots / f"workbench-offline-case-{size}-{lang}.png")

        zhang.page.context.set_offline(False)
        expect(as_of).to_be_hidden()  # back online: the server's answer replaces the copy
        expect(zhang.view).to_have_attribute("data-loaded", "true")


def test_signing_out_forgets_the_copies_and_another_user_never_sees_them(
    browser: Browser, own_server: Server
) -> None:
    server = own_server
    case_id = case_in_mediation(server, "物业停车纠纷（换人登录）")
    with bench(browser, server, "phone", service_workers="allow") as device:
        sign_in_remembered(device, "zhang")
        device.open_case(case_id)
        assert copies(device)
        device.page.locator("#sign-out").click()
        expect(device.page.locator("#sign-in")).to_be_visible()
        assert copies_become(device, lambda found: found == []) == []
        assert device.page.evaluate("localStorage.getItem('tongjie.workbench.token')") is None

        # zhang again, then the token forgotten some other way than signing out (the browser's
        # site data cleared in part): whoever signs in next on the device gets none of it.
        sign_in_remembered(device, "zhang")
        device.open_case(case_id)
        assert copies(device)
        device.page.evaluate("localStorage.clear()")
        device.page.reload()
        expect(device.page.locator("#sign-in")).to_be_visible()
        sign_in_remembered(device, "li")
        assert case_id not in listed(device)
        kept = copies_become(device, lambda found: all(login == "li" for login, _ in found))
        assert kept
        assert {login for login, _ in kept} == {"li"}

        go_offline_and_reopen(device)
        device.wait_for("mine")
        assert case_id not in listed(device)
        # zhang's case, its address typed in: nothing of it on this device
        device.page.evaluate("(hash) => { window.location.hash = hash; }", f"#/cases/{case_id}")
        expect(device.view).to_have_attribute("data-view", "case")
        expect(device.view).to_have_attribute("data-loaded", "error")
        expect(device.view).not_to_contain_text("物业停车纠纷")
        device.page.context.set_offline(False)
