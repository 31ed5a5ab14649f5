"""Automatic routing: a new case a rule matches is routed in its receipt's transaction, by the
system and naming the rule; once each, however many receipts arrive together (SQLite and
PostgreSQL)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from api.bootstrap import build_application
from application.tongjie import Tongjie
from domain.routing import RoutingRule, RuleMatch, RuleTarget
from domain.values import Actor, Category, OrganisationKind, Role
from infrastructure.settings import Settings
from tests.world import World, make_world, registration

SETUP = Actor(id="setup", login="setup", role=Role.ADMIN)
FAMILY = RoutingRule(
    "家事到街道通解室",
    RuleMatch(category=Category.FAMILY),
    RuleTarget(organisation_kind=OrganisationKind.STREET_ROOM),
)
ROOM = ("m1", "m5", "m6")


@pytest.fixture
def auto(database_url: str) -> Iterator[tuple[Tongjie, World]]:
    app = build_application(Settings(database_url=database_url, auto_routing=True))
    try:
        world = make_world(app)
        for code in ROOM[1:]:
            app.reference.add_mediator(code=code, name=code, organisation="room-1", actor=SETUP)
        app.routing_rules.replace([FAMILY], actor=world.supervisor, expected_version=0)
        yield app, world
    finally:
        app.close()


def test_a_case_a_rule_matches_is_routed_by_the_system_naming_the_rule(
    auto: tuple[Tongjie, World],
) -> None:
    app, world = auto
    summary = app.cases.receive(actor=world.mediator, registration=registration())
    assert (summary.status.value, summary.version) == ("routed", 2)
    assert summary.recorded == ("Received", "Routed")
    _, routed = app.reads.history(summary.id)
    assert routed.type == "Routed"
    assert routed.actor is not None
    assert (routed.actor.login, routed.actor.role) == ("triage", Role.SYSTEM)
    assert routed.data["rule"] == "家事到街道通解室"
    assert (routed.data["organisation"], routed.data["mediator"]) == ("room-1", "m1")
    case = app.reads.current(summary.id)
    assert case.due_at is not None
    assert case.routed_at is not None
    assert case.due_at - case.routed_at == timedelta(days=30)


def test_a_case_no_rule_matches_waits(auto: tuple[Tongjie, World]) -> None:
    app, world = auto
    other = registration(category=Category.COMMERCIAL, subcategory="debt")
    summary = app.cases.receive(actor=world.mediator, registration=other)
    assert (summary.status.value, summary.version) == ("received", 1)


def test_receipts_together_are_each_routed_once_and_evenly(auto: tuple[Tongjie, World]) -> None:
    app, world = auto

    def receive(_: int) -> object:
        return app.cases.receive(actor=world.mediator, registration=registration()).id

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(receive, range(24)))
    assert len(set(ids)) == 24
    mediators: Counter[str] = Counter()
    for case_id in ids:
        history = app.reads.history(case_id)
        routings = [e for e in history if e.type == "Routed"]
        assert len(routings) == 1, case_id
        assert routings[0].data["rule"] == FAMILY.name
        mediators[routings[0].data["mediator"]] += 1
    assert set(mediators) == set(ROOM)
    assert max(mediators.values()) - min(mediators.values()) <= 1, mediators
