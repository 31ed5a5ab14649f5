"""The statistics computed the slow, obvious way: straight from every case's history.

No code of the statistics view is used here: the histories are the domain's own events, read
back through the application's mapper, and every figure follows domain.md and api.md word for
word, with exact fractions for the days.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

from application.tongjie import Tongjie
from domain.case import Case
from domain.values import AgreementForm, Fulfilment, Outcome, RiskLevel, Ruling

DIMENSIONS = ("category", "street", "channel", "organisation", "mediator", "subcategory")
CASE_EVENTS = (
    Case.Received,
    Case.Routed,
    Case.Mediated,
    Case.DeadlineExtended,
    Case.RiskAssessed,
    Case.RegistrationCorrected,
    Case.Resolved,
    Case.FollowUpRecorded,
    Case.JudicialConfirmationRecorded,
)


def histories(app: Tongjie) -> dict[UUID, list[Any]]:
    """Every case's events in order, decoded by the application itself."""
    recorder = app.store.recorder
    found: dict[UUID, list[Any]] = defaultdict(list)
    start = 1
    while True:
        page = recorder.select_notifications(start=start, limit=1000)
        for notification in page:
            event = app.store.mapper.to_domain_event(notification)
            if isinstance(event, CASE_EVENTS):
                found[event.originator_id].append(event)
        if len(page) < 1000:
            return dict(found)
        start = page[-1].id + 1


@dataclass
class Story:
    """What the figures need of one case, read off its events."""

    keys: dict[str, str | None]
    received_at: datetime
    resolved: Case.Resolved | None = None
    due_at: datetime | None = None
    risk: RiskLevel = RiskLevel.NONE
    follow_ups: list[Case.FollowUpRecorded] = field(default_factory=list)
    judicial: list[Case.JudicialConfirmationRecorded] = field(default_factory=list)
    risks: list[Case.RiskAssessed] = field(default_factory=list)


def story(events: list[Any]) -> Story:
    received = events[0]
    assert isinstance(received, Case.Received)
    registration = received.registration
    organisation: str | None = None
    mediator: str | None = None
    result = Story(keys={}, received_at=received.received_at)
    for event in events[1:]:
        if isinstance(event, Case.RegistrationCorrected):
            registration = event.registration
        elif isinstance(event, Case.Routed):
            organisation, mediator, result.due_at = event.organisation, event.mediator, event.due_at
        elif isinstance(event, Case.DeadlineExtended):
            result.due_at = event.new_due_at
        elif isinstance(event, Case.RiskAssessed):
            result.risks.append(event)
        elif isinstance(event, Case.Resolved):
            result.resolved = event
        elif isinstance(event, Case.FollowUpRecorded):
            result.follow_ups.append(event)
        elif isinstance(event, Case.JudicialConfirmationRecorded):
            result.judicial.append(event)
    if result.risks:  # the latest: the last recorded, as the case's own state has it
        result.risk = result.risks[-1].level
    result.keys = {
        "category": registration.category.value,
        "street": registration.street,
        "channel": registration.channel.value,
        "organisation": organisation,
        "mediator": mediator,
        "subcategory": registration.subcategory,
    }
    return result


@dataclass
class Bucket:
    cohort: list[Story] = field(default_factory=list)
    """The cases received in the period (counted at their receipt)."""
    resolutions: list[Story] = field(default_factory=list)
    backlog: list[Story] = field(default_factory=list)


def month(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.year:04d}-{local.month:02d}"


def week(moment: datetime, zone: tzinfo) -> str:
    year, number, _ = moment.astimezone(zone).date().isocalendar()
    return f"{year:04d}-W{number:02d}"


def stories(app: Tongjie) -> list[Story]:
    return [story(events) for events in histories(app).values()]


def oracle(
    cases: list[Story],
    *,
    start: datetime,
    end: datetime,
    now: datetime,
    zone: tzinfo,
    filters: dict[str, str] | None = None,
    by: str | None = None,
) -> dict[str | None, dict[str, Any]]:
    filters = filters or {}
    buckets: dict[str | None, Bucket] = defaultdict(Bucket)

    def key(case: Story, at: datetime) -> str | None:
        if by is None:
            return None
        if by == "month":
            return month(at, zone)
        if by == "week":
            return week(at, zone)
        return case.keys[by]

    for case in cases:
        if any(case.keys[d] != v for d, v in filters.items()):
            continue
        if start <= case.received_at < end:
            buckets[key(case, case.received_at)].cohort.append(case)
        if case.resolved is None:
            buckets[key(case, now)].backlog.append(case)
        elif start <= case.resolved.resolved_at < end:
            buckets[key(case, case.resolved.resolved_at)].resolutions.append(case)
    if by is None:
        return {None: figures(buckets[None], now)}
    return {
        k: figures(b, now) for k, b in buckets.items() if b.cohort or b.resolutions or b.backlog
    }


def rate(a: int, b: int) -> float | None:
    return None if b == 0 else float(Fraction(a, b))


def days_of(cases: list[Story]) -> list[Fraction]:
    """resolved_at - received_at of the resolved ones, in days (exact), ascending."""
    return sorted(
        Fraction(
            (c.resolved.resolved_at - c.received_at) // timedelta(microseconds=1), 86_400_000_000
        )
        for c in cases
        if c.resolved
    )


def median(days: list[Fraction]) -> float | None:
    n = len(days)
    if not n:
        return None
    return float(days[n // 2] if n % 2 else (days[n // 2 - 1] + days[n // 2]) / 2)


def figures(bucket: Bucket, now: datetime) -> dict[str, Any]:
    received = len(bucket.cohort)
    cohort_resolved = [c for c in bucket.cohort if c.resolved]
    cohort_agreements = [
        c for c in cohort_resolved if c.resolved and c.resolved.outcome is Outcome.AGREEMENT
    ]
    resolutions = bucket.resolutions
    outcomes = [case.resolved.outcome for case in resolutions if case.resolved]
    agreements = [c for c in resolutions if c.resolved and c.resolved.outcome is Outcome.AGREEMENT]
    followed = [c for c in agreements if c.follow_ups]
    fulfilled = [
        c
        for c in followed
        if c.follow_ups[-1].fulfilment is Fulfilment.FULFILLED  # the last recorded
    ]
    scores = [c.follow_ups[-1].satisfaction for c in followed]  # the last recorded
    days = days_of(resolutions)
    n = len(days)
    p90 = None
    if n:
        rank = -(-n * 9 // 10)  # nearest rank: ceil(0.9 n)
        p90 = float(days[rank - 1])
    amount = sum(
        (
            c.resolved.agreement.amount or Decimal(0)
            for c in agreements
            if c.resolved and c.resolved.agreement
        ),
        Decimal(0),
    )
    backlog = bucket.backlog
    soon = now + timedelta(hours=72)
    written = [
        c
        for c in agreements
        if c.resolved
        and c.resolved.agreement
        and c.resolved.agreement.form is AgreementForm.WRITTEN
    ]
    return {
        "received": received,
        "resolved": len(resolutions),
        "agreements": len(agreements),
        "no_agreement": outcomes.count(Outcome.NO_AGREEMENT),
        "withdrawn": outcomes.count(Outcome.WITHDRAWN),
        "success_rate": rate(len(agreements), received),
        "settlement_rate": rate(len(agreements), len(resolutions)),
        "open": len(backlog),
        "overdue": sum(1 for c in backlog if c.due_at is not None and c.due_at < now),
        "due_soon": sum(1 for c in backlog if c.due_at is not None and now <= c.due_at < soon),
        "days_to_resolve_median": median(days),
        "days_to_resolve_p90": p90,
        "agreement_amount": f"{amount:.2f}",
        "follow_up_rate": rate(len(followed), len(agreements)),
        "fulfilment_rate": rate(len(fulfilled), len(followed)),
        "judicial_confirmations_applied": sum(1 for c in written if c.judicial),
        "judicial_confirmations_confirmed": sum(
            1 for c in written if any(j.ruling is Ruling.CONFIRMED for j in c.judicial)
        ),
        "escalated_yellow": sum(1 for c in backlog if c.risk is RiskLevel.YELLOW),
        "escalated_orange": sum(1 for c in backlog if c.risk is RiskLevel.ORANGE),
        "escalated_red": sum(1 for c in backlog if c.risk is RiskLevel.RED),
        "cohort_received": received,
        "cohort_resolved": len(cohort_resolved),
        "cohort_agreements": len(cohort_agreements),
        "cohort_open": received - len(cohort_resolved),
        "cohort_success_rate": rate(len(cohort_agreements), received),
        "cohort_days_to_resolve_median": median(days_of(bucket.cohort)),
        "satisfaction_mean": rate(sum(scores), len(scores)),
        "satisfied_rate": rate(sum(1 for s in scores if s >= 4), len(scores)),
    }
