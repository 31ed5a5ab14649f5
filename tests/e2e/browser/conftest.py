"""A real server (`tongjie serve` on SQLite, in its own process) and Debian's headless Chromium.

Playwright drives the system's Chromium (never a browser it downloads). Without Chromium the
browser tests skip, except under CI, where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from api.bootstrap import build_application
from infrastructure.settings import Settings
from tests.e2e.browser.district import District, populate
from tests.world import World, make_world

CHROMIUM = os.environ.get("TONGJIE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[3] / "artifacts" / "screenshots"
STARTUP_SECONDS = 30


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _require_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if _in_ci():
        pytest.fail(f"no Chromium at {CHROMIUM} (CI=true: not skipping)")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium fonts-noto-cjk)")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    url: str
    world: World
    district: District

    def token(self, login: str) -> str:
        return self.world.tokens[login]

    def get(self, path: str, login: str = "boss", **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(login)}"}
        return httpx.get(f"{self.url}{path}", params=params, headers=headers, timeout=10)

    def post(self, path: str, login: str, body: dict[str, Any]) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token(login)}"}
        return httpx.post(f"{self.url}{path}", json=body, headers=headers, timeout=10)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server did not answer /readyz in {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`tongjie serve` on a SQLite file that already holds the district's history."""
    yield from serve(tmp_path_factory.mktemp("dashboard"))


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The same, for one test module only: for tests that write (the workbench's)."""
    yield from serve(tmp_path_factory.mktemp("workbench"))


def serve(folder: Path) -> Iterator[Server]:
    _require_chromium()
    url = f"sqlite:///{folder / 'tongjie.db'}"
    app = build_application(Settings(database_url=url))
    try:
        world = make_world(app)
        district = populate(app, world)
    finally:
        app.close()
    port = _free_port()
    log = folder / "server.log"
    env = {**os.environ, "TONGJIE_DATABASE_URL": url, "TONGJIE_LOG_FORMAT": "json"}
    tongjie = shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [tongjie, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        yield Server(base, world, district)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class DemoServer:
    """`tongjie serve` on the demo district (`tongjie demo`): the bureau's nine months and since."""

    url: str
    tokens: dict[str, str]
    year: int

    def get(self, path: str, login: str = "supervisor", **params: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[login]}"}
        return httpx.get(f"{self.url}{path}", params=params, headers=headers, timeout=30)


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """The demo loaded into a fresh SQLite file (a few seconds), served once its views caught
    up, for the tests that read the dashboard as the bureau would see it."""
    _require_chromium()
    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'demo.db'}"
    tokens_file = folder / "tokens.tsv"
    env = {**os.environ, "TONGJIE_DATABASE_URL": url, "TONGJIE_LOG_FORMAT": "json"}
    tongjie = shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"
    done = subprocess.run(
        [tongjie, "demo", "--tokens-file", str(tokens_file)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    tokens = {}
    for line in tokens_file.read_text(encoding="utf-8").splitlines()[1:]:
        fields = line.split("\t")
        tokens[fields[0]] = fields[-1]
    port = _free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [tongjie, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, process, log)
        today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
        server = DemoServer(base, tokens, today.year if today.month >= 10 else today.year - 1)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # every view caught up with the demo
            views = server.get("/api/v1/projections").json()["views"]
            if all(view["lag_events"] == 0 for view in views):
                break
            time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
