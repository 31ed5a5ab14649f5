"""Screenshots of the dashboard and the workbench with the demo district, taken the way a user
sees it.

Loads the demo into a fresh SQLite file (`tongjie demo`), starts `tongjie serve` on a free port,
signs in as the demo's supervisor in Debian's headless Chromium (Playwright, never a browser of
its own) and takes the dashboard at a laptop's width (1,366 px) and a phone's, in Chinese and in
English, for the report's period (1 January to 1 October of the demo's year) and this year to
date. The workbench: a mediator's My cases (the demo's mediator with the most open cases among
those with an overdue one) and a supervisor's route form with its routing suggestion (the first
case waiting to be routed that a rule covers), on a phone and a laptop, in both languages.
`--readme` also writes the Chinese laptop shot of the report's period to docs/img/dashboard.png
and the Chinese phone shots of the workbench to docs/img/workbench-phone.png (the README's
pictures) and docs/img/workbench-route-phone.png.

    .venv/bin/python scripts/screenshots.py [--out artifacts/screenshots] [--readme]

Needs `chromium` and `fonts-noto-cjk` (apt); TONGJIE_CHROMIUM names another Chromium.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("TONGJIE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LAPTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
README_SHOT = ROOT / "docs" / "img" / "dashboard.png"
README_SHOTS = {  # a shot taken -> the picture in docs/img it refreshes
    "dashboard-report-laptop-zh.png": README_SHOT,
    "workbench-mine-phone-zh.png": ROOT / "docs" / "img" / "workbench-phone.png",
    "workbench-route-phone-zh.png": ROOT / "docs" / "img" / "workbench-route-phone.png",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _tongjie() -> str:
    return shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"


def load_demo(folder: Path) -> tuple[str, dict[str, str], int]:
    """The demo in a fresh SQLite file: its URL, every user's token, the demo's year."""
    url = f"sqlite:///{folder / 'demo.db'}"
    tokens = folder / "tokens.tsv"
    env = {**os.environ, "TONGJIE_DATABASE_URL": url}
    done = subprocess.run(
        [_tongjie(), "demo", "--tokens-file", str(tokens)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"tongjie demo failed:\n{done.stderr}")
    with tokens.open(encoding="utf-8") as rows:
        found = {row[0]: row[-1] for row in csv.reader(rows, delimiter="\t") if row}
    today = date.today()
    year = today.year if today.month >= 10 else today.year - 1
    return url, found, year


@contextmanager
def serving(url: str, folder: Path) -> Iterator[str]:
    """`tongjie serve` on a free port until the block ends; its views caught up first."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TONGJIE_DATABASE_URL": url, "TONGJIE_LOG_FORMAT": "json"}
    with (folder / "serve.log").open("wb") as log:
        process = subprocess.Popen(
            [_tongjie(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise SystemExit((folder / "serve.log").read_text())
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def caught_up(base: str, token: str) -> None:
    """Wait until every view has applied every event (the first answers count all of it)."""
    headers = {"Authorization": f"Bearer {token}"}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = httpx.get(f"{base}/api/v1/projections", headers=headers, timeout=5).json()
        if all(view["lag_events"] == 0 for view in answer["views"]):
            return
        time.sleep(0.3)
    raise SystemExit("the views did not catch up with the demo within 60 s")


def shoot(base: str, token: str, year: int, out: Path, parts: bool = False) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    report = f"?period=custom&from={year}-01-01&to={year}-10-01"
    taken: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for lang, locale in (("zh", "zh-CN"), ("en", "en-GB")):
                for size, viewport in (("laptop", LAPTOP), ("phone", PHONE)):
                    for period, query in (("report", report), ("ytd", "")):
                        context = browser.new_context(
                            locale=locale, viewport=viewport, timezone_id="Asia/Shanghai"
                        )
                        page = context.new_page()
                        page.goto(f"{base}/dashboard{query}")
                        field = page.locator('input[name="token"]')
                        field.fill(token)
                        field.press("Enter")
                        expect(page.locator('[data-figure="received"]')).to_be_visible(
                            timeout=15000
                        )
                        expect(page.locator("#workload tbody tr").first).to_be_visible()
                        page.wait_for_timeout(500)  # the charts' last frame
                        path = out / f"dashboard-{period}-{size}-{lang}.png"
                        page.screenshot(path=str(path), full_page=True)
                        taken.append(path)
                        if parts:  # each panel alone, big enough to read at a glance
                            for i, panel in enumerate(page.locator(".top, .filters, .panel").all()):
                                part = out / f"part-{period}-{size}-{lang}-{i:02d}.png"
                                panel.screenshot(path=str(part))
                                taken.append(part)
                        context.close()
        finally:
            browser.close()
    return taken


def _get(base: str, token: str, path: str, **params: object) -> dict[str, object]:
    headers = {"Authorization": f"Bearer {token}"}
    answer = httpx.get(f"{base}/api/v1/{path}", params=params, headers=headers, timeout=30)
    answer.raise_for_status()
    body: dict[str, object] = answer.json()
    return body


def busiest_with_overdue(base: str, tokens: dict[str, str]) -> str:
    """The mediator whose My cases shows most: the most open cases of those with an overdue."""
    items = _get(base, tokens["supervisor"], "workload")["items"]
    assert isinstance(items, list)
    found = [m for m in items if m["overdue"] > 0 and m["code"] in tokens] or items
    chosen = max(found, key=lambda m: (m["open_cases"], m["overdue"], m["code"]))
    return str(chosen["code"])


def waiting_with_suggestion(base: str, token: str) -> str:
    """The first case waiting to be routed whose suggestion names a mediator."""
    waiting = _get(base, token, "cases", status="received", limit=100)["items"]
    assert isinstance(waiting, list)
    for case in waiting:
        if _get(base, token, f"cases/{case['id']}/routing-suggestion")["mediator"]:
            return str(case["id"])
    raise SystemExit("the demo has no case waiting that a routing rule covers")


def shoot_workbench(base: str, tokens: dict[str, str], out: Path) -> list[Path]:
    from playwright.sync_api import expect, sync_playwright

    mediator = busiest_with_overdue(base, tokens)
    case_id = waiting_with_suggestion(base, tokens["supervisor"])
    taken: list[Path] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for lang, locale in (("zh", "zh-CN"), ("en", "en-GB")):
                for size, viewport in (
                    ("phone", PHONE),
                    ("laptop", {"width": 1366, "height": 768}),
                ):
                    for shot, login in (("mine", mediator), ("route", "supervisor")):
                        context = browser.new_context(
                            locale=locale,
                            viewport=viewport,
                            timezone_id="Asia/Shanghai",
                            service_workers="block",
                        )
                        page = context.new_page()
                        page.goto(f"{base}/workbench")
                        field = page.locator('input[name="token"]')
                        field.fill(tokens[login])
                        field.press("Enter")
                        view = page.locator("#view")
                        expect(view).to_have_attribute("data-loaded", "true", timeout=15000)
                        if shot == "route":
                            page.evaluate(
                                "(id) => { window.location.hash = `#/cases/${id}`; }", case_id
                            )
                            expect(view).to_have_attribute("data-view", "case")
                            expect(view).to_have_attribute("data-loaded", "true")
                            page.locator('details[data-section="route"] summary').click()
                            line = page.locator('form[data-command="route"] .suggestion')
                            expect(line).to_have_attribute("data-suggestion", "ready")
                        path = out / f"workbench-{shot}-{size}-{lang}.png"
                        page.screenshot(path=str(path))
                        taken.append(path)
                        context.close()
        finally:
            browser.close()
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "screenshots")
    parser.add_argument("--readme", action="store_true", help="also refresh docs/img")
    parser.add_argument("--parts", action="store_true", help="also each panel alone")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tongjie-shots-") as temporary:
        folder = Path(temporary)
        url, tokens, year = load_demo(folder)
        with serving(url, folder) as base:
            caught_up(base, tokens["supervisor"])
            taken = shoot(base, tokens["supervisor"], year, args.out, args.parts)
            taken += shoot_workbench(base, tokens, args.out)
    for path in taken:
        print(path)
    if args.readme:
        for name, picture in README_SHOTS.items():
            shutil.copyfile(args.out / name, picture)
            print(f"{picture} (docs/img)")


if __name__ == "__main__":
    main()
