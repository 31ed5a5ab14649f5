"""The demo district against the bureau's report, counted from the case histories themselves.

The default data set is loaded once into SQLite (the figures, the rules, the variety) and once
more to show that the same seed gives the same data; a smaller one runs on PostgreSQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from api.bootstrap import build_application, build_views
from demo import DemoOptions, DemoResult, load_demo
from domain.case import Case
from domain.values import (
    SUBCATEGORIES,
    CaseStatus,
    Category,
    Channel,
    OrganisationKind,
    Outcome,
    RiskLevel,
    Role,
)
from infrastructure.settings import Settings
from projections.stats.read import Filters
from tests.integration.demo.histories import (
    Histories,
    data,
    fold,
    read_histories,
    replay_by_command,
)

pytestmark = pytest.mark.slow

ZONE = ZoneInfo("Asia/Shanghai")
AS_OF = datetime.now(ZONE).date()  # the same day for every load of this module
YEAR = AS_OF.year if date(AS_OF.year, 10, 1) <= AS_OF else AS_OF.year - 1
JANUARY = datetime(YEAR, 1, 1, tzinfo=ZONE)
OCTOBER = datetime(YEAR, 10, 1, tzinfo=ZONE)


@dataclass
class Loaded:
    url: str
    result: DemoResult
    histories: Histories
    cases: dict[Any, Case]


def load(url: str, **options: Any) -> Loaded:
    app = build_application(Settings(database_url=url))
    try:
        result = load_demo(app, DemoOptions(as_of=AS_OF, **options))
        histories = read_histories(app.store)
    finally:
        app.close()
    cases = {case_id: fold(events) for case_id, events in histories.cases.items()}
    return Loaded(url, result, histories, cases)


@pytest.fixture(scope="module")
def default_demo(tmp_path_factory: pytest.TempPathFactory) -> Loaded:
    return load(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'tongjie.db'}")


def in_period(at: datetime | None) -> bool:
    return at is not None and JANUARY <= at < OCTOBER


def test_the_reports_figures_from_the_histories(default_demo: Loaded) -> None:
    cases = default_demo.cases.values()
    received = [c for c in cases if in_period(c.received_at)]
    agreements = [c for c in cases if in_period(c.resolved_at) and c.outcome is Outcome.AGREEMENT]
    assert len(received) == 7_514
    assert len(agreements) == 7_498
    assert Fraction(len(agreements), len(received)) == Fraction(7_498, 7_514)
    assert all(in_period(c.resolved_at) for c in received)  # all resolved by 30 September
    others = Counter(c.outcome for c in received if c.outcome is not Outcome.AGREEMENT)
    assert set(others) == {Outcome.NO_AGREEMENT, Outcome.WITHDRAWN}
    assert sum(others.values()) == 16
    assert default_demo.result.run.year == YEAR


def test_the_statistics_view_reports_the_same(default_demo: Loaded) -> None:
    """The dashboard's figures, from the statistics view fed by the store."""
    settings = Settings(database_url=default_demo.url)
    app = build_application(settings)
    views = build_views(settings, app)
    try:
        views.engine.catch_up("stats")
        figures = views.stats.summary(JANUARY, OCTOBER, Filters()).rows[0].figures
    finally:
        views.close()
        app.close()
    assert (figures["received"], figures["agreements"]) == (7_514, 7_498)
    assert figures["success_rate"] == pytest.approx(7_498 / 7_514, abs=1e-12)
    assert figures["open"] == default_demo.result.open_cases
    backlog = ("overdue", "due_soon", "escalated_yellow", "escalated_orange", "escalated_red")
    assert all(figures[name] > 0 for name in backlog), figures


def test_every_case_replays_by_its_own_commands(default_demo: Loaded) -> None:
    """Each stored event is what the aggregate's public method makes of the same input."""
    now = datetime.now(UTC)
    histories = default_demo.histories
    for case_id, events in histories.cases.items():
        assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
        replay_by_command(events)
        assert histories.numbers[case_id] == events[0].number
        for event in events:
            for name, value in data(event).items():
                if isinstance(value, datetime) and name not in ("due_at", "new_due_at"):
                    assert value <= now, (case_id, type(event).__name__, name)


def test_numbers_run_without_gap_in_order_of_receipt(default_demo: Loaded) -> None:
    by_year: dict[int, list[Case]] = {}
    for case in sorted(default_demo.cases.values(), key=lambda c: c.received_at):
        by_year.setdefault(case.received_at.astimezone(ZONE).year, []).append(case)
    for year, cases in by_year.items():
        assert [c.number for c in cases] == [f"{year}-{n:06d}" for n in range(1, len(cases) + 1)]
    assert len(set(default_demo.histories.numbers.values())) == len(default_demo.cases)


def test_reference_data_is_the_reports_district(default_demo: Loaded) -> None:
    histories = default_demo.histories
    kinds = Counter(o.kind for o in histories.organisations.values())
    streets = {o.street for o in histories.organisations.values()}
    assert len(streets) == 16
    assert all(s.endswith("街道") for s in streets)
    rooms = [o for o in histories.organisations.values() if o.kind is OrganisationKind.STREET_ROOM]
    assert sorted(o.street for o in rooms) == sorted(streets)  # a 通解室 on every street
    assert kinds[OrganisationKind.SERVICE_CENTRE] >= 16
    assert kinds[OrganisationKind.ENTERPRISE] == 18
    assert kinds[OrganisationKind.PROFESSIONAL] == 3
    assert len(histories.mediators) == 300
    assert {m.organisation for m in histories.mediators.values()} == set(histories.organisations)
    roles = Counter(u.role for u in histories.users)
    assert roles[Role.MEDIATOR] == 300
    assert roles[Role.SUPERVISOR] >= 1
    assert roles[Role.AUDITOR] >= 1
    assert roles[Role.ADMIN] >= 1
    for case in default_demo.cases.values():
        assert case.registration.street in streets
        if case.mediator is not None:
            assert histories.mediators[case.mediator].organisation == case.organisation


def test_the_year_looks_like_a_bureaus_year(default_demo: Loaded) -> None:
    year = [c for c in default_demo.cases.values() if in_period(c.received_at)]
    assert {c.registration.category for c in year} == set(Category)
    assert {c.registration.channel for c in year} == set(Channel)
    for category in Category:
        found = {c.registration.subcategory for c in year if c.registration.category is category}
        assert found >= SUBCATEGORIES[category]
    working = [c for c in year if c.received_at.astimezone(ZONE).weekday() < 5]
    assert len(working) == len(year)  # intake on working days
    days = [(c.resolved_at - c.received_at) / timedelta(days=1) for c in year if c.resolved_at]
    assert sum(d <= 30 for d in days) / len(days) > 0.95  # mostly within the month of the rules
    assert sorted(days)[len(days) // 2] < 15
    assert 0 < sum(c.extended for c in year) < len(year) * 0.05
    assert any(len(c.sessions) >= 3 for c in year)
    assert any(len(c.sessions) == 1 for c in year)
    agreements = [c for c in year if c.outcome is Outcome.AGREEMENT]
    followed = sum(bool(c.follow_ups) for c in agreements)
    assert 0.2 < followed / len(agreements) < 0.8
    assert any(c.judicial_ruling is not None for c in agreements)
    assert any(c.judicial_applied_at is not None and c.judicial_ruling is None for c in agreements)
    assert any(c.corrections for c in year)
    kinds = Counter(
        type(e).__name__ for events in default_demo.histories.cases.values() for e in events
    )
    assert kinds["RiskAssessed"] > 0
    assert kinds["Routed"] > len(default_demo.cases) * 0.9


def test_the_backlog_gives_every_tile_something(default_demo: Loaded) -> None:
    now = datetime.now(UTC)
    open_cases = [c for c in default_demo.cases.values() if c.status is not CaseStatus.RESOLVED]
    assert open_cases
    assert all(c.received_at >= OCTOBER for c in open_cases)
    assert len(open_cases) == default_demo.result.open_cases
    overdue = [c for c in open_cases if c.due_at is not None and c.due_at < now]
    due_soon = [
        c
        for c in open_cases
        if c.due_at is not None and now <= c.due_at <= now + timedelta(hours=72)
    ]
    escalated = Counter(c.risk_level for c in open_cases if c.risk_level is not RiskLevel.NONE)
    assert overdue
    assert due_soon
    assert set(escalated) == {RiskLevel.YELLOW, RiskLevel.ORANGE, RiskLevel.RED}
    assert {c.status for c in open_cases} == {
        CaseStatus.RECEIVED,
        CaseStatus.ROUTED,
        CaseStatus.IN_MEDIATION,
    }


def test_the_same_seed_gives_the_same_data(default_demo: Loaded, tmp_path: Path) -> None:
    again = load(f"sqlite:///{tmp_path / 'again.db'}")
    assert _business_data(again) == _business_data(default_demo)


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    one = load(f"sqlite:///{tmp_path / 'one.db'}", cases=60, seed=1)
    two = load(f"sqlite:///{tmp_path / 'two.db'}", cases=60, seed=2)
    assert _business_data(one) != _business_data(two)
    assert len([c for c in one.cases.values() if in_period(c.received_at)]) == 60


@pytest.mark.postgres
def test_a_smaller_demo_on_postgres(postgres_url: str) -> None:
    loaded = load(postgres_url, cases=600)
    cases = loaded.cases.values()
    received = [c for c in cases if in_period(c.received_at)]
    agreements = [c for c in cases if in_period(c.resolved_at) and c.outcome is Outcome.AGREEMENT]
    assert len(received) == 600
    assert len(agreements) == round(600 * 7_498 / 7_514) == 599
    for events in loaded.histories.cases.values():
        replay_by_command(events)


def _business_data(loaded: Loaded) -> dict[str, Any]:
    """Cases, numbers, registrations, business times and outcomes; the district's names."""
    histories = loaded.histories
    return {
        "cases": {
            case_id: [data(e) for e in events] for case_id, events in histories.cases.items()
        },
        "numbers": histories.numbers,
        "organisations": {code: data(e) for code, e in histories.organisations.items()},
        "mediators": {code: data(e) for code, e in histories.mediators.items()},
        "users": sorted((u.login, u.name, u.role, u.mediator) for u in histories.users),
    }


def test_the_planted_rise_is_the_one_hotspot_found(default_demo: Loaded) -> None:
    """The demo plants one rise (parking disputes in 文峰街道, tripled in the last 30 days):
    the hotspots as of the demo's day find it, and nothing else."""
    settings = Settings(database_url=default_demo.url)
    app = build_application(settings)
    views = build_views(settings, app)
    try:
        views.engine.catch_up("board")
        found = views.hotspots.find(datetime.combine(AS_OF, datetime.min.time(), ZONE))
    finally:
        views.close()
        app.close()
    cells = [(h.street, h.category, h.subcategory) for h in found.hotspots]
    assert cells == [("文峰街道", "property_management", "parking")], found.hotspots
    [rise] = found.hotspots
    assert rise.count >= 2.5 * rise.expected
    assert len(rise.cases) == rise.count
    assert found.cells_tested > 150
