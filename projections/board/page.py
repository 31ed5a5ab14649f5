"""What the board is asked and what it answers: filters, a mediator's reach, rows, a page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.values import CaseStatus

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class BoardFilter:
    """The board's filters; None means "any". `to` is exclusive. `q` is a substring."""

    number: str | None = None
    status: CaseStatus | None = None
    category: str | None = None
    street: str | None = None
    organisation: str | None = None
    mediator: str | None = None
    channel: str | None = None
    subcategory: str | None = None
    outcome: str | None = None
    risk_level: str | None = None
    """The latest risk level (with `open`: what the escalated_* figures count)."""
    open: bool | None = None
    """Not resolved (received, routed or in mediation)."""
    routed: bool | None = None
    """Routed to a mediator (False: not yet, or withdrawn before it was)."""
    overdue: bool | None = None
    due_soon: bool | None = None
    """Open and due within the next 72 hours (as the due_soon figure counts)."""
    escalated: bool | None = None
    """Open and its latest risk level yellow, orange or red (as the escalated_* figures count)."""
    received_from: datetime | None = None
    received_to: datetime | None = None
    resolved_from: datetime | None = None
    resolved_to: datetime | None = None
    q: str | None = None
    party: str | None = None
    """A party's full name, phone or ID number (exact, after normalisation: domain.identity)."""
    repeat_party: bool | None = None
    """A party's phone or ID number is in another case received within 12 months."""
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    sort: str = "-received_at"
    """One of `projections.board.sort.SORTS`; newest receipt first by default."""


@dataclass(frozen=True)
class Reach:
    """A mediator's cases: routed to their mediator code, or received by them and not routed."""

    mediator: str | None
    actor_id: str


@dataclass(frozen=True)
class BoardRow:
    id: UUID
    number: str
    category: str
    subcategory: str | None
    street: str
    channel: str
    summary: str
    status: str
    organisation: str | None
    mediator: str | None
    received_at: datetime
    received_by: str
    routed_at: datetime | None
    first_session_at: datetime | None
    resolved_at: datetime | None
    outcome: str | None
    due_at: datetime | None
    overdue: bool
    days_open: float
    risk_level: str
    version: int
    repeat_party: bool = False


@dataclass(frozen=True)
class OtherCase:
    """Another case sharing a phone or ID number with a case, received within 12 months."""

    id: UUID
    number: str
    received_at: datetime
    status: str


@dataclass(frozen=True)
class Repeats:
    """Whether a case's parties are in other cases, and those of them the reader may see."""

    repeat_party: bool
    others: list[OtherCase]


@dataclass(frozen=True)
class BoardPage:
    items: list[BoardRow]
    next_cursor: str | None
    position: int
    """The store position the board had processed when it was read (X-Position)."""


class InvalidCursorError(ValueError):
    """The cursor was not one this board handed out."""

    field = "cursor"
