"""The access request as one JSON document and one printable HTML page (jinja2, escaped)."""

from __future__ import annotations

from datetime import datetime, tzinfo
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template

from api.encoding import jsonable
from application.people import PersonReport

HERE = Path(__file__).parent
STORED_WHERE = (
    "存储位置 · Where it is kept: the case's events in the event store (the registration as "
    "received and as each correction left it; encrypted when TONGJIE_CIPHER_KEY is set); the "
    "board's index of parties holds only keyed hashes of the current parties' name, phone and "
    "ID number, never the values; the access log holds who read the case, never what."
)


@cache
def _template() -> Template:
    environment = Environment(
        loader=FileSystemLoader(HERE), autoescape=True, undefined=StrictUndefined
    )
    return environment.get_template("report.html")


def report_json(report: PersonReport, zone: tzinfo) -> dict[str, Any]:
    body: dict[str, Any] = jsonable(report, zone)
    body["stored_where"] = STORED_WHERE
    for case in body["cases"]:
        case["stored"] = [{**entry.pop("party"), **entry} for entry in case["stored"]]
        case["reads"] = [{"seq": line["seq"], **line["read"]} for line in case["reads"]]
    return body


def report_html(report: PersonReport, zone: tzinfo) -> str:
    body = report_json(report, zone)
    return _template().render(
        report=body,
        cases=body["cases"],
        generated_at=_local(report.generated_at, zone),
        stored_where=STORED_WHERE,
    )


def _local(moment: datetime, zone: tzinfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")
