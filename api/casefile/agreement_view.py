"""The mediation agreement (调解协议书) as a printable page: what each section shows.

Every value comes from the case's events (through its case file): the parties as registered
(or corrected), the dispute's summary, the agreement recorded at resolution, the organisation
and mediator it was routed to. People's Mediation Law Art. 29 names the contents: the
parties' particulars; the main facts, the matters in dispute; the terms agreed, and how and by
when they are to be performed; it takes effect when the parties sign (or seal, or press a
fingerprint) and the mediator signs and the committee seals it. The footer names the
agreement's event and the case chain's head, so a paper copy can be checked against the store.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, tzinfo
from typing import Any

from api.casefile import labels
from api.casefile.view import Formats
from application.audit_dto import CaseFile
from application.dto import EventRecord


def agreement_view(file: CaseFile, zone: tzinfo, names: Mapping[str, str]) -> dict[str, Any]:
    f = Formats(zone, names)
    case = file.case
    assert case is not None, "Audit.agreement: a readable case"
    assert case.agreement is not None, "Audit.agreement: a written agreement"
    registration = case.registration
    agreement = case.agreement
    resolved = _last(file.events, "Resolved")
    last = file.events[-1]
    return {
        "number": case.number,
        "verified": file.verification.valid,
        "parties": [
            {
                "role": labels.value(p.role)[0],
                "name": p.name,
                "phone": f.text(p.phone),
                "id_number": f.text(p.id_number),
            }
            for p in registration.parties
        ],
        "facts": {
            "summary": registration.summary,
            "category": labels.value(registration.category)[0],
            "subcategory": (
                labels.subcategory(registration.subcategory)[0]
                if registration.subcategory
                else None
            ),
            "claim": f.money(registration.claim_amount),
            "received": _date(case.received_at, zone),
        },
        "terms": agreement.terms,
        "amount": f.money(agreement.amount) if agreement.amount is not None else None,
        "performance": agreement.performance or "按上述协议内容履行",
        "perform_by": _date(agreement.perform_by, zone) if agreement.perform_by else "—",
        "organisation": f.code(case.organisation),
        "organisation_name": names.get(case.organisation or "", case.organisation or ""),
        "mediator": f.code(case.mediator),
        "mediator_name": names.get(case.mediator or "", ""),
        "date": _date(case.resolved_at, zone),
        "copies": len(registration.parties) + 1,
        "resolved": {"version": resolved.version, "position": f.text(resolved.position)},
        "head": {
            "version": last.version,
            "position": f.text(last.position),
            "hash": f.text(file.verification.head_hash),
        },
    }


def _last(events: tuple[EventRecord, ...], name: str) -> EventRecord:
    return next(e for e in reversed(events) if e.type == name)


def _date(at: datetime | None, zone: tzinfo) -> str:
    if at is None:
        return "—"
    local = at.astimezone(zone)
    return f"{local.year}年{local.month}月{local.day}日"
