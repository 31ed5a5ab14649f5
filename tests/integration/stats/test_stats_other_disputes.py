"""Disputes outside the three matters count in their own row; a supervisor's correction of a
resolved case moves its figures, as every correction does."""

from __future__ import annotations

from datetime import timedelta

from application.tongjie import Tongjie
from domain.values import Category
from tests.integration.stats.conftest import StatsRig
from tests.integration.stats.scripts import District
from tests.integration.stats.test_stats_rules import T0, agree, received, route, rows, summary
from tests.world import OTHER_STREET, STREET


def test_other_disputes_have_their_own_row_and_the_three_matters_stay_as_they_were(
    tongjie: Tongjie, district: District, rig: StatsRig
) -> None:
    family = received(tongjie, district, category=Category.FAMILY)
    route(tongjie, district, family, "m1", T0)
    agree(tongjie, district, family, "m1", T0 + timedelta(days=1))
    received(tongjie, district, category=Category.COMMERCIAL, subcategory="debt")
    before = rows(rig, "category")
    other = received(tongjie, district, category=Category.OTHER, subcategory="traffic")
    route(tongjie, district, other, "m1", T0)
    agree(tongjie, district, other, "m1", T0 + timedelta(days=2), amount="3000.00")
    after = rows(rig, "category")
    assert {key: after[key] for key in before} == before
    assert after["other"]["received"] == after["other"]["agreements"] == 1
    assert after["other"]["agreement_amount"] == "3000.00"
    assert summary(rig)["received"] == 3
    assert summary(rig, category="other")["received"] == 1


def test_a_supervisors_correction_of_a_resolved_case_moves_its_figures(
    tongjie: Tongjie, district: District, rig: StatsRig
) -> None:
    case_id = received(tongjie, district, category=Category.FAMILY, street=STREET)
    route(tongjie, district, case_id, "m1", T0)
    agree(tongjie, district, case_id, "m1", T0 + timedelta(days=2))
    assert rows(rig, "category")["family"]["agreements"] == 1
    tongjie.cases.correct_registration(
        case_id,
        actor=district.world.supervisor,
        reason="实为劳动争议，登记街道有误",
        changes={"category": Category.OTHER, "subcategory": "labour", "street": OTHER_STREET},
    )
    by_category = rows(rig, "category")
    assert set(by_category) == {"other"}
    assert (by_category["other"]["received"], by_category["other"]["agreements"]) == (1, 1)
    assert by_category["other"]["agreement_amount"] == "100.00"
    assert set(rows(rig, "street")) == {OTHER_STREET}
    assert set(rows(rig, "month")) == {T0.strftime("%Y-%m")}  # when it happened, not corrected
    case = tongjie.reads.current(case_id)
    assert (case.status.value, case.corrections) == ("resolved", 1)
