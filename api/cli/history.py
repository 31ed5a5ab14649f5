"""A case's history as a table: one event a row, what it did in a few words.

A correction shows what it changed (`street: 东湖街道 → 西山街道`), so a correction made after
the case was resolved reads in the history as what it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import datetime, tzinfo
from enum import Enum
from typing import Any

from api.cli.context import minute
from api.cli.tables import Column
from application.dto import EventRecord
from domain.values import Party, Registration

COLUMNS = (
    Column("v", number=True),
    Column("event"),
    Column("happened, by", words=True),
    Column("what", fold=True, least=30),
    Column("recorded", optional=True),
)
BUSINESS_TIMES = (
    "received_at",
    "routed_at",
    "held_at",
    "extended_at",
    "assessed_at",
    "corrected_at",
    "resolved_at",
    "visited_at",
    "ruled_at",
    "applied_at",
)
"""The data fields that say when an event happened, the first present wins (a ruling's
`ruled_at` before its application's `applied_at`)."""
LONGEST_TEXT = 60


def rows(events: Sequence[EventRecord], zone: tzinfo) -> list[list[str]]:
    """The table's rows, in the order of `COLUMNS`."""
    found: list[list[str]] = []
    registration: Registration | None = None
    for event in events:
        data = event.data
        what = _WHAT.get(event.type, _nothing)(data, zone)
        if isinstance(data.get("registration"), Registration):
            if registration is not None:
                changed = _changes(registration, data["registration"], zone)
                what = "; ".join(filter(None, [what, changed]))
            registration = data["registration"]
        happened = next((data[name] for name in BUSINESS_TIMES if data.get(name)), None)
        found.append(
            [
                str(event.version),
                event.type,
                " ".join(
                    [
                        minute(happened, zone) if isinstance(happened, datetime) else "—",
                        event.actor.login if event.actor else "—",
                    ]
                ),
                what,
                minute(event.recorded_at, zone),
            ]
        )
    return found


def _text(value: object, zone: tzinfo) -> str:
    if value is None:
        return "—"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return minute(value, zone)
    if isinstance(value, tuple) and all(isinstance(p, Party) for p in value):
        return ", ".join(f"{p.name} ({p.role.value})" for p in value)
    return _short(str(value))


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LONGEST_TEXT else text[: LONGEST_TEXT - 1] + "…"


def _changes(before: Registration, after: Registration, zone: tzinfo) -> str:
    changed = [
        f"{field.name}: {_text(getattr(before, field.name), zone)} → "
        f"{_text(getattr(after, field.name), zone)}"
        for field in fields(Registration)
        if getattr(before, field.name) != getattr(after, field.name)
    ]
    return "; ".join(changed)


def _received(data: dict[str, Any], zone: tzinfo) -> str:
    r: Registration = data["registration"]
    kind = r.category.value + (f" · {r.subcategory}" if r.subcategory else "")
    return f"{kind}, {r.street}, {r.channel.value}: {_short(r.summary)}"


def _routed(data: dict[str, Any], zone: tzinfo) -> str:
    due = _text(data.get("due_at"), zone)
    note = f"; {_short(data['note'])}" if data.get("note") else ""
    return f"to {data['mediator']} of {data['organisation']}, due {due}{note}"


def _mediated(data: dict[str, Any], zone: tzinfo) -> str:
    minutes = data.get("duration_minutes")
    length = f", {minutes} min" if minutes else ""
    return f"{_text(data['method'], zone)}{length}: {_short(data['notes'])}"


def _extended(data: dict[str, Any], zone: tzinfo) -> str:
    return f"due {_text(data['new_due_at'], zone)}: {_short(data['reason'])}"


def _risk(data: dict[str, Any], zone: tzinfo) -> str:
    return f"{_text(data['level'], zone)}: {_short(data['reason'])}"


def _corrected(data: dict[str, Any], zone: tzinfo) -> str:
    return f"reason: {_short(data['reason'])}"


def _resolved(data: dict[str, Any], zone: tzinfo) -> str:
    said = _text(data["outcome"], zone)
    agreement = data.get("agreement")
    if agreement is not None:
        amount = f", {agreement.amount:.2f}" if agreement.amount is not None else ""
        said += f" ({agreement.form.value}{amount}): {_short(agreement.terms)}"
    if data.get("referral") is not None:
        said += f", referred to {_text(data['referral'], zone)}"
    return said


def _follow_up(data: dict[str, Any], zone: tzinfo) -> str:
    note = f": {_short(data['note'])}" if data.get("note") else ""
    return f"{_text(data['fulfilment'], zone)}, satisfaction {data['satisfaction']}/5{note}"


def _judicial(data: dict[str, Any], zone: tzinfo) -> str:
    said = f"applied {_text(data['applied_at'], zone)}"
    if data.get("ruling") is not None:
        said += f"; ruling {_text(data['ruling'], zone)}"
    return said


def _nothing(data: dict[str, Any], zone: tzinfo) -> str:
    return "; ".join(f"{k}: {_text(v, zone)}" for k, v in _plain(data.items()))


def _plain(items: Iterable[tuple[str, Any]]) -> Iterable[tuple[str, Any]]:
    return ((k, v) for k, v in items if not k.startswith("_"))


_WHAT: dict[str, Callable[[dict[str, Any], tzinfo], str]] = {
    "Received": _received,
    "Routed": _routed,
    "Mediated": _mediated,
    "DeadlineExtended": _extended,
    "RiskAssessed": _risk,
    "RegistrationCorrected": _corrected,
    "Resolved": _resolved,
    "FollowUpRecorded": _follow_up,
    "JudicialConfirmationRecorded": _judicial,
}
