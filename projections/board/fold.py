"""Folding a case's events into its board row: plain Python, no SQL.

A row is a dict of the board's columns. Times are aware datetimes; enums are their values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.case import Case
from domain.values import CaseStatus, RiskLevel
from projections.engine.values import optional_timestamp, timestamp, unwrap
from projections.engine.view import ViewEvent

Row = dict[str, Any]

COLUMNS = (
    "id",
    "number",
    "category",
    "subcategory",
    "street",
    "channel",
    "summary",
    "status",
    "organisation",
    "mediator",
    "received_at",
    "routed_at",
    "first_session_at",
    "last_session_at",
    "resolved_at",
    "outcome",
    "due_at",
    "risk_level",
    "received_by",
    "version",
    "event_count",
)
TIME_COLUMNS = frozenset(
    {"received_at", "routed_at", "first_session_at", "last_session_at", "resolved_at", "due_at"}
)

RESOLVED = CaseStatus.RESOLVED.value


def _registration(row: Row, registration: Any) -> None:
    fields = unwrap(registration)
    row["category"] = unwrap(fields["category"])
    row["subcategory"] = fields.get("subcategory")
    row["street"] = fields["street"]
    row["channel"] = unwrap(fields["channel"])
    row["summary"] = fields["summary"]


def received(event: ViewEvent) -> Row:
    data = event.data
    row: Row = dict.fromkeys(COLUMNS)
    row["id"] = event.originator_id
    row["number"] = data["number"]
    _registration(row, data["registration"])
    row["status"] = CaseStatus.RECEIVED.value
    row["received_at"] = timestamp(data["received_at"])
    row["risk_level"] = RiskLevel.NONE.value
    row["received_by"] = unwrap(data["actor"])["id"]
    row["version"] = event.originator_version
    row["event_count"] = 1
    return row


def _routed(row: Row, data: dict[str, Any]) -> None:
    row["organisation"] = data["organisation"]
    row["mediator"] = data["mediator"]
    row["routed_at"] = timestamp(data["routed_at"])
    row["due_at"] = timestamp(data["due_at"])
    if row["status"] == CaseStatus.RECEIVED.value:
        row["status"] = CaseStatus.ROUTED.value


def _mediated(row: Row, data: dict[str, Any]) -> None:
    held_at = timestamp(data["held_at"])
    first = row["first_session_at"]
    if first is None or held_at < first:
        row["first_session_at"] = held_at
    last = row["last_session_at"]
    if last is None or held_at > last:
        row["last_session_at"] = held_at
    row["status"] = CaseStatus.IN_MEDIATION.value


def _extended(row: Row, data: dict[str, Any]) -> None:
    row["due_at"] = timestamp(data["new_due_at"])


def _risk(row: Row, data: dict[str, Any]) -> None:
    row["risk_level"] = unwrap(data["level"])


def _corrected(row: Row, data: dict[str, Any]) -> None:
    _registration(row, data["registration"])


def _resolved(row: Row, data: dict[str, Any]) -> None:
    row["status"] = RESOLVED
    row["outcome"] = unwrap(data["outcome"])
    row["resolved_at"] = optional_timestamp(data["resolved_at"])


def _nothing(row: Row, data: dict[str, Any]) -> None:
    """Follow-ups, judicial confirmation and documents change no board column but the
    version."""


RECEIVED = get_topic(Case.Received)
CORRECTED = get_topic(Case.RegistrationCorrected)
CHANGES: dict[str, Callable[[Row, dict[str, Any]], None]] = {
    get_topic(Case.Routed): _routed,
    get_topic(Case.Mediated): _mediated,
    get_topic(Case.DeadlineExtended): _extended,
    get_topic(Case.RiskAssessed): _risk,
    get_topic(Case.RegistrationCorrected): _corrected,
    get_topic(Case.Resolved): _resolved,
    get_topic(Case.FollowUpRecorded): _nothing,
    get_topic(Case.JudicialConfirmationRecorded): _nothing,
    get_topic(Case.DocumentAttached): _nothing,
    get_topic(Case.DocumentWithdrawn): _nothing,
}
TOPICS = frozenset({RECEIVED, *CHANGES})


def fold(rows: dict[UUID, Row], event: ViewEvent) -> None:
    """Apply one event to the rows it concerns (the case's row must be in `rows`)."""
    if event.topic == RECEIVED:
        rows[event.originator_id] = received(event)
        return
    row = rows[event.originator_id]
    CHANGES[event.topic](row, event.data)
    row["version"] = event.originator_version
    row["event_count"] += 1
