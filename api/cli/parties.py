"""`tongjie parties report`: answer an access request (个人信息查阅) for one person.

Writes one JSON file and one printable HTML page: every case in which the phone or ID number
is a party's, what is stored about that party (each registration that named them), and who
read those cases. The report is itself a read of those cases: it is logged.
"""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from api.cli.context import fail, opened, settings
from api.people.render import report_html, report_json
from domain.values import Actor, Role

parties = typer.Typer(help="A person's data: answer an access request.", no_args_is_help=True)
REPORT_PATH = "tongjie parties report"


@parties.command("report")
def report(
    phone: Annotated[str | None, typer.Option(help="the person's phone number")] = None,
    id_number: Annotated[str | None, typer.Option(help="the person's ID number")] = None,
    out: Annotated[
        Path, typer.Option(help="the folder to write the JSON and the HTML into")
    ] = Path(),
) -> None:
    """Write `access-request-<time>.json` and `.html` for the person with this phone or ID
    number (an admin's task; the paths are printed)."""
    if phone is None and id_number is None:
        fail("give --phone or --id-number")
    if not out.is_dir():
        fail(f"{out} is not a folder")
    zone = settings().zone
    with opened() as app:
        found = app.people.report(phone=phone, id_number=id_number)
        operator = Actor(id="cli", login=f"cli:{getpass.getuser()}", role=Role.ADMIN)
        app.read_log.record(operator, [case.case_id for case in found.cases], REPORT_PATH)
    stamp = datetime.now(zone).strftime("%Y%m%d-%H%M%S")
    json_path = out / f"access-request-{stamp}.json"
    html_path = out / f"access-request-{stamp}.html"
    body = report_json(found, zone)
    json_path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    html_path.write_text(report_html(found, zone), encoding="utf-8")
    typer.echo(f"{len(found.cases)} cases")
    typer.echo(str(json_path))
    typer.echo(str(html_path))
