"""`tongjie stats` as a supervisor runs it: last quarter per street, as a table and as CSV."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.bootstrap import build_application
from api.cli.main import app as cli
from domain.values import Agreement, AgreementForm, Method, Outcome
from infrastructure.settings import Settings
from tests.world import OTHER_STREET, STREET, make_world, registration

TONGJIE = shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"
BEIJING = timezone(timedelta(hours=8))


@pytest.fixture
def store(database_url: str) -> str:
    """Three agreements on 东湖街道 and one open case on 西山街道 in the third quarter of 2025."""
    app = build_application(Settings(database_url=database_url))
    try:
        world = make_world(app)
        for day in (1, 2, 3):
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
        app.cases.receive(
            actor=world.mediator,
            registration=registration(street=OTHER_STREET),
            received_at=datetime(2025, 9, 30, 23, tzinfo=BEIJING),
        )
    finally:
        app.close()
    return database_url


def test_a_supervisor_prints_last_quarter_per_street(store: str) -> None:
    env = {**os.environ, "TONGJIE_DATABASE_URL": store, "COLUMNS": "200"}
    done = subprocess.run(
        [TONGJIE, "stats", "--from", "2025-07-01", "--to", "2025-10-01", "--by", "street"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "2025-07-01T00:00:00+08:00 → 2025-10-01T00:00:00+08:00" in lines[0]
    east = next(line for line in lines if STREET in line and "%" in line)
    assert east.split("│")[2:5] == ["        3 ", "        3 ", "          3 "]
    assert "100.00%" in east  # success rate, shown with two decimals
    assert "2.00" in east  # the median of 1, 2 and 3 days
    assert any(OTHER_STREET in line for line in lines)
    assert "agreements ÷ received" in done.stdout  # it says which formula it shows
    assert "调处成功率" in done.stdout
    assert "can exceed 100%" in done.stdout
    assert "cohort success rate" in done.stdout
    assert "truncated to two decimals" in done.stdout  # the bureau's rounding, by default


def test_csv_and_bad_input(store: str) -> None:
    runner = CliRunner()
    env = {"TONGJIE_DATABASE_URL": store}
    answer = runner.invoke(
        cli, ["stats", "--from", "2025-07-01", "--to", "2025-10-01", "--csv"], env=env
    )
    assert answer.exit_code == 0, answer.output
    assert answer.stdout_bytes.startswith(b"\xef\xbb\xbf")
    [row] = list(csv.DictReader(io.StringIO(answer.stdout_bytes.decode("utf-8-sig"))))
    assert (row["received"], row["agreements"], row["open"]) == ("4", "3", "1")
    assert row["success_rate"] == "0.75"
    assert row["agreement_amount"] == "300.00"
    assert (row["cohort_agreements"], row["cohort_open"], row["cohort_success_rate"]) == (
        "3",
        "1",
        "0.75",
    )
    weekly = runner.invoke(
        cli, ["stats", "--from", "2025-07-01", "--to", "2025-10-01", "--by", "week"], env=env
    )
    assert weekly.exit_code == 0, weekly.output
    assert "2025-W27" in weekly.output
    assert "2025-W40" in weekly.output
    bad = runner.invoke(cli, ["stats", "--from", "2025-07-01T00:00"], env=env)
    assert bad.exit_code == 2
    assert "--from" in bad.output
