"""One log line per request, with its id, actor, case and status; never a party's details."""

from __future__ import annotations

import json

import pytest

from tests.e2e.api.conftest import NEW_CASE, Api


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
