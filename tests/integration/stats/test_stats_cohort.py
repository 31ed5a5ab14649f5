"""The cohort figures: what became of the cases received in a period, whatever happened later.

By hand (a case received in March and settled in April: March's cohort has its agreement, the
bureau's March rate does not) and by property on random histories: a cohort's success rate is
never above 1, and equals the bureau's rate when the period's receipts and resolutions are the
same cases.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from application.tongjie import Tongjie
from domain.values import Fulfilment, Method, Outcome, Referral
from projections.stats.read import Filters
from tests.depth import examples
from tests.integration.stats.conftest import StatsRig
from tests.integration.stats.oracle import stories
from tests.integration.stats.scripts import Clerk, District
from tests.integration.stats.test_stats_oracle import BYS, bound, periods
from tests.integration.stats.test_stats_rules import BEIJING, T0, agree, received, route, rows

MARCH = (datetime(2025, 3, 1, tzinfo=BEIJING), datetime(2025, 4, 1, tzinfo=BEIJING))
APRIL = (datetime(2025, 4, 1, tzinfo=BEIJING), datetime(2025, 5, 1, tzinfo=BEIJING))


def test_a_case_counts_in_the_cohort_of_its_receipt_once_resolved_later(
    tongjie: Tongjie, district: District, rig: StatsRig
) -> None:
    first = received(tongjie, district)  # 10 March
    second = received(tongjie, district, at=T0 + timedelta(days=1))
    route(tongjie, district, first, "m1", T0 + timedelta(hours=1))
    route(tongjie, district, second, "m2", T0 + timedelta(days=1, hours=1))
    march = rows(rig, "month", MARCH)["2025-03"]  # cells made from the facts: both open
    assert (march["received"], march["cohort_resolved"], march["cohort_open"]) == (2, 0, 2)
    assert march["cohort_success_rate"] == 0.0
    assert march["cohort_days_to_resolve_median"] is None
    agree(tongjie, district, first, "m1", T0 + timedelta(days=30))  # 9 April, batch by batch
    tongjie.cases.log_session(
        second,
        actor=district.mediators["m2"],
        method=Method.PHONE,
        attendees=["甲"],
        notes="调解",
        held_at=T0 + timedelta(days=2),
    )
    tongjie.cases.resolve(
        second,
        actor=district.mediators["m2"],
        outcome=Outcome.NO_AGREEMENT,
        resolved_at=T0 + timedelta(days=3),
        referral=Referral.LITIGATION,
    )
    by_month = rows(rig, "month", (MARCH[0], APRIL[1]))
    march, april = by_month["2025-03"], by_month["2025-04"]
    assert (march["received"], march["agreements"], march["success_rate"]) == (2, 0, 0.0)
    assert (march["cohort_received"], march["cohort_resolved"]) == (2, 2)
    assert (march["cohort_agreements"], march["cohort_open"]) == (1, 0)
    assert march["cohort_success_rate"] == 0.5
    assert march["cohort_days_to_resolve_median"] == (2 + 30) / 2
    assert (april["received"], april["agreements"], april["success_rate"]) == (0, 1, None)
    assert april["cohort_received"] == 0
    assert april["cohort_success_rate"] is None
    # The whole period: receipts and resolutions are the same cases, so the rates agree.
    whole = rows(rig, "category", (MARCH[0], APRIL[1]))["family"]
    assert whole["success_rate"] == whole["cohort_success_rate"] == 0.5
    assert whole["days_to_resolve_median"] == whole["cohort_days_to_resolve_median"] == 16.0
    # Per mediator: the cohort counts under the organisation and mediator the case has.
    mediators = rows(rig, "mediator", MARCH)
    assert mediators["m1"]["cohort_agreements"] == 1
    assert mediators["m2"]["cohort_agreements"] == 0
    assert mediators["m2"]["cohort_resolved"] == 1


def test_satisfaction_is_the_latest_follow_ups_and_satisfied_means_4_or_5(
    tongjie: Tongjie, district: District, rig: StatsRig
) -> None:
    cases = [received(tongjie, district, at=T0 + timedelta(hours=i)) for i in range(3)]
    for i, case_id in enumerate(cases):
        route(tongjie, district, case_id, "m1", T0 + timedelta(hours=i, minutes=5))
        agree(tongjie, district, case_id, "m1", T0 + timedelta(days=2))
    actor = district.mediators["m1"]
    visit = T0 + timedelta(days=5)
    for case_id, scores in zip(cases[:2], ([2, 5], [3]), strict=True):
        for score in scores:  # the first case's latest visit says 5
            tongjie.cases.record_follow_up(
                case_id,
                actor=actor,
                fulfilment=Fulfilment.FULFILLED,
                satisfaction=score,
                visited_at=visit,
            )
    (figures,) = rows(rig, "street", MARCH).values()
    assert figures["follow_up_rate"] == 2 / 3
    assert figures["satisfaction_mean"] == (5 + 3) / 2
    assert figures["satisfied_rate"] == 0.5


@settings(
    max_examples=examples(8),
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # cases accumulate: an example cannot be replayed
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_cohorts_rate_is_never_above_one_and_is_the_bureaus_when_the_same_cases(
    tongjie: Tongjie, district: District, rig: StatsRig, data: st.DataObject
) -> None:
    clerk = Clerk(tongjie, district, data)
    for _ in range(data.draw(st.integers(1, 8), label="cases")):
        clerk.case()
    rig.catch_up(page_size=data.draw(st.sampled_from([1, 5, 500]), label="page size"))
    cases = stories(tongjie)
    zone = rig.settings.zone
    first, last = data.draw(periods(), label="period")
    start, end = bound(first, zone), bound(last, zone)
    received_in = {id(c) for c in cases if start <= c.received_at < end}
    resolved_in = {id(c) for c in cases if c.resolved and start <= c.resolved.resolved_at < end}
    for by in BYS:
        answer = rig.query.by(by, start, end, Filters()) if by else None
        found = answer.rows if answer else rig.query.summary(start, end, Filters()).rows
        for row in found:
            figures = row.figures
            rate = figures["cohort_success_rate"]
            assert rate is None or 0 <= rate <= 1, (by, row.key, figures)
            assert figures["cohort_agreements"] <= figures["cohort_resolved"]
            assert figures["cohort_resolved"] + figures["cohort_open"] == figures["received"]
        if by is None and received_in == resolved_in:
            summary = found[0].figures
            assert summary["cohort_success_rate"] == summary["success_rate"]
            assert summary["cohort_agreements"] == summary["agreements"]
            assert summary["cohort_days_to_resolve_median"] == summary["days_to_resolve_median"]
