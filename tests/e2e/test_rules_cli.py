"""`tongjie rules show|set` as an operator runs them on the server: the file in, the list and
its version out, one-line errors that change nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from application.tongjie import Tongjie
from infrastructure.settings import Settings
from tests.world import make_world

RULES = {
    "rules": [
        {
            "name": "家事到街道通解室",
            "match": {"category": "family"},
            "target": {"organisation_kind": "street_room"},
        },
        {
            "name": "大额",
            "match": {"claim_amount_min": 100000},
            "target": {"organisation": "room-1"},
        },
    ]
}


def tongjie_cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TONGJIE_DATABASE_URL": settings.database_url}
    return subprocess.run(
        [sys.executable, "-m", "api.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_set_then_show_then_set_what_show_printed(
    settings: Settings, tongjie: Tongjie, tmp_path: Path
) -> None:
    make_world(tongjie)
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps(RULES, ensure_ascii=False), encoding="utf-8")
    done = tongjie_cli(settings, "rules", "set", str(rules))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "routing rules set: version 2, 2 rules"
    shown = tongjie_cli(settings, "rules", "show")
    assert shown.returncode == 0, shown.stderr
    listed = json.loads(shown.stdout)
    assert listed["version"] == 2
    assert listed["rules"][1] == {
        "name": "大额",
        "match": {"claim_amount_min": "100000.00"},
        "target": {"organisation": "room-1"},
    }
    printed = tmp_path / "shown.json"
    printed.write_text(shown.stdout, encoding="utf-8")
    stale = tongjie_cli(settings, "rules", "set", str(printed), "--if-version", "1")
    assert stale.returncode == 2
    assert "at version 2, not 1" in stale.stderr
    again = tongjie_cli(settings, "rules", "set", str(printed), "--if-version", "2")
    assert again.returncode == 0, again.stderr
    assert tongjie.routing_rules.current().version == 3


def test_a_wrong_file_is_one_line_and_changes_nothing(
    settings: Settings, tongjie: Tongjie, tmp_path: Path
) -> None:
    make_world(tongjie)
    unknown = tmp_path / "unknown.json"
    unknown.write_text(
        json.dumps({"rules": [{"name": "x", "target": {"organisation": "nope"}}]}),
        encoding="utf-8",
    )
    refused = tongjie_cli(settings, "rules", "set", str(unknown))
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "tongjie: error: rules.0.target.organisation: no organisation 'nope'"
    )
    broken = tmp_path / "broken.json"
    broken.write_text('{"rules": [', encoding="utf-8")
    assert tongjie_cli(settings, "rules", "set", str(broken)).returncode == 2
    assert tongjie.routing_rules.current().version == 0
