"""The bureau's own figures: 7,514 received in January-September, 7,498 mediated successfully."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from uuid import uuid4

from application.tongjie import Tongjie
from domain.case import Case
from domain.values import Agreement, AgreementForm, Category, Method, Outcome, Referral
from projections.stats.figures import display_rate, percent
from projections.stats.read import Filters
from tests.integration.stats.conftest import StatsRig
from tests.integration.stats.oracle import oracle, stories
from tests.integration.stats.scripts import ASSIGNMENTS, STREETS, District
from tests.world import registration

BEIJING = timezone(timedelta(hours=8))
JANUARY, OCTOBER = datetime(2025, 1, 1, tzinfo=BEIJING), datetime(2025, 10, 1, tzinfo=BEIJING)
RECEIVED, AGREEMENTS = 7_514, 7_498


def load_report_year(app: Tongjie, district: District) -> None:
    """The report's year, built through the aggregate and saved 500 cases at a time."""
    rng = random.Random(RECEIVED)
    span = int((OCTOBER - JANUARY).total_seconds()) - 3 * 86400
    failures = set(rng.sample(range(RECEIVED), RECEIVED - AGREEMENTS))
    boss = district.world.supervisor
    batch: list[Case] = []
    times = sorted(JANUARY + timedelta(seconds=rng.randrange(span)) for _ in range(RECEIVED))
    for index, at in enumerate(times):
        case = Case.receive(
            id=uuid4(),
            number=f"2025-{index + 1:06d}",
            registration=registration(
                category=rng.choice(list(Category)), subcategory=None, street=rng.choice(STREETS)
            ),
            actor=district.world.mediator,
            received_at=at,
        )
        organisation, mediator = rng.choice(ASSIGNMENTS)
        actor = district.mediators[mediator]
        case.route(organisation=organisation, mediator=mediator, actor=boss, routed_at=at)
        held = at + timedelta(hours=rng.randrange(1, 48))
        case.log_session(
            method=Method.IN_PERSON, attendees=["双方"], notes="调解", actor=actor, held_at=held
        )
        if index in failures:
            case.resolve(
                outcome=Outcome.NO_AGREEMENT,
                actor=actor,
                resolved_at=held,
                referral=Referral.LITIGATION,
            )
        else:
            agreement = Agreement(
                AgreementForm.WRITTEN, "履行", Decimal(rng.randrange(100, 10**6)) / 100
            )
            case.resolve(
                outcome=Outcome.AGREEMENT, actor=actor, resolved_at=held, agreement=agreement
            )
        batch.append(case)
        if len(batch) == 500:
            app.store.save(*batch)
            batch = []
    app.store.save(*batch)


def test_the_reports_success_rate_is_7498_of_7514_shown_as_the_bureau_prints_it(
    tongjie: Tongjie, district: District, rig: StatsRig
) -> None:
    load_report_year(tongjie, district)
    rig.catch_up(page_size=2000)
    answer = rig.query.summary(JANUARY, OCTOBER, Filters())
    figures = answer.rows[0].figures
    assert (figures["received"], figures["agreements"]) == (RECEIVED, AGREEMENTS)
    assert figures["success_rate"] == 7_498 / 7_514
    assert display_rate(figures["success_rate"]) == "99.78%"  # truncated, as the report prints
    assert percent(figures["agreements"], figures["received"]) == "99.78%"
    assert display_rate(figures["success_rate"], "half_up") == "99.79%"
    assert percent(figures["agreements"], figures["received"], "half_up") == "99.79%"
    # Every case of the year is resolved within it: the cohort's rate is the bureau's.
    assert figures["cohort_success_rate"] == figures["success_rate"]
    assert (figures["cohort_received"], figures["cohort_open"]) == (RECEIVED, 0)
    assert answer.position == tongjie.store.recorder.max_notification_id()
    by_street = rig.query.by("street", JANUARY, OCTOBER, Filters())
    assert sum(row.figures["received"] for row in by_street.rows) == RECEIVED
    assert sum(row.figures["agreements"] for row in by_street.rows) == AGREEMENTS
    cases = stories(tongjie)
    want = oracle(cases, start=JANUARY, end=OCTOBER, now=OCTOBER, zone=rig.settings.zone)
    assert rig.query.summary(JANUARY, OCTOBER, Filters(), OCTOBER).rows[0].figures == want[None]
