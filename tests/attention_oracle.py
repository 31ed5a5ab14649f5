"""The attention list computed in plain Python from a case's current state (replayed from its
history by the aggregate), written apart from the view's code: the oracle of its tests."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any

from application.dto import CaseDetails
from domain.values import CaseStatus, RiskLevel

ORDER = ("overdue", "risk_red", "due_soon", "risk_orange", "no_session", "unrouted")
FAR = datetime(9999, 1, 1, tzinfo=UTC)


def working_time(start: datetime, end: datetime, zone: tzinfo) -> timedelta:
    """The time from `start` to `end` that falls on Monday to Friday in `zone`, day by day."""
    total = timedelta(0)
    day = start.astimezone(zone).date() - timedelta(days=1)
    while True:
        begins = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        ends = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
        if begins >= end:
            return total
        if day.weekday() < 5:
            overlap = min(ends, end) - max(begins, start)
            total += max(overlap, timedelta(0))
        day += timedelta(days=1)


def reasons(case: CaseDetails, now: datetime, zone: tzinfo) -> list[str]:
    if case.status is CaseStatus.RESOLVED:
        return []
    found = []
    if case.due_at is not None and case.due_at < now:
        found.append("overdue")
    if case.risk_level is RiskLevel.RED:
        found.append("risk_red")
    if case.due_at is not None and now <= case.due_at < now + timedelta(hours=72):
        found.append("due_soon")
    if case.risk_level is RiskLevel.ORANGE:
        found.append("risk_orange")
    held = [s.held_at for s in case.sessions]
    since_routing = [at for at in held if case.routed_at is not None and at >= case.routed_at]
    if (
        case.status is not CaseStatus.RECEIVED
        and case.routed_at is not None
        and now - case.routed_at > timedelta(days=7)
        and not since_routing
    ):
        found.append("no_session")
    if case.status is CaseStatus.RECEIVED and working_time(case.received_at, now, zone) > timedelta(
        days=1
    ):
        found.append("unrouted")
    return found


def expected(cases: list[CaseDetails], now: datetime, zone: tzinfo) -> list[dict[str, Any]]:
    """The list: one entry per case with a reason, most urgent first."""
    listed = []
    for case in cases:
        why = reasons(case, now, zone)
        if not why:
            continue
        first = why[0]
        due = case.due_at or FAR
        key: tuple[Any, ...]
        if first in ("overdue", "due_soon"):
            key = (due,)
        elif first in ("risk_red", "risk_orange"):
            key = (due, case.received_at)
        elif first == "no_session":
            key = (case.routed_at,)
        else:
            key = (case.received_at,)
        listed.append(((ORDER.index(first), key, case.number), {"id": case.id, "reasons": why}))
    listed.sort(key=lambda pair: pair[0])
    return [entry for _, entry in listed]
