"""One log line per request, with its id, actor, case and status; never a party's details.

And every line a server writes, ours, the standard library's and uvicorn's, is one JSON object.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.bootstrap import build_application
from infrastructure.settings import Settings
from tests.e2e.api.conftest import NEW_CASE, Api
from tests.e2e.api.server import free_port
from tests.world import make_world

TONGJIE = shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"


def test_each_request_logs_one_json_line_without_party_details(
    api: Api, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    created = api.client.post(
        "/api/v1/cases",
        json=NEW_CASE,
        headers={**api.auth("zhang"), "X-Request-ID": "req-abc.123"},
    )
    assert created.headers["X-Request-ID"] == "req-abc.123"
    case_id = created.json()["id"]
    read = api.get(f"/api/v1/cases/{case_id}", "boss")
    assert len(read.headers["X-Request-ID"]) == 32
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "request"]
    assert [r["request_id"] for r in requests] == ["req-abc.123", read.headers["X-Request-ID"]]
    assert requests[0]["actor"] == "zhang"
    assert requests[0]["status"] == 201
    assert requests[1]["case_id"] == case_id
    assert requests[1]["route"] == "/api/v1/cases/{case_id}"
    assert all(isinstance(r["duration_ms"], float) for r in requests)
    for secret in ("王小明", "13800000000", "110101199001010011", "赵大海"):
        assert secret not in err


def test_metrics_count_requests_and_events(api: Api) -> None:
    api.post("/api/v1/cases", "zhang", NEW_CASE)
    text = api.client.get("/metrics").text
    assert 'tongjie_http_requests_total{method="POST",route="/api/v1/cases",status="201"}' in text
    assert 'tongjie_events_appended_total{type="Received"}' in text
    assert "tongjie_http_request_duration_seconds_bucket" in text
    assert "tongjie_store_position " in text
    assert api.client.get("/healthz").json() == {"status": "ok"}
    assert api.client.get("/readyz").json()["status"] == "ready"


@contextmanager
def server_process(database_url: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """`tongjie serve` with JSON logs, until the block ends; then stopped as a supervisor would."""
    port = free_port()
    env = {**os.environ, "TONGJIE_DATABASE_URL": database_url, "TONGJIE_LOG_FORMAT": "json"}
    process = subprocess.Popen(
        [TONGJIE, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _ready(base):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.1)
        yield base, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _ready(base: str) -> bool:
    try:
        return httpx.get(f"{base}/readyz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def test_every_line_of_a_server_is_json_with_level_time_and_request_id(tmp_path: Path) -> None:
    database = tmp_path / "tongjie.db"
    app = build_application(Settings(database_url=f"sqlite:///{database}"))
    try:
        token = make_world(app).tokens["boss"]
    finally:
        app.close()
    with server_process(f"sqlite:///{database}") as (base, process):
        # The table of token uses gone (a disk that refuses writes would do the same): the
        # access log's standard-library warning, written while a request is served.
        with sqlite3.connect(database) as conn:
            conn.execute("DROP TABLE token_uses")
        answer = httpx.get(
            f"{base}/api/v1/organisations",
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "req-logs.1"},
        )
        assert answer.status_code == 200, answer.text
    out, err = process.communicate(timeout=30)
    lines = [_json_line(line) for line in (out + err).splitlines()]
    for line in lines:
        assert {"event", "level", "timestamp", "logger"} <= line.keys(), line
        assert line["timestamp"].endswith("Z"), line  # ISO 8601, UTC
    by_logger = {line["logger"] for line in lines}
    assert {"uvicorn.error", "tongjie.api", "infrastructure.access"} <= by_logger
    assert any(line["event"] == "Application startup complete." for line in lines)
    warning = next(line for line in lines if line["logger"] == "infrastructure.access")
    assert warning["level"] == "warning"
    assert warning["event"].startswith("token use of boss not recorded")
    assert warning["request_id"] == "req-logs.1"
    requests = [line for line in lines if line["event"] == "request"]
    assert {r["route"] for r in requests} == {"/readyz", "/api/v1/organisations"}
    assert all(len(r["request_id"]) > 0 for r in requests)
    assert requests[-1]["request_id"] == "req-logs.1"
    assert requests[-1]["actor"] == "boss"


def _json_line(line: str) -> dict[str, Any]:
    try:
        parsed = json.loads(line)
    except json.JSONDecodeError:
        pytest.fail(f"not a JSON line: {line!r}")
    assert isinstance(parsed, dict), line
    return parsed
