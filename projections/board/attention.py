"""The attention list (需要关注): the open cases someone should look at now, and why.

Read from the board's table (one statement over the open cases, never the store). A case is
on the list for each of these reasons, as of `now`:

| code | the case |
|---|---|
| `overdue` | is past its deadline |
| `risk_red` | has a red risk |
| `due_soon` | is due within 72 hours |
| `risk_orange` | has an orange risk |
| `no_session` | was routed more than 7 days ago and has had no session since that routing |
| `unrouted` | has waited more than one working day to be routed (domain/workdays.py) |

Most urgent first: by the case's most urgent reason, in the order of the table; within a
reason, the overdue by days overdue (the most first), the red and the orange by deadline
(none last), then by receipt, the due soon by deadline, the silent by their routing and the
unrouted by their receipt (the longest waiting first); then by number.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import Enum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.values import CaseStatus, RiskLevel
from domain.workdays import waited_since
from projections.board.page import Reach
from projections.board.query import DUE_SOON, RESOLVED, VIEW
from projections.board.schema import CASES, SEALED
from projections.board.stored import read_time, read_uuid, sqlite_time
from projections.engine.catalog import active, ensure_catalog
from projections.engine.view import Tables

if TYPE_CHECKING:
    from projections.engine.ports import Database, ViewKeys

NO_SESSION_AFTER = timedelta(days=7)
"""A routed case with no session this long after its routing needs a look."""
LATEST = datetime.max.replace(tzinfo=UTC)


class Attention(Enum):
    """Why a case is on the attention list, the most urgent first."""

    OVERDUE = "overdue"
    RISK_RED = "risk_red"
    DUE_SOON = "due_soon"
    RISK_ORANGE = "risk_orange"
    NO_SESSION = "no_session"
    UNROUTED = "unrouted"


URGENCY = tuple(Attention)


@dataclass(frozen=True)
class AttentionItem:
    id: UUID
    number: str
    category: str
    subcategory: str | None
    street: str
    summary: str
    status: str
    organisation: str | None
    mediator: str | None
    received_at: datetime
    routed_at: datetime | None
    last_session_at: datetime | None
    due_at: datetime | None
    risk_level: str
    reasons: tuple[Attention, ...]


@dataclass(frozen=True)
class AttentionList:
    items: list[AttentionItem]
    """The most urgent first, at most the `limit` asked for."""
    counts: dict[Attention, int]
    """How many of all the cases listed (not only those given) have each reason."""
    total: int
    position: int
    """The store position the board had processed when it was read."""


@dataclass(frozen=True)
class Moments:
    """The moments the reasons are judged by, from `now` and the bureau's time zone."""

    now: datetime
    due_soon_end: datetime
    silent_routed_before: datetime
    unrouted_received_before: datetime

    @classmethod
    def at(cls, now: datetime, zone: tzinfo) -> Moments:
        return cls(now, now + DUE_SOON, now - NO_SESSION_AFTER, waited_since(now, zone))


def reasons_of(row: dict[str, Any], at: Moments) -> tuple[Attention, ...]:
    """Why this board row needs attention at `at.now` (none: it does not), most urgent first."""
    if row["status"] == RESOLVED:
        return ()
    found: list[Attention] = []
    due, risk = row["due_at"], row["risk_level"]
    if due is not None and due < at.now:
        found.append(Attention.OVERDUE)
    if risk == RiskLevel.RED.value:
        found.append(Attention.RISK_RED)
    if due is not None and at.now <= due < at.due_soon_end:
        found.append(Attention.DUE_SOON)
    if risk == RiskLevel.ORANGE.value:
        found.append(Attention.RISK_ORANGE)
    routed, last = row["routed_at"], row["last_session_at"]
    if (
        row["status"] != CaseStatus.RECEIVED.value
        and routed is not None
        and routed < at.silent_routed_before
        and (last is None or last < routed)
    ):
        found.append(Attention.NO_SESSION)
    if (
        row["status"] == CaseStatus.RECEIVED.value
        and row["received_at"] < at.unrouted_received_before
    ):
        found.append(Attention.UNROUTED)
    return tuple(found)


def urgency(item: AttentionItem) -> tuple[Any, ...]:
    """The list's order (see the module's docstring)."""
    first = item.reasons[0]
    due = item.due_at or LATEST
    within: tuple[datetime, ...]
    if first in (Attention.OVERDUE, Attention.DUE_SOON):
        within = (due,)
    elif first in (Attention.RISK_RED, Attention.RISK_ORANGE):
        within = (due, item.received_at)
    elif first is Attention.NO_SESSION:
        within = (item.routed_at or LATEST,)
    else:
        within = (item.received_at,)
    return (URGENCY.index(first), within, item.number)


_READ = (
    "id",
    "number",
    "category",
    "subcategory",
    "street",
    "summary",
    SEALED,
    "status",
    "organisation",
    "mediator",
    "received_at",
    "routed_at",
    "last_session_at",
    "due_at",
    "risk_level",
)
_TIMES = ("received_at", "routed_at", "last_session_at", "due_at")


def attention(
    db: Database,
    zone: tzinfo,
    reach: Reach | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    keys: ViewKeys | None = None,
) -> AttentionList:
    """The attention list as of `now` (default: the clock), of `reach`'s cases (None: all)."""
    at = Moments.at(now or datetime.now(UTC), zone)
    found = _candidates(db, at, reach)
    if found is None:
        return AttentionList([], dict.fromkeys(Attention, 0), 0, 0)
    position, rows = found
    items = []
    for values in rows:
        row = dict(zip(_READ, values, strict=True))
        for column in _TIMES:
            row[column] = read_time(row[column])
        reasons = reasons_of(row, at)
        if not reasons:
            continue
        sealed = row.pop(SEALED)
        if sealed is not None and keys is not None:
            row["summary"] = keys.unseal(sealed)
        row["id"] = read_uuid(row["id"])
        items.append(AttentionItem(**row, reasons=reasons))
    items.sort(key=urgency)
    counts = Counter(reason for item in items for reason in item.reasons)
    return AttentionList(
        items=items if limit is None else items[:limit],
        counts={reason: counts[reason] for reason in Attention},
        total=len(items),
        position=position,
    )


def _candidates(
    db: Database, at: Moments, reach: Reach | None
) -> tuple[int, list[tuple[Any, ...]]] | None:
    """The open cases that may need attention (the reasons are judged in Python), with the
    board's position; None when the board has no generation yet."""
    with db.connection() as conn:
        ensure_catalog(conn)
        postgres = conn.dialect == "postgres"

        def time(value: datetime) -> Any:
            return value if postgres else sqlite_time(value)

        where = (
            "status <> %s AND (due_at < %s OR risk_level IN (%s, %s) "
            "OR (status = %s AND received_at < %s) "
            "OR (routed_at < %s AND (last_session_at IS NULL OR last_session_at < routed_at)))"
        )
        params: list[Any] = [
            RESOLVED,
            time(at.due_soon_end),
            RiskLevel.RED.value,
            RiskLevel.ORANGE.value,
            CaseStatus.RECEIVED.value,
            time(at.unrouted_received_before),
            time(at.silent_routed_before),
        ]
        if reach is not None:
            where += " AND (mediator = %s OR (mediator IS NULL AND received_by = %s))"
            params += [reach.mediator or "", reach.actor_id]
        for _ in range(3):
            current = active(conn, VIEW)
            if current is None:
                return None
            table = Tables(VIEW, current.generation).name(CASES)
            try:
                rows = conn.execute(f"SELECT {', '.join(_READ)} FROM {table} WHERE {where}", params)
            except conn.missing_table:
                continue  # the generation was switched and dropped meanwhile: read the new one
            return current.position, [tuple(row) for row in rows]
    raise RuntimeError("the board's active generation kept changing while it was read")
