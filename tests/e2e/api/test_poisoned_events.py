"""One event a view cannot apply never stops the view (docs/projections.md, poisoned events).

Events stored before business times were bounded (written here through the store itself,
past the API's bounds): a routing whose deadline is 9999-12-31T23:59:59-12:00 (the year 10000
in UTC) and a receipt at 0001-01-01T00:00:00+14:00. The views set each aside and go on; the
board, the statistics, the status, the metrics, the audit, a rebuild and every read of those
cases answer.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

from application.tongjie import Tongjie
from domain.case import Case
from infrastructure.settings import Settings
from tests.e2e.api.conftest import Api, in_mediation, receive, routed
from tests.world import registration

CLI_MODULE = "api.cli.main"
EXTREME_DEADLINE = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-12)))
YEAR_ONE = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))


def stored_directly(
    app: Tongjie, api: Api, number: str, received_at: datetime, due_at: datetime | None = None
) -> UUID:
    """A case saved by the store itself, its events unchecked by the API's bounds (as events
    stored before those existed)."""
    world = api.world
    case = Case.receive(
        id=uuid4(),
        number=number,
        registration=registration(),
        actor=world.mediator,
        received_at=received_at,
    )
    if due_at is not None:  # the event itself: Case.route would refuse this deadline now
        case.trigger_event(
            Case.Routed,
            organisation="room-1",
            mediator="m1",
            routed_at=received_at,
            due_at=due_at,
            note=None,
            actor=world.supervisor,
        )
    app.store.save(case)
    return case.id


def head(app: Tongjie) -> int:
    return int(app.store.recorder.max_notification_id() or 0)


def run_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TONGJIE_DATABASE_URL": settings.database_url}
    return subprocess.run(
        [sys.executable, "-m", CLI_MODULE, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok(answer: Any) -> Any:
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_poisoned_event_cannot_stop_a_view(fresh_api: Api, api_settings: Settings) -> None:
    api = fresh_api
    app: Tongjie = api.app.state.tongjie
    views = api.app.state.views
    views.start(workers=True)  # on PostgreSQL `tongjie project` would run them
    before = UUID(routed(api))
    now = datetime.now(UTC)
    deadline = stored_directly(app, api, f"{now.year}-900001", now, EXTREME_DEADLINE)
    ancient = stored_directly(app, api, "0001-000001", YEAR_ONE)
    after = UUID(in_mediation(api))
    last = head(app)

    # The board and the statistics went on past both, and show every other case.
    board = ok(api.get("/api/v1/cases", "boss", min_position=last, limit=500))
    rows = {UUID(row["id"]): row for row in board["items"]}
    assert set(rows) == {before, deadline, after}  # the year-one case has no row
    assert rows[deadline]["status"] == "received"  # its routing was set aside
    assert rows[after]["status"] == "in_mediation"
    stats = ok(api.get("/api/v1/stats/summary", "boss", min_position=last))
    assert stats["received"] >= 2

    # The status and the metrics show them, and where they are. The statistics keep times as
    # microseconds: a deadline in the year 10000 is no trouble to them, a receipt in year 1 is.
    routing, receipt = event_position(app, deadline, 2), event_position(app, ancient, 1)
    expected = {"board": {routing: "Routed", receipt: "Received"}, "stats": {receipt: "Received"}}
    status = ok(api.get("/api/v1/projections", "admin"))
    assert status["head"] == last
    for view in status["views"]:
        assert view["position"] == last, view
        assert view["poisoned"] == len(expected[view["name"]]), view
        latest = view["poisoned_latest"]
        assert {p["position"]: p["type"] for p in latest} == expected[view["name"]]
        assert {p["position"]: UUID(p["case_id"]) for p in latest}[receipt] == ancient
        assert all(p["error"] == "OverflowError" and p["message"] for p in latest), latest
    metrics = api.client.get("/metrics").text
    assert 'tongjie_view_poisoned_events{view="board"} 2.0' in metrics
    assert 'tongjie_view_poisoned_events{view="stats"} 1.0' in metrics

    # Every read of those cases answers.
    for case_id in (deadline, ancient):
        for path in ("", "/history", "/file", "/replay?version=1", "/verify"):
            answer = api.client.get(f"/api/v1/cases/{case_id}{path}", headers=api.auth("audit"))
            assert answer.status_code == 200, (path, answer.text)
        page = api.client.get(
            f"/api/v1/cases/{case_id}/file", headers={**api.auth("audit"), "Accept": "text/html"}
        )
        assert page.status_code == 200, page.text
    history = ok(api.get(f"/api/v1/cases/{deadline}/history", "boss"))["events"]
    assert history[1]["data"]["due_at"] == "9999-12-31T23:59:59-12:00"  # as stored: no +08:00
    assert ok(api.get(f"/api/v1/cases/{ancient}", "boss"))["received_at"].startswith("0001-01-01")

    # The audit lists them: not tampering.
    audit = ok(api.get("/api/v1/audit/verify", "audit"))
    assert audit["valid"] is True
    assert audit["invalid"] == []
    assert sorted((p["view"], p["position"]) for p in audit["poisoned"]) == sorted(
        (view, position) for view, found in expected.items() for position in found
    )
    verified = run_cli(api_settings, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "VALID" in verified.stdout
    assert "POISONED: 3 events set aside by the views (not tampering)" in verified.stdout

    # A rebuild completes, and sets them aside again.
    rebuilt = run_cli(api_settings, "rebuild", "board")
    assert rebuilt.returncode == 0, rebuilt.stdout + rebuilt.stderr
    assert "board rebuilt as generation 2" in rebuilt.stdout
    later = UUID(receive(api))
    board = ok(api.get("/api/v1/cases", "boss", min_position=head(app), limit=500))
    assert {UUID(row["id"]) for row in board["items"]} == {before, deadline, after, later}
    status = ok(api.get("/api/v1/projections", "boss"))
    assert {view["name"]: view["poisoned"] for view in status["views"]} == {"board": 2, "stats": 1}


def event_position(app: Tongjie, case_id: UUID, version: int) -> int:
    recorded = app.store.recorder.select_notifications(start=1, limit=10**6)
    return next(
        n.id
        for n in recorded
        if UUID(str(n.originator_id)) == case_id and n.originator_version == version
    )
