"""The command line as a clerk meets it: a case by its number, its history as a table, tables
that fit an 80-column terminal with no number split, and one-line messages in plain words."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from api.bootstrap import build_application
from api.cli.main import app as cli
from domain.values import Category
from infrastructure.settings import Settings
from tests.integration.audit.conftest import steps
from tests.integration.audit.tamper import RawEvents
from tests.world import make_world, registration

TONGJIE = shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"
LONG_NOTES = "分别听取双方陈述，核实争议事实，释明相关法律规定，" * 3


@dataclass
class Store:
    url: str
    case_id: str
    number: str

    def run(self, *args: str, columns: int = 80) -> tuple[int, str, str]:
        result = CliRunner().invoke(
            cli, list(args), env={"TONGJIE_DATABASE_URL": self.url, "COLUMNS": str(columns)}
        )
        return result.exit_code, result.stdout, result.stderr


def _store(url: str) -> Iterator[Store]:
    app = build_application(Settings(database_url=url))
    try:
        world = make_world(app)
        app.cases.receive(actor=world.mediator, registration=registration())
        case = app.cases.receive(
            actor=world.mediator, registration=registration(summary=LONG_NOTES)
        )
        for step in steps(app, world, case.id):
            step()
        app.cases.correct_registration(  # after the resolution: a supervisor's
            case.id,
            actor=world.supervisor,
            reason="实为劳动争议",
            changes={"category": Category.OTHER, "subcategory": "labour"},
        )
        yield Store(url, str(case.id), case.number)
    finally:
        app.close()


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    yield from _store(database_url)


@pytest.fixture
def sqlite_store(sqlite_url: str) -> Iterator[Store]:
    yield from _store(sqlite_url)


def _fits(text: str, columns: int = 80) -> None:
    too_wide = [line for line in text.splitlines() if cell_len(line) > columns]
    assert not too_wide, "\n".join(too_wide)


def test_show_history_and_replay_take_the_case_number(store: Store) -> None:
    code, shown, _ = store.run("cases", "show", store.number)
    assert code == 0
    assert json.loads(shown)["id"] == store.case_id
    short = store.number.split("-")[0] + "-" + str(int(store.number.split("-")[1]))
    code, replayed, _ = store.run("cases", "replay", short, "--version", "2")
    assert (code, json.loads(replayed)["status"]) == (0, "routed")
    code, history, _ = store.run("cases", "history", store.number, "--json")
    assert [e["type"] for e in json.loads(history)["events"]][:2] == ["Received", "Routed"]
    missing = subprocess.run(
        [TONGJIE, "cases", "show", "2026-999999"],
        env={**os.environ, "TONGJIE_DATABASE_URL": store.url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (missing.returncode, missing.stderr) == (
        2,
        "tongjie: error: no case numbered 2026-999999\n",
    )


def test_history_is_a_table_that_fits_80_columns(sqlite_store: Store) -> None:
    code, table, _ = sqlite_store.run("cases", "history", sqlite_store.number)
    assert code == 0
    _fits(table)
    for event in ("Received", "Routed", "Mediated", "RiskAssessed", "Resolved"):
        assert f"│ {event}" in table
    said = "".join(line.split("│")[4].strip() for line in table.splitlines()[-12:] if "│" in line)
    assert "实为劳动争议;category:family→other;subcategory:neighbour→labour" in said.replace(
        " ", ""
    )
    assert "赵大海赔偿维修费800元" in table.replace("│", "").replace(" ", "").replace("\n", "")
    assert "left out to fit 80 columns: recorded" in table
    code, wide, _ = sqlite_store.run("cases", "history", sqlite_store.number, columns=160)
    assert "recorded" in wide.splitlines()[1]
    assert "left out" not in wide


def test_stats_and_users_fit_80_columns_and_never_split_a_number(sqlite_store: Store) -> None:
    for args in (["stats"], ["stats", "--by", "street"], ["stats", "--by", "mediator"]):
        code, table, _ = sqlite_store.run(*args)
        assert code == 0
        _fits(table)
    code, table, _ = sqlite_store.run("stats", "--by", "category", columns=80)
    rows = [[cell.strip() for cell in line.split("│")] for line in table.splitlines()]
    other = [row for row in rows if len(row) > 2 and row[1] == "other"]  # corrected when resolved
    assert other[0][2:5] == ["1", "1", "1"]  # received, resolved, agreements: whole numbers
    assert "100.00%" in other[1]  # its rates in the table that goes on
    code, users, _ = sqlite_store.run("users", "list")
    _fits(users)
    assert "zhang" in users


def test_audit_verify_failures_fit_80_columns_and_stay_readable(sqlite_store: Store) -> None:
    app = build_application(Settings(database_url=sqlite_store.url))
    try:
        RawEvents(Settings(database_url=sqlite_store.url), app).flip_byte(
            app.reads.case_id_of(sqlite_store.number), 3
        )
    finally:
        app.close()
    code, report, _ = sqlite_store.run("audit", "verify")
    assert code == 1
    _fits(report)
    row = next(line for line in report.splitlines() if sqlite_store.number in line)
    assert re.search(r"│ 3 │ content_changed │ +\d+ │ its stored bytes", row), row
    details = [line.split("│")[5].strip() for line in report.splitlines() if line.startswith("│")]
    assert " ".join(details).endswith("no longer hash to the hash recorded with it")
    code, one, _ = sqlite_store.run("audit", "verify", "--case", sqlite_store.number)
    assert code == 1
    _fits(one)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "--as-of", "2020-02-30"], "--as-of: 2020-02-30 is not a date that exists"),
        (["stats", "--from", "2026-13-01"], "--from: 2026-13-01 is not a date"),
        (["cases", "show", "case-1"], "'case-1' is neither a case number (2026-000123) nor"),
    ],
)
def test_a_bad_value_is_one_plain_line(
    sqlite_url: str, args: list[str], message: str, tmp_path: Path
) -> None:
    run = CliRunner().invoke(cli, args, env={"TONGJIE_DATABASE_URL": sqlite_url})
    assert run.exit_code == 2
    assert run.stderr.startswith(f"tongjie: error: {message}"), run.stderr
    assert run.stderr.count("\n") == 1


def test_a_bad_setting_names_the_variable_without_pydantics_preamble(sqlite_url: str) -> None:
    env = {"TONGJIE_DATABASE_URL": sqlite_url, "TONGJIE_POOL_SIZE": "many"}
    run = CliRunner().invoke(cli, ["users", "list"], env=env)
    assert run.exit_code == 2
    assert run.stderr.startswith("tongjie: error: TONGJIE_POOL_SIZE: ")
    assert "pydantic" not in run.stderr
    assert "validation error" not in run.stderr


def test_a_wrong_choice_is_one_plain_line(sqlite_url: str) -> None:
    run = subprocess.run(
        [TONGJIE, "users", "add", "chen", "--role", "boss"],
        env={**os.environ, "TONGJIE_DATABASE_URL": sqlite_url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr == (
        "tongjie: error: Invalid value for '--role': 'boss' is not one of 'mediator', "
        "'supervisor', 'auditor', 'admin'.\n"
    )


def test_the_command_line_offers_every_role_of_a_person_and_not_the_systems() -> None:
    from api.cli.users import UserRole
    from domain.values import Role

    assert {r.value for r in UserRole} == {r.value for r in Role} - {Role.SYSTEM.value}
