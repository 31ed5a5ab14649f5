"""Domain values as JSON: enums by value, money as a decimal string, times in the bureau's offset.

The answers' shapes live in api/schemas; this module only turns the application's plain data
into JSON-ready primitives, so every route writes values the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import orjson

from application.audit_dto import CaseFile
from application.dto import MONEY_QUANTUM, CaseDetails, CaseSummary, EventRecord
from domain.times import in_zone
from domain.values import Actor
from projections.engine.poison import PoisonedEvent


def money(amount: Decimal | None) -> str | None:
    """`Decimal("1200")` -> `"1200.00"`: always two decimals, never a float."""
    return None if amount is None else str(amount.quantize(MONEY_QUANTUM))


def jsonable(value: Any, zone: tzinfo) -> Any:
    """Any value the application returns, as JSON primitives."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return money(value)
    if isinstance(value, datetime):
        return in_zone(value, zone).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Actor):
        return actor_json(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name), zone) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v, zone) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v, zone) for v in value]
    return str(value)


def actor_json(actor: Actor) -> dict[str, Any]:
    return {"id": actor.id, "login": actor.login, "role": actor.role.value}


def summary_json(summary: CaseSummary) -> dict[str, Any]:
    return {
        "id": str(summary.id),
        "number": summary.number,
        "status": summary.status.value,
        "version": summary.version,
    }


def case_json(case: CaseDetails, zone: tzinfo) -> dict[str, Any]:
    """The full current state; the registration's fields sit at the top level."""
    fields = {f.name: getattr(case, f.name) for f in dataclasses.fields(case)}
    registration = fields.pop("registration")
    flat = {f.name: getattr(registration, f.name) for f in dataclasses.fields(registration)}
    encoded: dict[str, Any] = jsonable({**fields, **flat}, zone)
    return encoded


def event_json(event: EventRecord, zone: tzinfo) -> dict[str, Any]:
    encoded: dict[str, Any] = jsonable(event, zone)
    return encoded


def case_file_json(file: CaseFile, zone: tzinfo) -> dict[str, Any]:
    """The case file (卷宗) as `GET /cases/{id}/file` answers it, and the archive holds it."""
    return {
        "case": case_json(file.case, zone) if file.case is not None else None,
        "events": [event_json(event, zone) for event in file.events],
        "unreadable_versions": list(file.unreadable),
        "verification": jsonable(file.verification, zone),
        "digest": jsonable(file.digest, zone),
        "generated_at": jsonable(file.generated_at, zone),
    }


def poisoned_json(event: PoisonedEvent, zone: tzinfo) -> dict[str, Any]:
    """An event a view set aside, as `/projections` and the audit show it."""
    return {
        "position": event.position,
        "case_id": str(event.originator_id),
        "version": event.originator_version,
        "type": event.event_type,
        "error": event.error,
        "message": event.message,
        "poisoned_at": jsonable(event.poisoned_at, zone),
    }


def dumps(value: Any) -> bytes:
    return orjson.dumps(value)
