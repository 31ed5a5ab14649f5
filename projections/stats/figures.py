"""The bureau's figures (docs/statistics.md): their names, their formulas, their display.

Everything here is arithmetic on a `Tally` (the additive part of the statistics: counts, the
agreed amount, the sorted durations) plus the two figures that depend on the clock (overdue,
due soon). The views add tallies up; the formulas run once, at the end, on the sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

FIGURES: tuple[str, ...] = (
    "received",
    "resolved",
    "agreements",
    "no_agreement",
    "withdrawn",
    "success_rate",
    "settlement_rate",
    "open",
    "overdue",
    "due_soon",
    "days_to_resolve_median",
    "days_to_resolve_p90",
    "agreement_amount",
    "follow_up_rate",
    "fulfilment_rate",
    "judicial_confirmations_applied",
    "judicial_confirmations_confirmed",
    "escalated_yellow",
    "escalated_orange",
    "escalated_red",
)
"""The figures of api.md, in the order answers and CSV columns list them."""

COUNTERS: tuple[str, ...] = (
    "received",
    "resolved",
    "agreements",
    "no_agreement",
    "withdrawn",
    "follow_up",
    "fulfilled",
    "judicial_applied",
    "judicial_confirmed",
    "open",
    "escalated_yellow",
    "escalated_orange",
    "escalated_red",
)
"""The additive counts a tally keeps: every figure is one of them or a formula over them."""
BACKLOG_COUNTERS = COUNTERS[9:]
"""The counts of the backlog now: open cases and their escalations."""

FORMULAS: dict[str, str] = {
    "success_rate": "agreements ÷ received (调解成功率, the bureau's reporting convention)",
    "settlement_rate": "agreements ÷ resolved",
    "follow_up_rate": "agreements with a follow-up ÷ agreements (回访率)",
    "fulfilment_rate": "agreements whose latest follow-up says fulfilled ÷ those followed up",
}
"""What each ratio divides, for displays that must say which formula they show."""

DAY_US = 86_400_000_000
"""Microseconds in a day: durations are kept in whole microseconds, exactly."""

MONEY = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Tally:
    """The additive statistics of a set of cases: counts, agreed amount, durations (sorted)."""

    counts: Sequence[int]
    amount: int
    """In cents (fen): money has two decimals."""
    durations: Sequence[int]
    """resolved_at - received_at of each resolved case, in microseconds, ascending."""

    def count(self, name: str) -> int:
        return self.counts[COUNTERS.index(name)]


NOTHING = Tally(tuple(0 for _ in COUNTERS), 0, ())


@dataclass(frozen=True, slots=True)
class Backlog:
    """The two figures that move with the clock: open cases past due, and due within 72 h."""

    overdue: int = 0
    due_soon: int = 0


def ratio(numerator: int, denominator: int) -> float | None:
    """A rate as the API gives it: a JSON number, or null when the divisor is 0."""
    return None if denominator == 0 else numerator / denominator


def median_days(durations: Sequence[int]) -> float | None:
    """The median in days; of an even count, the mean of the two middle values."""
    n = len(durations)
    if n == 0:
        return None
    middle = n // 2
    if n % 2:
        return durations[middle] / DAY_US
    return (durations[middle - 1] + durations[middle]) / (2 * DAY_US)


def p90_days(durations: Sequence[int]) -> float | None:
    """The 90th percentile in days, by nearest rank: the value of rank ceil(0.9 n)."""
    n = len(durations)
    if n == 0:
        return None
    rank = -(-9 * n // 10)
    return durations[rank - 1] / DAY_US


def cents(amount: Decimal) -> int:
    """An amount in cents (fen), as the statistics add it up: exact for money's two decimals."""
    return int(amount.quantize(MONEY) * 100)


def money(amount: int) -> str:
    """Cents as a decimal string: 120000 -> `"1200.00"`, never a float."""
    sign, value = ("-", -amount) if amount < 0 else ("", amount)
    return f"{sign}{value // 100}.{value % 100:02d}"


def figures(tally: Tally, backlog: Backlog) -> dict[str, Any]:
    """Every figure of api.md, as one flat JSON-ready object."""
    return figures_of(
        tally.counts, tally.amount, tally.durations, backlog.overdue, backlog.due_soon
    )


def figures_of(
    counts: Sequence[int], amount: int, durations: Sequence[int], overdue: int, due_soon: int
) -> dict[str, Any]:
    """`figures` of a tally and backlog given by their parts (no objects made: a query by
    mediator makes 300 answers)."""
    (
        received, resolved, agreements, no_agreement, withdrawn, follow_up, fulfilled,
        judicial_applied, judicial_confirmed, open_, yellow, orange, red,
    ) = counts  # fmt: skip
    return {
        "received": received,
        "resolved": resolved,
        "agreements": agreements,
        "no_agreement": no_agreement,
        "withdrawn": withdrawn,
        "success_rate": ratio(agreements, received),
        "settlement_rate": ratio(agreements, resolved),
        "open": open_,
        "overdue": overdue,
        "due_soon": due_soon,
        "days_to_resolve_median": median_days(durations),
        "days_to_resolve_p90": p90_days(durations),
        "agreement_amount": money(amount),
        "follow_up_rate": ratio(follow_up, agreements),
        "fulfilment_rate": ratio(fulfilled, follow_up),
        "judicial_confirmations_applied": judicial_applied,
        "judicial_confirmations_confirmed": judicial_confirmed,
        "escalated_yellow": yellow,
        "escalated_orange": orange,
        "escalated_red": red,
    }


def percent(numerator: int, denominator: int) -> str | None:
    """The exact ratio as a percentage with two decimals, rounded half up: 7498/7514 -> 99.79%."""
    if denominator == 0:
        return None
    hundredths = (numerator * 20_000 + denominator) // (2 * denominator)
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def display_rate(rate: float | None) -> str:
    """A rate the API gave (a JSON number) as a percentage, two decimals, rounded half up."""
    if rate is None:
        return "—"
    value = (Decimal(repr(rate)) * 100).quantize(MONEY, rounding=ROUND_HALF_UP)
    return f"{value}%"


def display_days(days: float | None) -> str:
    return "—" if days is None else f"{Decimal(repr(days)).quantize(MONEY, ROUND_HALF_UP)}"
