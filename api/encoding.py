"""Domain values as JSON: enums by value, money as a decimal string, times in the bureau's offset.

The answers' shapes live in api/schemas; this module only turns the application's plain data
into JSON-ready primitives, so every route writes values the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, datetime, tzinfo
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import orjson

from application.audit_dto import CaseFile
from application.dto import MONEY_QUANTUM, CaseDetails, CaseSummary, EventRecord
from domain.times import in_zone
from domain.values import Actor, Session
from projections.engine.poison import PoisonedEvent


def money(amount: Decimal | None) -> str | None:
    """`Decimal("1200")` -> `"1200.00"`: always two decimals, never a float."""
    return None if amount is None else str(amount.quantize(MONEY_QUANTUM))


def jsonable(value: Any, zone: tzinfo) -> Any:
    """Any value the application returns, as JSON primitives."""
    encode = _ENCODERS.get(type(value))
    if encode is None:
        encode = _ENCODERS[type(value)] = _encoder_for(type(value))
    return encode(value, zone)


Encoder = Callable[[Any, tzinfo], Any]


def _encoder_for(kind: type) -> Encoder:
    """How `jsonable` writes every value of this exact type: chosen once per type (the order
    of the checks is the order of the answers), so an answer of a thousand sessions does not
    test each of their values against every kind."""
    if kind is type(None) or issubclass(kind, bool | int | float | str):
        return _itself
    if issubclass(kind, Enum):
        return _enum_value
    if issubclass(kind, Decimal):
        return lambda value, _: money(value)
    if issubclass(kind, datetime):
        return lambda value, zone: in_zone(value, zone).isoformat()
    if issubclass(kind, date):
        return lambda value, _: value.isoformat()
    if issubclass(kind, UUID):
        return lambda value, _: str(value)
    if issubclass(kind, Actor):
        return lambda value, _: actor_json(value)
    if dataclasses.is_dataclass(kind) and not issubclass(kind, type):
        names = tuple(f.name for f in dataclasses.fields(kind))
        return lambda value, zone: {name: jsonable(getattr(value, name), zone) for name in names}
    if issubclass(kind, Mapping):
        return lambda value, zone: {str(k): jsonable(v, zone) for k, v in value.items()}
    if issubclass(kind, list | tuple | set | frozenset):
        return lambda value, zone: [jsonable(v, zone) for v in value]
    return lambda value, _: str(value)


def _itself(value: Any, _: tzinfo) -> Any:
    return value


def _enum_value(value: Enum, _: tzinfo) -> Any:
    return value.value


def _session_json(session: Session, zone: tzinfo) -> dict[str, Any]:
    """A session as `jsonable` writes any dataclass, written out: a long case has a thousand.
    Strings and None are written as they are, anything else through `jsonable`."""
    attendees = session.attendees
    names = [n if type(n) is str else jsonable(n, zone) for n in attendees]
    notes, minutes, mediator = session.notes, session.duration_minutes, session.mediator
    return {
        "held_at": in_zone(session.held_at, zone).isoformat(),
        "method": session.method._value_,  # `.value` is a descriptor written in Python
        "attendees": names,
        "notes": notes if type(notes) is str else jsonable(notes, zone),
        "duration_minutes": minutes if minutes is None else jsonable(minutes, zone),
        "mediator": mediator if type(mediator) is str else jsonable(mediator, zone),
    }


_ENCODERS: dict[type, Encoder] = {Session: _session_json}


def actor_json(actor: Actor) -> dict[str, Any]:
    return {"id": actor.id, "login": actor.login, "role": actor.role.value}


def summary_json(summary: CaseSummary) -> dict[str, Any]:
    return {
        "id": str(summary.id),
        "number": summary.number,
        "status": summary.status.value,
        "version": summary.version,
    }


def case_json(case: CaseDetails, zone: tzinfo, *, for_orjson: bool = False) -> dict[str, Any]:
    """The full current state; the registration's fields sit at the top level.

    `for_orjson`: the sessions come as one `orjson.Fragment`, their JSON already written
    (`sessions_fragment`), for an answer `dumps` writes; the same bytes in the end."""
    fields = {f.name: getattr(case, f.name) for f in dataclasses.fields(case)}
    registration = fields.pop("registration")
    flat = {f.name: getattr(registration, f.name) for f in dataclasses.fields(registration)}
    sessions = sessions_fragment(case.sessions, zone) if for_orjson else None
    if sessions is not None:
        fields["sessions"] = ()
    encoded: dict[str, Any] = jsonable({**fields, **flat}, zone)
    if sessions is not None:
        encoded["sessions"] = sessions
    return encoded


def sessions_fragment(sessions: tuple[Session, ...], zone: tzinfo) -> orjson.Fragment | None:
    """The sessions' JSON as `jsonable` writes it, written by orjson in one call (a long case
    has a thousand): a `Session` is a dataclass orjson writes field by field in their order,
    its method an enum by its value, its attendees a tuple of strings; only its time comes back
    to Python, to be shown in the bureau's zone. None (`jsonable` writes them) unless every
    item is exactly a `Session` whose values orjson writes as `jsonable` does."""
    for session in sessions:
        if type(session) is not Session:
            return None

    def held_at(value: Any) -> str:
        if type(value) is not datetime:
            raise TypeError(type(value).__name__)
        return in_zone(value, zone).isoformat()

    try:
        written = orjson.dumps(sessions, default=held_at, option=orjson.OPT_PASSTHROUGH_DATETIME)
    except TypeError:  # a value orjson writes otherwise than `jsonable` (orjson's error is one)
        return None
    return orjson.Fragment(written)


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
