"""The balance: routing every case as its suggestion says keeps the open cases of a target's
eligible mediators within one of each other (counted on the board; SQLite and PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from uuid import UUID

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from application.tongjie import Tongjie
from domain.case import Case
from domain.routing import RoutingRule, RuleMatch, RuleTarget
from domain.values import (
    SUBCATEGORIES,
    Actor,
    CaseStatus,
    Category,
    Channel,
    OrganisationKind,
    Role,
)
from projections.views import Views
from tests.depth import examples
from tests.world import OTHER_STREET, STREET, World, registration

SETUP = Actor(id="setup", login="setup", role=Role.ADMIN)
RULES = [
    RoutingRule(
        "家事到街道通解室",
        RuleMatch(category=Category.FAMILY),
        RuleTarget(organisation_kind=OrganisationKind.STREET_ROOM),
    ),
    RoutingRule(
        "物业到西山中心",
        RuleMatch(category=Category.PROPERTY_MANAGEMENT),
        RuleTarget(organisation="centre-2"),
    ),
]
ELIGIBLE = {"room-1": {"m1", "m5", "m6"}, "centre-2": {"m2", "m9"}}

cases = st.lists(
    st.tuples(
        st.sampled_from([Category.FAMILY, Category.PROPERTY_MANAGEMENT, Category.COMMERCIAL]),
        st.sampled_from([STREET, OTHER_STREET]),
        st.sampled_from(list(Channel)),
        st.none() | st.integers(0, 500_000).map(Decimal),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=10,
)


def _district(tongjie: Tongjie) -> None:
    if tongjie.routing_rules.current().version:
        return  # examples share the store: set up once
    add = tongjie.reference.add_mediator
    for code in ("m5", "m6"):
        add(code=code, name=code, organisation="room-1", actor=SETUP)
    add(code="m7", name="m7", organisation="room-1", actor=SETUP, categories=[Category.OTHER])
    add(code="m8", name="m8", organisation="room-1", actor=SETUP)
    tongjie.reference.deactivate_mediator("m8", actor=SETUP)
    add(code="m9", name="m9", organisation="centre-2", actor=SETUP)
    tongjie.routing_rules.replace(RULES, actor=SETUP, expected_version=0)


@settings(
    max_examples=examples(6),
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # cases accumulate: no shrinking
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batch=cases)
def test_routing_by_suggestion_keeps_the_balance(
    tongjie: Tongjie,
    world: World,
    views: Views,
    batch: list[tuple[Category, str, Channel, Decimal | None, int]],
) -> None:
    _district(tongjie)
    for category, street, channel, claim, pick in batch:
        subcategory = sorted(SUBCATEGORIES[category])[pick]
        case = registration(
            category=category,
            subcategory=subcategory,
            street=street,
            channel=channel,
            claim_amount=claim,
        )
        case_id = tongjie.cases.receive(actor=world.supervisor, registration=case).id
        views.engine.catch_up()
        suggestion = tongjie.triage.suggestion(case_id)
        if category is Category.COMMERCIAL:
            assert suggestion.organisation is None  # no rule: it waits for a supervisor
            continue
        if category is Category.FAMILY and street == OTHER_STREET:
            assert suggestion.organisation is None  # 西山 has no room
            continue
        assert suggestion.mediator in ELIGIBLE[suggestion.organisation or ""]
        tongjie.cases.route(
            case_id,
            actor=world.supervisor,
            organisation=suggestion.organisation,
            mediator=suggestion.mediator,
        )
    views.engine.catch_up()
    open_cases = _open_cases(tongjie)
    for mediators in ELIGIBLE.values():
        counts = [open_cases[m] for m in mediators]
        assert max(counts) - min(counts) <= 1, open_cases


def _open_cases(tongjie: Tongjie) -> Counter[str]:
    """The oracle: every case's current state, from the store."""
    counted: Counter[str] = Counter()
    for case_id in _case_ids(tongjie):
        case = tongjie.reads.current(case_id)
        if case.status is not CaseStatus.RESOLVED and case.mediator is not None:
            counted[case.mediator] += 1
    return counted


def _case_ids(tongjie: Tongjie) -> list[UUID]:
    recorder = tongjie.store.recorder
    notifications = recorder.select_notifications(start=1, limit=1_000_000)
    topic = f"{Case.__module__}:{Case.__qualname__}.Received"
    return [UUID(str(n.originator_id)) for n in notifications if n.topic == topic]
