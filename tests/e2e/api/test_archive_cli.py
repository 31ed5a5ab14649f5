"""`tongjie audit verify-archive` as an auditor runs it, away from the server: a real process
with no database to reach, on an archive the API made."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.api.conftest import Api
from tests.e2e.api.test_archive import archive_of, resolved_with_documents, rezipped

TONGJIE = shutil.which("tongjie", path=str(Path(sys.executable).parent)) or "tongjie"


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """The archive is made once, on SQLite: its check never reads a store (test_archive.py
    makes archives on both)."""
    return sqlite_url


def verify_archive(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """No database: the URL names a folder that does not exist, so any use of it would fail."""
    env = {
        **os.environ,
        "TONGJIE_DATABASE_URL": f"sqlite:///{path.parent / 'no-such-folder' / 'tongjie.db'}",
        "COLUMNS": "200",
    }
    return subprocess.run(
        [TONGJIE, "audit", "verify-archive", str(path), *options],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_auditor_verifies_an_archive_offline(fresh_api: Api, tmp_path: Path) -> None:
    case_id = resolved_with_documents(fresh_api)
    archive = archive_of(fresh_api, case_id).content
    intact = tmp_path / "archive.zip"
    intact.write_bytes(archive)
    valid = verify_archive(intact)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    assert valid.stdout.startswith("VALID")
    assert f"tongjie audit verify --case {case_id} --version 7" in valid.stdout

    changed = tmp_path / "changed.zip"
    changed.write_bytes(rezipped(archive, "agreement.html"))
    invalid = verify_archive(changed, "--json")
    assert invalid.returncode == 1, invalid.stderr
    report = json.loads(invalid.stdout)
    assert report["valid"] is False
    assert [(f["part"], f["problem"]) for f in report["findings"]] == [
        ("agreement.html", "changed")
    ]
    assert not (tmp_path / "no-such-folder").exists()

    missing = verify_archive(tmp_path / "nothing.zip")
    assert missing.returncode == 2
    assert "no such file" in missing.stderr
