"""The rules of domain.md and api.md that a reader of the figures would check by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.tongjie import Tongjie
from domain.values import (
    Agreement,
    AgreementForm,
    Category,
    Fulfilment,
    Method,
    Outcome,
    Referral,
    RiskLevel,
)
from projections.stats.read import Filters
from tests.integration.stats.conftest import StatsRig
from tests.integration.stats.scripts import District
from tests.world import OTHER_STREET, STREET, registration

BEIJING = timezone(timedelta(hours=8))
T0 = datetime(2025, 3, 10, 9, 0, tzinfo=BEIJING)
YEAR = (datetime(2025, 1, 1, tzinfo=BEIJING), datetime(2026, 1, 1, tzinfo=BEIJING))


def received(app: Tongjie, district: District, at: datetime = T0, **changes: Any) -> UUID:
    return app.cases.receive(
        actor=district.world.mediator, registration=registration(**changes), received_at=at
    ).id


def route(
    app: Tongjie, district: District, case_id: UUID, mediator: str, at: datetime, **kw: Any
) -> None:
    organisation = "centre-2" if mediator == "m2" else "room-1"
    app.cases.route(
        case_id,
        actor=district.world.supervisor,
        organisation=organisation,
        mediator=mediator,
        routed_at=at,
        **kw,
    )


def agree(
    app: Tongjie,
    district: District,
    case_id: UUID,
    mediator: str,
    at: datetime,
    amount: str | None = "100.00",
) -> None:
    actor = district.mediators[mediator]
    app.cases.log_session(
        case_id, actor=actor, method=Method.PHONE, attendees=["甲"], notes="调解", held_at=at
    )
    agreement = Agreement(
        AgreementForm.WRITTEN, "付款", None if amount is None else Decimal(amount)
    )
    app.cases.resolve(
        case_id, actor=actor, outcome=Outcome.AGREEMENT, resolved_at=at, agreement=agreement
    )


def rows(
    rig: StatsRig,
    by: str,
    period: tuple[datetime, datetime] = YEAR,
    now: datetime | None = None,
    **filters: str,
) -> dict[str | None, dict[str, Any]]:
    rig.catch_up()
    answer = rig.query.by(by, *period, Filters(**filters), now)
    return {row.key: row.figures for row in answer.rows}


def summary(
    rig: StatsRig,
    period: tuple[datetime, datetime] = YEAR,
    now: datetime | None = None,
    **filters: str,
) -> dict[str, Any]:
    rig.catch_up()
    return rig.query.summary(*period, Filters(**filters), now).rows[0].figures


def test_a_correction_moves_the_case_to_its_corrected_category_and_street(
    tongjie: Tongjie, district: District, rig: StatsRig
) -> None:
    case_id = received(tongjie, district, category=Category.FAMILY, street=STREET)
    assert set(rows(rig, "category")) == {"family"}
    tongjie.cases.correct_registration(
        case_id,
        actor=district.world.mediator,
        reason="登记错误",
        corrected_at=T0,
        changes={"category": Category.COMMERCIAL, "subcategory": None, "street": OTHER_STREET},
    )
    route(tongjie, district, case_id, "m1", T0)
    agree(tongjie, district, case_id, "m1", T0 + timedelta(days=2))
    by_category = rows(rig, "category")
    assert set(by_category) == {"commercial"}
    assert by_category["commercial"]["received"] == 1
    assert by_category["commercial"]["agreements"] == 1
    assert set(rows(rig, "street")) == {OTHER_STREET}
    assert rows(rig, "street", street=STREET) == {}
    assert summary(rig, category="family")["received"] == 0


def test_a_rerouted_case_counts_for_the_mediator_it_had_when_resolved_or_has_now(
    tongjie: Tongjie, district: District, rig: StatsRig
) -> None:
    done = received(tongjie, district)
    route(tongjie, district, done, "m1", T0)
    route(tongjie, district, done, "m2", T0 + timedelta(hours=1))
    agree(tongjie, district, done, "m2", T0 + timedelta(days=1))
    still_open = received(tongjie, district)
    route(tongjie, district, still_open, "m2", T0)
    route(tongjie, district, still_open, "m3", T0 + timedelta(hours=2))
    unrouted = received(tongjie, district)
    by_mediator = rows(rig, "mediator")
    assert set(by_mediator) == {"m2", "m3", None}
    assert (by_mediator["m2"]["resolved"], by_mediator["m2"]["received"]) == (1, 1)
    assert (by_mediator["m3"]["open"], by_mediator["m3"]["received"]) == (1, 1)
    assert by_mediator[None]["open"] == 1
    by_organisation = rows(rig, "organisation")
    assert by_organisation["centre-2"]["agreements"] == 1
    assert by_organisation["room-1"]["open"] == 1
    assert unrouted is not None


def test_each_figure_counts_in_the_month_of_its_own_business_time(
    tongjie: Tongjie, district: District, rig: StatsRig
) -> None:
    """Received a microsecond before the bureau's midnight, resolved at that midnight."""
    midnight = datetime(2025, 2, 1, tzinfo=BEIJING)
    case_id = received(tongjie, district, at=midnight - timedelta(microseconds=1))
    route(tongjie, district, case_id, "m1", midnight - timedelta(microseconds=1))
    agree(tongjie, district, case_id, "m1", midnight.astimezone(UTC))
    by_month = rows(rig, "month")
    assert (by_month["2025-01"]["received"], by_month["2025-01"]["resolved"]) == (1, 0)
    assert (by_month["2025-02"]["received"], by_month["2025-02"]["resolved"]) == (0, 1)
    february = summary(rig, (midnight, datetime(2025, 3, 1, tzinfo=BEIJING)))
    assert (february["received"], february["agreements"]) == (0, 1)
    assert february["success_rate"] is None  # nothing received: no divisor
    assert february["settlement_rate"] == 1.0
    assert february["days_to_resolve_median"] == 1 / 86_400_000_000


def test_the_latest_follow_up_and_risk_are_the_last_recorded_as_the_case_has_them(
    tongjie: Tongjie, district: District, rig: StatsRig
) -> None:
    """Business time places a figure in a period; the case's state is its history in order."""
    case_id = received(tongjie, district)
    route(tongjie, district, case_id, "m1", T0)
    agree(tongjie, district, case_id, "m1", T0 + timedelta(days=1))
    zhang = district.mediators["m1"]
    for days, fulfilment in ((10, Fulfilment.FULFILLED), (5, Fulfilment.UNFULFILLED)):
        tongjie.cases.record_follow_up(
            case_id,
            actor=zhang,
            fulfilment=fulfilment,
            satisfaction=4,
            visited_at=T0 + timedelta(days=days),
        )
    risky = received(tongjie, district)
    for days, level in ((2, RiskLevel.RED), (1, RiskLevel.YELLOW)):
        tongjie.cases.assess_risk(
            risky,
            actor=district.world.supervisor,
            level=level,
            reason="研判",
            assessed_at=T0 + timedelta(days=days),
        )
    figures = summary(rig)
    assert (figures["follow_up_rate"], figures["fulfilment_rate"]) == (1.0, 0.0)
    assert (figures["escalated_red"], figures["escalated_yellow"]) == (0, 1)
    assert tongjie.reads.current(risky).risk_level is RiskLevel.YELLOW


def test_days_to_resolve_median_of_an_even_count_and_p90_by_nearest_rank(
    tongjie: Tongjie, district: District, rig: StatsRig
) -> None:
    hours = [6, 30, 48, 72, 100, 120, 200, 240, 300, 1000]  # ten cases
    for h in hours:
        case_id = received(tongjie, district)
        route(tongjie, district, case_id, "m1", T0)
        agree(tongjie, district, case_id, "m1", T0 + timedelta(hours=h), amount="0.10")
    figures = summary(rig)
    assert figures["days_to_resolve_median"] == (100 + 120) / 2 / 24
    assert figures["days_to_resolve_p90"] == 300 / 24  # rank ceil(0.9 x 10) = 9
    assert figures["agreement_amount"] == "1.00"
    assert figures["judicial_confirmations_applied"] == 0


def test_the_backlog_is_as_of_now_over_all_cases_with_the_other_filters(
    tongjie: Tongjie, district: District, rig: StatsRig
) -> None:
    now = datetime(2025, 6, 1, 12, tzinfo=BEIJING)
    due = {
        "late": now - timedelta(hours=1),
        "soon": now + timedelta(hours=71),
        "later": now + timedelta(hours=73),
    }
    for name, due_at in due.items():
        case_id = received(tongjie, district, at=datetime(2024, 5, 1, tzinfo=BEIJING))
        routed_at = datetime(2025, 5, 10, tzinfo=BEIJING)  # a deadline within 30 days of it
        route(tongjie, district, case_id, "m1", routed_at, due_at=due_at)
        assert name in due
    other_street = received(tongjie, district, street=OTHER_STREET)
    failed = received(tongjie, district)
    route(tongjie, district, failed, "m2", T0)
    tongjie.cases.log_session(
        failed,
        actor=district.mediators["m2"],
        method=Method.VIDEO,
        attendees=["乙"],
        notes="调解",
        held_at=T0,
    )
    tongjie.cases.resolve(
        failed,
        actor=district.mediators["m2"],
        outcome=Outcome.NO_AGREEMENT,
        resolved_at=T0 + timedelta(days=3),
        referral=Referral.LITIGATION,
    )
    year = summary(rig, now=now)  # the three routed cases were received in 2024: still counted
    assert (year["open"], year["overdue"], year["due_soon"]) == (4, 1, 1)
    assert (year["received"], year["no_agreement"], year["settlement_rate"]) == (2, 1, 0.0)
    assert summary(rig, now=now, street=STREET)["open"] == 3
    assert other_street is not None
    by_month = rows(rig, "month", now=now)
    assert by_month["2025-06"]["open"] == 4  # the backlog counts in the month of now
    assert by_month["2025-03"]["received"] == 2
    assert sum(r["open"] for r in by_month.values()) == 4
    assert summary(rig, (date_time(2024, 1), date_time(2024, 2)), now)["open"] == 4  # any period


def date_time(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=BEIJING)


def test_months_are_the_same_from_cells_from_partial_days_and_from_facts(
    tongjie: Tongjie, district: District, rig: StatsRig
) -> None:
    """Received in January, resolved at 10:00 on 1 February: the resolution is February's,
    whether whole days (cells), a partial day or two filters (facts) answer."""
    case_id = received(tongjie, district, at=datetime(2025, 1, 20, 9, tzinfo=BEIJING))
    route(tongjie, district, case_id, "m1", datetime(2025, 1, 20, 9, tzinfo=BEIJING))
    agree(tongjie, district, case_id, "m1", datetime(2025, 2, 1, 10, tzinfo=BEIJING))
    whole = (datetime(2025, 1, 1, tzinfo=BEIJING), datetime(2025, 3, 1, tzinfo=BEIJING))
    partial = (
        datetime(2025, 1, 15, 10, 30, tzinfo=BEIJING),
        datetime(2025, 2, 1, 12, tzinfo=BEIJING),
    )
    for period in (whole, partial):
        for filters in ({}, {"street": STREET, "mediator": "m1"}):
            by_month = rows(rig, "month", period, **filters)
            assert set(by_month) == {"2025-01", "2025-02"}, (period, filters)
            assert by_month["2025-01"]["received"] == 1
            assert by_month["2025-01"]["resolved"] == 0
            assert by_month["2025-02"]["resolved"] == 1
            assert by_month["2025-02"]["days_to_resolve_median"] == 12 + 1 / 24
