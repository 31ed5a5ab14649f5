"""What one case adds to the statistics, and where: its contributions.

A case contributes up to two things: its receipt (counted at `received_at`) and either its
resolution (counted at `resolved_at`, with the organisation and mediator it had then) or its
place in the backlog (counted now, under its current organisation and mediator). When the
case's facts change, the view takes the old contributions out and puts the new ones in, so a
correction moves the case's figures to its corrected category or street.

The receipt also carries the case's fate, for the cohort figures (what became of the cases
received in a period, whatever happened later): whether it is resolved by now, whether with an
agreement, and how long it took. So a resolution moves the receipt too: out of the cells as an
open receipt, back in as a resolved one, in the same cells of its receipt's time.
"""

from __future__ import annotations

from dataclasses import dataclass

from projections.stats.facts import CaseFacts
from projections.stats.figures import COUNTERS, SATISFIED

RECEIVED, RESOLUTION, BACKLOG = "received", "resolution", "backlog"
_INDEX = {name: i for i, name in enumerate(COUNTERS)}


@dataclass(frozen=True, slots=True)
class Contribution:
    kind: str
    at_us: int | None
    """The business time it counts at; None for the backlog, which counts as of now."""
    keys: tuple[str, ...]
    counts: tuple[int, ...]
    amount: int = 0
    """Cents (fen)."""
    duration_us: int | None = None
    """resolved_at - received_at: of a resolution (kept with the cells of its resolution's
    time), or of a resolved case's receipt (kept, for the cohort, with its receipt's)."""


def _counts(*names: str, satisfaction: int = 0) -> tuple[int, ...]:
    counts = [0] * len(COUNTERS)
    for name in names:
        counts[_INDEX[name]] += 1
    counts[_INDEX["satisfaction_sum"]] = satisfaction
    return tuple(counts)


_RECEIVED = _counts("received")
_RECEIVED_RESOLVED = _counts("received", "cohort_resolved")
_RECEIVED_AGREED = _counts("received", "cohort_resolved", "cohort_agreements")
_OUTCOME = {"agreement": "agreements", "no_agreement": "no_agreement", "withdrawn": "withdrawn"}
_ESCALATED = {"yellow": "escalated_yellow", "orange": "escalated_orange", "red": "escalated_red"}


def contributions(facts: CaseFacts | None) -> tuple[Contribution, ...]:
    if facts is None:
        return ()
    keys = facts.keys
    if facts.resolved_us is None:
        received = Contribution(RECEIVED, facts.received_us, keys, _RECEIVED)
        escalated = _ESCALATED.get(facts.risk)
        backlog = _counts("open", escalated) if escalated else _counts("open")
        return received, Contribution(BACKLOG, None, keys, backlog)
    agreement = facts.outcome == "agreement"
    duration = facts.resolved_us - facts.received_us
    received = Contribution(
        RECEIVED,
        facts.received_us,
        keys,
        _RECEIVED_AGREED if agreement else _RECEIVED_RESOLVED,
        duration_us=duration,
    )
    names = ["resolved"]
    if facts.outcome is not None:
        names.append(_OUTCOME[facts.outcome])
    satisfaction = 0
    if agreement and facts.followed_up:
        names.append("follow_up")
        if facts.fulfilled:
            names.append("fulfilled")
        if facts.satisfaction is not None:
            satisfaction = facts.satisfaction
            if satisfaction >= SATISFIED:
                names.append("satisfied")
    if agreement and facts.judicial_applied:
        names.append("judicial_applied")
        if facts.judicial_confirmed:
            names.append("judicial_confirmed")
    resolution = Contribution(
        RESOLUTION,
        facts.resolved_us,
        keys,
        _counts(*names, satisfaction=satisfaction),
        facts.amount_cents if agreement and facts.amount_cents is not None else 0,
        duration,
    )
    return received, resolution
