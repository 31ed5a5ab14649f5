"""The case file as a printable page: what each section shows, formatted for a reader.

Values are formatted here (times in the bureau's zone, money, enum values in both languages);
the template only lays them out and escapes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from decimal import Decimal
from typing import Any

from api.casefile import labels
from application.audit_dto import CaseFile
from application.dto import MONEY_QUANTUM, EventRecord
from domain.times import in_zone
from domain.values import Actor, Ineligibility

BUSINESS_TIME = {
    "Received": "received_at",
    "Routed": "routed_at",
    "Mediated": "held_at",
    "DeadlineExtended": "extended_at",
    "RiskAssessed": "assessed_at",
    "RegistrationCorrected": "corrected_at",
    "Resolved": "resolved_at",
    "FollowUpRecorded": "visited_at",
    "DocumentAttached": "attached_at",
    "DocumentWithdrawn": "withdrawn_at",
}


class Formats:
    def __init__(self, zone: tzinfo, names: Mapping[str, str]) -> None:
        self.zone = zone
        self.names = names  # organisation and mediator codes -> their names

    def time(self, at: datetime | None) -> str:
        if at is None:
            return "—"
        local = in_zone(at, self.zone)
        offset = local.strftime("%z")
        return f"{local:%Y-%m-%d %H:%M} {offset[:3]}:{offset[3:]}"

    def money(self, amount: Decimal | None) -> str:
        return "—" if amount is None else f"{amount.quantize(MONEY_QUANTUM):,} 元"

    def code(self, code: str | None) -> str:
        if code is None:
            return "—"
        name = self.names.get(code)
        return f"{name} ({code})" if name else code

    def actor(self, actor: Actor | None) -> str:
        if actor is None:
            return "—"
        return f"{actor.login} ({labels.value(actor.role)[0]} {actor.role.value})"

    def text(self, value: object) -> str:
        return "—" if value is None or value == "" else str(value)


def _of_type(events: tuple[EventRecord, ...], name: str) -> list[EventRecord]:
    return [e for e in events if e.type == name]


def case_file_view(file: CaseFile, zone: tzinfo, names: Mapping[str, str]) -> dict[str, Any]:
    f = Formats(zone, names)
    case = file.case
    view: dict[str, Any] = {
        "f": f,
        "label": labels.value,
        "kind": labels.kind,
        "case": case,
        "unreadable": file.unreadable,
        "generated_at": f.time(file.generated_at),
        "verification": file.verification,
        "digest": file.digest,
        "history": [_history_row(f, e) for e in file.events],
    }
    view["routings"] = [
        {
            "at": f.time(e.data.get("routed_at")),
            "organisation": f.code(e.data.get("organisation")),
            "mediator": f.code(e.data.get("mediator")),
            "due_at": f.time(e.data.get("due_at")),
            "note": f.text(e.data.get("note")),
            "rule": f.text(e.data["rule"]) if e.data.get("rule") else None,
            "overridden": _ineligibility(e.data.get("overridden")),
            "override_reason": f.text(e.data.get("override_reason")),
            "by": f.actor(e.actor),
        }
        for e in _of_type(file.events, "Routed")
    ]
    view["extensions"] = [
        {
            "at": f.time(e.data.get("extended_at")),
            "new_due_at": f.time(e.data.get("new_due_at")),
            "reason": f.text(e.data.get("reason")),
            "by": f.actor(e.actor),
        }
        for e in _of_type(file.events, "DeadlineExtended")
    ]
    view["risks"] = [
        {
            "at": f.time(e.data.get("assessed_at")),
            "level": labels.value(e.data.get("level")),
            "reason": f.text(e.data.get("reason")),
            "by": f.actor(e.actor),
        }
        for e in _of_type(file.events, "RiskAssessed")
    ]
    view["corrections"] = [
        {"at": f.time(e.data.get("corrected_at")), "reason": f.text(e.data.get("reason")),
         "by": f.actor(e.actor)}
        for e in _of_type(file.events, "RegistrationCorrected")
    ]  # fmt: skip
    return view


def _history_row(f: Formats, event: EventRecord) -> dict[str, Any]:
    business = BUSINESS_TIME.get(event.type)
    at = event.data.get(business) if business else None
    if event.type == "JudicialConfirmationRecorded":
        at = event.data.get("ruled_at") or event.data.get("applied_at")
    return {
        "version": event.version,
        "type": labels.event(event.type),
        "recorded_at": f.time(event.recorded_at),
        "business_at": f.time(at if isinstance(at, datetime) else None),
        "actor": f.actor(event.actor),
        "hash": event.hash or "—",
        "prev_hash": event.prev_hash or "—",
    }


def _ineligibility(code: object) -> tuple[str, str] | None:
    """The reason a routing overrode, in both languages (None: it overrode nothing)."""
    if code is None:
        return None
    try:
        return labels.value(code if isinstance(code, Ineligibility) else Ineligibility(code))
    except ValueError:
        return (str(code), str(code))
