"""A case rebuilt from its stored events is the case that was saved, type for type, on SQLite and
on PostgreSQL: enums stay enums, Decimal keeps its digits, tuples stay tuples, aware times keep
their offset; and at every version, the replay (`CaseReads.at_version`) is the case as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.bootstrap import build_application
from application.dto import CaseDetails
from application.tongjie import Tongjie
from domain.case import Case
from domain.text import blank
from domain.values import (
    SUBCATEGORIES,
    Agreement,
    AgreementForm,
    Category,
    Channel,
    Fulfilment,
    Method,
    Outcome,
    Party,
    PartyRole,
    Referral,
    Registration,
    RiskLevel,
    Ruling,
)
from infrastructure.settings import Settings
from tests.depth import examples
from tests.typed_equality import assert_same_aggregate, differences
from tests.unit.case_builders import BOSS, ZHANG

ZONES = st.one_of(
    st.just(UTC),
    st.just(ZoneInfo("Asia/Shanghai")),
    st.integers(-12 * 4, 14 * 4).map(lambda q: timezone(timedelta(minutes=15 * q))),
)
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
NAMES = TEXT.filter(lambda text: not blank(text))  # what the domain takes as a name
AMOUNTS = st.one_of(
    st.none(),
    st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False),
    st.sampled_from([Decimal("0"), Decimal("1200.00"), Decimal("5E+3"), Decimal("0.1")]),
)


@st.composite
def registrations(draw: st.DrawFn) -> Registration:
    category = draw(st.sampled_from(list(Category)))
    parties = (
        Party(PartyRole.APPLICANT, draw(NAMES), draw(st.none() | TEXT), draw(st.none() | TEXT)),
        *draw(st.lists(st.builds(Party, st.sampled_from(list(PartyRole)), NAMES), max_size=2)),
        Party(PartyRole.RESPONDENT, draw(NAMES)),
    )
    return Registration(
        category=category,
        subcategory=draw(st.none() | st.sampled_from(sorted(SUBCATEGORIES[category]))),
        street=draw(NAMES),
        channel=draw(st.sampled_from(list(Channel))),
        summary=draw(NAMES),
        parties=parties,
        claim_amount=draw(AMOUNTS),
    )


Command = Callable[[Case, datetime], None]


@st.composite
def lifecycles(draw: st.DrawFn) -> list[Command]:
    """The commands of one case after its receipt, each to be given its business time."""
    commands: list[Command] = []
    if draw(st.booleans()):
        level = draw(st.sampled_from(list(RiskLevel)))

        def assess(c: Case, at: datetime) -> None:
            c.assess_risk(level=level, reason="研判", actor=ZHANG, assessed_at=at)

        commands.append(assess)
    commands.append(route)
    attendees = draw(st.lists(NAMES, max_size=3))
    minutes = draw(st.none() | st.integers(1, 600))
    for method in draw(st.lists(st.sampled_from(list(Method)), min_size=1, max_size=4)):

        def mediate(c: Case, at: datetime, method: Method = method) -> None:
            c.log_session(
                method=method,
                attendees=attendees,
                notes="调解记录",
                actor=ZHANG,
                held_at=at,
                duration_minutes=minutes,
            )

        commands.append(mediate)
    if draw(st.booleans()):
        days = draw(st.integers(0, 30))

        def extend(c: Case, at: datetime) -> None:
            assert c.original_due_at is not None
            c.extend_deadline(
                new_due_at=c.original_due_at + timedelta(days=days),
                reason="延期",
                parties_consent=True,
                actor=BOSS,
                extended_at=at,
            )

        commands.append(extend)
    if draw(st.booleans()):
        changes = {"summary": draw(NAMES), "claim_amount": draw(AMOUNTS)}

        def correct(c: Case, at: datetime) -> None:
            c.correct_registration(reason="更正", changes=changes, actor=ZHANG, corrected_at=at)

        commands.append(correct)
    outcome = draw(st.sampled_from(list(Outcome)))
    agreement = Agreement(draw(st.sampled_from(list(AgreementForm))), draw(NAMES), draw(AMOUNTS))
    referral = draw(st.sampled_from(list(Referral)))

    def resolve(c: Case, at: datetime) -> None:
        c.resolve(
            outcome=outcome,
            actor=ZHANG,
            resolved_at=at,
            agreement=agreement if outcome is Outcome.AGREEMENT else None,
            referral=referral if outcome is Outcome.NO_AGREEMENT else None,
            note=None if outcome is Outcome.WITHDRAWN else "结案",
        )

    commands.append(resolve)
    if outcome is not Outcome.AGREEMENT:
        return commands
    for satisfaction in draw(st.lists(st.integers(1, 5), max_size=2)):

        def follow_up(c: Case, at: datetime, satisfaction: int = satisfaction) -> None:
            c.record_follow_up(
                fulfilment=Fulfilment.PARTIAL,
                satisfaction=satisfaction,
                actor=ZHANG,
                visited_at=at,
            )

        commands.append(follow_up)
    if agreement.form is AgreementForm.WRITTEN and draw(st.booleans()):
        ruling = draw(st.sampled_from(list(Ruling)))

        def apply(c: Case, at: datetime) -> None:
            c.record_judicial_confirmation(actor=ZHANG, applied_at=at)

        def rule(c: Case, at: datetime) -> None:
            c.record_judicial_confirmation(actor=ZHANG, ruling=ruling, ruled_at=at)

        commands += [apply, rule]
    return commands


def route(c: Case, at: datetime) -> None:
    c.route(organisation="room-1", mediator="m1", actor=BOSS, routed_at=at)


def mediate_by_phone(c: Case, at: datetime) -> None:
    c.log_session(
        method=Method.PHONE,
        attendees=["甲", "乙"],
        notes="电话",
        actor=ZHANG,
        held_at=at,
        duration_minutes=5,
    )


def run(
    tongjie: Tongjie,
    registration: Registration,
    start: datetime,
    commands: Sequence[Command],
    zone: Any,
) -> list[Case]:
    """Receive, then each command a day apart in `zone`, saving after each; the case as it stood
    after each save."""
    case = Case.receive(
        id=uuid4(),
        number="2026-000001",
        registration=registration,
        actor=ZHANG,
        received_at=start.astimezone(zone),
    )
    tongjie.store.save(case)
    versions = [copy.copy(case)]
    for day, command in enumerate(commands, start=1):
        command(case, (start + timedelta(days=day)).astimezone(zone))
        tongjie.store.save(case)
        versions.append(copy.copy(case))
    return versions


def rebuilt(settings: Settings, case_id: Any) -> Case:
    """The case from a fresh application on the same database: nothing cached."""
    fresh = build_application(settings)
    try:
        case: Any = fresh.store.repository.get(case_id)
    finally:
        fresh.close()
    assert isinstance(case, Case)
    return case


@settings(
    max_examples=examples(10),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(registration=registrations(), commands=lifecycles(), zone=ZONES)
def test_a_rebuilt_case_is_the_saved_case_at_every_version(
    tongjie: Tongjie,
    settings: Settings,
    registration: Registration,
    commands: list[Command],
    zone: Any,
) -> None:
    start = datetime.now(UTC) - timedelta(days=len(commands) + 2)
    versions = run(tongjie, registration, start, commands, zone)
    saved = versions[-1]
    assert saved.version == len(commands) + 1
    assert_same_aggregate(saved, rebuilt(settings, saved.id))
    for past in versions:
        replayed = tongjie.reads.at_version(saved.id, past.version)
        expected = CaseDetails.of(past, past.modified_on)
        found = differences(expected, replayed)
        assert not found, (past.version, found)


def test_a_case_rebuilt_from_a_snapshot_is_the_saved_case(
    tongjie: Tongjie, settings: Settings
) -> None:
    """At version 50 the store keeps a snapshot of the case, and a load starts from it."""
    start = datetime.now(UTC) - timedelta(days=80)
    zone = ZoneInfo("Asia/Shanghai")
    versions = run(tongjie, family_dispute(), start, [route] + [mediate_by_phone] * 48, zone)
    case = versions[-1]
    assert case.version == 50
    assert tongjie.store.snapshots is not None
    assert [s.originator_version for s in tongjie.store.snapshots.get(case.id)] == [50]
    assert_same_aggregate(case, rebuilt(settings, case.id))
    case.resolve(
        outcome=Outcome.AGREEMENT,
        actor=ZHANG,
        resolved_at=start + timedelta(days=60),
        agreement=Agreement(AgreementForm.WRITTEN, "赔偿", Decimal("10.00")),
    )
    tongjie.store.save(case)
    assert_same_aggregate(case, rebuilt(settings, case.id))


def family_dispute() -> Registration:
    return Registration(
        Category.FAMILY,
        "support",
        "东湖街道",
        Channel.HOTLINE,
        "赡养纠纷",
        (Party(PartyRole.APPLICANT, "父"), Party(PartyRole.RESPONDENT, "子")),
        None,
    )
