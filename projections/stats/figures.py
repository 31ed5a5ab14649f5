"""The bureau's figures (docs/statistics.md): their names, their formulas, their display.

Everything here is arithmetic on a `Tally` (the additive part of the statistics: counts, the
agreed amount, the sorted durations) plus the two figures that depend on the clock (overdue,
due soon). The views add tallies up; the formulas (`DEFINITIONS`, each written once and
rendered to Python and to SQL by formulas.py) run once, at the end, on the sum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Literal

from projections.stats.formulas import DAY_US as DAY_US  # durations' unit, for the figures' users
from projections.stats.formulas import (
    Clock,
    Counter,
    Expr,
    FiguresOf,
    Minus,
    Money,
    Over,
    compiled,
    function,
    median,
    percentile_90,
    rate,
)

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
    "cohort_received",
    "cohort_resolved",
    "cohort_agreements",
    "cohort_open",
    "cohort_success_rate",
    "cohort_days_to_resolve_median",
    "satisfaction_mean",
    "satisfied_rate",
)
"""The figures of api.md, in the order answers and CSV columns list them (the cohort and the
satisfaction figures last, so that a spreadsheet reading the older columns by position still
finds them where they were)."""

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
    "satisfaction_sum",
    "satisfied",
    "cohort_resolved",
    "cohort_agreements",
    "open",
    "escalated_yellow",
    "escalated_orange",
    "escalated_red",
)
"""The additive counts a tally keeps: every figure is one of them or a formula over them.
`satisfaction_sum` adds up the scores (1-5) of the agreements' latest follow-ups; the cohort
counters count at the case's receipt (what became of the cases received in a period)."""
BACKLOG_COUNTERS = COUNTERS[COUNTERS.index("open") :]
"""The counts of the backlog now: open cases and their escalations."""
SATISFIED = 4
"""A follow-up's satisfaction (1-5) of at least this counts as satisfied (满意: 4 or 5)."""

FORMULAS: dict[str, str] = {
    "success_rate": "agreements ÷ received (调处成功率, the bureau's reporting convention)",
    "settlement_rate": "agreements ÷ resolved",
    "follow_up_rate": "agreements with a follow-up ÷ agreements (回访率)",
    "fulfilment_rate": "agreements whose latest follow-up says fulfilled ÷ those followed up",
    "cohort_success_rate": "of the cases received in the period, those mediated successfully "
    "by now ÷ all of them (never above 100%)",
    "satisfied_rate": "agreements whose latest follow-up scored 4 or 5 of 5 ÷ those followed up",
}
"""What each ratio divides, for displays that must say which formula they show."""

MONEY = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Tally:
    """The additive statistics of a set of cases: counts, agreed amount, durations (sorted)."""

    counts: Sequence[int]
    amount: int
    """In cents (fen): money has two decimals."""
    durations: Sequence[int]
    """resolved_at - received_at of each resolved case, in microseconds, ascending."""
    cohort: Sequence[int] = ()
    """The same of the cases received (the cohort) that are resolved by now, ascending."""

    def count(self, name: str) -> int:
        return self.counts[COUNTERS.index(name)]


NOTHING = Tally(tuple(0 for _ in COUNTERS), 0, ())


@dataclass(frozen=True, slots=True)
class Backlog:
    """The two figures that move with the clock: open cases past due, and due within 72 h."""

    overdue: int = 0
    due_soon: int = 0


DEFINITIONS: dict[str, Expr] = {
    "received": Counter("received"),
    "resolved": Counter("resolved"),
    "agreements": Counter("agreements"),
    "no_agreement": Counter("no_agreement"),
    "withdrawn": Counter("withdrawn"),
    "success_rate": rate("agreements", "received"),
    "settlement_rate": rate("agreements", "resolved"),
    "open": Counter("open"),
    "overdue": Clock("overdue"),
    "due_soon": Clock("due_soon"),
    "days_to_resolve_median": median("durations"),
    "days_to_resolve_p90": percentile_90("durations"),
    "agreement_amount": Money(),
    "follow_up_rate": rate("follow_up", "agreements"),
    "fulfilment_rate": rate("fulfilled", "follow_up"),
    "judicial_confirmations_applied": Counter("judicial_applied"),
    "judicial_confirmations_confirmed": Counter("judicial_confirmed"),
    "escalated_yellow": Counter("escalated_yellow"),
    "escalated_orange": Counter("escalated_orange"),
    "escalated_red": Counter("escalated_red"),
    "cohort_received": Counter("received"),
    "cohort_resolved": Counter("cohort_resolved"),
    "cohort_agreements": Counter("cohort_agreements"),
    "cohort_open": Minus(Counter("received"), Counter("cohort_resolved")),
    "cohort_success_rate": rate("cohort_agreements", "received"),
    "cohort_days_to_resolve_median": median("cohort"),
    "satisfaction_mean": rate("satisfaction_sum", "follow_up"),
    "satisfied_rate": rate("satisfied", "follow_up"),
}
"""Each figure's formula, the one definition: figures_of below is made of their Python forms,
and a query of the cells computes their SQL forms on the server (formulas.py, from_cells.py)."""
assert tuple(DEFINITIONS) == FIGURES

figures_of: FiguresOf = compiled(COUNTERS, DEFINITIONS)
"""`figures_of(counts, amount, durations, overdue, due_soon, cohort=())`: every figure of a
tally and backlog given by their parts (counts in COUNTERS' order, durations sorted), as one
flat JSON-ready dict in FIGURES' order."""

ratio = function(Over(Counter("numerator"), Counter("denominator")), "c_numerator", "c_denominator")
"""A rate as the API gives it: a JSON number, or null when the divisor is 0."""
median_days = function(median("durations"), "durations")
"""The median in days of sorted durations; of an even count, the mean of the two middle ones."""
p90_days = function(percentile_90("durations"), "durations")
"""The 90th percentile in days of sorted durations, by nearest rank: rank ceil(0.9 n)."""
money = function(Money(), "amount")
"""Cents as a decimal string: 120000 -> `"1200.00"`, never a float."""


def cents(amount: Decimal) -> int:
    """An amount in cents (fen), as the statistics add it up: exact for money's two decimals."""
    return int(amount.quantize(MONEY) * 100)


def figures(tally: Tally, backlog: Backlog) -> dict[str, Any]:
    """Every figure of api.md, as one flat JSON-ready object."""
    return figures_of(
        tally.counts,
        tally.amount,
        tally.durations,
        backlog.overdue,
        backlog.due_soon,
        tally.cohort,
    )


RateDisplay = Literal["truncate", "half_up"]
"""How a rate is shown (`TONGJIE_RATE_DISPLAY`): `truncate`, as the bureau publishes it (its
report's 调处成功率 99.78% for 7,498 ÷ 7,514 = 0.997871…), or `half_up` (99.79%)."""
TRUNCATE: RateDisplay = "truncate"


def percent(numerator: int, denominator: int, mode: RateDisplay = TRUNCATE) -> str | None:
    """The exact ratio as a percentage with two decimals, truncated (7498/7514 -> 99.78%, as
    the bureau publishes) or rounded half up (99.79%)."""
    if denominator == 0:
        return None
    if mode == TRUNCATE:
        hundredths = numerator * 10_000 // denominator
    else:
        hundredths = (numerator * 20_000 + denominator) // (2 * denominator)
    return f"{hundredths // 100}.{hundredths % 100:02d}%"


def display_rate(rate: float | None, mode: RateDisplay = TRUNCATE) -> str:
    """A rate the API gave (a JSON number) as a percentage with two decimals, truncated or
    rounded half up: its shortest decimal form (`repr`) decides, so 0.29 is 29.00%."""
    if rate is None:
        return "—"
    rounding = ROUND_DOWN if mode == TRUNCATE else ROUND_HALF_UP
    value = (Decimal(repr(rate)) * 100).quantize(MONEY, rounding=rounding)
    return f"{value}%"


def shown_rate(rate: float, mode: RateDisplay = TRUNCATE) -> Decimal:
    """A rate as a display shows it, as a fraction of four decimals (a percentage of two):
    0.997871… -> 0.9978 truncated, 0.9979 half up; what `display_rate` prints, as a number."""
    rounding = ROUND_DOWN if mode == TRUNCATE else ROUND_HALF_UP
    return Decimal(repr(rate)).quantize(FRACTION, rounding=rounding)


FRACTION = Decimal("0.0001")


def display_days(days: float | None) -> str:
    return "—" if days is None else f"{Decimal(repr(days)).quantize(MONEY, ROUND_HALF_UP)}"
