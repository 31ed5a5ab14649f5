"""`tongjie parties report`: an access request answered from the store, as an admin runs it."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from api.bootstrap import build_application
from domain.values import Party, PartyRole
from infrastructure.settings import Settings
from tests.e2e.test_audit_cli import TONGJIE
from tests.world import make_world, registration

PHONE, ID_NUMBER = "13911112222", "11010119800101555X"


def run(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TONGJIE_DATABASE_URL": url}
    return subprocess.run(
        [TONGJIE, "parties", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_a_persons_cases_what_is_stored_and_who_read_it(database_url: str, tmp_path: Path) -> None:
    app = build_application(Settings(database_url=database_url))
    try:
        world = make_world(app)
        person = Party(PartyRole.APPLICANT, "林<b>小</b>雨", PHONE, ID_NUMBER)
        other = Party(PartyRole.RESPONDENT, "某公司")
        first = app.cases.receive(
            actor=world.mediator, registration=registration(parties=(person, other))
        )
        moved = Party(PartyRole.RESPONDENT, "林小雨", f"+86 {PHONE}")
        second = app.cases.receive(
            actor=world.mediator,
            registration=registration(parties=(Party(PartyRole.APPLICANT, "甲"), moved)),
        )
        app.cases.correct_registration(  # the person is corrected out of the second case
            second.id,
            actor=world.supervisor,
            reason="当事人登记错误",
            changes={"parties": (Party(PartyRole.APPLICANT, "甲"), other)},
        )
        app.cases.receive(actor=world.mediator, registration=registration())  # not theirs
        app.read_log.record(world.auditor, [first.id], "GET /api/v1/cases/{id}/file")
    finally:
        app.close()
    done = run(
        database_url, "report", "--phone", f"0086 {PHONE[:3]} {PHONE[3:]}", "--out", str(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    count, json_path, html_path = done.stdout.split()[0], *done.stdout.splitlines()[1:]
    assert count == "2"
    body = json.loads(Path(json_path).read_text(encoding="utf-8"))
    cases = {case["number"]: case for case in body["cases"]}
    assert set(cases) == {first.number, second.number}
    assert cases[first.number]["current"] is True
    assert cases[second.number]["current"] is False  # only in the registration corrected
    assert [e["name"] for e in cases[first.number]["stored"]] == ["林<b>小</b>雨"]
    assert cases[first.number]["stored"][0]["id_number"] == ID_NUMBER
    assert [(r["login"], r["path"]) for r in cases[first.number]["reads"]] == [
        ("audit", "GET /api/v1/cases/{id}/file")
    ]
    page = Path(html_path).read_text(encoding="utf-8")
    assert "林&lt;b&gt;小&lt;/b&gt;雨" in page  # escaped, never markup
    assert first.number in page
    # The report is itself a read of those cases, and the next one says so.
    again = run(database_url, "report", "--id-number", ID_NUMBER.lower(), "--out", str(tmp_path))
    assert again.returncode == 0, again.stderr
    body = json.loads(Path(again.stdout.splitlines()[1]).read_text(encoding="utf-8"))
    [case] = body["cases"]
    assert case["reads"][-1]["path"] == "tongjie parties report"
    assert case["reads"][-1]["login"].startswith("cli:")


def test_a_bad_number_or_none_is_one_line_and_exit_2(sqlite_url: str, tmp_path: Path) -> None:
    for args in ([], ["--phone", "abc"], ["--id-number", "123"]):
        done = run(sqlite_url, "report", *args, "--out", str(tmp_path))
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stderr.startswith("tongjie: error:")
        assert len(done.stderr.strip().splitlines()) == 1
