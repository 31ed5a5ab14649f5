"""What the statistics need to remember of one case, and how each event changes it.

The view keeps these facts per case so that a correction or a re-routing can take the case's
figures out of the cells they were counted in and put them where they now belong. Times are
whole microseconds since the Unix epoch (UTC): exact, and the same on both databases.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.case import Case
from projections.engine.values import unwrap
from projections.engine.view import ViewEvent
from projections.stats.figures import cents

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
NOBODY = ""
"""The organisation and mediator of a case not routed yet."""

DIMENSIONS: tuple[str, ...] = (
    "category",
    "street",
    "channel",
    "organisation",
    "mediator",
    "subcategory",
)
"""The dimensions a case is counted under (month and week are of time, not of the case). A
case without a subcategory counts under "" (the key null), as one not routed yet does under
organisation and mediator."""


def micros(value: Any) -> int:
    """A stored business time (wrapped ISO text) as microseconds since the epoch."""
    return (datetime.fromisoformat(unwrap(value)) - EPOCH) // ONE_US


def instant(us: int) -> datetime:
    return EPOCH + us * ONE_US


@dataclass(slots=True)
class CaseFacts:
    """One case as the statistics see it now (changed in place by the folds below)."""

    case_id: UUID
    category: str
    street: str
    channel: str
    organisation: str
    mediator: str
    received_us: int
    resolved_us: int | None = None
    outcome: str | None = None
    amount_cents: int | None = None
    """The agreed amount, in cents (fen)."""
    followed_up: bool = False
    fulfilled: bool = False
    judicial_applied: bool = False
    judicial_confirmed: bool = False
    risk: str = "none"
    due_us: int | None = None
    events: int = 1
    """How many of the case's events were folded in: each exactly once (tests check it)."""
    subcategory: str = NOBODY
    satisfaction: int | None = None
    """The latest follow-up's satisfaction, 1-5 (the last recorded, as for fulfilment)."""

    @property
    def keys(self) -> tuple[str, str, str, str, str, str]:
        """The case's value in each dimension, in the order of DIMENSIONS."""
        return (
            self.category, self.street, self.channel, self.organisation, self.mediator,
            self.subcategory,
        )  # fmt: skip

    def clone(self) -> CaseFacts:
        return CaseFacts(
            self.case_id, self.category, self.street, self.channel, self.organisation,
            self.mediator, self.received_us, self.resolved_us, self.outcome, self.amount_cents,
            self.followed_up, self.fulfilled, self.judicial_applied, self.judicial_confirmed,
            self.risk, self.due_us, self.events, self.subcategory, self.satisfaction,
        )  # fmt: skip


def received(event: ViewEvent) -> CaseFacts:
    """A case's first facts, from its receipt (受理登记)."""
    registration: dict[str, Any] = unwrap(event.data["registration"])
    return CaseFacts(
        case_id=event.originator_id,
        category=unwrap(registration["category"]),
        street=registration["street"],
        channel=unwrap(registration["channel"]),
        organisation=NOBODY,
        mediator=NOBODY,
        received_us=micros(event.data["received_at"]),
        subcategory=registration.get("subcategory") or NOBODY,
    )


def _routed(facts: CaseFacts, data: dict[str, Any]) -> None:
    facts.organisation = data["organisation"]
    facts.mediator = data["mediator"]
    facts.due_us = micros(data["due_at"])


def _extended(facts: CaseFacts, data: dict[str, Any]) -> None:
    facts.due_us = micros(data["new_due_at"])


def _assessed(facts: CaseFacts, data: dict[str, Any]) -> None:
    """The latest risk level: the last recorded, as the case itself (and the board) has it."""
    facts.risk = unwrap(data["level"])


def _corrected(facts: CaseFacts, data: dict[str, Any]) -> None:
    registration: dict[str, Any] = unwrap(data["registration"])
    facts.category = unwrap(registration["category"])
    facts.street = registration["street"]
    facts.channel = unwrap(registration["channel"])
    facts.subcategory = registration.get("subcategory") or NOBODY


def _resolved(facts: CaseFacts, data: dict[str, Any]) -> None:
    agreement = unwrap(data["agreement"])
    amount = None if agreement is None else agreement.get("amount")
    facts.resolved_us = micros(data["resolved_at"])
    facts.outcome = unwrap(data["outcome"])
    facts.amount_cents = None if amount is None else cents(Decimal(unwrap(amount)))


def _followed_up(facts: CaseFacts, data: dict[str, Any]) -> None:
    """The latest follow-up (the last recorded, as the case keeps them) decides fulfilment."""
    facts.followed_up = True
    facts.fulfilled = unwrap(data["fulfilment"]) == "fulfilled"
    facts.satisfaction = int(data["satisfaction"])


def _judicial(facts: CaseFacts, data: dict[str, Any]) -> None:
    facts.judicial_applied = True
    facts.judicial_confirmed = unwrap(data["ruling"]) == "confirmed"


Fold = Callable[[CaseFacts, dict[str, Any]], None]

FOLDS: dict[str, Fold] = {
    get_topic(Case.Routed): _routed,
    get_topic(Case.DeadlineExtended): _extended,
    get_topic(Case.RiskAssessed): _assessed,
    get_topic(Case.RegistrationCorrected): _corrected,
    get_topic(Case.Resolved): _resolved,
    get_topic(Case.FollowUpRecorded): _followed_up,
    get_topic(Case.JudicialConfirmationRecorded): _judicial,
}
RECEIVED = get_topic(Case.Received)
TOPICS = frozenset({RECEIVED, *FOLDS})
