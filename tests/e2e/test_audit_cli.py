"""`tongjie audit` and `tongjie cases replay` as an auditor runs them: real processes and stores."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.bootstrap import build_application
from api.cli.main import app as cli
from infrastructure.settings import Settings
from tests.integration.audit.conftest import steps
from tests.integration.audit.tamper import RawEvents
from tests.world import make_world, registration

TONGJIE = shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"


@dataclass
class Store:
    settings: Settings
    case_id: str
    number: str

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "TONGJIE_DATABASE_URL": self.settings.database_url, "COLUMNS": "200"}
        return subprocess.run(
            [TONGJIE, *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    settings = Settings(database_url=database_url)
    app = build_application(settings)
    try:
        world = make_world(app)
        received = app.cases.receive(actor=world.mediator, registration=registration())
        for step in steps(app, world, received.id)[:3]:
            step()
        yield Store(settings, str(received.id), received.number)
    finally:
        app.close()


def tamper(store: Store) -> RawEvents:
    app = build_application(store.settings)
    try:
        return RawEvents(store.settings, app)
    finally:
        app.close()


def test_an_auditors_session(store: Store) -> None:
    digest = store.run("audit", "digest")
    assert digest.returncode == 0, digest.stderr
    saved = json.loads(digest.stdout)
    assert saved["position"] > 0
    assert len(saved["digest"]) == 64
    position, value = str(saved["position"]), saved["digest"]

    clean = store.run("audit", "verify", "--position", position, "--digest", value)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.startswith("VALID")
    case = store.run("audit", "verify", "--case", store.case_id)
    assert case.returncode == 0
    assert f"VALID: case {store.number}, 4 events" in case.stdout

    replayed = store.run("cases", "replay", store.case_id, "--version", "2")
    assert replayed.returncode == 0, replayed.stderr
    assert (json.loads(replayed.stdout)["version"], json.loads(replayed.stdout)["status"]) == (
        2,
        "routed",
    )

    tamper(store).flip_byte(uuid.UUID(store.case_id), 3)

    broken = store.run("audit", "verify", "--position", position, "--digest", value)
    assert broken.returncode == 1
    assert store.case_id in broken.stdout
    assert store.number in broken.stdout
    assert "content_changed" in broken.stdout
    assert "INVALID: 1 failing" in broken.stdout

    one = store.run("audit", "verify", "--case", store.case_id, "--json")
    assert one.returncode == 1
    answer = json.loads(one.stdout)
    assert (answer["valid"], answer["first_invalid_version"], answer["reason"]) == (
        False,
        3,
        "content_changed",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--position", "3"], "--position needs --digest"),
        (["--digest", "a" * 64], "--digest needs --position"),
        (["--position", "3", "--digest", "nothex"], "--digest must be 64"),
        (["--version", "2", "--hash", "a" * 64], "go with --case"),
        (["--case", "not-a-uuid"], "is neither a case number (2026-000123) nor a case id"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    sqlite_url: str, args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TONGJIE_DATABASE_URL", sqlite_url)
    run = CliRunner().invoke(cli, ["audit", "verify", *args])
    assert run.exit_code == 2
    assert message in run.stderr
    assert run.stderr.count("\n") == 1
