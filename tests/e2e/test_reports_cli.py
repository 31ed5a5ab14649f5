"""`tongjie reports` as a supervisor runs it on the server: issue July, again, show, a workbook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from api.bootstrap import build_application
from domain.values import Agreement, AgreementForm, Method, Outcome
from infrastructure.settings import Settings
from tests.world import make_world, registration

TONGJIE = shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"
BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def store(database_url: str) -> str:
    """Two agreements on 东湖街道 in July 2025."""
    app = build_application(Settings(database_url=database_url))
    try:
        world = make_world(app)
        for day in (1, 2):
            at = datetime(2025, 7, day, 9, tzinfo=BEIJING)
            case = app.cases.receive(
                actor=world.mediator, registration=registration(), received_at=at
            )
            app.cases.route(
                case.id, actor=world.supervisor, organisation="room-1", mediator="m1", routed_at=at
            )
            app.cases.log_session(
                case.id,
                actor=world.mediator,
                method=Method.PHONE,
                attendees=["甲"],
                notes="调解",
                held_at=at,
            )
            app.cases.resolve(
                case.id,
                actor=world.mediator,
                outcome=Outcome.AGREEMENT,
                resolved_at=at + timedelta(days=day),
                agreement=Agreement(AgreementForm.ORAL, "赔偿", Decimal("100")),
            )
    finally:
        app.close()
    return database_url


def _run(store: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TONGJIE_DATABASE_URL": store, "COLUMNS": "200"}
    return subprocess.run(
        [TONGJIE, "reports", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_issue_once_show_and_write_the_workbook(store: str, tmp_path: Path) -> None:
    done = _run(store, "issue", "2025-07")
    assert done.returncode == 0, done.stderr
    assert "report 2025-07 issued at position" in done.stdout
    assert "2 received" in done.stdout
    again = _run(store, "issue", "2025-07")
    assert again.returncode == 2
    assert "issued already" in again.stderr
    early = _run(store, "issue", "2999-01")
    assert early.returncode == 2
    assert "has not ended yet" in early.stderr
    shown = _run(store, "show", "2025-07")
    assert shown.returncode == 0, shown.stderr
    assert "Report 2025-07" in shown.stdout
    assert "No figure of the month reads otherwise now." in shown.stdout
    book = tmp_path / "july.xlsx"
    written = _run(store, "show", "2025-07", "--xlsx", str(book))
    assert written.returncode == 0, written.stderr
    sheets = load_workbook(book)
    assert sheets.sheetnames == ["说明", "总计", "类别", "街道", "调解组织", "调解员"]
    assert sheets["街道"]["A2"].value == "东湖街道"
    assert sheets["街道"]["B2"].value == 2
    missing = _run(store, "show", "2025-06")
    assert missing.returncode == 2
    assert "no report issued for 2025-06" in missing.stderr
